-- API accounts: one per user who has (or had) API access. The id is the
-- public API Account ID. `enabled` is the administrator's "API access"
-- toggle; keys (added with the credentials) hang off the account.
CREATE TABLE api_accounts (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL UNIQUE REFERENCES users (id),
    enabled BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Merchant search by name or e-mail, case-insensitive.
CREATE INDEX merchants_name ON merchants (business_name);
