-- Sign-in throttling per client address with an e-mail address, and per
-- client address alone (docs/security.md). Counting per e-mail address only
-- let anyone, anywhere, lock a known address out; per address and e-mail,
-- only the failing client waits. An attempt is counted before its password
-- is checked, so parallel attempts cannot all slip through.
DROP TABLE sign_in_failures;

CREATE TABLE sign_in_throttles (
    -- 'pair:<client address> <e-mail>' or 'addr:<client address>'
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_failure_at INTEGER NOT NULL
);
CREATE INDEX sign_in_throttles_last ON sign_in_throttles (last_failure_at);
