//! Webhook endpoints (docs/rules.md, Webhooks). The signing secrets are stored
//! sealed (see `webhooks::seal`); this module never sees them in clear.

use super::exec::{Val, exec};
use super::{Db, Tx, on_read, on_tx};
use crate::model::webhook::{HealthChange, Webhook, disabled_reason};
use crate::server::clock::Millis;

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    url: String,
    location_id: Option<String>,
    events: String,
    description: Option<String>,
    enabled: bool,
    disabled_reason: Option<String>,
    failing_since: Option<i64>,
    last_success_at: Option<i64>,
    last_failure_at: Option<i64>,
    previous_secret_until: Option<i64>,
    created_at: i64,
    updated_at: i64,
    disabled_at: Option<i64>,
    alert: Option<String>,
}

impl From<Row> for Webhook {
    fn from(r: Row) -> Self {
        Webhook {
            id: r.id,
            url: r.url,
            location_id: r.location_id,
            events: serde_json::from_str(&r.events).unwrap_or_default(),
            description: r.description,
            enabled: r.enabled,
            disabled_reason: r.disabled_reason,
            failing_since: r.failing_since,
            last_success_at: r.last_success_at,
            last_failure_at: r.last_failure_at,
            previous_secret_until: r.previous_secret_until,
            created_at: r.created_at,
            updated_at: r.updated_at,
            disabled_at: r.disabled_at,
            alert: r.alert,
        }
    }
}

const COLUMNS: &str = "id, url, location_id, events, description, enabled, disabled_reason, \
     failing_since, last_success_at, last_failure_at, previous_secret_until, created_at, updated_at, \
     disabled_at, alert";

pub async fn list(db: &Db) -> Result<Vec<Webhook>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM webhook_endpoints ORDER BY created_at, id");
    let rows: Vec<Row> = on_read!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await?);
    Ok(rows.into_iter().map(Webhook::from).collect())
}

pub async fn get(db: &Db, id: &str) -> Result<Option<Webhook>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM webhook_endpoints WHERE id = $1");
    let row: Option<Row> =
        on_read!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?);
    Ok(row.map(Webhook::from))
}

pub async fn get_in(tx: &mut Tx, id: &str) -> Result<Option<Webhook>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM webhook_endpoints WHERE id = $1");
    let row: Option<Row> =
        on_tx!(tx, conn => sqlx::query_as(&sql).bind(id).fetch_optional(conn).await?);
    Ok(row.map(Webhook::from))
}

/// An enabled endpoint as the worker needs it: where, what, and the sealed
/// secrets that sign for it now.
pub struct Signing {
    pub webhook: Webhook,
    pub secret_sealed: String,
    /// The previous secret while it still signs (rotation overlap).
    pub previous_sealed: Option<String>,
}

pub async fn enabled_for_worker(db: &Db, now: Millis) -> Result<Vec<Signing>, sqlx::Error> {
    let rows: Vec<SigningRow> =
        on_read!(db, pool => sqlx::query_as(&signing_sql()).fetch_all(pool).await?);
    Ok(signing(rows, now))
}

/// The same, read inside a change's transaction, so its fan-out sees the
/// endpoints as they are when it commits.
pub async fn enabled_in(tx: &mut Tx, now: Millis) -> Result<Vec<Signing>, sqlx::Error> {
    let rows: Vec<SigningRow> =
        on_tx!(tx, conn => sqlx::query_as(&signing_sql()).fetch_all(conn).await?);
    Ok(signing(rows, now))
}

#[derive(sqlx::FromRow)]
struct SigningRow {
    #[sqlx(flatten)]
    row: Row,
    secret_sealed: String,
    previous_secret_sealed: Option<String>,
}

fn signing_sql() -> String {
    format!(
        "SELECT {COLUMNS}, secret_sealed, previous_secret_sealed FROM webhook_endpoints \
         WHERE enabled = TRUE"
    )
}

fn signing(rows: Vec<SigningRow>, now: Millis) -> Vec<Signing> {
    rows.into_iter()
        .map(|r| {
            let overlap = r.row.previous_secret_until.is_some_and(|until| until > now);
            Signing {
                webhook: r.row.into(),
                secret_sealed: r.secret_sealed,
                previous_sealed: r.previous_secret_sealed.filter(|_| overlap),
            }
        })
        .collect()
}

/// `$1` the id, then the fields an administrator sets, in this order;
/// `events` is the list as stored (JSON).
fn values<'a>(w: &'a Webhook, events: &'a str) -> Vec<Val<'a>> {
    vec![
        Val::str(&w.id),
        Val::str(&w.url),
        Val::text(&w.location_id),
        Val::str(events),
        Val::text(&w.description),
        Val::Bool(w.enabled),
        Val::text(&w.disabled_reason),
    ]
}

