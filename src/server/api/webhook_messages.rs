//! `GET /webhooks/{webhook_id}/deliveries/{message_id}`: one message to an
//! endpoint, what was sent and every attempt, newest first (docs/api.md,
//! Webhooks). Administrators only; another endpoint's message is a 404.

use axum::Extension;
use axum::extract::{Path, State};
use serde::Serialize;

use super::reply::{ApiResult, ok};
use crate::model::time::rfc3339;
use crate::model::webhook::{Attempt, Message};
use crate::server::AppState;
use crate::server::services::Caller;
use crate::server::services::webhooks;

/// One attempt at delivering the message.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct AttemptOut {
    attempted_at: String,
    /// The receiver's status code; null when it did not answer.
    status_code: Option<i64>,
    duration_ms: i64,
    /// Why the attempt failed when there was no answer.
    error: Option<String>,
    /// The first kilobyte of the receiver's answer, as text; empty when
    /// there was none.
    response_excerpt: String,
}

/// A message with its history.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct MessageOut {
    message_id: String,
    event_type: String,
    /// `pending`, `succeeded` or `failed`.
    status: String,
    created_at: String,
    /// The JSON body sent; null once the event is no longer kept.
    #[schema(value_type = Option<Object>)]
    payload: Option<serde_json::Value>,
    /// Newest first.
    attempts: Vec<AttemptOut>,
}

impl From<Attempt> for AttemptOut {
    fn from(a: Attempt) -> Self {
        AttemptOut {
            attempted_at: rfc3339(a.at),
            status_code: a.status,
            duration_ms: a.duration_ms,
            error: a.error,
            response_excerpt: a.response.unwrap_or_default(),
        }
    }
}

impl From<Message> for MessageOut {
    fn from(m: Message) -> Self {
        MessageOut {
            message_id: m.delivery.message_id,
            event_type: m.delivery.event_type,
            status: m.delivery.state,
            created_at: rfc3339(m.delivery.created_at),
            payload: m.payload.and_then(|p| serde_json::from_str(&p).ok()),
            attempts: m.attempts.into_iter().map(Into::into).collect(),
        }
    }
}

#[utoipa::path(get, path = "/webhooks/{webhook_id}/deliveries/{message_id}", tag = "Webhooks",
    params(("webhook_id" = String, Path), ("message_id" = String, Path)),
    responses((status = 200, description = "The message and its attempts, newest first", body = MessageOut)))]
pub async fn get_message(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((id, message_id)): Path<(String, String)>,
) -> ApiResult {
    let message = webhooks::message(&state, &caller, &id, &message_id).await?;
    Ok(ok(MessageOut::from(message)))
}
