//! Webhook delivery (docs/rules.md, Webhooks). Changes to jobs write events to the
//! outbox in their own transaction; the worker here, inside the same
//! binary, fans each event out to the endpoints that want it, signs and
//! sends it, and retries on the schedule until it succeeds or gives up.
//!
//! The worker wakes the moment an event is committed: in process through
//! [`Webhooks::wake`], and across instances on PostgreSQL through
//! `LISTEN livreur_outbox` (a trigger notifies at commit). Polling once a
//! second is only the fallback, and what brings retries due.

pub mod alerts;
pub mod recovery;
pub mod schedule;
pub mod seal;
pub mod send;
pub mod sign;
pub mod ssrf;
mod worker;

use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

pub use worker::{run, run_once};

use crate::server::config::Settings;
use schedule::Schedule;
use seal::Sealer;
use send::Sender;
use ssrf::{AllowedNets, Lookup, SystemLookup};

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
/// the HTTP sender (and its address rules), and the worker's wake-up.
pub struct Webhooks {
    pub config: WebhookConfig,
    pub sealer: Sealer,
    pub sender: Sender,
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
            wake: Notify::new(),
        }
    }

    /// With the system resolver and a key that lives as long as the process.
    pub fn ephemeral(settings: &Settings) -> Self {
        Self::new(settings, Sealer::ephemeral(), Arc::new(SystemLookup))
    }

    /// Tells the worker that events or deliveries are waiting.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    async fn woken(&self) {
        self.wake.notified().await;
    }
}
