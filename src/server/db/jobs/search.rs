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
use super::plan::{Costs, Plan, Strategy};
use super::rows::{ActionRow, JobRow, action_columns, assemble};
use super::sample;
use super::search_sql::{Bind, Filters, Step, rest_sql, step_sql, window_sql};
use crate::model::job::{Job, JobQuery};
use crate::server::db::{Db, on_read};

/// How many of the newest jobs passing the other filters may be tested
/// directly for the text before the trigram index is asked. Walking them
/// costs about 2 µs a job on SQLite (neighbouring rows); a needle in 1 %
/// of the jobs fills a page of 50 within it.
pub(super) const WINDOW: u32 = 6000;

/// The most jobs a search walks past its window before asking the index
/// instead (a bound for the count's `LIMIT`, far above any real cost).
const MAX_REST: u64 = 1_000_000_000_000;

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

/// The jobs one step finds.
async fn fetch(
    db: &Db,
    filters: &Filters,
    needle: Option<&str>,
    step: Step<'_>,
    limit: u32,
) -> Result<Vec<JobRow>, sqlx::Error> {
    let (sql, binds) = step_sql(
        filters,
        needle,
        step,
        limit,
        matches!(db, Db::Sqlite { .. }),
    );
    Ok(on_read!(db, pool => {
        bind_all!(sqlx::query_as::<_, JobRow>(&sql), &binds).fetch_all(pool).await?
    }))
}

/// The oldest id of a window of `size` jobs, if more jobs than that pass
/// the filters.
async fn window_end(db: &Db, filters: &Filters, size: u32) -> Result<Option<String>, sqlx::Error> {
    let sql = window_sql(filters, size);
    Ok(on_read!(db, pool => {
        bind_all!(sqlx::query_scalar::<_, String>(&sql), &filters.binds)
            .fetch_optional(pool)
            .await?
    }))
}

/// How many jobs passing the filters are older than `oldest`, up to `cap`.
async fn rest_count(
    db: &Db,
    filters: &Filters,
    oldest: &str,
    cap: u64,
) -> Result<u64, sqlx::Error> {
    let sql = rest_sql(filters, cap);
    let n: i64 = on_read!(db, pool => {
        bind_all!(sqlx::query_scalar::<_, i64>(&sql), &filters.binds)
            .bind(oldest)
            .fetch_one(pool)
            .await?
    });
    Ok(n.max(0) as u64)
}

/// Up to `limit` jobs matching `q`, newest first, after the job `after`.
pub async fn search(
    db: &Db,
    scope: &Scope,
    q: &JobQuery,
    after: Option<&str>,
    limit: u32,
) -> Result<Vec<Job>, sqlx::Error> {
    search_by(db, scope, q, after, limit, None).await
}

/// As [`search`], by the strategy given, or the planned one for `None`:
/// the tests run every strategy and check they find the same jobs.
pub async fn search_by(
    db: &Db,
    scope: &Scope,
    q: &JobQuery,
    after: Option<&str>,
    limit: u32,
    strategy: Option<Strategy>,
) -> Result<Vec<Job>, sqlx::Error> {
    let filters = Filters::of(scope, q, after);
    let needle = q.q.as_deref().map(search_needle).filter(|t| !t.is_empty());
    let Some(text) = needle.as_deref() else {
        let jobs = fetch(db, &filters, None, Step::Plain, limit).await?;
        return with_actions(db, jobs).await;
    };
    // Planning reads the whole sample (thousands of texts): a blocking
    // thread's work, not an async one's, even with `q` bounded.
    let (sample, costs, owned) = (sample::sample(db).await?, Costs::of(db), text.to_owned());
    let plan = tokio::task::spawn_blocking(move || Plan::new(&sample, &owned, limit, costs))
        .await
        .map_err(|e| sqlx::Error::Protocol(format!("search planning failed: {e}")))?;
    let strategy = strategy.unwrap_or(plan.strategy);
    // The index step differs by backend: FTS5 on SQLite, a LIKE pattern
    // for `pg_trgm` on PostgreSQL.
    let (fts, like) = (plan.fts_query(), plan.like_pattern());
    let index = match (db, &fts) {
        (Db::Sqlite { .. }, Some(q)) => Step::Trigrams(q),
        (Db::Sqlite { .. }, None) => Step::Scan(None),
        (Db::Postgres(..), _) => Step::Scan(like.as_deref()),
    };
    let needle = Some(text);
    let started = Instant::now();
    // Which steps ran, for the debug log: never the needle itself, which
    // is customers' personal data.
    let mut steps: Vec<&str> = Vec::with_capacity(2);
    let jobs = match strategy {
        Strategy::Index => {
            steps.push("index");
            fetch(db, &filters, needle, index, limit).await?
        }
        Strategy::Window { size, rest_limit } => {
            let oldest = window_end(db, &filters, size.max(1)).await?;
            let walk = Step::Window(oldest.as_deref());
            let mut page = fetch(db, &filters, needle, walk, limit).await?;
            steps.push("window");
            match oldest.as_deref() {
                // Complete when full, or when the window held every job
                // passing the filters.
                _ if page.len() >= limit as usize => page,
                None => page,
                // The needle is scarcer among these jobs than the sample
                // said: walk on through the jobs left if there are fewer
                // of them than the index route would read (counted on the
                // filters' index, no further than that), else the index.
                Some(oldest) => {
                    let cap = rest_limit.clamp(1, MAX_REST);
                    if rest_count(db, &filters, oldest, cap).await? < cap {
                        // The window's finds, then the older ones.
                        steps.push("rest");
                        let more = limit - page.len() as u32;
                        let rest = Step::Rest(oldest);
                        page.extend(fetch(db, &filters, needle, rest, more).await?);
                        page
                    } else {
                        steps.push("index");
                        fetch(db, &filters, needle, index, limit).await?
                    }
                }
            }
        }
    };
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
            "SELECT {} FROM actions a WHERE a.job_id IN ({}) ORDER BY a.position, a.id",
            action_columns(),
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
    let c = &job.fields.customer;
    let a = &job.fields.address;
    let parts = [
        job.fields.reference_id.as_deref(),
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
    text.extend(job.fields.barcodes.iter().map(String::as_str));
    text.join("\n").to_lowercase()
}
