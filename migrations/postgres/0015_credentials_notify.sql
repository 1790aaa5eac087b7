-- The credentials cache (docs/api-keys.md, "Authentication and the
-- cache"): every instance keeps who each API key belongs to in memory and
-- empties it when any instance commits a change to what that depends on.
-- NOTIFY is delivered at commit, once per transaction and channel.
CREATE FUNCTION livreur_credentials_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('livreur_credentials', '');
    RETURN NULL;
END;
$$;
-- Keys: not their use (last_used_at, last_used_ip) nor the expiry
-- bookkeeping, which every request's usage flush and the expiry task write.
CREATE TRIGGER api_keys_credentials AFTER INSERT OR DELETE OR UPDATE OF
    id, account_id, key_hash, expires_at, revoked_at, scope, allowed_nets ON api_keys
    FOR EACH STATEMENT EXECUTE FUNCTION livreur_credentials_notify();
CREATE TRIGGER api_accounts_credentials AFTER INSERT OR UPDATE OR DELETE ON api_accounts
    FOR EACH STATEMENT EXECUTE FUNCTION livreur_credentials_notify();
CREATE TRIGGER users_credentials AFTER INSERT OR UPDATE OR DELETE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION livreur_credentials_notify();
CREATE TRIGGER merchants_credentials AFTER INSERT OR UPDATE OR DELETE ON merchants
    FOR EACH STATEMENT EXECUTE FUNCTION livreur_credentials_notify();
