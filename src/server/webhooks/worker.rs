//! The delivery loop: claim, send with bounded concurrency, write results
//! in batches.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::task::JoinSet;

use super::ready::Ready;
use super::send::{Message, Outcome};
use crate::model::webhook::Webhook;
use crate::server::AppState;
use crate::server::clock::Millis;
use crate::server::db::Tx;
use crate::server::db::deliveries::{self, Attempted, Claimed};
use crate::server::db::webhooks as endpoints;
use crate::server::ids;

/// Fallback poll, and the granularity of retries.
const POLL: Duration = Duration::from_secs(1);
/// Events taken from the outbox per pass, at most.
const FAN_OUT_BATCH: i64 = 256;
/// Results written per transaction, at most.
const WRITE_BATCH: usize = 256;
/// How long a stopping worker waits for requests in flight.
const DRAIN: Duration = Duration::from_secs(10);

/// The enabled endpoints, as the fan-out filters on them, and ready to
/// send to (from the cache, which opens a secret only when it changed).
#[derive(Default)]
struct Endpoints {
    list: Vec<Webhook>,
    ready: HashMap<String, Arc<Ready>>,
}

impl Endpoints {
    fn get(&self, id: &str) -> Option<Arc<Ready>> {
        self.ready.get(id).cloned()
    }
}

async fn load_endpoints(state: &AppState, now: Millis) -> Result<Endpoints, sqlx::Error> {
    let hooks = &state.webhooks;
    let mut out = Endpoints::default();
    let enabled = endpoints::enabled_for_worker(&state.db, now).await?;
    hooks
        .ready
        .keep_only(enabled.iter().map(|e| e.webhook.id.as_str()));
    for e in enabled {
        if let Some(ready) = hooks.ready.get(&e, &hooks.sealer, hooks.sender.nets()) {
            out.ready.insert(e.webhook.id.clone(), ready);
            out.list.push(e.webhook);
        }
    }
    Ok(out)
}

/// Takes work: new events first, then due retries. `more` says a batch
/// was full and another pass should follow at once.
async fn claim(
    state: &AppState,
    endpoints_now: &Endpoints,
    token: &str,
    room: usize,
) -> Result<(Vec<Claimed>, bool), sqlx::Error> {
    let now = state.clock.now();
    let lease_until = now + state.webhooks.config.lease_ms;
    let limit = (room as i64).clamp(1, FAN_OUT_BATCH);
    let (mut work, events) = deliveries::fan_out(
        &state.db,
        &endpoints_now.list,
        now,
        lease_until,
        token,
        limit,
    )
    .await?;
    let mut more = events as i64 == limit;
    let left = room.saturating_sub(work.len()) as i64;
    if left > 0 {
        let due = deliveries::claim_due(&state.db, now, lease_until, token, left).await?;
        more |= due.len() as i64 == left;
        work.extend(due);
    }
    Ok((work, more))
}

/// Sends one claimed delivery and says what to write back.
async fn deliver(state: &AppState, ready: &Ready, c: &Claimed) -> (Attempted, bool) {
    let at = state.clock.now();
    let msg = Message {
        id: &c.message_id,
        body: c.payload.as_bytes(),
        to: ready,
    };
    let outcome: Outcome = state.webhooks.sender.attempt(&msg, at).await;
    let succeeded = outcome.succeeded();
    let retry_at = if succeeded || outcome.gone() {
        None
    } else {
        let done = (c.round_attempts + 1) as usize;
        state
            .webhooks
            .config
            .schedule
            .next_delay_ms(done, outcome.retry_after)
            .map(|d| at + d)
    };
    let gone = outcome.gone();
    let attempted = Attempted {
        endpoint_id: c.endpoint_id.clone(),
        message_id: c.message_id.clone(),
        token: c.token.clone(),
        at,
        status: outcome.status.map(i64::from),
        duration_ms: outcome.duration_ms,
        response: outcome.response,
        error: outcome.error,
        retry_at,
        succeeded,
    };
    (attempted, gone)
}

/// Begins the transaction that records a batch of results about these
/// endpoints, with the endpoints locked first (`webhooks::lock_for_results`
/// says why). The tests use it as the worker does.
pub async fn begin_results(state: &AppState, endpoint_ids: &[&str]) -> Result<Tx, sqlx::Error> {
    let mut tx = state.db.begin_data().await?;
    endpoints::lock_for_results(&mut tx, endpoint_ids).await?;
    Ok(tx)
}

