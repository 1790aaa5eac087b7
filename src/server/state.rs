//! What every request handler and server function can reach.

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;
use std::time::Instant;

use super::api::limits::RateLimiter;
use super::clock::Clock;
use super::config::Settings;
use super::db::Db;
use super::metrics::Metrics;
use super::usage::Usage;
use super::webhooks::Webhooks;

/// The state every middleware layer and handler receives: a handle, so
/// that the clone axum makes for each layer of each request is one atomic
/// increment, not one per field (a profile of `ping` showed the per-field
/// clones and drops of the old by-value state at a third of its CPU).
/// Reading goes through `Deref`; a change (`state.webhooks = …`, set-up
/// and tests only) copies the fields first if the handle is shared, so
/// other handles keep what they had, as with a by-value state.
#[derive(Clone)]
pub struct AppState(Arc<StateFields>);

impl std::ops::Deref for AppState {
    type Target = StateFields;

    fn deref(&self) -> &StateFields {
        &self.0
    }
}

impl std::ops::DerefMut for AppState {
    fn deref_mut(&mut self) -> &mut StateFields {
        Arc::make_mut(&mut self.0)
    }
}

#[derive(Clone)]
pub struct StateFields {
    /// Behind an `Arc`: the state is cloned for every middleware layer of
    /// every request, and the options hold several strings.
    pub leptos_options: Arc<LeptosOptions>,
    pub db: Db,
    pub settings: Arc<Settings>,
    pub metrics: Arc<Metrics>,
    pub clock: Clock,
    pub usage: Arc<Usage>,
    pub rate_limiter: Arc<RateLimiter>,
    pub webhooks: Arc<Webhooks>,
    /// `LIVREUR_TRUSTED_PROXIES`, parsed once.
    pub trusted_proxies: Arc<[ipnet::IpNet]>,
    /// `LIVREUR_SMTP_URL`'s sender; `None`: nothing is e-mailed.
    pub mailer: Option<Arc<super::mail::Mailer>>,
    /// Refused API requests already written to the audit log, so a stolen
    /// key used from elsewhere cannot flood it.
    pub refusals: Arc<super::api::refusals::Refusals>,
    /// Who each API key belongs to, kept exact (`server::credentials`).
    pub credentials: Arc<super::credentials::Credentials>,
    pub started: Instant,
}

impl AppState {
    pub fn new(settings: Settings, db: Db, clock: Clock) -> Self {
        let leptos_options = LeptosOptions::builder()
            .output_name("livreur")
            .site_root(settings.site_root.clone())
            .site_addr(settings.listen)
            .build()
            .into();
        let rate_limiter = Arc::new(RateLimiter::new(settings.rate_limit));
        // `serve` swaps in the key from LIVREUR_KEY_FILE; other commands
        // and tests never need a lasting one.
        let webhooks = Arc::new(Webhooks::ephemeral(&settings));
        // Checked by `Settings::validate` before any state is made.
        let trusted_proxies = settings.trusted_proxy_nets().unwrap_or_default().into();
        let mailer = super::mail::from_settings(&settings);
        // SQLite is served by one process: every change is seen here. On
        // PostgreSQL the cache waits for `credentials::listen`.
        let credentials = Arc::new(super::credentials::Credentials::new(
            db.changes().clone(),
            matches!(db, Db::Sqlite { .. }),
        ));
        Self(Arc::new(StateFields {
            credentials,
            trusted_proxies,
            mailer,
            refusals: Arc::default(),
            leptos_options,
            db,
            settings: Arc::new(settings),
            metrics: Arc::new(Metrics::default()),
            clock,
            usage: Arc::new(Usage::default()),
            rate_limiter,
            webhooks,
            started: Instant::now(),
        }))
    }
}

impl AppState {
    /// The key that seals secrets at rest (`LIVREUR_KEY_FILE`): webhook
    /// signing secrets and the idempotent responses that carry secrets.
    pub fn sealer(&self) -> &super::webhooks::seal::Sealer {
        &self.webhooks.sealer
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        LeptosOptions::clone(&state.leptos_options)
    }
}
