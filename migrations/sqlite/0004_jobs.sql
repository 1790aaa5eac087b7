-- Jobs and their actions (SPEC section 2), the webhook outbox and API
-- idempotency keys.
--
-- Text search (`q`) looks for a substring of the reference, customer name,
-- phone, address and barcodes, kept lower-cased in `search_text`. An FTS5
-- trigram index over it makes `LIKE '%…%'` fast at millions of rows; it
-- follows the table through triggers and needs a stable integer row id,
-- hence `seq` (a plain rowid may be renumbered by VACUUM).
CREATE TABLE jobs (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    reference_id TEXT,
    type TEXT NOT NULL CHECK (type IN ('delivery', 'pickup', 'return', 'exchange', 'service', 'installation')),
    status TEXT NOT NULL CHECK (status IN ('new', 'in_progress', 'completed', 'incomplete', 'damaged', 'resolved', 'cancelled')),
    date TEXT NOT NULL,
    window_start TEXT,
    window_end TEXT,
    first_name TEXT NOT NULL,
    last_name TEXT,
    phone TEXT NOT NULL,
    mobile TEXT,
    email TEXT,
    line1 TEXT NOT NULL,
    apartment TEXT,
    city TEXT,
    postal_code TEXT,
    country TEXT,
    lat REAL,
    lng REAL,
    location_id TEXT NOT NULL REFERENCES locations (id),
    description TEXT,
    comment TEXT,
    -- JSON array of strings.
    barcodes TEXT NOT NULL DEFAULT '[]',
    -- The creator: every merchant read is scoped by this column.
    created_by_user TEXT NOT NULL REFERENCES users (id),
    created_by_account TEXT,
    merchant_id TEXT REFERENCES merchants (id),
    creation_source TEXT NOT NULL CHECK (creation_source IN ('api', 'portal', 'admin')),
    version INTEGER NOT NULL,
    search_text TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (created_by_user, reference_id)
);
-- Search pages newest first by id (ids sort by creation time); each filter
-- has an index that serves it in that order.
CREATE INDEX jobs_creator ON jobs (created_by_user, id);
CREATE INDEX jobs_creator_status ON jobs (created_by_user, status, id);
CREATE INDEX jobs_creator_date ON jobs (created_by_user, date);
CREATE INDEX jobs_creator_updated ON jobs (created_by_user, updated_at);
CREATE INDEX jobs_status ON jobs (status, id);
CREATE INDEX jobs_location ON jobs (location_id, id);
CREATE INDEX jobs_date ON jobs (date);
CREATE INDEX jobs_updated ON jobs (updated_at);
CREATE INDEX jobs_reference ON jobs (reference_id);

CREATE VIRTUAL TABLE jobs_search USING fts5 (
    search_text, content = 'jobs', content_rowid = 'seq', tokenize = 'trigram'
);
CREATE TRIGGER jobs_search_insert AFTER INSERT ON jobs BEGIN
    INSERT INTO jobs_search (rowid, search_text) VALUES (new.seq, new.search_text);
END;
CREATE TRIGGER jobs_search_delete AFTER DELETE ON jobs BEGIN
    INSERT INTO jobs_search (jobs_search, rowid, search_text) VALUES ('delete', old.seq, old.search_text);
END;
CREATE TRIGGER jobs_search_update AFTER UPDATE OF search_text ON jobs BEGIN
    INSERT INTO jobs_search (jobs_search, rowid, search_text) VALUES ('delete', old.seq, old.search_text);
    INSERT INTO jobs_search (rowid, search_text) VALUES (new.seq, new.search_text);
END;

CREATE TABLE actions (
    id TEXT PRIMARY KEY,
    job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    -- Order of the actions within their job, as the client gave them.
    position INTEGER NOT NULL,
    external_reference_id TEXT,
    sku TEXT,
    type TEXT NOT NULL CHECK (type IN ('delivery', 'pickup', 'return', 'exchange', 'service', 'installation')),
    description TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    quantity_unit TEXT,
    value REAL,
    weight_kg REAL,
    status TEXT NOT NULL CHECK (status IN ('undetermined', 'completed', 'incomplete', 'damaged')),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX actions_job ON actions (job_id, position);

-- The transactional outbox: every change to a job or an action writes its
-- webhook event here in the same transaction as the change (SPEC section
-- 5), so a crash can never keep the change and lose the event. The webhook
-- worker fans events out to endpoints; the job page reads them as history.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    job_id TEXT NOT NULL,
    location_id TEXT NOT NULL,
    actor_user_id TEXT,
    actor_label TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    -- Set once the webhook worker has turned the event into messages.
    dispatched_at INTEGER
);
CREATE INDEX outbox_job ON outbox (job_id, id);
CREATE INDEX outbox_pending ON outbox (id) WHERE dispatched_at IS NULL;

-- Idempotency-Key on API POSTs (SPEC section 4): the first request claims
-- the key, the finished response is kept for 24 hours and replayed.
CREATE TABLE idempotency_keys (
    account_id TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    -- NULL while the first request is still running.
    status INTEGER,
    headers TEXT,
    body BLOB,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
