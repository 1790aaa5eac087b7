//! Fan-out in the change's own transaction, and the hand-off to this
//! instance's sender when it commits (docs/webhooks.md, "How a message
//! travels").
//!
//! A change to a job writes its event and, in the same transaction, one
//! delivery per enabled endpoint that wants it, already leased to this
//! process. Once the transaction commits, the deliveries go to the worker
//! in memory, payload and ready endpoint in hand: nothing is read back
//! between the commit and the POST. If the transaction rolls back, so do
//! the deliveries, and nothing is handed over.
//!
//! The database stays the record: a process that dies holding hand-offs
//! leaves leased rows, which come due when the lease runs out (or at once
//! when a SQLite server starts again), exactly like a claim it took itself.
//! When no worker runs in this process, or its queue is full, the
//! deliveries are written due now and unleased, for any worker to claim.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::Notify;

use super::ready::Ready;
use crate::server::AppState;
use crate::server::clock::Millis;
use crate::server::db::deliveries::{self, Claimed};
use crate::server::db::outbox::OutboxEvent;
use crate::server::db::{Tx, webhooks as endpoints};

/// Hand-offs waiting for the sender, at most; past it, deliveries are
/// written for the database pass instead, so memory stays bounded.
const CAPACITY: usize = 10_000;

/// A delivery leased to this process by a committed change.
pub struct Handed {
    pub claimed: Claimed,
    pub to: Arc<Ready>,
    pub lease_until: Millis,
}

/// What a change fanned out, to hand over once it has committed.
#[must_use = "hand it to `Webhooks::committed` after the commit"]
#[derive(Default)]
pub struct Outgoing {
    items: Vec<Handed>,
    /// Some deliveries were written due now, for the database pass.
    due_now: bool,
}

/// The queue between committed changes and the worker of this process.
#[derive(Default)]
pub struct HandOff {
    queue: Mutex<VecDeque<Handed>>,
    /// A worker runs in this process and takes from the queue.
    live: AtomicBool,
    note: Notify,
}

impl HandOff {
    /// True when a change may lease its deliveries to this process.
    fn holding(&self) -> bool {
        self.live.load(Ordering::Acquire) && self.lock().len() < CAPACITY
    }

    /// The worker starts (`true`) or stops taking hand-offs.
    pub fn set_live(&self, live: bool) {
        self.live.store(live, Ordering::Release);
    }

    /// Queues what a committed change fanned out. Returns true when some
    /// of it waits for the database pass instead.
    pub(super) fn push(&self, out: Outgoing) -> bool {
        if !out.items.is_empty() {
            self.lock().extend(out.items);
            self.note.notify_one();
        }
        out.due_now
    }

    /// Up to `n` hand-offs, oldest first. One whose lease would run out
    /// before a send could finish (`min_left` ms) is left to the database
    /// pass, which claims it when the lease has run out: sent late, never
    /// twice.
    pub(super) fn take(&self, n: usize, now: Millis, min_left: i64) -> Vec<Handed> {
        let mut queue = self.lock();
        let mut out = Vec::with_capacity(n.min(queue.len()));
        while out.len() < n {
            let Some(h) = queue.pop_front() else { break };
            if h.lease_until - now >= min_left {
                out.push(h);
            } else {
                tracing::debug!(message = %h.claimed.message_id, "hand-off too old; left to its lease");
            }
        }
        out
    }

    /// Waits until something is queued (or the worker is nudged).
    pub(super) async fn queued(&self) {
        self.note.notified().await;
    }

    /// Room was made: the worker looks at the queue again.
    pub(super) fn nudge(&self) {
        self.note.notify_one();
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<Handed>> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Fans `event` out inside the change's transaction `tx`: one delivery per
/// enabled endpoint that wants it, leased to this process when its worker
/// can take them (due now otherwise). The event itself must be written
/// as already dispatched (`outbox::insert_event` does).
pub async fn fan_out(
    state: &AppState,
    tx: &mut Tx,
    event: &OutboxEvent<'_>,
) -> Result<Outgoing, sqlx::Error> {
    let hooks = &state.webhooks;
    let mut out = Outgoing::default();
    let wanted: Vec<_> = endpoints::enabled_in(tx, event.at)
        .await?
        .into_iter()
        .filter(|s| s.webhook.wants(event.kind, event.location_id))
        .collect();
    if wanted.is_empty() {
        return Ok(out);
    }
    let hold = hooks.hand_off.holding();
    let lease_until = event.at + hooks.config.lease_ms;
    for s in wanted {
        // An endpoint whose secret does not open gets no delivery, as in
        // the database pass (the error is logged).
        let Some(to) = hooks.ready.get(&s, &hooks.sealer, hooks.sender.nets()) else {
            continue;
        };
        let id = &s.webhook.id;
        if !hold {
            deliveries::insert(tx, id, event.id, event.kind, None, event.at, event.at, None)
                .await?;
            out.due_now = true;
            continue;
        }
        let token = hooks.token.as_str();
        deliveries::insert(
            tx,
            id,
            event.id,
            event.kind,
            None,
            event.at,
            lease_until,
            Some(token),
        )
        .await?;
        out.items.push(Handed {
            claimed: Claimed {
                endpoint_id: id.clone(),
                message_id: event.id.to_owned(),
                event_type: event.kind.to_owned(),
                payload: event.payload.to_owned(),
                round_attempts: 0,
                token: token.to_owned(),
            },
            to,
            lease_until,
        });
    }
    Ok(out)
}
