//! Stepping recoveries (docs/webhooks.md, Recovering): each running
//! recovery queues its next batch of messages once the endpoint is on and
//! the previous batch has had its first try, so a recovery goes in order
//! and at the pace the endpoint takes them, and a slow or failing receiver
//! is not flooded. The state is in the database (a cursor and a lease), so
//! a restart, or another instance, carries on where it stopped.

use std::collections::HashSet;
use std::time::Duration;

use tokio::sync::watch;

use crate::server::AppState;
use crate::server::db::recoveries::{self, Window};
use crate::server::db::webhooks as endpoints;

/// Messages queued per batch.
pub const BATCH: i64 = 50;
/// How long an instance holds a recovery it steps; one that died lets go
/// after this.
const LEASE_MS: i64 = 30_000;
/// How soon a recovery that had to wait is looked at again.
const AGAIN_MS: i64 = 500;
const TICK: Duration = Duration::from_secs(1);

/// One pass over the running recoveries: each one free queues at most one
/// batch. Returns the messages queued.
pub async fn step(state: &AppState) -> Result<usize, sqlx::Error> {
    let mut seen = HashSet::new();
    let mut queued = 0;
    loop {
        let now = state.clock.now();
        let Some((recovery, cursor)) = recoveries::claim(&state.db, now, now + LEASE_MS).await?
        else {
            break;
        };
        if !seen.insert(recovery.id.clone()) {
            recoveries::release(&state.db, &recovery.id, now + AGAIN_MS).await?;
            break;
        }
        let endpoint = endpoints::get(&state.db, &recovery.endpoint_id).await?;
        let Some(endpoint) = endpoint.filter(|e| e.enabled) else {
            // Off: it waits to be turned on again.
            recoveries::release(&state.db, &recovery.id, now + AGAIN_MS).await?;
            continue;
        };
        if recoveries::waiting_first_try(&state.db, &endpoint.id, &recovery.id).await? {
            recoveries::release(&state.db, &recovery.id, now + AGAIN_MS).await?;
            continue;
        }
        let window = Window {
            endpoint: &endpoint,
            since: recovery.since,
            until: recovery.until,
            after: (cursor.0, &cursor.1),
        };
        // The endpoint first, then its deliveries: every writer's order
        // (`endpoints::lock_for_results`).
        let mut tx = super::begin_results(state, &[endpoint.id.as_str()]).await?;
        let batch = recoveries::next(&mut tx, &window, BATCH).await?;
        recoveries::requeue(&mut tx, &endpoint.id, &recovery.id, &batch, now).await?;
        let last = batch
            .last()
            .map_or((cursor.0, cursor.1.as_str()), |(id, _, at)| {
                (*at, id.as_str())
            });
        let done = (batch.len() < BATCH as usize).then_some(now);
        recoveries::advance(&mut tx, &recovery.id, last, batch.len() as i64, done).await?;
        tx.commit().await?;
        queued += batch.len();
        if !batch.is_empty() {
            state.webhooks.wake();
        }
    }
    Ok(queued)
}

/// Steps the recoveries every second until `stop`.
pub async fn run(state: AppState, mut stop: watch::Receiver<bool>) {
    loop {
        if let Err(err) = step(&state).await {
            tracing::warn!(error = %err, "webhook recoveries: database error; will retry");
        }
        tokio::select! {
            () = tokio::time::sleep(TICK) => {}
            _ = stop.changed() => return,
        }
    }
}
