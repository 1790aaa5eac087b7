//! Job search: keyset paging on the time-ordered id, the filters given,
//! and substring search over `search_text`.
//!
//! A text search (`q`) is planned here rather than left to the database,
//! because neither planner can tell a common needle from a rare one: a
//! city matches a third of the jobs, a phone fragment one in a thousand.
//! Common needles are found at once by walking the filters' index newest
//! first and testing each job's text; rare ones by the trigram index. See
//! `docs/benchmarks.md` for the measurements behind the numbers.

use std::time::Instant;

use super::Scope;
use super::plan::{Costs, Plan};
use super::rows::{ACTION_COLUMNS, ActionRow, JobRow, assemble};
use super::sample;
use super::search_sql::{Bind, Filters, Step, rest_sql, step_sql, window_sql};
use crate::model::job::{Job, JobQuery};
use crate::server::db::{Db, on_read};

/// How many of the newest jobs passing the other filters may be tested
/// directly for the text before the trigram index is asked. Walking them
/// costs about 2 µs a job on SQLite (neighbouring rows); a needle in 1 %
/// of the jobs fills a page of 50 within it.
pub(super) const WINDOW: u32 = 6000;

/// The lower-cased text that `q` looks for, as `search_text` stores it.
pub fn search_needle(q: &str) -> String {
    q.trim().to_lowercase()
}

/// `$query` with every one of `$binds` bound, in order (a macro: the
/// query types of sqlx differ per result shape and per backend).
macro_rules! bind_all {
    ($query:expr, $binds:expr) => {{
        let mut query = $query;
        for b in $binds {
            query = match b {
                Bind::Text(t) => query.bind(t.clone()),
                Bind::Int(i) => query.bind(*i),
            };
        }
        query
    }};
}

/// Runs one step's SQL on `$pool`: the jobs it finds.
macro_rules! fetch_jobs {
    ($pool:expr, $step:expr, $filters:expr, $needle:expr, $limit:expr, $sqlite:expr) => {{
        let (sql, binds) = step_sql($filters, $needle, $step, $limit, $sqlite);
        bind_all!(sqlx::query_as::<_, JobRow>(&sql), &binds)
            .fetch_all($pool)
            .await?
    }};
}

/// Runs the window's SQL on `$pool`: the oldest id of the window, if
/// more jobs than the window pass the filters.
macro_rules! window_end {
    ($pool:expr, $filters:expr, $size:expr) => {{
        let sql = window_sql($filters, $size);
        bind_all!(sqlx::query_scalar::<_, String>(&sql), &$filters.binds)
            .fetch_optional($pool)
            .await?
    }};
}

/// Counts, on `$pool`, the jobs passing the filters older than `$oldest`,
/// up to `$cap`.
macro_rules! rest_count {
    ($pool:expr, $filters:expr, $oldest:expr, $cap:expr) => {{
        let sql = rest_sql($filters, $cap);
        bind_all!(sqlx::query_scalar::<_, i64>(&sql), &$filters.binds)
            .bind($oldest)
            .fetch_one($pool)
            .await?
    }};
}

/// How [`search_routed`] finds a text search's page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// As the sample of texts suggests (what [`search`] does).
    Planned,
    /// The window of this many jobs first, then the jobs left or the
    /// trigram index, as the plan's costs say.
    WindowFirst(u32),
    /// The window of this many jobs first, then the jobs left.
    WindowThenRest(u32),
    /// The window of this many jobs first, then the trigram index.
    WindowThenIndex(u32),
    /// The trigram index only.
    Index,
}

/// Up to `limit` jobs matching `q`, newest first, after the job `after`.
pub async fn search(
    db: &Db,
    scope: &Scope,
    q: &JobQuery,
    after: Option<&str>,
    limit: u32,
) -> Result<Vec<Job>, sqlx::Error> {
    search_routed(db, scope, q, after, limit, Route::Planned).await
}

