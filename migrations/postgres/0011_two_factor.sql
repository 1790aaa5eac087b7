-- The second factor (docs/people.md). A user's TOTP secret is sealed with
-- the instance key (NULL: no second factor); the last accepted step keeps
-- a code from being used twice. Recovery codes are stored as hashes.
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;

CREATE TABLE recovery_codes (
    user_id TEXT NOT NULL REFERENCES users (id),
    code_hash TEXT NOT NULL,
    used_at BIGINT,
    PRIMARY KEY (user_id, code_hash)
);

-- How far a session is: 'full', or 'code' (the password was right, a code
-- is due) or 'enrol' (an administrator must set up a second factor before
-- anything else). A session not 'full' signs no one in. The secret being
-- set up waits on the session, sealed.
ALTER TABLE sessions ADD COLUMN stage TEXT NOT NULL DEFAULT 'full';
ALTER TABLE sessions ADD COLUMN pending_secret TEXT;
