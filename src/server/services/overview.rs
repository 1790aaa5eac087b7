//! The administrator's overview (`model::overview`): what needs attention
//! now. Administrators only.

use super::Caller;
use crate::error::AppError;
use crate::model::job::JobStatus;
use crate::model::overview::AdminOverview;
use crate::model::webhook::Health;
use crate::server::AppState;
use crate::server::db::{organization, overview, webhooks as endpoints};
use crate::server::zones;

/// Keys expiring this soon are listed.
const EXPIRING_WITHIN_MS: i64 = 7 * 24 * 3600 * 1000;

pub async fn admin(state: &AppState, caller: &Caller) -> Result<AdminOverview, AppError> {
    caller.require_admin()?;
    let now = state.clock.now();
    let org = organization::get(&state.db).await?;
    let today = zones::date(&org.timezone, now);
    let endpoints = endpoints::list(&state.db)
        .await?
        .into_iter()
        .filter(|w| w.health() != Health::Ok)
        .collect();
    let expiring_keys = overview::expiring_keys(&state.db, now, now + EXPIRING_WITHIN_MS).await?;
    let (api_users_total, api_users) = overview::api_users(&state.db).await?;
    let counts = overview::jobs_by_status(&state.db, &today).await?;
    let jobs_today = JobStatus::ALL
        .iter()
        .map(|s| {
            let n = counts
                .iter()
                .find(|(c, _)| c == s.as_str())
                .map_or(0, |(_, n)| *n);
            (s.as_str().to_owned(), n)
        })
        .collect();
    Ok(AdminOverview {
        endpoints,
        expiring_keys,
        api_users_total,
        api_users,
        today,
        jobs_today,
    })
}
