-- Keys that do less and live shorter (docs/api-keys.md): a scope, an
-- optional IP allow-list (canonical CIDR networks, comma separated; NULL:
-- from anywhere), the address of the last use, and how far the expiry
-- notices have gone (0 none, 1 the 7-day notice, 2 the 1-day notice).
ALTER TABLE api_keys ADD COLUMN scope TEXT NOT NULL DEFAULT 'read_write';
ALTER TABLE api_keys ADD COLUMN allowed_nets TEXT;
ALTER TABLE api_keys ADD COLUMN last_used_ip TEXT;
ALTER TABLE api_keys ADD COLUMN expiry_notices INTEGER NOT NULL DEFAULT 0;
CREATE INDEX api_keys_notices ON api_keys (expires_at) WHERE expiry_notices < 2 AND expires_at IS NOT NULL;

-- Requests per key per UTC day (days since the epoch), for the owner's
-- 30-day chart. Counted in memory and added here in batches, beside the
-- per-account counts.
CREATE TABLE api_key_usage (
    key_id TEXT NOT NULL REFERENCES api_keys (id),
    day INTEGER NOT NULL,
    requests INTEGER NOT NULL,
    PRIMARY KEY (key_id, day)
);

-- Outgoing mail (docs/mail.md), written in the transaction that decides
-- to send it and sent by a worker, so a crash loses none. Claiming is a
-- lease: `next_attempt_at` moves to the end of the lease and `lease_token`
-- names the holder. The body is emptied once the message is sent.
CREATE TABLE mail_outbox (
    id TEXT PRIMARY KEY,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    lease_token TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    sent_at INTEGER,
    failed_at INTEGER,
    last_error TEXT
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
