//! Webhook screens (docs/rules.md, API access rule 6): administrators only. Every
//! function refuses anyone else (403) before reading anything.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::webhook::{DeliveryPage, Message, Webhook, WebhookIn, WebhookWithSecret};

#[cfg(feature = "ssr")]
use super::as_admin;

#[server(prefix = "/_fn", endpoint = "list_webhooks", input = Json)]
pub async fn list_webhooks() -> Result<Vec<Webhook>, AppError> {
    use crate::server::services::webhooks;
    as_admin(|state, caller| async move { webhooks::list(&state, &caller).await }).await
}

#[server(prefix = "/_fn", endpoint = "get_webhook", input = Json)]
pub async fn get_webhook(id: String) -> Result<Webhook, AppError> {
    use crate::server::services::webhooks;
    as_admin(|state, caller| async move { webhooks::get(&state, &caller, &id).await }).await
}

/// Creates an endpoint (the answer carries its secret, shown once), or
/// changes the one named by `id` (no secret then).
#[server(prefix = "/_fn", endpoint = "save_webhook", input = Json)]
pub async fn save_webhook(
    id: Option<String>,
    input: WebhookIn,
) -> Result<(Webhook, Option<String>), AppError> {
    use crate::server::services::{reauth, webhooks};
    let proven = super::api::proven_at();
    as_admin(|state, caller| async move {
        match id {
            Some(id) => webhooks::update(&state, &caller, &id, &input)
                .await
                .map(|w| (w, None)),
            None => {
                reauth::require_recent(&state, proven)?;
                webhooks::create(&state, &caller, &input)
                    .await
                    .map(|w| (w.webhook, Some(w.secret)))
            }
        }
    })
    .await
}

/// Turns an endpoint on or off, keeping everything else.
#[server(prefix = "/_fn", endpoint = "set_webhook_enabled", input = Json)]
pub async fn set_webhook_enabled(id: String, enabled: bool) -> Result<Webhook, AppError> {
    use crate::server::services::webhooks;
    as_admin(|state, caller| async move {
        let w = webhooks::get(&state, &caller, &id).await?;
        let input = WebhookIn {
            url: w.url,
            location_id: w.location_id,
            events: w.events,
            description: w.description,
            enabled: Some(enabled),
        };
        webhooks::update(&state, &caller, &id, &input).await
    })
    .await
}

#[server(prefix = "/_fn", endpoint = "delete_webhook", input = Json)]
pub async fn delete_webhook(id: String) -> Result<(), AppError> {
    use crate::server::services::webhooks;
    as_admin(|state, caller| async move { webhooks::delete(&state, &caller, &id).await }).await
}

#[server(prefix = "/_fn", endpoint = "rotate_webhook_secret", input = Json)]
pub async fn rotate_webhook_secret(id: String) -> Result<WebhookWithSecret, AppError> {
    use crate::server::services::{reauth, webhooks};
    let proven = super::api::proven_at();
    as_admin(|state, caller| async move {
        reauth::require_recent(&state, proven)?;
        webhooks::rotate_secret(&state, &caller, &id).await
    })
    .await
}

/// Queues a `webhook.test` message; answers its message id.
#[server(prefix = "/_fn", endpoint = "send_webhook_test", input = Json)]
pub async fn send_webhook_test(id: String) -> Result<String, AppError> {
    use crate::server::services::webhooks;
    as_admin(|state, caller| async move { webhooks::send_test(&state, &caller, &id).await }).await
}

#[server(prefix = "/_fn", endpoint = "webhook_deliveries", input = Json)]
pub async fn webhook_deliveries(
    id: String,
    cursor: Option<String>,
) -> Result<DeliveryPage, AppError> {
    use crate::server::services::webhooks;
    as_admin(|state, caller| async move {
        webhooks::deliveries(&state, &caller, &id, cursor.as_deref(), Some(25)).await
    })
    .await
}

/// One message of an endpoint with every attempt, newest first.
#[server(prefix = "/_fn", endpoint = "webhook_message", input = Json)]
pub async fn webhook_message(id: String, message_id: String) -> Result<Message, AppError> {
    use crate::server::services::webhooks;
    as_admin(
        |state, caller| async move { webhooks::message(&state, &caller, &id, &message_id).await },
    )
    .await
}

#[server(prefix = "/_fn", endpoint = "resend_webhook_delivery", input = Json)]
pub async fn resend_webhook_delivery(id: String, message_id: String) -> Result<(), AppError> {
    use crate::server::services::webhooks;
    as_admin(
        |state, caller| async move { webhooks::resend(&state, &caller, &id, &message_id).await },
    )
    .await
}