fn events_json(w: &Webhook) -> String {
    serde_json::to_string(&w.events).unwrap_or_else(|_| "[]".into())
}

pub async fn insert(tx: &mut Tx, w: &Webhook, secret_sealed: &str) -> Result<(), sqlx::Error> {
    let sql = "INSERT INTO webhook_endpoints (id, url, location_id, events, description, \
               enabled, disabled_reason, secret_sealed, created_at, updated_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
    let events = events_json(w);
    let mut all = values(w, &events);
    all.extend([
        Val::str(secret_sealed),
        Val::int(w.created_at),
        Val::int(w.updated_at),
    ]);
    exec(tx, sql, &all).await.map(|_| ())
}

/// Writes the fields an administrator edits, and the health fields the
/// edit resets (enabling again clears the failure record and the alert).
pub async fn update(tx: &mut Tx, w: &Webhook) -> Result<(), sqlx::Error> {
    let sql = "UPDATE webhook_endpoints SET url = $2, location_id = $3, events = $4, \
               description = $5, enabled = $6, disabled_reason = $7, failing_since = $8, \
               updated_at = $9, alert = $10 WHERE id = $1";
    let events = events_json(w);
    let mut all = values(w, &events);
    all.extend([
        Val::Int(w.failing_since),
        Val::int(w.updated_at),
        Val::text(&w.alert),
    ]);
    exec(tx, sql, &all).await.map(|_| ())
}

/// Replaces the secret; the old one keeps signing until `previous_until`.
pub async fn rotate_secret(
    tx: &mut Tx,
    id: &str,
    new_sealed: &str,
    previous_sealed: &str,
    previous_until: Millis,
    now: Millis,
) -> Result<(), sqlx::Error> {
    let sql = "UPDATE webhook_endpoints SET secret_sealed = $2, previous_secret_sealed = $3, \
               previous_secret_until = $4, updated_at = $5 WHERE id = $1";
    let values = [
        Val::str(id),
        Val::str(new_sealed),
        Val::str(previous_sealed),
        Val::int(previous_until),
        Val::int(now),
    ];
    exec(tx, sql, &values).await.map(|_| ())
}

pub async fn secret_sealed(tx: &mut Tx, id: &str) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> = on_tx!(tx, conn => {
        sqlx::query_as("SELECT secret_sealed FROM webhook_endpoints WHERE id = $1")
            .bind(id)
            .fetch_optional(conn)
            .await?
    });
    Ok(row.map(|(s,)| s))
}

/// Deletes an endpoint; its deliveries, their attempts and its recoveries
/// go with it (`ON DELETE CASCADE`). The endpoint's row is locked first,
/// the order every writer follows (see [`lock_for_results`]).
pub async fn delete(tx: &mut Tx, id: &str) -> Result<bool, sqlx::Error> {
    let sql = "DELETE FROM webhook_endpoints WHERE id = $1";
    Ok(exec(tx, sql, &[Val::str(id)]).await? > 0)
}

/// PostgreSQL: locks the endpoints a batch of results is about, in the
/// order of their ids, before the batch touches their deliveries. Every
/// writer takes an endpoint before its deliveries: an administrator's
/// delete or change (the row itself, then the cascade), a disable (the
/// row, then the waiting deliveries), and so the worker. Without it the
/// worker would hold deliveries while waiting for the endpoint (its
/// health) and a delete would hold the endpoint while waiting for those
/// deliveries: PostgreSQL ends one of them as a deadlock. `NO KEY UPDATE`
/// lets changes that only refer to the endpoint (a new delivery) through,
/// and queues batches of several instances for the same endpoint one
/// after the other. SQLite has one writer at a time: nothing to do.
pub async fn lock_for_results(tx: &mut Tx, ids: &[&str]) -> Result<(), sqlx::Error> {
    let Tx::Postgres(t, _) = tx else {
        return Ok(());
    };
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    sqlx::query("SELECT id FROM webhook_endpoints WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE")
        .bind(&ids)
        .execute(&mut **t)
        .await
        .map(|_| ())
}

