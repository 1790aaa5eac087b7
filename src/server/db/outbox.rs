//! The webhook outbox: one event per change to a job or an action,
//! written in the transaction of the change (docs/rules.md, Webhooks). The job's page
//! reads them back as its history.

use super::{Db, Tx, on_read, on_tx};
use crate::model::job::JobEvent;
use crate::server::clock::Millis;

/// An event for the webhook outbox, written with the change it describes.
pub struct OutboxEvent<'a> {
    pub id: &'a str,
    pub kind: &'a str,
    pub job_id: &'a str,
    pub location_id: &'a str,
    pub actor_user_id: Option<&'a str>,
    pub actor_label: &'a str,
    pub payload: &'a str,
    pub at: Millis,
}

/// Writes the event as already dispatched: its change fans it out in the
/// same transaction (`webhooks::handoff::fan_out`), so the worker's
/// database pass has nothing to do for it.
pub async fn insert_event(tx: &mut Tx, e: &OutboxEvent<'_>) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO outbox (id, type, job_id, location_id, actor_user_id, actor_label, \
             payload, created_at, dispatched_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(e.id)
        .bind(e.kind)
        .bind(e.job_id)
        .bind(e.location_id)
        .bind(e.actor_user_id)
        .bind(e.actor_label)
        .bind(e.payload)
        .bind(e.at)
        .execute(conn)
        .await
        .map(|_| ())
    })
}

/// The events of one job, oldest first: its history.
pub async fn history(db: &Db, job_id: &str) -> Result<Vec<JobEvent>, sqlx::Error> {
    let rows: Vec<(String, String, String, String, i64)> = on_read!(db, pool => {
        sqlx::query_as(
            "SELECT id, type, actor_label, payload, created_at FROM outbox \
             WHERE job_id = $1 ORDER BY id LIMIT 500",
        )
        .bind(job_id)
        .fetch_all(pool)
        .await?
    });
    Ok(rows
        .into_iter()
        .map(|(id, kind, actor, payload, at)| {
            let statuses = (kind == "job.status_changed")
                .then(|| serde_json::from_str::<serde_json::Value>(&payload).ok())
                .flatten()
                .and_then(|p| {
                    let data = p.get("data")?;
                    Some((
                        data.get("previous_status")?.as_str()?.to_owned(),
                        data.get("status")?.as_str()?.to_owned(),
                    ))
                });
            JobEvent {
                id,
                kind,
                actor,
                statuses,
                at,
            }
        })
        .collect())
}
