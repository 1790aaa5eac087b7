//! Webhook delivery (docs/rules.md, Webhooks; docs/webhooks.md, "How a
//! message travels"). A change to a job writes its event to the outbox and
//! fans it out to the endpoints that want it, in its own transaction
//! ([`handoff`]); once committed, the deliveries go to this instance's
//! worker in memory. The worker, inside the same binary, signs and sends
//! them, and retries on the schedule until each succeeds or gives up.
//!
//! The database pass of the worker takes everything else: retries that
//! come due, leases a dead process left, and events written without a
//! fan-out (by an older version, or straight into the table). It runs
//! when [`Webhooks::wake`] is called, on PostgreSQL when another instance
//! commits such an event (`LISTEN livreur_outbox`), and once a second.

pub mod alerts;
pub mod handoff;
pub mod ready;
pub mod recovery;
pub mod schedule;
pub mod seal;
pub mod send;
pub mod sign;
pub mod ssrf;
mod worker;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;

pub use worker::{begin_results, run, run_once};

use crate::server::clock::Millis;
use crate::server::config::Settings;
use handoff::{HandOff, Outgoing};
use ready::ReadyCache;
use schedule::Schedule;
use seal::Sealer;
use send::Sender;
use ssrf::{AllowedNets, Lookup, SystemLookup};

/// How often, at most, a healthy endpoint's `last_success_at` is written.
const SUCCESS_STAMP_MS: i64 = 1_000;

/// How long the previous secret keeps signing after a rotation.
pub const ROTATION_OVERLAP_MS: i64 = 24 * 3600 * 1000;

/// The worker's settings, from `LIVREUR_WEBHOOK_*`.
#[derive(Debug, Clone)]
pub struct WebhookConfig {
    pub schedule: Schedule,
    pub timeout: Duration,
    /// Requests in flight at once, per instance.
    pub concurrency: usize,
    /// An endpoint failing without a single success for this long is
    /// disabled.
    pub disable_after_ms: i64,
    /// A claim runs out after this long; longer than any request can take.
    pub lease_ms: i64,
}

impl WebhookConfig {
    pub fn from_settings(s: &Settings) -> Self {
        let timeout = Duration::from_secs(s.webhook_timeout_seconds);
        Self {
            schedule: s
                .webhook_retry_schedule
                .as_deref()
                .and_then(|t| Schedule::parse(t).ok())
                .unwrap_or_default(),
            timeout,
            concurrency: s.webhook_concurrency,
            disable_after_ms: match s.webhook_disable_after_seconds {
                Some(seconds) => seconds as i64 * 1000,
                None => s.webhook_disable_after_hours as i64 * 3_600_000,
            },
            lease_ms: (timeout.as_millis() as i64) * 2 + 30_000,
        }
    }
}

/// What the rest of the server needs of webhooks: the sealer for secrets,
/// the HTTP sender (and its address rules), the endpoints ready to send
/// to, the hand-off queue and the worker's wake-up.
pub struct Webhooks {
    pub config: WebhookConfig,
    pub sealer: Sealer,
    pub sender: Sender,
    /// The lease token of this process's worker, also stamped on the
    /// deliveries its own changes hand over.
    pub token: String,
    pub ready: ReadyCache,
    pub hand_off: HandOff,
    /// When this process last wrote each endpoint's `last_success_at`.
    success_stamped: Mutex<HashMap<String, Millis>>,
    wake: Notify,
}

impl Webhooks {
    pub fn new(settings: &Settings, sealer: Sealer, lookup: Arc<dyn Lookup>) -> Self {
        let config = WebhookConfig::from_settings(settings);
        let nets = AllowedNets::parse(&settings.webhook_allowed_nets).unwrap_or_default();
        let sender = Sender::new(nets, lookup, config.timeout);
        Self {
            config,
            sealer,
            sender,
            token: crate::server::ids::new_id("wkr", crate::server::clock::Clock::system().now()),
            ready: ReadyCache::default(),
            hand_off: HandOff::default(),
            success_stamped: Mutex::default(),
            wake: Notify::new(),
        }
    }

    /// With the system resolver and a key that lives as long as the process.
    pub fn ephemeral(settings: &Settings) -> Self {
        Self::new(settings, Sealer::ephemeral(), Arc::new(SystemLookup))
    }

    /// Tells the worker that events or deliveries are waiting in the
    /// database.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// True when a success should be stamped on the endpoint's
    /// `last_success_at` now: at most once a second per endpoint, so that
    /// a healthy endpoint's batches write nothing about its health.
    pub fn stamp_success(&self, endpoint_id: &str, now: Millis) -> bool {
        let mut stamped = self
            .success_stamped
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        match stamped.get(endpoint_id) {
            Some(at) if now - at < SUCCESS_STAMP_MS && now >= *at => false,
            _ => {
                stamped.insert(endpoint_id.to_owned(), now);
                true
            }
        }
    }

    /// Hands what a change fanned out to the worker, once the change has
    /// committed.
    pub fn committed(&self, out: Outgoing) {
        if self.hand_off.push(out) {
            self.wake();
        }
    }

    async fn woken(&self) {
        self.wake.notified().await;
    }
}