/// Writes a batch of results in one transaction: each attempt, then each
/// endpoint's health (a success anywhere in the batch counts).
async fn write(state: &AppState, batch: &[(Attempted, bool)]) -> Result<(), sqlx::Error> {
    let now = state.clock.now();
    let ids: Vec<&str> = batch.iter().map(|(a, _)| a.endpoint_id.as_str()).collect();
    let mut tx = begin_results(state, &ids).await?;
    let mut health: HashMap<&str, (bool, bool)> = HashMap::new();
    for (a, gone) in batch {
        if deliveries::record_attempt(&mut tx, a).await? {
            let h = health.entry(&a.endpoint_id).or_default();
            h.0 |= a.succeeded;
            h.1 |= *gone;
        }
    }
    let mut changes = Vec::new();
    let mut mailed = false;
    for (id, (succeeded, gone)) in health {
        let limit = state.webhooks.config.disable_after_ms;
        let stamp = succeeded && state.webhooks.stamp_success(id, now);
        if let Some((change, reason)) =
            endpoints::record_health(&mut tx, id, succeeded, gone, now, limit, stamp).await?
        {
            mailed |= super::alerts::record(state, &mut tx, id, change, reason, now).await?;
            changes.push((id.to_owned(), change, reason));
        }
    }
    tx.commit().await?;
    for (id, change, reason) in changes {
        tracing::warn!(endpoint = %id, ?change, reason, "webhook endpoint health changed");
    }
    if mailed && let Some(mailer) = &state.mailer {
        mailer.wake();
    }
    state.metrics.record_webhooks(
        batch.iter().filter(|(a, _)| a.succeeded).count() as u64,
        batch.len() as u64,
    );
    Ok(())
}

/// One full pass, waiting for every send: the hand-offs waiting, then
/// claim, send, write. Returns the number of attempts made. The tests
/// drive the worker with it, step by step, on a manual clock.
pub async fn run_once(state: &AppState) -> Result<usize, sqlx::Error> {
    let hooks = &state.webhooks;
    let mut work: Vec<(Claimed, Arc<Ready>)> = hooks
        .hand_off
        .take(usize::MAX, state.clock.now(), min_lease_left(state))
        .into_iter()
        .map(|h| (h.claimed, h.to))
        .collect();
    let token = ids::new_id("wkr", state.clock.now());
    let ready = load_endpoints(state, state.clock.now()).await?;
    let (claimed, _) = claim(state, &ready, &token, 1_000).await?;
    work.extend(
        claimed
            .into_iter()
            .filter_map(|c| Some((ready.get(&c.endpoint_id)?, c)))
            .map(|(r, c)| (c, r)),
    );
    let mut set = JoinSet::new();
    for (c, r) in work {
        let state = state.clone();
        set.spawn(async move { deliver(&state, &r, &c).await });
    }
    let results: Vec<_> = set.join_all().await;
    write(state, &results).await?;
    Ok(results.len())
}

/// A hand-off is sent only with this much of its lease left: a request
/// (bounded by the timeout) and some slack.
fn min_lease_left(state: &AppState) -> i64 {
    state.webhooks.config.timeout.as_millis() as i64 + 5_000
}

