//! Jobs and their actions. Every read takes a [`Scope`]: a merchant's
//! queries carry `created_by_user = $n` in SQL, so another user's job is
//! simply not found, exactly like one that does not exist.

mod plan;
mod rows;
mod sample;
mod search;
mod search_sql;

pub use search::{Route, search, search_needle, search_routed, search_text};

use self::rows::job_from_rows;
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
                actions = rows::ACTION_COLUMNS,
                jobs = rows::JOB_COLUMNS,
                lock = if lock { " FOR UPDATE" } else { "" },
            )
        })
    });
    &SQL[usize::from(lock)]
}

pub async fn get(db: &Db, scope: &Scope, id: &str) -> Result<Option<Job>, sqlx::Error> {
    let sql = get_sql(false);
    on_read!(db, pool => {
        let rows = sqlx::query(sql).bind(id).bind(scope.creator()).fetch_all(pool).await?;
        job_from_rows(&rows)
    })
}

/// As [`get`], inside a write transaction: what the change will be made
/// against. (On PostgreSQL the row is locked until the transaction ends.)
pub async fn get_in(tx: &mut Tx, scope: &Scope, id: &str) -> Result<Option<Job>, sqlx::Error> {
    let sql = get_sql(matches!(tx, Tx::Postgres(_)));
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

/// Binds the fields `insert` and `update` both write, in this order:
/// reference, type, status, date, window, customer, address, location,
/// description, comment, barcodes.
macro_rules! bind_fields {
    ($query:expr, $job:expr, $barcodes:expr) => {{
        let window = $job.time_window.as_ref();
        $query
            .bind(&$job.reference_id)
            .bind($job.kind.as_str())
            .bind($job.status.as_str())
            .bind(&$job.date)
            .bind(window.map(|w| w.start.as_str()))
            .bind(window.map(|w| w.end.as_str()))
            .bind(&$job.customer.first_name)
            .bind(&$job.customer.last_name)
            .bind(&$job.customer.phone)
            .bind(&$job.customer.mobile)
            .bind(&$job.customer.email)
            .bind(&$job.address.line1)
            .bind(&$job.address.apartment)
            .bind(&$job.address.city)
            .bind(&$job.address.postal_code)
            .bind(&$job.address.country)
            .bind($job.address.lat)
            .bind($job.address.lng)
            .bind(&$job.location_id)
            .bind(&$job.description)
            .bind(&$job.comment)
            .bind($barcodes)
    }};
}

/// Binds the fields of an action that `insert_actions` and
/// `update_action` both write, in this order: external reference, SKU,
/// type, description, quantity, unit, value, weight, status.
macro_rules! bind_action_fields {
    ($query:expr, $action:expr) => {{
        let a = $action;
        $query
            .bind(&a.external_reference_id)
            .bind(&a.sku)
            .bind(a.kind.as_str())
            .bind(&a.description)
            .bind(a.quantity)
            .bind(&a.quantity_unit)
            .bind(a.value)
            .bind(a.weight_kg)
            .bind(a.status.as_str())
    }};
}

pub async fn insert(tx: &mut Tx, job: &Job, meta: &Stored<'_>) -> Result<(), sqlx::Error> {
    let barcodes = serde_json::to_string(&job.barcodes).unwrap_or_else(|_| "[]".into());
    let search = search_text(job);
    on_tx!(tx, conn => {
        let query = sqlx::query(
            "INSERT INTO jobs (id, reference_id, type, status, date, window_start, window_end, \
             first_name, last_name, phone, mobile, email, line1, apartment, city, postal_code, \
             country, lat, lng, location_id, description, comment, barcodes, created_by_user, \
             created_by_account, merchant_id, creation_source, version, search_text, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
             $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31)",
        );
        bind_fields!(query.bind(&job.id), job, &barcodes)
        .bind(&job.created_by.user_id)
        .bind(&job.created_by.account_id)
        .bind(meta.merchant_id)
        .bind(job.creation_source.as_str())
        .bind(job.version)
        .bind(&search)
        .bind(meta.created_at)
        .bind(meta.updated_at)
        .execute(conn)
        .await
        .map(|_| ())
    })
}

/// Writes the editable fields and status of `job`, whose `version` is the
/// new one; `updated_at` is `now`.
pub async fn update(tx: &mut Tx, job: &Job, now: Millis) -> Result<(), sqlx::Error> {
    let barcodes = serde_json::to_string(&job.barcodes).unwrap_or_else(|_| "[]".into());
    let search = search_text(job);
    on_tx!(tx, conn => {
        let query = sqlx::query(
            "UPDATE jobs SET reference_id = $2, type = $3, status = $4, date = $5, \
             window_start = $6, window_end = $7, first_name = $8, last_name = $9, phone = $10, \
             mobile = $11, email = $12, line1 = $13, apartment = $14, city = $15, \
             postal_code = $16, country = $17, lat = $18, lng = $19, location_id = $20, \
             description = $21, comment = $22, barcodes = $23, version = $24, \
             search_text = $25, updated_at = $26 WHERE id = $1",
        );
        bind_fields!(query.bind(&job.id), job, &barcodes)
        .bind(job.version)
        .bind(&search)
        .bind(now)
        .execute(conn)
        .await
        .map(|_| ())
    })
}

pub async fn delete(tx: &mut Tx, id: &str) -> Result<(), sqlx::Error> {
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
    // $1 the job, $2 the time; then eleven per action.
    let rows: Vec<String> = (0..actions.len())
        .map(|i| {
            let marks: Vec<String> = (0..11).map(|k| format!("${}", 3 + i * 11 + k)).collect();
            format!("({}, $1, {}, $2, $2)", marks[0], marks[1..].join(", "))
        })
        .collect();
    let sql = format!(
        "INSERT INTO actions (id, job_id, position, external_reference_id, sku, type, \
         description, quantity, quantity_unit, value, weight_kg, status, created_at, \
         updated_at) VALUES {}",
        rows.join(", ")
    );
    on_tx!(tx, conn => {
        let mut query = sqlx::query(&sql).bind(job_id).bind(now);
        for (i, a) in actions.iter().enumerate() {
            query = bind_action_fields!(query.bind(&a.id).bind(first + i as i64), a);
        }
        query.execute(conn).await.map(|_| ())
    })
}

pub async fn update_action(tx: &mut Tx, a: &Action, now: Millis) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        let query = sqlx::query(
            "UPDATE actions SET external_reference_id = $2, sku = $3, type = $4, \
             description = $5, quantity = $6, quantity_unit = $7, value = $8, weight_kg = $9, \
             status = $10, updated_at = $11 WHERE id = $1",
        );
        bind_action_fields!(query.bind(&a.id), a)
        .bind(now)
        .execute(conn)
        .await
        .map(|_| ())
    })
}

pub async fn delete_action(tx: &mut Tx, id: &str) -> Result<(), sqlx::Error> {
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
