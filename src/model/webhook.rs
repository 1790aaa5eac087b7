//! Webhook endpoints and their deliveries (docs/rules.md, Webhooks) as the interface
//! and the API see them. Times are milliseconds since the Unix epoch.

use serde::{Deserialize, Serialize};

/// Every event type an endpoint can subscribe to, in the order the form
/// lists them. `webhook.test` is sent only by "Send test event" and reaches
/// the endpoint it was sent to whatever it subscribes to.
pub const EVENT_TYPES: &[&str] = &[
    "job.created",
    "job.updated",
    "job.status_changed",
    "job.cancelled",
    "job.deleted",
    "action.created",
    "action.updated",
    "action.deleted",
];

/// Why an endpoint is off.
pub mod disabled_reason {
    /// An administrator turned it off.
    pub const MANUAL: &str = "manual";
    /// The receiver answered 410 Gone.
    pub const GONE: &str = "gone";
    /// Every attempt failed for longer than the configured period.
    pub const FAILING: &str = "failing";
}

wire_enum!(
    /// The health badge of an endpoint.
    Health {
        Ok = "ok",
        Failing = "failing",
        Disabled = "disabled",
    }
);

/// A configured endpoint. The signing secret is never part of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Webhook {
    pub id: String,
    pub url: String,
    /// `None`: the jobs of every location.
    pub location_id: Option<String>,
    /// Event types, or `["*"]` for all of them.
    pub events: Vec<String>,
    pub description: Option<String>,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    pub failing_since: Option<i64>,
    pub last_success_at: Option<i64>,
    pub last_failure_at: Option<i64>,
    /// Until when the previous secret still signs, after a rotation.
    pub previous_secret_until: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    /// Since when its messages have not got through, when it was last
    /// turned off (by anyone): the start of the failures that led to it,
    /// else the moment it was turned off.
    #[serde(default)]
    pub disabled_at: Option<i64>,
    /// `failing` or `disabled` until it recovers or an administrator
    /// acknowledges it (docs/webhooks.md, Alerts).
    #[serde(default)]
    pub alert: Option<String>,
}

impl Webhook {
    pub fn health(&self) -> Health {
        if !self.enabled {
            Health::Disabled
        } else if self.failing_since.is_some() {
            Health::Failing
        } else {
            Health::Ok
        }
    }

    /// True when this endpoint wants `event` about a job at `location_id`.
    pub fn wants(&self, event: &str, location_id: &str) -> bool {
        self.location_id.as_deref().is_none_or(|l| l == location_id)
            && self.events.iter().any(|e| e == "*" || e == event)
    }
}

/// What an administrator sends to create or change an endpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WebhookIn {
    /// `https://…`; plain `http` only for networks in
    /// `LIVREUR_WEBHOOK_ALLOWED_NETS`.
    pub url: String,
    /// The location whose jobs the endpoint follows; `null` for all.
    #[serde(default)]
    pub location_id: Option<String>,
    /// Event types, or `["*"]` for all.
    pub events: Vec<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// An endpoint with the secret that signs for it: the answer to a create
/// or a rotation, the only times the secret is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookWithSecret {
    pub webhook: Webhook,
    pub secret: String,
}

/// One message to one endpoint: its state and its last attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub message_id: String,
    pub event_type: String,
    /// `pending`, `succeeded` or `failed`.
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: Option<i64>,
    pub last_attempt_at: Option<i64>,
    pub last_status: Option<i64>,
    pub last_duration_ms: Option<i64>,
    /// The start of the receiver's answer, as text (shown escaped).
    pub last_response: Option<String>,
    /// Why the last attempt failed when there was no answer (timeout,
    /// refused address, connection error).
    pub last_error: Option<String>,
    pub created_at: i64,
}

/// One attempt at delivering a message to an endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    pub at: i64,
    /// The receiver's status code; `None` when it did not answer.
    pub status: Option<i64>,
    pub duration_ms: i64,
    /// The start of the receiver's answer, as text (shown escaped).
    pub response: Option<String>,
    /// Why the attempt failed when there was no answer.
    pub error: Option<String>,
}

/// A message to one endpoint: what was sent and every attempt, newest
/// first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub delivery: Delivery,
    /// The JSON body sent (`None` once the event is no longer kept).
    pub payload: Option<String>,
    pub attempts: Vec<Attempt>,
}

/// "Recover failed messages since…" (docs/webhooks.md, Recovering): the
/// messages of an endpoint created in `[since, until)` that did not get
/// through, queued again in order, and how far it has gone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recovery {
    pub id: String,
    pub endpoint_id: String,
    pub since: i64,
    pub until: i64,
    /// Messages to send again, counted when it was asked for.
    pub total: i64,
    /// Queued again so far.
    pub queued: i64,
    pub done: bool,
    pub created_at: i64,
    pub finished_at: Option<i64>,
}

/// A change in an endpoint's health that administrators are told about
/// (docs/webhooks.md, Alerts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum HealthChange {
    /// The first failure after a success.
    Failing,
    /// Turned off by the worker: the receiver answered 410, or kept
    /// failing.
    Disabled,
    /// A success after failures.
    Recovered,
}

impl HealthChange {
    /// The audit action, and the alert left for administrators (none once
    /// it recovered).
    pub fn action(self) -> &'static str {
        match self {
            HealthChange::Failing => "webhook.failing",
            HealthChange::Disabled => "webhook.disabled",
            HealthChange::Recovered => "webhook.recovered",
        }
    }

    pub fn alert(self) -> Option<&'static str> {
        match self {
            HealthChange::Failing => Some("failing"),
            HealthChange::Disabled => Some("disabled"),
            HealthChange::Recovered => None,
        }
    }
}

/// A page of deliveries, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryPage {
    pub data: Vec<Delivery>,
    pub next_cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint(location: Option<&str>, events: &[&str]) -> Webhook {
        Webhook {
            id: "whk_1".into(),
            url: "https://example.com/hook".into(),
            location_id: location.map(str::to_owned),
            events: events.iter().map(|e| (*e).to_owned()).collect(),
            description: None,
            enabled: true,
            disabled_reason: None,
            failing_since: None,
            last_success_at: None,
            last_failure_at: None,
            previous_secret_until: None,
            created_at: 0,
            updated_at: 0,
            disabled_at: None,
            alert: None,
        }
    }

    #[test]
    fn an_endpoint_follows_its_location_and_events() {
        let all = endpoint(None, &["*"]);
        assert!(all.wants("job.created", "loc_a"));
        let one = endpoint(Some("loc_a"), &["job.created", "job.deleted"]);
        assert!(one.wants("job.deleted", "loc_a"));
        assert!(!one.wants("job.deleted", "loc_b"));
        assert!(!one.wants("job.updated", "loc_a"));
    }

    #[test]
    fn health_badge() {
        let mut e = endpoint(None, &["*"]);
        assert_eq!(e.health(), Health::Ok);
        e.failing_since = Some(1);
        assert_eq!(e.health(), Health::Failing);
        e.enabled = false;
        assert_eq!(e.health(), Health::Disabled);
    }
}
