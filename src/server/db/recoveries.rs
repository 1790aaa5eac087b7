//! Recoveries of an endpoint's undelivered messages (docs/webhooks.md,
//! Recovering): which messages count, and queueing them again in order, a
//! batch at a time, under a lease so that one instance steps each.
//!
//! A message of an endpoint "did not get through" when its delivery
//! failed (retries exhausted, or failed when the endpoint was disabled),
//! is still being retried after failing (and is not in flight), or was
//! never made because the endpoint was off when the event came (an event
//! the endpoint wants, under its current filter, with no delivery row).
//! Messages go in creation order: by creation time, then id.

use super::{Db, Tx, on_read, on_tx};
use crate::model::webhook::{Recovery, Webhook};
use crate::server::clock::Millis;

/// The part of a delivery row that says it did not get through.
const NOT_THROUGH: &str = "(d.state = 'failed' OR (d.state = 'pending' AND d.attempts > 0 \
     AND d.lease_token IS NULL))";

/// The messages a recovery looks at: in its window, after its cursor.
#[derive(Debug, Clone)]
pub struct Window<'a> {
    pub endpoint: &'a Webhook,
    pub since: Millis,
    pub until: Millis,
    /// The creation time and id of the last message already queued
    /// (`(0, "")` before the first batch).
    pub after: (Millis, &'a str),
}

/// A message to queue again: its id, event type and creation time.
pub type Found = (String, String, Millis);

impl Window<'_> {
    /// The outbox events the endpoint did not get: `$1` the endpoint, `$2`
    /// and `$3` the window, `$4`/`$5` the cursor, then the filter's
    /// (returned).
    fn events_sql(&self, select: &str, tail: &str) -> (String, Vec<String>) {
        let mut filter = Vec::new();
        let mut sql = format!(
            "SELECT {select} FROM outbox o LEFT JOIN webhook_deliveries d \
             ON d.endpoint_id = $1 AND d.message_id = o.id \
             WHERE o.created_at >= $2 AND o.created_at < $3 AND (o.created_at, o.id) > ($4, $5) \
             AND (d.message_id IS NULL OR {NOT_THROUGH})"
        );
        if let Some(location) = &self.endpoint.location_id {
            filter.push(location.clone());
            sql.push_str(&format!(" AND o.location_id = ${}", 5 + filter.len()));
        }
        if !self.endpoint.events.iter().any(|e| e == "*") {
            let mut marks = Vec::new();
            for event in &self.endpoint.events {
                filter.push(event.clone());
                marks.push(format!("${}", 5 + filter.len()));
            }
            sql.push_str(&format!(" AND o.type IN ({})", marks.join(", ")));
        }
        sql.push_str(tail);
        (sql, filter)
    }

    /// Test messages (not in the outbox) of the endpoint that did not get
    /// through, with the same binds.
    fn tests_sql(&self, select: &str, tail: &str) -> (String, Vec<String>) {
        let sql = format!(
            "SELECT {select} FROM webhook_deliveries d WHERE d.endpoint_id = $1 \
             AND d.created_at >= $2 AND d.created_at < $3 \
             AND (d.created_at, d.message_id) > ($4, $5) \
             AND d.payload IS NOT NULL AND {NOT_THROUGH}{tail}"
        );
        (sql, Vec::new())
    }

    /// Nothing from before the endpoint existed was ever meant for it.
    fn since(&self) -> Millis {
        self.since.max(self.endpoint.created_at)
    }
}

/// Binds a window's `$1..$5` and the filter's values to a query.
macro_rules! window_query {
    ($q:expr, $w:expr, $filter:expr) => {{
        let mut q = $q
            .bind(&$w.endpoint.id)
            .bind($w.since())
            .bind($w.until)
            .bind($w.after.0)
            .bind($w.after.1);
        for value in $filter {
            q = q.bind(value);
        }
        q
    }};
}

