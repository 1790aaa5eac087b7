//! Jobs and their actions. Every read takes a [`Scope`]: a merchant's
//! queries carry `created_by_user = $n` in SQL, so another user's job is
//! simply not found, exactly like one that does not exist.

mod cache;
mod columns;
mod plan;
mod rows;
mod sample;
mod search;
mod search_sql;

pub use cache::JobCache;
pub use plan::Strategy;
pub use search::{search, search_by, search_needle, search_text};

use self::columns::{ACTION_WRITTEN, JOB_WRITTEN, action_values, assignments, job_values, marks};
use self::rows::job_from_rows;
use super::exec::bind_values;
use super::{Db, Tx, on_read, on_tx};
use crate::model::job::{Action, Job};
use crate::server::clock::Millis;
use std::sync::LazyLock;

/// Whose jobs a query may see.
#[derive(Debug, Clone)]
pub enum Scope {
    /// Administrators: every job.
    All,
    /// A merchant user: the jobs this user created.
    Creator(String),
}

impl Scope {
    fn creator(&self) -> Option<&str> {
        match self {
            Scope::All => None,
            Scope::Creator(id) => Some(id),
        }
    }
}
/// A job and its actions in one query (see [`rows::job_from_rows`]); on
/// PostgreSQL `lock` takes the job's row lock until the transaction ends.
/// Built once: every job read, and every change's read, uses one of them.
fn get_sql(lock: bool) -> &'static str {
    static SQL: LazyLock<[String; 2]> = LazyLock::new(|| {
        [false, true].map(|lock| {
            format!(
                "SELECT j.*, {actions} FROM (SELECT {jobs} FROM jobs \
                 WHERE id = $1 AND ($2 IS NULL OR created_by_user = $2){lock}) j \
                 LEFT JOIN actions a ON a.job_id = j.id ORDER BY a.position, a.id",
                actions = rows::action_columns(),
                jobs = rows::job_columns(),
                lock = if lock { " FOR UPDATE" } else { "" },
            )
        })
    });
    &SQL[usize::from(lock)]
}

/// A job with its actions, from the job cache when it holds it (SQLite,
/// [`cache`]), or from the database.
pub async fn get(db: &Db, scope: &Scope, id: &str) -> Result<Option<Job>, sqlx::Error> {
    let ticket = match db.job_cache().map(|c| c.get(id, scope)) {
        Some(Ok(kept)) => return Ok(kept),
        Some(Err(ticket)) => Some(ticket),
        None => None,
    };
    // Read the job whoever asks, so that the cache can keep it for any
    // scope; the scope is applied to the answer below, as to a kept job.
    let wide = match ticket {
        Some(_) => &Scope::All,
        None => scope,
    };
    let sql = get_sql(false);
    let job = on_read!(db, pool => {
        let rows = sqlx::query(sql).bind(id).bind(wide.creator()).fetch_all(pool).await?;
        job_from_rows(&rows)?
    });
    if let (Some(ticket), Some(job), Some(cache)) = (ticket, &job, db.job_cache()) {
        cache.keep(ticket, job);
    }
    Ok(job.filter(|j| {
        scope
            .creator()
            .is_none_or(|user| j.created_by.user_id == user)
    }))
}

/// As [`get`], inside a write transaction: what the change will be made
/// against. (On PostgreSQL the row is locked until the transaction ends.)
pub async fn get_in(tx: &mut Tx, scope: &Scope, id: &str) -> Result<Option<Job>, sqlx::Error> {
    let sql = get_sql(matches!(tx, Tx::Postgres(..)));
    on_tx!(tx, conn => {
        let rows = sqlx::query(sql).bind(id).bind(scope.creator()).fetch_all(conn).await?;
        job_from_rows(&rows)
    })
}

/// Server-side facts about a job that the wire shape does not carry.
pub struct Stored<'a> {
    pub merchant_id: Option<&'a str>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// `INSERT INTO jobs`: the id, the written columns, then the server's own.
static INSERT_SQL: LazyLock<String> = LazyLock::new(|| {
    let own = "search_text, created_by_user, created_by_account, merchant_id, creation_source, \
               created_at, updated_at";
    format!(
        "INSERT INTO jobs (id, {}, {own}) VALUES ({})",
        JOB_WRITTEN.join(", "),
        marks(1, 1 + JOB_WRITTEN.len() + 7)
    )
});

/// `UPDATE jobs`: the written columns, the search text and the time.
static UPDATE_SQL: LazyLock<String> = LazyLock::new(|| {
    let next = 2 + JOB_WRITTEN.len();
    format!(
        "UPDATE jobs SET {}, search_text = ${next}, updated_at = ${} WHERE id = $1",
        assignments(JOB_WRITTEN, 2),
        next + 1
    )
});

pub async fn insert(tx: &mut Tx, job: &Job, meta: &Stored<'_>) -> Result<(), sqlx::Error> {
    let barcodes = serde_json::to_string(&job.fields.barcodes).unwrap_or_else(|_| "[]".into());
    let search = search_text(job);
    let values = job_values(job, &barcodes);
    on_tx!(tx, conn => {
        bind_values!(sqlx::query(INSERT_SQL.as_str()).bind(&job.id), &values)
            .bind(&search)
            .bind(&job.created_by.user_id)
            .bind(&job.created_by.account_id)
            .bind(meta.merchant_id)
            .bind(job.creation_source.as_str())
            .bind(meta.created_at)
            .bind(meta.updated_at)
            .execute(conn)
            .await
            .map(|_| ())
    })
}

