-- API Auth Keys. Only the SHA-256 of a key is stored (a key carries 256
-- random bits, so a fast hash is enough), with its last 4 characters as a
-- hint. A key is active while it is not revoked and not past `expires_at`
-- (NULL: no expiry). Turning API access off revokes every key at once.
CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES api_accounts (id),
    key_hash TEXT NOT NULL UNIQUE,
    hint TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT,
    expires_at INTEGER,
    revoked_at INTEGER,
    last_used_at INTEGER,
    -- Set once the "api_key.expired" audit entry has been written.
    expiry_recorded BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX api_keys_account ON api_keys (account_id);
CREATE INDEX api_keys_expiry ON api_keys (expires_at) WHERE expiry_recorded = FALSE AND expires_at IS NOT NULL;

-- Requests per API account per UTC day (days since the Unix epoch), for the
-- 7-day chart on API settings. Counted in memory and added here in batches.
CREATE TABLE api_usage (
    account_id TEXT NOT NULL REFERENCES api_accounts (id),
    day INTEGER NOT NULL,
    requests INTEGER NOT NULL,
    PRIMARY KEY (account_id, day)
);

