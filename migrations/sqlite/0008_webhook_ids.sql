-- Webhook endpoint ids take the contract's prefix, `whk_` (they were
-- `wh_`). Each endpoint is copied under its new id, its deliveries with
-- it, its attempts moved over, then the old rows deleted: the foreign keys
-- hold at every step, on both databases. The audit log names the new ids.
-- An old `wh_` id then answers 404 like any unknown one. The signing
-- secrets, sealed with the old id as associated data, are sealed again
-- under the new id when the server starts (webhooks::reseal_renamed).

INSERT INTO webhook_endpoints (id, url, location_id, events, description, enabled,
    disabled_reason, secret_sealed, previous_secret_sealed, previous_secret_until,
    failing_since, last_success_at, last_failure_at, created_at, updated_at)
SELECT 'whk_' || substr(id, 4), url, location_id, events, description, enabled,
    disabled_reason, secret_sealed, previous_secret_sealed, previous_secret_until,
    failing_since, last_success_at, last_failure_at, created_at, updated_at
FROM webhook_endpoints WHERE id LIKE 'wh\_%' ESCAPE '\';

INSERT INTO webhook_deliveries (endpoint_id, message_id, event_type, payload, state,
    next_attempt_at, lease_token, round_attempts, attempts, last_attempt_at,
    last_status, last_duration_ms, last_response, last_error, created_at)
SELECT 'whk_' || substr(endpoint_id, 4), message_id, event_type, payload, state,
    next_attempt_at, lease_token, round_attempts, attempts, last_attempt_at,
    last_status, last_duration_ms, last_response, last_error, created_at
FROM webhook_deliveries WHERE endpoint_id LIKE 'wh\_%' ESCAPE '\';

UPDATE webhook_attempts SET endpoint_id = 'whk_' || substr(endpoint_id, 4)
WHERE endpoint_id LIKE 'wh\_%' ESCAPE '\';

DELETE FROM webhook_deliveries WHERE endpoint_id LIKE 'wh\_%' ESCAPE '\';

DELETE FROM webhook_endpoints WHERE id LIKE 'wh\_%' ESCAPE '\';

UPDATE audit_events SET target_id = 'whk_' || substr(target_id, 4)
WHERE target_type = 'webhook' AND target_id LIKE 'wh\_%' ESCAPE '\';