/// Records a batch's outcome for one endpoint: any success clears the
/// failure record; failures start it. Returns the change administrators
/// are told about, if the outcome made one (docs/webhooks.md, Alerts).
/// A success on a healthy endpoint writes nothing unless `stamp_success`
/// (the worker stamps `last_success_at` about once a second, not at every
/// batch).
pub async fn record_health(
    tx: &mut Tx,
    id: &str,
    succeeded: bool,
    gone: bool,
    now: Millis,
    disable_after_ms: i64,
    stamp_success: bool,
) -> Result<Option<(HealthChange, Option<&'static str>)>, sqlx::Error> {
    if succeeded && !gone {
        let recovered = exec(
            tx,
            "UPDATE webhook_endpoints SET failing_since = NULL, last_success_at = $2 \
             WHERE id = $1 AND failing_since IS NOT NULL",
            &[Val::str(id), Val::int(now)],
        )
        .await?;
        if recovered > 0 {
            return Ok(Some((HealthChange::Recovered, None)));
        }
        if stamp_success {
            let sql = "UPDATE webhook_endpoints SET last_success_at = $2 WHERE id = $1";
            exec(tx, sql, &[Val::str(id), Val::int(now)]).await?;
        }
        return Ok(None);
    }
    // The first failure after a success starts the record.
    let started = exec(
        tx,
        "UPDATE webhook_endpoints SET failing_since = $2, last_failure_at = $2 \
         WHERE id = $1 AND failing_since IS NULL AND enabled = TRUE",
        &[Val::str(id), Val::int(now)],
    )
    .await?
        > 0;
    let row: Option<(bool, Option<i64>)> = on_tx!(tx, conn => {
        sqlx::query_as(
            "UPDATE webhook_endpoints SET last_failure_at = $2 WHERE id = $1 \
             RETURNING enabled, failing_since",
        )
        .bind(id)
        .bind(now)
        .fetch_optional(conn)
        .await?
    });
    let Some((true, failing_since)) = row else {
        return Ok(None);
    };
    let reason = if gone {
        disabled_reason::GONE
    } else if failing_since.is_some_and(|since| now - since >= disable_after_ms) {
        disabled_reason::FAILING
    } else {
        return Ok(started.then_some((HealthChange::Failing, None)));
    };
    disable(tx, id, reason, now).await?;
    Ok(Some((HealthChange::Disabled, Some(reason))))
}

/// Turns an endpoint off; its waiting deliveries fail (they can be resent
/// or recovered). `disabled_at` says since when its messages have not got
/// through: the start of its failures, else now.
pub async fn disable(tx: &mut Tx, id: &str, reason: &str, now: Millis) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query(
            "UPDATE webhook_endpoints SET enabled = FALSE, disabled_reason = $2, updated_at = $3, \
             disabled_at = COALESCE(failing_since, $3) WHERE id = $1",
        )
        .bind(id)
        .bind(reason)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "UPDATE webhook_deliveries SET state = 'failed', lease_token = NULL, \
             last_error = 'endpoint disabled' WHERE endpoint_id = $1 AND state = 'pending'",
        )
        .bind(id)
        .execute(conn)
        .await
        .map(|_| ())
    })
}

/// Leaves (or with `None` clears) the alert administrators see.
pub async fn set_alert(
    tx: &mut Tx,
    id: &str,
    alert: Option<&str>,
    now: Millis,
) -> Result<bool, sqlx::Error> {
    let sql = "UPDATE webhook_endpoints SET alert = $2, alert_at = $3 WHERE id = $1";
    let values = [Val::str(id), Val::Text(alert), Val::int(now)];
    Ok(exec(tx, sql, &values).await? > 0)
}

/// How many endpoints have an alert left for administrators.
pub async fn alert_count(db: &Db) -> Result<u32, sqlx::Error> {
    let (n,): (i64,) = on_read!(db, pool => {
        sqlx::query_as("SELECT COUNT(*) FROM webhook_endpoints WHERE alert IS NOT NULL")
            .fetch_one(pool)
            .await?
    });
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// The endpoints with an alert left for administrators, oldest first.
pub async fn alerted(db: &Db) -> Result<Vec<Webhook>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM webhook_endpoints WHERE alert IS NOT NULL ORDER BY alert_at, id"
    );
    let rows: Vec<Row> = on_read!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await?);
    Ok(rows.into_iter().map(Webhook::from).collect())
}

/// Every endpoint's sealed secrets: (id, current, previous).
pub async fn sealed_secrets(db: &Db) -> Result<Vec<(String, String, Option<String>)>, sqlx::Error> {
    Ok(on_read!(db, pool => {
        sqlx::query_as("SELECT id, secret_sealed, previous_secret_sealed FROM webhook_endpoints")
            .fetch_all(pool)
            .await?
    }))
}

/// Replaces an endpoint's sealed secrets (sealed again, same secrets).
pub async fn replace_sealed(
    db: &Db,
    id: &str,
    secret_sealed: &str,
    previous_sealed: Option<&str>,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, conn => {
        sqlx::query(
            "UPDATE webhook_endpoints SET secret_sealed = $2, previous_secret_sealed = $3 \
             WHERE id = $1",
        )
        .bind(id)
        .bind(secret_sealed)
        .bind(previous_sealed)
        .execute(conn)
        .await
        .map(|_| ())
    })?;
    tx.commit().await
}
