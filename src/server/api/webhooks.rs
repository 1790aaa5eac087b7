//! The webhook rows of docs/api.md: endpoints, test sends, secret rotation,
//! deliveries and resends. Administrators only: the policy table refuses
//! merchant credentials before these run, and every service function
//! checks again.

use axum::Extension;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::json;

use super::problem::{ApiJson, Problem};
use super::reply::{ApiResult, created, ok};
use crate::error::AppError;
use crate::model::time::{parse_rfc3339, rfc3339};
use crate::model::webhook::{Delivery, Webhook, WebhookIn, WebhookWithSecret};
use crate::server::AppState;
use crate::server::services::Caller;
use crate::server::services::{webhook_ops, webhooks};

#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct WebhookOut {
    id: String,
    url: String,
    location_id: Option<String>,
    events: Vec<String>,
    description: Option<String>,
    enabled: bool,
    /// `manual`, `gone` (the receiver answered 410) or `failing`.
    disabled_reason: Option<String>,
    /// `ok`, `failing` or `disabled`.
    health: &'static str,
    failing_since: Option<String>,
    last_success_at: Option<String>,
    last_failure_at: Option<String>,
    created_at: String,
    updated_at: String,
    /// Only in the answer to a create or a rotation.
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
}

impl From<Webhook> for WebhookOut {
    fn from(w: Webhook) -> Self {
        WebhookOut {
            health: w.health().as_str(),
            failing_since: w.failing_since.map(rfc3339),
            last_success_at: w.last_success_at.map(rfc3339),
            last_failure_at: w.last_failure_at.map(rfc3339),
            created_at: rfc3339(w.created_at),
            updated_at: rfc3339(w.updated_at),
            id: w.id,
            url: w.url,
            location_id: w.location_id,
            events: w.events,
            description: w.description,
            enabled: w.enabled,
            disabled_reason: w.disabled_reason,
            secret: None,
        }
    }
}

