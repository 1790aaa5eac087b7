-- When the session's user last proved who they are (password, code): the
-- most sensitive actions ask again after a while (docs/people.md). NULL on
-- sessions older than this column: their sign-in time counts.
ALTER TABLE sessions ADD COLUMN proven_at INTEGER;
