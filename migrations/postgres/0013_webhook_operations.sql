-- Webhook operations (docs/webhooks.md): when an endpoint was turned off,
-- the alert administrators see about it, and recoveries of the messages
-- it did not get.

ALTER TABLE webhook_endpoints ADD COLUMN disabled_at BIGINT;
-- 'failing' or 'disabled' while administrators have not seen it to the
-- end: cleared when the endpoint recovers or an administrator
-- acknowledges it.
ALTER TABLE webhook_endpoints ADD COLUMN alert TEXT;
ALTER TABLE webhook_endpoints ADD COLUMN alert_at BIGINT;

-- "Recover failed messages since…": the messages of one endpoint created
-- in [since, until) that it did not get are queued again in creation
-- order, a batch at a time, after (cursor_at, cursor): the creation time
-- and id of the last one queued.
CREATE TABLE webhook_recoveries (
    id TEXT PRIMARY KEY,
    endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    since BIGINT NOT NULL,
    until BIGINT NOT NULL,
    -- Messages to send again, counted when it was asked for, and how many
    -- are queued so far.
    total BIGINT NOT NULL,
    queued BIGINT NOT NULL DEFAULT 0,
    cursor_at BIGINT NOT NULL DEFAULT 0,
    cursor TEXT NOT NULL DEFAULT '',
    -- 'running' or 'done'.
    state TEXT NOT NULL CHECK (state IN ('running', 'done')),
    -- The instance stepping it holds it until then (a lease, as for
    -- deliveries): a crashed instance's recovery is taken up again.
    lease_until BIGINT NOT NULL DEFAULT 0,
    created_by TEXT,
    created_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX webhook_recoveries_endpoint ON webhook_recoveries (endpoint_id, created_at);
-- The recovery that last queued a delivery again: its next batch waits
-- until those have had their first try.
ALTER TABLE webhook_deliveries ADD COLUMN recovery_id TEXT;

-- The events of a window, in creation order.
CREATE INDEX outbox_created ON outbox (created_at, id);
CREATE INDEX webhook_recoveries_running ON webhook_recoveries (created_at) WHERE state = 'running';
