-- A change now fans its event out in its own transaction and hands the
-- deliveries to its instance's worker in memory (docs/webhooks.md, "How a
-- message travels"), writing the event already dispatched. Only an event
-- written without a fan-out (an older version, or straight into the table)
-- still needs every worker's database pass, so only those wake them.
-- (SQLite has one server process and no such trigger: no SQLite 0014,
-- nor 0015.)
DROP TRIGGER outbox_notify ON outbox;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
    FOR EACH ROW WHEN (NEW.dispatched_at IS NULL)
    EXECUTE FUNCTION livreur_outbox_notify();
