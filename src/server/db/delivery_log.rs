//! What administrators see and do with deliveries: the list of an
//! endpoint's messages, test messages, resends, and the purge of old ones.
//! The queue itself (claims, leases, results) is in `deliveries`.

use super::deliveries::insert;
use super::{Db, Tx, on_read, on_tx};
use crate::model::webhook::{Attempt, Delivery};
use crate::server::clock::Millis;

/// A test message for one endpoint, due now.
pub async fn insert_test(
    tx: &mut Tx,
    endpoint_id: &str,
    message_id: &str,
    payload: &str,
    now: Millis,
) -> Result<(), sqlx::Error> {
    insert(
        tx,
        endpoint_id,
        message_id,
        "webhook.test",
        Some(payload),
        now,
        now,
        None,
    )
    .await
}

/// Sends a message again: due now, with a fresh retry schedule.
pub async fn resend(
    tx: &mut Tx,
    endpoint_id: &str,
    message_id: &str,
    now: Millis,
) -> Result<bool, sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query(
            "UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = $3, \
             lease_token = NULL, round_attempts = 0 WHERE endpoint_id = $1 AND message_id = $2",
        )
        .bind(endpoint_id)
        .bind(message_id)
        .bind(now)
        .execute(conn)
        .await
        .map(|r| r.rows_affected() > 0)
    })
}

#[derive(sqlx::FromRow)]
struct Row {
    message_id: String,
    event_type: String,
    state: String,
    attempts: i64,
    next_attempt_at: i64,
    last_attempt_at: Option<i64>,
    last_status: Option<i64>,
    last_duration_ms: Option<i64>,
    last_response: Option<String>,
    last_error: Option<String>,
    created_at: i64,
}

/// One endpoint's deliveries, newest first; `before` is the
/// `(created_at, message_id)` of the last row of the previous page.
pub async fn list(
    db: &Db,
    endpoint_id: &str,
    before: Option<(Millis, String)>,
    limit: i64,
) -> Result<Vec<Delivery>, sqlx::Error> {
    let (at, id) = before.unwrap_or((Millis::MAX, String::new()));
    let rows: Vec<Row> = on_read!(db, pool => {
        sqlx::query_as(
            "SELECT message_id, event_type, state, attempts, next_attempt_at, last_attempt_at, \
             last_status, last_duration_ms, last_response, last_error, created_at \
             FROM webhook_deliveries WHERE endpoint_id = $1 \
             AND (created_at < $2 OR (created_at = $2 AND message_id < $3) OR $3 = '') \
             ORDER BY created_at DESC, message_id DESC LIMIT $4",
        )
        .bind(endpoint_id)
        .bind(at)
        .bind(&id)
        .bind(limit)
        .fetch_all(pool)
        .await?
    });
    Ok(rows.into_iter().map(Row::into_delivery).collect())
}

impl Row {
    fn into_delivery(self) -> Delivery {
        Delivery {
            next_attempt_at: (self.state == "pending").then_some(self.next_attempt_at),
            message_id: self.message_id,
            event_type: self.event_type,
            state: self.state,
            attempts: self.attempts,
            last_attempt_at: self.last_attempt_at,
            last_status: self.last_status,
            last_duration_ms: self.last_duration_ms,
            last_response: self.last_response,
            last_error: self.last_error,
            created_at: self.created_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct MessageRow {
    #[sqlx(flatten)]
    row: Row,
    payload: Option<String>,
}

/// One message of an endpoint and the body it carries (a test message's
/// own, or its outbox event's while the event is kept); `None` when the
/// endpoint has no such message.
pub async fn message(
    db: &Db,
    endpoint_id: &str,
    message_id: &str,
) -> Result<Option<(Delivery, Option<String>)>, sqlx::Error> {
    let row: Option<MessageRow> = on_read!(db, pool => {
        sqlx::query_as(
            "SELECT d.message_id, d.event_type, d.state, d.attempts, d.next_attempt_at, \
             d.last_attempt_at, d.last_status, d.last_duration_ms, d.last_response, \
             d.last_error, d.created_at, COALESCE(d.payload, o.payload) AS payload \
             FROM webhook_deliveries d LEFT JOIN outbox o ON o.id = d.message_id \
             WHERE d.endpoint_id = $1 AND d.message_id = $2",
        )
        .bind(endpoint_id)
        .bind(message_id)
        .fetch_optional(pool)
        .await?
    });
    Ok(row.map(|m| (m.row.into_delivery(), m.payload)))
}

/// A message's attempts, newest first, at most `limit`.
pub async fn attempts(
    db: &Db,
    endpoint_id: &str,
    message_id: &str,
    limit: i64,
) -> Result<Vec<Attempt>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct AttemptRow {
        at: i64,
        status: Option<i64>,
        duration_ms: i64,
        response: Option<String>,
        error: Option<String>,
    }
    let rows: Vec<AttemptRow> = on_read!(db, pool => {
        sqlx::query_as(
            "SELECT at, status, duration_ms, response, error FROM webhook_attempts \
             WHERE endpoint_id = $1 AND message_id = $2 ORDER BY id DESC LIMIT $3",
        )
        .bind(endpoint_id)
        .bind(message_id)
        .bind(limit)
        .fetch_all(pool)
        .await?
    });
    Ok(rows
        .into_iter()
        .map(|r| Attempt {
            at: r.at,
            status: r.status,
            duration_ms: r.duration_ms,
            response: r.response,
            error: r.error,
        })
        .collect())
}

/// How long finished deliveries (and their attempts) are kept.
pub const KEEP_FINISHED_MS: Millis = 30 * 24 * 3600 * 1000;

/// Forgets finished deliveries (and their attempts) older than `before`.
pub async fn purge_finished(db: &Db, before: Millis) -> Result<u64, sqlx::Error> {
    let mut tx = db.begin_data().await?;
    let n = on_tx!(&mut tx, conn => {
        sqlx::query(
            "DELETE FROM webhook_deliveries WHERE state <> 'pending' AND created_at < $1",
        )
        .bind(before)
        .execute(conn)
        .await?
        .rows_affected()
    });
    tx.commit().await?;
    Ok(n)
}
