//! The delivery loop: claim, send with bounded concurrency, write results
//! in batches.

use ring::hmac;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::task::JoinSet;

use super::send::{Message, Outcome};
use super::sign;
use crate::model::webhook::Webhook;
use crate::server::AppState;
use crate::server::clock::Millis;
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

/// An enabled endpoint, ready to sign for.
struct Ready {
    url: String,
    keys: Vec<hmac::Key>,
}

/// The enabled endpoints whose secrets open, as the fan-out filters on
/// them and as the senders sign for them.
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
    let sealer = &state.webhooks.sealer;
    let mut out = Endpoints::default();
    for e in endpoints::enabled_for_worker(&state.db, now).await? {
        let id = &e.webhook.id;
        let mut keys = Vec::with_capacity(2);
        for sealed in std::iter::once(&e.secret_sealed).chain(e.previous_sealed.as_ref()) {
            match sealer.open(id, sealed).ok().and_then(|s| sign::key_of(&s)) {
                Some(key) => keys.push(key),
                None => tracing::error!(
                    endpoint = %id,
                    "cannot open the webhook's signing secret: is LIVREUR_KEY_FILE the one it was created with?"
                ),
            }
        }
        if !keys.is_empty() {
            let ready = Ready {
                url: e.webhook.url.clone(),
                keys,
            };
            out.ready.insert(id.clone(), Arc::new(ready));
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
        url: &ready.url,
        keys: &ready.keys,
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

/// Writes a batch of results in one transaction: each attempt, then each
/// endpoint's health (a success anywhere in the batch counts).
async fn write(state: &AppState, batch: &[(Attempted, bool)]) -> Result<(), sqlx::Error> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
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
        if let Some((change, reason)) =
            endpoints::record_health(&mut tx, id, succeeded, gone, now, limit).await?
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

/// One full pass, waiting for every send: claim, send, write. Returns the
/// number of attempts made. The tests drive the worker with it, step by
/// step, on a manual clock.
pub async fn run_once(state: &AppState) -> Result<usize, sqlx::Error> {
    let token = ids::new_id("wkr", state.clock.now());
    let ready = load_endpoints(state, state.clock.now()).await?;
    let (work, _) = claim(state, &ready, &token, 1_000).await?;
    let mut set = JoinSet::new();
    for c in work {
        let Some(r) = ready.get(&c.endpoint_id) else {
            continue;
        };
        let state = state.clone();
        set.spawn(async move { deliver(&state, &r, &c).await });
    }
    let results: Vec<_> = set.join_all().await;
    write(state, &results).await?;
    Ok(results.len())
}

/// The worker: runs until `stop` turns true, then lets requests in flight
/// finish (for a while), writes their results, and hands back what it
/// still holds.
pub async fn run(state: AppState, mut stop: watch::Receiver<bool>) {
    let hooks = state.webhooks.clone();
    let token = ids::new_id("wkr", state.clock.now());
    let permits = Arc::new(Semaphore::new(hooks.config.concurrency.max(1)));
    let (results_tx, results_rx) = mpsc::unbounded_channel();
    let writer = tokio::spawn(write_results(state.clone(), results_rx));
    if let crate::server::db::Db::Postgres(pool) = &state.db {
        tokio::spawn(listen(pool.clone(), hooks.clone(), stop.clone()));
    }
    let mut in_flight = JoinSet::new();
    loop {
        if *stop.borrow() {
            break;
        }
        let mut more = false;
        let room = permits.available_permits();
        if room > 0 {
            match pass(&state, &token, room, &permits, &results_tx, &mut in_flight).await {
                Ok(m) => more = m,
                Err(err) => {
                    tracing::warn!(error = %err, "webhook worker: database error; will retry")
                }
            }
        }
        while in_flight.try_join_next().is_some() {}
        if more {
            continue;
        }
        tokio::select! {
            () = hooks.woken() => {}
            () = tokio::time::sleep(POLL) => {}
            _ = stop.changed() => {}
        }
    }
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
        let state = state.clone();
        let results = results.clone();
        in_flight.spawn(async move {
            let outcome = deliver(&state, &r, &c).await;
            let _ = results.send(outcome);
            drop(permit);
        });
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
        // Room was made: there may be more to take.
        state.webhooks.wake();
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
