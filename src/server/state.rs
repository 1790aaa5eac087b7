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

#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub settings: Arc<Settings>,
    pub metrics: Arc<Metrics>,
    pub clock: Clock,
    pub usage: Arc<Usage>,
    pub rate_limiter: Arc<RateLimiter>,
    pub started: Instant,
}

impl AppState {
    pub fn new(settings: Settings, db: Db, clock: Clock) -> Self {
        let leptos_options = LeptosOptions::builder()
            .output_name("livreur")
            .site_root(settings.site_root.clone())
            .site_addr(settings.listen)
            .build();
        let rate_limiter = Arc::new(RateLimiter::new(settings.rate_limit));
        Self {
            leptos_options,
            db,
            settings: Arc::new(settings),
            metrics: Arc::new(Metrics::default()),
            clock,
            usage: Arc::new(Usage::default()),
            rate_limiter,
            started: Instant::now(),
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
