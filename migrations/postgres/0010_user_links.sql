-- Single-use links that let a person set a password (docs/people.md): an
-- invitation (72 hours) or a password reset (1 hour). Only the SHA-256 of
-- a link's token is stored. A new link of the same purpose replaces the
-- unused ones.
ALTER TABLE users ADD COLUMN invited BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE user_links (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    purpose TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX user_links_user ON user_links (user_id);
