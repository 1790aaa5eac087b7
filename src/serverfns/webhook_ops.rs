//! Webhook operations and the administrator's overview (docs/webhooks.md):
//! administrators only. Every function refuses anyone else (403) before
//! reading anything.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::overview::AdminOverview;
use crate::model::webhook::{Recovery, Webhook};

#[cfg(feature = "ssr")]
use super::as_admin;

/// "Recover failed messages since…": `since` and `until` as the form's
/// date-time fields send them, in the organization's time zone; an empty
/// `until` is now.
#[server(prefix = "/_fn", endpoint = "recover_webhook", input = Json)]
pub async fn recover_webhook(
    id: String,
    since: String,
    until: String,
) -> Result<Recovery, AppError> {
    use crate::server::db::organization;
    use crate::server::services::webhook_ops;
    use crate::server::zones::parse_local;
    as_admin(|state, caller| async move {
        let zone = organization::get(&state.db).await?.timezone;
        let mut errors = Vec::new();
        let mut local = |field: &str, text: &str| {
            if text.trim().is_empty() {
                return None;
            }
            let t = parse_local(&zone, text);
            if t.is_none() {
                errors.push(crate::error::FieldError::new(field, "invalid_datetime"));
            }
            t
        };
        let since = local("since", &since);
        let until = local("until", &until);
        if !errors.is_empty() {
            return Err(AppError::Validation { fields: errors });
        }
        webhook_ops::recover(&state, &caller, &id, since, until).await
    })
    .await
}

#[server(prefix = "/_fn", endpoint = "webhook_recoveries", input = Json)]
pub async fn webhook_recoveries(id: String) -> Result<Vec<Recovery>, AppError> {
    use crate::server::services::webhook_ops;
    as_admin(|state, caller| async move { webhook_ops::recoveries(&state, &caller, &id).await })
        .await
}

/// The endpoints whose alert is not seen through yet (the banner).
#[server(prefix = "/_fn", endpoint = "webhook_alerts", input = Json)]
pub async fn webhook_alerts() -> Result<Vec<Webhook>, AppError> {
    use crate::server::services::webhook_ops;
    as_admin(|state, caller| async move { webhook_ops::alerts(&state, &caller).await }).await
}

#[server(prefix = "/_fn", endpoint = "acknowledge_webhook_alert", input = Json)]
pub async fn acknowledge_webhook_alert(id: String) -> Result<(), AppError> {
    use crate::server::services::webhook_ops;
    as_admin(|state, caller| async move { webhook_ops::acknowledge(&state, &caller, &id).await })
        .await
}

#[server(prefix = "/_fn", endpoint = "overview_for_admin", input = Json)]
pub async fn overview_for_admin() -> Result<AdminOverview, AppError> {
    use crate::server::services::overview;
    as_admin(|state, caller| async move { overview::admin(&state, &caller).await }).await
}