/// Writes the editable fields, status and version of `job` (the new
/// version); `updated_at` is `now`.
pub async fn update(tx: &mut Tx, job: &Job, now: Millis) -> Result<(), sqlx::Error> {
    tx.touch_job(&job.id);
    let barcodes = serde_json::to_string(&job.fields.barcodes).unwrap_or_else(|_| "[]".into());
    let search = search_text(job);
    let values = job_values(job, &barcodes);
    on_tx!(tx, conn => {
        bind_values!(sqlx::query(UPDATE_SQL.as_str()).bind(&job.id), &values)
            .bind(&search)
            .bind(now)
            .execute(conn)
            .await
            .map(|_| ())
    })
}

pub async fn delete(tx: &mut Tx, id: &str) -> Result<(), sqlx::Error> {
    tx.touch_job(id);
    on_tx!(tx, conn => {
        sqlx::query("DELETE FROM jobs WHERE id = $1").bind(id).execute(conn).await.map(|_| ())
    })
}

/// Inserts `actions` at positions `first`, `first + 1`, … in one
/// statement: a create costs one round trip for its actions, not one each
/// (a job has at most 200, 2,202 placeholders: well inside both
/// databases' limits).
pub async fn insert_actions(
    tx: &mut Tx,
    job_id: &str,
    first: i64,
    actions: &[Action],
    now: Millis,
) -> Result<(), sqlx::Error> {
    if actions.is_empty() {
        return Ok(());
    }
    tx.touch_job(job_id);
    // $1 the job, $2 the time; then per action its id, position and
    // written columns.
    let per = 2 + ACTION_WRITTEN.len();
    let rows: Vec<String> = (0..actions.len())
        .map(|i| {
            let first = 3 + i * per;
            format!("(${first}, $1, {}, $2, $2)", marks(first + 1, per - 1))
        })
        .collect();
    let sql = format!(
        "INSERT INTO actions (id, job_id, position, {}, created_at, updated_at) VALUES {}",
        ACTION_WRITTEN.join(", "),
        rows.join(", ")
    );
    let values: Vec<_> = actions.iter().map(action_values).collect();
    on_tx!(tx, conn => {
        let mut query = sqlx::query(&sql).bind(job_id).bind(now);
        for (i, (a, values)) in actions.iter().zip(&values).enumerate() {
            query = bind_values!(query.bind(&a.id).bind(first + i as i64), values);
        }
        query.execute(conn).await.map(|_| ())
    })
}

/// `UPDATE actions`: the written columns and the time.
static UPDATE_ACTION_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "UPDATE actions SET {}, updated_at = ${} WHERE id = $1",
        assignments(ACTION_WRITTEN, 2),
        2 + ACTION_WRITTEN.len()
    )
});

/// Writes action `a` of job `job_id`.
pub async fn update_action(
    tx: &mut Tx,
    job_id: &str,
    a: &Action,
    now: Millis,
) -> Result<(), sqlx::Error> {
    tx.touch_job(job_id);
    let values = action_values(a);
    on_tx!(tx, conn => {
        bind_values!(sqlx::query(UPDATE_ACTION_SQL.as_str()).bind(&a.id), &values)
            .bind(now)
            .execute(conn)
            .await
            .map(|_| ())
    })
}

/// Deletes action `id` of job `job_id`.
pub async fn delete_action(tx: &mut Tx, job_id: &str, id: &str) -> Result<(), sqlx::Error> {
    tx.touch_job(job_id);
    on_tx!(tx, conn => {
        sqlx::query("DELETE FROM actions WHERE id = $1").bind(id).execute(conn).await.map(|_| ())
    })
}

/// The next free position for an action of `job_id`.
pub async fn next_position(tx: &mut Tx, job_id: &str) -> Result<i64, sqlx::Error> {
    let max: Option<i64> = on_tx!(tx, conn => {
        sqlx::query_scalar("SELECT MAX(position) FROM actions WHERE job_id = $1")
            .bind(job_id)
            .fetch_one(conn)
            .await?
    });
    Ok(max.map_or(0, |m| m + 1))
}

/// A location a job may use: active, and for a merchant one of the
/// merchant's locations. `None` when it does not exist or is inactive.
pub async fn usable_location(
    tx: &mut Tx,
    location_id: &str,
    merchant_id: Option<&str>,
) -> Result<Option<bool>, sqlx::Error> {
    let row: Option<(bool, bool)> = on_tx!(tx, conn => {
        sqlx::query_as(
            "SELECT l.active, ($2 IS NULL OR EXISTS (SELECT 1 FROM merchant_locations ml \
             WHERE ml.merchant_id = $2 AND ml.location_id = l.id)) AS allowed \
             FROM locations l WHERE l.id = $1",
        )
        .bind(location_id)
        .bind(merchant_id)
        .fetch_optional(conn)
        .await?
    });
    Ok(row.and_then(|(active, allowed)| active.then_some(allowed)))
}
