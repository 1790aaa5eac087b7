-- A text search with a common needle walks the filters' index newest
-- first and tests each job's text (src/server/db/jobs/search.rs). With the
-- text carried in the index (INCLUDE), PostgreSQL tests it with an
-- index-only scan and reads the rows of the matching jobs only: the walk
-- of a merchant's completed jobs for a last name went from 81 ms to 7 ms
-- at a million jobs (docs/benchmarks.md). The index-only scan needs the
-- visibility map, which autovacuum keeps. Each index grows by about 40 %.
--
-- Rebuilding the three indexes holds the jobs table's write lock: about
-- 20 s at a million jobs, once, while the upgraded instance starts.
DROP INDEX jobs_status;
CREATE INDEX jobs_status ON jobs (status, id) INCLUDE (search_text);
DROP INDEX jobs_creator_status;
CREATE INDEX jobs_creator_status ON jobs (created_by_user, status, id) INCLUDE (search_text);
DROP INDEX jobs_creator;
CREATE INDEX jobs_creator ON jobs (created_by_user, id) INCLUDE (search_text);
