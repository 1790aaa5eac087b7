-- Webhooks (SPEC section 5): the endpoints administrators configure, one
-- delivery per (endpoint, message) with its retry state and lease, and a
-- log of every attempt.

CREATE TABLE webhook_endpoints (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    -- NULL: the jobs of every location.
    location_id TEXT REFERENCES locations (id),
    -- JSON array of event types, or ["*"].
    events TEXT NOT NULL,
    description TEXT,
    enabled BOOLEAN NOT NULL,
    -- 'manual', 'gone' (the receiver answered 410) or 'failing'.
    disabled_reason TEXT,
    -- Signing secrets, sealed with the instance key (never stored plain).
    secret_sealed TEXT NOT NULL,
    previous_secret_sealed TEXT,
    -- Until when the previous secret still signs (rotation overlap).
    previous_secret_until BIGINT,
    -- Set at the first failed attempt after a success; cleared by a success.
    failing_since BIGINT,
    last_success_at BIGINT,
    last_failure_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE webhook_deliveries (
    endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    -- The outbox event's id (also the `webhook-id` header), or a test
    -- message's own id.
    message_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    -- Only for messages that are not in the outbox (webhook.test).
    payload TEXT,
    -- 'pending' (waiting or in flight), 'succeeded' or 'failed'.
    state TEXT NOT NULL CHECK (state IN ('pending', 'succeeded', 'failed')),
    -- When a pending delivery is next due. A worker that claims it moves
    -- this to the end of its lease, so a crashed worker's claim comes due
    -- again by itself.
    next_attempt_at BIGINT NOT NULL,
    -- The claim of the worker holding it: its result is written only while
    -- the token still matches.
    lease_token TEXT,
    -- Attempts in this round (the retry schedule's position) and in all.
    round_attempts BIGINT NOT NULL DEFAULT 0,
    attempts BIGINT NOT NULL DEFAULT 0,
    last_attempt_at BIGINT,
    last_status BIGINT,
    last_duration_ms BIGINT,
    last_response TEXT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (endpoint_id, message_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_recent ON webhook_deliveries (endpoint_id, created_at);

CREATE TABLE webhook_attempts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    endpoint_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    status BIGINT,
    duration_ms BIGINT NOT NULL,
    response TEXT,
    error TEXT,
    FOREIGN KEY (endpoint_id, message_id) REFERENCES webhook_deliveries (endpoint_id, message_id) ON DELETE CASCADE
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (endpoint_id, message_id, id);

-- Wakes every instance's webhook worker when events are committed (NOTIFY
-- is delivered at commit, once per transaction); polling is the fallback.
CREATE FUNCTION livreur_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('livreur_outbox', '');
    RETURN NULL;
END;
$$;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION livreur_outbox_notify();