/// As [`search`], by the route given: every route finds the same jobs,
/// which the tests check, and only the time differs.
pub async fn search_routed(
    db: &Db,
    scope: &Scope,
    q: &JobQuery,
    after: Option<&str>,
    limit: u32,
    route: Route,
) -> Result<Vec<Job>, sqlx::Error> {
    let filters = Filters::of(scope, q, after);
    let sqlite = matches!(db, Db::Sqlite { .. });
    let needle = q.q.as_deref().map(search_needle).filter(|t| !t.is_empty());
    let needle = needle.as_deref();
    let full = |page: &Vec<JobRow>| page.len() >= limit as usize;
    let Some(text) = needle else {
        let jobs =
            on_read!(db, pool => fetch_jobs!(pool, Step::Plain, &filters, None, limit, sqlite));
        return with_actions(db, jobs).await;
    };
    // Planning reads the whole sample (thousands of texts): a blocking
    // thread's work, not an async one's, even with `q` bounded.
    let (sample, costs, owned) = (sample::sample(db).await?, Costs::of(db), text.to_owned());
    let mut plan = tokio::task::spawn_blocking(move || Plan::new(&sample, &owned, limit, costs))
        .await
        .map_err(|e| sqlx::Error::Protocol(format!("search planning failed: {e}")))?;
    let window = match route {
        Route::Planned => WINDOW,
        Route::WindowFirst(size) => {
            plan.window_first = true;
            size.max(1)
        }
        Route::WindowThenRest(size) => {
            plan.window_first = true;
            plan.index_cost = f64::INFINITY;
            size.max(1)
        }
        Route::WindowThenIndex(size) => {
            plan.window_first = true;
            plan.index_cost = 0.0;
            size.max(1)
        }
        Route::Index => {
            plan.window_first = false;
            WINDOW
        }
    };
    // The index step differs by backend: FTS5 on SQLite, a LIKE pattern
    // for `pg_trgm` on PostgreSQL.
    let (fts, like) = (plan.fts_query(), plan.like_pattern());
    let index = match (db, &fts) {
        (Db::Sqlite { .. }, Some(q)) => Step::Trigrams(q),
        (Db::Sqlite { .. }, None) => Step::Scan(None),
        (Db::Postgres(_), _) => Step::Scan(like.as_deref()),
    };
    let started = Instant::now();
    // Which steps ran, for the debug log: never the needle itself, which
    // is customers' personal data.
    let mut steps: Vec<&str> = Vec::with_capacity(2);
    let jobs = on_read!(db, pool => {
        if plan.window_first {
            let oldest = window_end!(pool, &filters, window);
            let walk = Step::Window(oldest.as_deref());
            let mut page = fetch_jobs!(pool, walk, &filters, needle, limit, sqlite);
            steps.push("window");
            // Complete when full, or when the window held every job
            // passing the filters.
            match oldest.as_deref() {
                _ if full(&page) => page,
                None => page,
                // The needle is scarcer among these jobs than the sample
                // said: walk on through the jobs left if there are fewer
                // of them than the index route would read (counted on the
                // filters' index, no further than that), else the index.
                Some(oldest) => {
                    let cap = plan.index_cost.clamp(1.0, 1e12) as u64;
                    let left = rest_count!(pool, &filters, oldest, cap) as u64;
                    if left < cap {
                        // The window's finds, then the older ones.
                        steps.push("rest");
                        let more = limit - page.len() as u32;
                        let rest = Step::Rest(oldest);
                        page.extend(fetch_jobs!(pool, rest, &filters, needle, more, sqlite));
                        page
                    } else {
                        steps.push("index");
                        fetch_jobs!(pool, index, &filters, needle, limit, sqlite)
                    }
                }
            }
        } else {
            steps.push("index");
            fetch_jobs!(pool, index, &filters, needle, limit, sqlite)
        }
    });
    let found = started.elapsed();
    let page = with_actions(db, jobs).await?;
    tracing::debug!(
        steps = %steps.join("+"),
        stretches = plan.stretches.len(),
        jobs = page.len(),
        find_us = found.as_micros() as u64,
        actions_us = (started.elapsed() - found).as_micros() as u64,
        "job text search"
    );
    Ok(page)
}

/// The jobs with their actions.
async fn with_actions(db: &Db, jobs: Vec<JobRow>) -> Result<Vec<Job>, sqlx::Error> {
    let actions: Vec<ActionRow> = if jobs.is_empty() {
        Vec::new()
    } else {
        let marks: Vec<String> = (1..=jobs.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT {ACTION_COLUMNS} FROM actions a WHERE a.job_id IN ({}) ORDER BY a.position, a.id",
            marks.join(", ")
        );
        on_read!(db, pool => {
            let mut query = sqlx::query_as(&sql);
            for j in &jobs {
                query = query.bind(j.id.as_str());
            }
            query.fetch_all(pool).await?
        })
    };
    assemble(jobs, actions)
}

/// The text `q` searches: reference, customer name, phones, address and
/// barcodes, lower-cased, one per line.
pub fn search_text(job: &Job) -> String {
    let c = &job.customer;
    let a = &job.address;
    let parts = [
        job.reference_id.as_deref(),
        Some(c.first_name.as_str()),
        c.last_name.as_deref(),
        Some(c.phone.as_str()),
        c.mobile.as_deref(),
        Some(a.line1.as_str()),
        a.apartment.as_deref(),
        a.city.as_deref(),
        a.postal_code.as_deref(),
    ];
    let mut text: Vec<&str> = parts.into_iter().flatten().collect();
    text.extend(job.barcodes.iter().map(String::as_str));
    text.join("\n").to_lowercase()
}
