-- Foundation: organization, locations, merchants, users, sessions, sign-in
-- throttling and the audit log. Times are INTEGER milliseconds since the
-- Unix epoch (UTC) in both databases, so the same SQL compares them.

CREATE TABLE organization (
    id SMALLINT PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL,
    default_language TEXT NOT NULL DEFAULT 'en' CHECK (default_language IN ('en', 'fr')),
    timezone TEXT NOT NULL DEFAULT 'UTC',
    updated_at BIGINT NOT NULL
);

CREATE TABLE locations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('branch', 'warehouse')),
    ref_no TEXT NOT NULL UNIQUE,
    address TEXT,
    timezone TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE merchants (
    id TEXT PRIMARY KEY,
    business_name TEXT NOT NULL,
    contact_email TEXT NOT NULL,
    address TEXT,
    default_location_id TEXT NOT NULL REFERENCES locations (id),
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE merchant_locations (
    merchant_id TEXT NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
    location_id TEXT NOT NULL REFERENCES locations (id),
    PRIMARY KEY (merchant_id, location_id)
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    -- Lower-cased copy: e-mail addresses are unique regardless of case.
    email_lower TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'merchant_l1', 'merchant_l2')),
    merchant_id TEXT REFERENCES merchants (id),
    language TEXT NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'fr')),
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CHECK ((role = 'admin') = (merchant_id IS NULL))
);
CREATE INDEX users_merchant ON users (merchant_id);

-- Only the SHA-256 of the cookie value is stored.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    ip TEXT,
    user_agent TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Failed sign-ins per e-mail address, whether or not an account exists, so
-- the growing delay does not reveal which addresses have accounts.
CREATE TABLE sign_in_failures (
    email_lower TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    last_failure_at BIGINT NOT NULL
);

CREATE TABLE audit_events (
    id TEXT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor_user_id TEXT,
    actor_label TEXT NOT NULL,
    action TEXT NOT NULL,
    target_type TEXT,
    target_id TEXT,
    ip TEXT,
    details TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_events_at ON audit_events (at, id);
CREATE INDEX audit_events_actor ON audit_events (actor_user_id, at);
CREATE INDEX audit_events_action ON audit_events (action, at);