/// How many messages in the window did not get through, counting at most
/// `cap` (the count is what the answer and the progress show).
pub async fn count(db: &Db, w: &Window<'_>, cap: i64) -> Result<i64, sqlx::Error> {
    let mut total = 0;
    for (sql, filter) in [
        w.events_sql("1", &format!(" LIMIT {cap}")),
        w.tests_sql("1", &format!(" LIMIT {cap}")),
    ] {
        let sql = format!("SELECT COUNT(*) FROM ({sql}) AS c");
        let (n,): (i64,) = on_read!(db, pool => {
            window_query!(sqlx::query_as(&sql), w, &filter).fetch_one(pool).await?
        });
        total += n;
    }
    Ok(total.min(cap))
}

/// The next `limit` messages of the window that did not get through, in
/// creation order.
pub async fn next(tx: &mut Tx, w: &Window<'_>, limit: i64) -> Result<Vec<Found>, sqlx::Error> {
    let tail = format!(" ORDER BY 3, 1 LIMIT {limit}");
    let mut found: Vec<Found> = Vec::new();
    for (sql, filter) in [
        w.events_sql("o.id, o.type, o.created_at", &tail),
        w.tests_sql("d.message_id, d.event_type, d.created_at", &tail),
    ] {
        let rows: Vec<Found> = on_tx!(tx, conn => {
            window_query!(sqlx::query_as(&sql), w, &filter).fetch_all(conn).await?
        });
        found.extend(rows);
    }
    found.sort_by(|a, b| (a.2, &a.0).cmp(&(b.2, &b.0)));
    found.truncate(limit as usize);
    Ok(found)
}

/// Queues the messages again, due one millisecond apart from `now` in the
/// order given (the worker takes due deliveries in that order), each with
/// a fresh retry schedule; a message never made for the endpoint is made,
/// dated when its event was.
pub async fn requeue(
    tx: &mut Tx,
    endpoint_id: &str,
    recovery_id: &str,
    messages: &[Found],
    now: Millis,
) -> Result<(), sqlx::Error> {
    for (i, (message_id, event_type, created_at)) in messages.iter().enumerate() {
        let due = now + i as i64;
        on_tx!(tx, conn => {
            sqlx::query(
                "INSERT INTO webhook_deliveries (endpoint_id, message_id, event_type, state, \
                 next_attempt_at, created_at, recovery_id) \
                 VALUES ($1, $2, $3, 'pending', $4, $5, $6) \
                 ON CONFLICT (endpoint_id, message_id) DO UPDATE SET state = 'pending', \
                 next_attempt_at = $4, lease_token = NULL, round_attempts = 0, recovery_id = $6 \
                 WHERE webhook_deliveries.lease_token IS NULL \
                 AND webhook_deliveries.state <> 'succeeded'",
            )
            .bind(endpoint_id)
            .bind(message_id)
            .bind(event_type)
            .bind(due)
            .bind(created_at)
            .bind(recovery_id)
            .execute(conn)
            .await
            .map(|_| ())
        })?;
    }
    Ok(())
}

/// Whether messages this recovery queued are still waiting for their
/// first try: the next batch waits for them, so a recovery goes at the
/// endpoint's pace and in order.
pub async fn waiting_first_try(
    db: &Db,
    endpoint_id: &str,
    recovery_id: &str,
) -> Result<bool, sqlx::Error> {
    let row: Option<(i32,)> = on_read!(db, pool => {
        sqlx::query_as(
            "SELECT 1 FROM webhook_deliveries WHERE endpoint_id = $1 AND recovery_id = $2 \
             AND state = 'pending' AND round_attempts = 0 LIMIT 1",
        )
        .bind(endpoint_id)
        .bind(recovery_id)
        .fetch_optional(pool)
        .await?
    });
    Ok(row.is_some())
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    endpoint_id: String,
    since: i64,
    until: i64,
    total: i64,
    queued: i64,
    cursor_at: i64,
    cursor: String,
    state: String,
    created_at: i64,
    finished_at: Option<i64>,
}