impl From<WebhookWithSecret> for WebhookOut {
    fn from(w: WebhookWithSecret) -> Self {
        let mut out = WebhookOut::from(w.webhook);
        out.secret = Some(w.secret);
        out
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct DeliveryOut {
    message_id: String,
    event_type: String,
    /// `pending`, `succeeded` or `failed`.
    state: String,
    attempts: i64,
    next_attempt_at: Option<String>,
    last_attempt_at: Option<String>,
    last_status: Option<i64>,
    last_duration_ms: Option<i64>,
    last_response: Option<String>,
    last_error: Option<String>,
    created_at: String,
}

impl From<Delivery> for DeliveryOut {
    fn from(d: Delivery) -> Self {
        DeliveryOut {
            message_id: d.message_id,
            event_type: d.event_type,
            state: d.state,
            attempts: d.attempts,
            next_attempt_at: d.next_attempt_at.map(rfc3339),
            last_attempt_at: d.last_attempt_at.map(rfc3339),
            last_status: d.last_status,
            last_duration_ms: d.last_duration_ms,
            last_response: d.last_response,
            last_error: d.last_error,
            created_at: rfc3339(d.created_at),
        }
    }
}

#[utoipa::path(get, path = "/webhooks", tag = "Webhooks", responses((status = 200, description = "`{data: [webhooks]}`", body = Object)))]
pub async fn list_webhooks(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> ApiResult {
    let list = webhooks::list(&state, &caller).await?;
    let data: Vec<WebhookOut> = list.into_iter().map(Into::into).collect();
    Ok(ok(json!({ "data": data })))
}

#[utoipa::path(post, path = "/webhooks", tag = "Webhooks", request_body = WebhookIn, responses((status = 201, description = "Created; `secret` is shown this once", body = WebhookOut)))]
pub async fn create_webhook(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(input): ApiJson<WebhookIn>,
) -> ApiResult {
    let made = webhooks::create(&state, &caller, &input).await?;
    Ok(created(WebhookOut::from(made)))
}

#[utoipa::path(get, path = "/webhooks/{webhook_id}", tag = "Webhooks", params(("webhook_id" = String, Path)), responses((status = 200, description = "The webhook", body = WebhookOut)))]
pub async fn get_webhook(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult {
    let w = webhooks::get(&state, &caller, &id).await?;
    Ok(ok(WebhookOut::from(w)))
}

/// `null` and absent differ for `location_id`: `null` means every location.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookPatch {
    url: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    location_id: Option<Option<String>>,
    events: Option<Vec<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    description: Option<Option<String>>,
    enabled: Option<bool>,
}

#[utoipa::path(patch, path = "/webhooks/{webhook_id}", tag = "Webhooks", params(("webhook_id" = String, Path)), request_body = WebhookPatch, responses((status = 200, description = "The changed webhook", body = WebhookOut)))]
pub async fn patch_webhook(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<WebhookPatch>,
) -> ApiResult {
    let existing = webhooks::get(&state, &caller, &id).await?;
    let input = WebhookIn {
        url: patch.url.unwrap_or(existing.url),
        location_id: patch.location_id.unwrap_or(existing.location_id),
        events: patch.events.unwrap_or(existing.events),
        description: patch.description.unwrap_or(existing.description),
        enabled: Some(patch.enabled.unwrap_or(existing.enabled)),
    };
    let w = webhooks::update(&state, &caller, &id, &input).await?;
    Ok(ok(WebhookOut::from(w)))
}

#[utoipa::path(delete, path = "/webhooks/{webhook_id}", tag = "Webhooks", params(("webhook_id" = String, Path)), responses((status = 204, description = "Deleted, with its deliveries")))]
pub async fn delete_webhook(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult {
    webhooks::delete(&state, &caller, &id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(post, path = "/webhooks/{webhook_id}/test", tag = "Webhooks", params(("webhook_id" = String, Path)), responses((status = 202, description = "`{message_id}`: a `webhook.test` message is on its way", body = Object)))]
pub async fn test_webhook(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult {
    let message_id = webhooks::send_test(&state, &caller, &id).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "message_id": message_id })),
    )
        .into_response())
}

#[utoipa::path(post, path = "/webhooks/{webhook_id}/rotate-secret", tag = "Webhooks", params(("webhook_id" = String, Path)), responses((status = 200, description = "The webhook with its new `secret`; the previous one signs too for 24 hours", body = WebhookOut)))]
pub async fn rotate_secret(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult {
    let w = webhooks::rotate_secret(&state, &caller, &id).await?;
    Ok(ok(WebhookOut::from(w)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveriesParams {
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
    /// 1 to 100; 50 by default.
    limit: Option<i64>,
}

#[utoipa::path(get, path = "/webhooks/{webhook_id}/deliveries", tag = "Webhooks", params(("webhook_id" = String, Path), DeliveriesParams), responses((status = 200, description = "`{data: [deliveries], next_cursor}`, newest first", body = Object)))]
pub async fn list_deliveries(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    params: Result<Query<DeliveriesParams>, axum::extract::rejection::QueryRejection>,
) -> ApiResult {
    let Query(params) = params.map_err(|e| Problem::bad_request(e.body_text()))?;
    let page =
        webhooks::deliveries(&state, &caller, &id, params.cursor.as_deref(), params.limit).await?;
    let data: Vec<DeliveryOut> = page.data.into_iter().map(Into::into).collect();
    Ok(ok(json!({ "data": data, "next_cursor": page.next_cursor })))
}

#[utoipa::path(post, path = "/webhooks/{webhook_id}/deliveries/{message_id}/resend", tag = "Webhooks", params(("webhook_id" = String, Path), ("message_id" = String, Path)), responses((status = 202, description = "`{message_id}`: due again now, with a fresh retry schedule", body = Object)))]
pub async fn resend_delivery(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((id, message_id)): Path<(String, String)>,
) -> ApiResult {
    webhooks::resend(&state, &caller, &id, &message_id).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "message_id": message_id })),
    )
        .into_response())
}

/// What to recover: the messages created in `[since, until)`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecoverIn {
    /// RFC 3339; at most 29 days ago.
    #[schema(format = DateTime)]
    since: String,
    /// RFC 3339, after `since`; now when left out.
    #[serde(default)]
    #[schema(format = DateTime)]
    until: Option<String>,
}

#[utoipa::path(post, path = "/webhooks/{webhook_id}/recover", tag = "Webhooks", params(("webhook_id" = String, Path)), request_body = RecoverIn, responses((status = 202, description = "`{queued}`: how many messages of the window that did not get through are being sent again, in order, in the background", body = Object)))]
pub async fn recover_webhook(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RecoverIn>,
) -> ApiResult {
    let time = |field: &str, text: &str| {
        parse_rfc3339(text).ok_or_else(|| AppError::field(field, "invalid_datetime"))
    };
    let since = time("since", &body.since)?;
    let until = match body.until.as_deref() {
        Some(t) => Some(time("until", t)?),
        None => None,
    };
    let recovery = webhook_ops::recover(&state, &caller, &id, Some(since), until).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "queued": recovery.total, "recovery_id": recovery.id })),
    )
        .into_response())
}
