-- A text search with a common needle walks the filters' index newest
-- first and tests each job's text (src/server/db/jobs/search.rs). With the
-- text in the index entry, SQLite tests it there and reads the job's row
-- only for the jobs that match: about three times faster at a million jobs
-- (docs/benchmarks.md), for about 150 bytes more per job in each index.
DROP INDEX jobs_status;
CREATE INDEX jobs_status ON jobs (status, id, search_text);
DROP INDEX jobs_creator_status;
CREATE INDEX jobs_creator_status ON jobs (created_by_user, status, id, search_text);
DROP INDEX jobs_creator;
CREATE INDEX jobs_creator ON jobs (created_by_user, id, search_text);