impl Row {
    fn into_recovery(self) -> (Recovery, (Millis, String)) {
        let recovery = Recovery {
            id: self.id,
            endpoint_id: self.endpoint_id,
            since: self.since,
            until: self.until,
            total: self.total,
            queued: self.queued,
            done: self.state == "done",
            created_at: self.created_at,
            finished_at: self.finished_at,
        };
        (recovery, (self.cursor_at, self.cursor))
    }
}

const COLUMNS: &str = "id, endpoint_id, since, until, total, queued, cursor_at, cursor, state, created_at, finished_at";

pub async fn insert(
    tx: &mut Tx,
    r: &Recovery,
    created_by: Option<&str>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO webhook_recoveries (id, endpoint_id, since, until, total, state, \
             created_by, created_at) VALUES ($1, $2, $3, $4, $5, 'running', $6, $7)",
        )
        .bind(&r.id)
        .bind(&r.endpoint_id)
        .bind(r.since)
        .bind(r.until)
        .bind(r.total)
        .bind(created_by)
        .bind(r.created_at)
        .execute(conn)
        .await
        .map(|_| ())
    })
}

/// An endpoint's recoveries, newest first.
pub async fn list(db: &Db, endpoint_id: &str, limit: i64) -> Result<Vec<Recovery>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM webhook_recoveries WHERE endpoint_id = $1 \
         ORDER BY created_at DESC, id DESC LIMIT $2"
    );
    let rows: Vec<Row> = on_read!(db, pool => {
        sqlx::query_as(&sql).bind(endpoint_id).bind(limit).fetch_all(pool).await?
    });
    Ok(rows.into_iter().map(|r| r.into_recovery().0).collect())
}

/// Takes the oldest running recovery nobody holds, until `lease_until`;
/// with its cursor.
pub async fn claim(
    db: &Db,
    now: Millis,
    lease_until: Millis,
) -> Result<Option<(Recovery, (Millis, String))>, sqlx::Error> {
    // The outer `lease_until < $2` is checked again on the row as another
    // instance may just have changed it (PostgreSQL re-reads it before
    // updating), so two instances never hold the same recovery.
    let sql = format!(
        "UPDATE webhook_recoveries SET lease_until = $1 WHERE id = (SELECT id FROM \
         webhook_recoveries WHERE state = 'running' AND lease_until < $2 \
         ORDER BY created_at LIMIT 1) AND state = 'running' AND lease_until < $2 \
         RETURNING {COLUMNS}"
    );
    let mut tx = db.begin_data().await?;
    let row: Option<Row> = on_tx!(&mut tx, conn => {
        sqlx::query_as(&sql).bind(lease_until).bind(now).fetch_optional(conn).await?
    });
    tx.commit().await?;
    Ok(row.map(Row::into_recovery))
}

/// Records a batch queued: the new cursor, and done when it was the last.
/// Gives the lease back: the next batch may follow at once.
pub async fn advance(
    tx: &mut Tx,
    id: &str,
    cursor: (Millis, &str),
    queued: i64,
    done_at: Option<Millis>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query(
            "UPDATE webhook_recoveries SET cursor_at = $5, cursor = $2, queued = queued + $3, \
             state = CASE WHEN CAST($4 AS BIGINT) IS NULL THEN 'running' ELSE 'done' END, \
             finished_at = $4, lease_until = 0 WHERE id = $1",
        )
        .bind(id)
        .bind(cursor.1)
        .bind(queued)
        .bind(done_at)
        .bind(cursor.0)
        .execute(conn)
        .await
        .map(|_| ())
    })
}

/// Gives a lease back without progress (the endpoint is off, or its
/// queue is still busy), to be taken again after `again`.
pub async fn release(db: &Db, id: &str, again: Millis) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_data().await?;
    on_tx!(&mut tx, conn => {
        sqlx::query("UPDATE webhook_recoveries SET lease_until = $2 WHERE id = $1")
            .bind(id)
            .bind(again)
            .execute(conn)
            .await
            .map(|_| ())
    })?;
    tx.commit().await
}
