//! Webhook deliveries: one row per (endpoint, message), its retry state and
//! the worker lease on it, plus the log of attempts (docs/rules.md, Webhooks).
//!
//! Claiming is a lease, not a lock held over the network call: a worker
//! moves `next_attempt_at` to the end of its lease and stamps a token. If
//! it dies, the row comes due again when the lease runs out; if it lives,
//! its result is written only while the token still matches. On
//! PostgreSQL the claim skips rows another instance is claiming at the
//! same moment (`FOR UPDATE SKIP LOCKED`), so instances share the queue
//! without sending a message twice.

use super::{Db, Tx, on_read, on_tx};
use crate::model::webhook::Webhook;
use crate::server::clock::Millis;

/// A delivery this worker holds: everything needed to send it.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub endpoint_id: String,
    pub message_id: String,
    pub event_type: String,
    pub payload: String,
    pub round_attempts: i64,
    pub token: String,
}

/// Turns up to `limit` new outbox events into deliveries for the endpoints
/// that want them, already leased to this worker. Returns them and the
/// number of events taken.
pub async fn fan_out(
    db: &Db,
    endpoints: &[Webhook],
    now: Millis,
    lease_until: Millis,
    token: &str,
    limit: i64,
) -> Result<(Vec<Claimed>, usize), sqlx::Error> {
    // A read first: most passes find nothing, and need not queue for
    // SQLite's write lock to learn it.
    let waiting: Option<(i32,)> = on_read!(db, pool => {
        sqlx::query_as("SELECT 1 FROM outbox WHERE dispatched_at IS NULL LIMIT 1")
            .fetch_optional(pool)
            .await?
    });
    if waiting.is_none() {
        return Ok((Vec::new(), 0));
    }
    let mut tx = db.begin_data().await?;
    let lock = match tx {
        Tx::Postgres(..) => " FOR UPDATE SKIP LOCKED",
        Tx::Sqlite(..) => "",
    };
    let sql = format!(
        "SELECT id, type, location_id, payload FROM outbox WHERE dispatched_at IS NULL \
         ORDER BY id LIMIT $1{lock}"
    );
    let events: Vec<(String, String, String, String)> =
        on_tx!(&mut tx, conn => sqlx::query_as(&sql).bind(limit).fetch_all(conn).await?);
    let mut claimed = Vec::new();
    for (id, kind, location_id, payload) in &events {
        for endpoint in endpoints.iter().filter(|e| e.wants(kind, location_id)) {
            insert(
                &mut tx,
                &endpoint.id,
                id,
                kind,
                None,
                now,
                lease_until,
                Some(token),
            )
            .await?;
            claimed.push(Claimed {
                endpoint_id: endpoint.id.clone(),
                message_id: id.clone(),
                event_type: kind.clone(),
                payload: payload.clone(),
                round_attempts: 0,
                token: token.to_owned(),
            });
        }
    }
    // By id, never by range: an event with a smaller id may commit after
    // a larger one and must not be marked without having been fanned out.
    let ids: Vec<&str> = events.iter().map(|e| e.0.as_str()).collect();
    match &mut tx {
        Tx::Postgres(t, _) => {
            sqlx::query("UPDATE outbox SET dispatched_at = $1 WHERE id = ANY($2)")
                .bind(now)
                .bind(&ids)
                .execute(&mut **t)
                .await?;
        }
        Tx::Sqlite(t, _) => {
            for id in ids {
                sqlx::query("UPDATE outbox SET dispatched_at = $1 WHERE id = $2")
                    .bind(now)
                    .bind(id)
                    .execute(&mut **t)
                    .await?;
            }
        }
    }
    tx.commit().await?;
    Ok((claimed, events.len()))
}

/// One delivery of a message to an endpoint, unless it exists already.
/// `token` leases it to a worker until `next_attempt_at`.
#[allow(clippy::too_many_arguments)]
pub async fn insert(
    tx: &mut Tx,
    endpoint_id: &str,
    message_id: &str,
    event_type: &str,
    payload: Option<&str>,
    now: Millis,
    next_attempt_at: Millis,
    token: Option<&str>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO webhook_deliveries (endpoint_id, message_id, event_type, payload, state, \
             next_attempt_at, lease_token, created_at) VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7) \
             ON CONFLICT (endpoint_id, message_id) DO NOTHING",
        )
        .bind(endpoint_id)
        .bind(message_id)
        .bind(event_type)
        .bind(payload)
        .bind(next_attempt_at)
        .bind(token)
        .bind(now)
        .execute(conn)
        .await
        .map(|_| ())
    })
}