/// The worker: runs until `stop` turns true, then lets requests in flight
/// finish (for a while), writes their results, and hands back what it
/// still holds.
///
/// Each turn sends the hand-offs of this instance's commits (no database),
/// then, when it is due, makes a database pass: on a wake, once a second,
/// and at once again after a pass that found more than it could take.
pub async fn run(state: AppState, mut stop: watch::Receiver<bool>) {
    let hooks = state.webhooks.clone();
    let token = hooks.token.clone();
    let permits = Arc::new(Semaphore::new(hooks.config.concurrency.max(1)));
    let (results_tx, results_rx) = mpsc::unbounded_channel();
    let writer = tokio::spawn(write_results(state.clone(), results_rx));
    if let crate::server::db::Db::Postgres(pool, ..) = &state.db {
        tokio::spawn(listen(pool.clone(), hooks.clone(), stop.clone()));
    }
    hooks.hand_off.set_live(true);
    let mut in_flight = JoinSet::new();
    let mut db_due = true;
    let mut next_poll = tokio::time::Instant::now() + POLL;
    loop {
        if *stop.borrow() {
            break;
        }
        let room = permits.available_permits();
        let handed = hooks
            .hand_off
            .take(room, state.clock.now(), min_lease_left(&state));
        for h in handed {
            let permit = permits
                .clone()
                .try_acquire_owned()
                .expect("no more taken than the permits available");
            spawn_send(&state, h.claimed, h.to, permit, &results_tx, &mut in_flight);
        }
        if tokio::time::Instant::now() >= next_poll {
            db_due = true;
            next_poll = tokio::time::Instant::now() + POLL;
        }
        let room = permits.available_permits();
        if db_due && room > 0 {
            db_due = false;
            match pass(&state, &token, room, &permits, &results_tx, &mut in_flight).await {
                // A full batch: there is more, take it at once.
                Ok(more) => db_due = more,
                Err(err) => {
                    tracing::warn!(error = %err, "webhook worker: database error; will retry")
                }
            }
        }
        while in_flight.try_join_next().is_some() {}
        if permits.available_permits() > 0 && (db_due || !hooks.hand_off.is_empty()) {
            continue;
        }
        tokio::select! {
            () = hooks.woken() => db_due = true,
            () = hooks.hand_off.queued() => {}
            () = tokio::time::sleep_until(next_poll) => {}
            _ = stop.changed() => {}
        }
    }
    // No more hand-offs: changes from now on leave their deliveries due
    // for the next worker. Those still queued are leased to this token
    // and handed back below.
    hooks.hand_off.set_live(false);
    // Drain: requests in flight get a little time, then are abandoned
    // (their leases are released below, so nothing waits for them).
    let _ = tokio::time::timeout(DRAIN, async {
        while in_flight.join_next().await.is_some() {}
    })
    .await;
    in_flight.abort_all();
    drop(results_tx);
    let _ = writer.await;
    match deliveries::release(&state.db, Some(&token), state.clock.now()).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(
            deliveries = n,
            "webhook deliveries handed back for another worker"
        ),
        Err(err) => {
            tracing::warn!(error = %err, "could not hand back webhook deliveries; their leases will run out")
        }
    }
}

fn spawn_send(
    state: &AppState,
    c: Claimed,
    to: Arc<Ready>,
    permit: tokio::sync::OwnedSemaphorePermit,
    results: &mpsc::UnboundedSender<(Attempted, bool)>,
    in_flight: &mut JoinSet<()>,
) {
    let state = state.clone();
    let results = results.clone();
    in_flight.spawn(async move {
        let outcome = deliver(&state, &to, &c).await;
        let _ = results.send(outcome);
        drop(permit);
        // Room was made: the worker looks again.
        state.webhooks.hand_off.nudge();
    });
}

async fn pass(
    state: &AppState,
    token: &str,
    room: usize,
    permits: &Arc<Semaphore>,
    results: &mpsc::UnboundedSender<(Attempted, bool)>,
    in_flight: &mut JoinSet<()>,
) -> Result<bool, sqlx::Error> {
    let ready = load_endpoints(state, state.clock.now()).await?;
    let (work, more) = claim(state, &ready, token, room).await?;
    for c in work {
        let Some(r) = ready.get(&c.endpoint_id) else {
            continue;
        };
        let permit = permits
            .clone()
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        spawn_send(state, c, r, permit, results, in_flight);
    }
    Ok(more)
}

async fn write_results(state: AppState, mut rx: mpsc::UnboundedReceiver<(Attempted, bool)>) {
    let mut batch = Vec::with_capacity(WRITE_BATCH);
    while rx.recv_many(&mut batch, WRITE_BATCH).await > 0 {
        if let Err(err) = write(&state, &batch).await {
            // The claims stay; they come due again when their lease runs
            // out and are sent again (at least once, never lost).
            tracing::warn!(error = %err, results = batch.len(), "could not record webhook attempts");
        }
        batch.clear();
    }
}

/// PostgreSQL: wake on every commit of events, from any instance.
async fn listen(pool: sqlx::PgPool, hooks: Arc<super::Webhooks>, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            Err(err) = wake_on_notify(&pool, &hooks) => {
                tracing::warn!(error = %err, "webhook worker: LISTEN failed; polling meanwhile");
            }
            _ = stop.changed() => return,
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

async fn wake_on_notify(pool: &sqlx::PgPool, hooks: &super::Webhooks) -> Result<(), sqlx::Error> {
    let mut listener = sqlx::postgres::PgListener::connect_with(pool).await?;
    listener.listen("livreur_outbox").await?;
    loop {
        listener.recv().await?;
        hooks.wake();
    }
}