/// Leases up to `limit` due deliveries of enabled endpoints (retries, and
/// claims whose worker died).
pub async fn claim_due(
    db: &Db,
    now: Millis,
    lease_until: Millis,
    token: &str,
    limit: i64,
) -> Result<Vec<Claimed>, sqlx::Error> {
    let due: Option<(i32,)> = on_read!(db, pool => {
        sqlx::query_as(
            "SELECT 1 FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_at <= $1 \
             LIMIT 1",
        )
        .bind(now)
        .fetch_optional(pool)
        .await?
    });
    if due.is_none() {
        return Ok(Vec::new());
    }
    type Row = (String, String, String, Option<String>, i64);
    let pick = "SELECT d.endpoint_id, d.message_id FROM webhook_deliveries d \
         JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.enabled = TRUE \
         WHERE d.state = 'pending' AND d.next_attempt_at <= $3 \
         ORDER BY d.next_attempt_at LIMIT $4";
    let rows: Vec<Row> = match db {
        Db::Postgres(pool, ..) => {
            sqlx::query_as(&format!(
                "UPDATE webhook_deliveries SET next_attempt_at = $1, lease_token = $2 \
                 WHERE (endpoint_id, message_id) IN ({pick} FOR UPDATE OF d SKIP LOCKED) \
                 RETURNING endpoint_id, message_id, event_type, payload, round_attempts"
            ))
            .bind(lease_until)
            .bind(token)
            .bind(now)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }
        Db::Sqlite { write, .. } => {
            sqlx::query_as(&format!(
                "UPDATE webhook_deliveries SET next_attempt_at = $1, lease_token = $2 \
                 WHERE (endpoint_id, message_id) IN ({pick}) \
                 RETURNING endpoint_id, message_id, event_type, payload, round_attempts"
            ))
            .bind(lease_until)
            .bind(token)
            .bind(now)
            .bind(limit)
            .fetch_all(write)
            .await?
        }
    };
    let mut claimed = Vec::with_capacity(rows.len());
    for (endpoint_id, message_id, event_type, payload, round_attempts) in rows {
        let payload = match payload {
            Some(p) => Some(p),
            None => outbox_payload(db, &message_id).await?,
        };
        // An outbox row never goes away while its deliveries exist; a
        // missing payload would be a bug, and sending `{}` would hide it.
        let Some(payload) = payload else {
            tracing::error!(message = %message_id, "webhook message without payload");
            continue;
        };
        claimed.push(Claimed {
            endpoint_id,
            message_id,
            event_type,
            payload,
            round_attempts,
            token: token.to_owned(),
        });
    }
    Ok(claimed)
}

async fn outbox_payload(db: &Db, id: &str) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> = on_read!(db, pool => {
        sqlx::query_as("SELECT payload FROM outbox WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?
    });
    Ok(row.map(|(p,)| p))
}

/// What became of one attempt, to be written back.
#[derive(Debug, Clone)]
pub struct Attempted {
    pub endpoint_id: String,
    pub message_id: String,
    pub token: String,
    pub at: Millis,
    pub status: Option<i64>,
    pub duration_ms: i64,
    pub response: Option<String>,
    pub error: Option<String>,
    /// `Some(t)`: try again at `t`; `None` with `succeeded` false: give up.
    pub retry_at: Option<Millis>,
    pub succeeded: bool,
}

/// Writes an attempt and the delivery's new state, if this worker still
/// holds it. Returns false when the lease was lost (the result is then
/// dropped: another worker owns the delivery now).
pub async fn record_attempt(tx: &mut Tx, a: &Attempted) -> Result<bool, sqlx::Error> {
    let state = match (a.succeeded, a.retry_at) {
        (true, _) => "succeeded",
        (false, Some(_)) => "pending",
        (false, None) => "failed",
    };
    let held = on_tx!(tx, conn => {
        sqlx::query(
            "UPDATE webhook_deliveries SET state = $4, next_attempt_at = $5, lease_token = NULL, \
             round_attempts = round_attempts + 1, attempts = attempts + 1, last_attempt_at = $6, \
             last_status = $7, last_duration_ms = $8, last_response = $9, last_error = $10 \
             WHERE endpoint_id = $1 AND message_id = $2 AND lease_token = $3",
        )
        .bind(&a.endpoint_id)
        .bind(&a.message_id)
        .bind(&a.token)
        .bind(state)
        .bind(a.retry_at.unwrap_or(a.at))
        .bind(a.at)
        .bind(a.status)
        .bind(a.duration_ms)
        .bind(&a.response)
        .bind(&a.error)
        .execute(&mut *conn)
        .await?
        .rows_affected()
            > 0
    });
    if held {
        on_tx!(tx, conn => {
            sqlx::query(
                "INSERT INTO webhook_attempts (endpoint_id, message_id, at, status, duration_ms, \
                 response, error) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&a.endpoint_id)
            .bind(&a.message_id)
            .bind(a.at)
            .bind(a.status)
            .bind(a.duration_ms)
            .bind(&a.response)
            .bind(&a.error)
            .execute(conn)
            .await
            .map(|_| ())
        })?;
    }
    Ok(held)
}

/// Gives back the deliveries a stopping worker still holds, due now, so
/// another instance (or the next start) sends them without waiting for
/// the lease to run out.
/// Hands leases back, due now: those taken under `token`, or with `None`
/// every lease, whoever took it. `None` is for a SQLite server starting
/// under its single-instance lock (`Db::lock_single_instance`): every lease
/// it finds was left by a process that is gone. Never `None` on
/// PostgreSQL, where other instances hold live leases.
pub async fn release(db: &Db, token: Option<&str>, now: Millis) -> Result<u64, sqlx::Error> {
    let whose = match token {
        Some(_) => "lease_token = $2",
        None => "lease_token IS NOT NULL",
    };
    let sql = format!(
        "UPDATE webhook_deliveries SET next_attempt_at = $1, lease_token = NULL \
         WHERE {whose} AND state = 'pending'"
    );
    let mut tx = db.begin_data().await?;
    let n = on_tx!(&mut tx, conn => {
        let mut q = sqlx::query(&sql).bind(now);
        if let Some(token) = token {
            q = q.bind(token);
        }
        q.execute(conn).await?.rows_affected()
    });
    tx.commit().await?;
    Ok(n)
}
