//! Webhook endpoints: administrators only (docs/rules.md, API access rule 6). Every
//! function refuses anyone else first; every change is audited (never with
//! the secret).

use serde_json::json;

use super::Caller;
use crate::error::{AppError, FieldError};
use crate::model::time::rfc3339;
use crate::model::webhook::{
    DeliveryPage, EVENT_TYPES, Message, Webhook, WebhookIn, WebhookWithSecret, disabled_reason,
};
use crate::server::AppState;
use crate::server::db::audit::{self, Entry};
use crate::server::db::{Tx, delivery_log, locations, webhooks as endpoints};
use crate::server::ids;
use crate::server::webhooks::{ROTATION_OVERLAP_MS, sign, ssrf};
use crate::validate;

pub const MAX_DELIVERIES_PAGE: i64 = 100;

struct Clean {
    url: String,
    location_id: Option<String>,
    events: Vec<String>,
    description: Option<String>,
}

/// Checks every field, the URL against the address rules (resolving it
/// now, as the worker will again at every send).
async fn clean(state: &AppState, input: &WebhookIn) -> Result<Clean, AppError> {
    let mut errors = Vec::new();
    let mut url = input.url.trim().to_owned();
    let sender = &state.webhooks.sender;
    if url.is_empty() {
        errors.push(FieldError::new("url", "required"));
    } else if url.len() > 2000 {
        errors.push(FieldError::new("url", "too_long"));
    } else {
        let checked = match ssrf::parse(&url, sender.nets()) {
            Ok(target) => ssrf::resolve(&target, sender.lookup(), sender.nets())
                .await
                .map(|_| target),
            Err(refusal) => Err(refusal),
        };
        match checked {
            // Stored as parsed: IP literals in plain notation, the host
            // lower-cased, so the list shows where messages really go.
            Ok(target) => url = target.url.to_string(),
            Err(refusal) => errors.push(FieldError::new("url", refusal.code())),
        }
    }
    let location_id = match input.location_id.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(id) => {
            let known = ids::is_id("loc", id) && locations::get(&state.db, id).await?.is_some();
            if !known {
                errors.push(FieldError::new("location_id", "unknown_location"));
            }
            Some(id.to_owned())
        }
    };
    let mut events: Vec<String> = Vec::new();
    // Every event type once, plus "*", is the longest sensible list.
    if input.events.len() > EVENT_TYPES.len() + 1 {
        errors.push(FieldError::new("events", "too_many"));
    }
    for e in input.events.iter().take(EVENT_TYPES.len() + 1) {
        let e = e.trim();
        if e != "*" && !EVENT_TYPES.contains(&e) {
            errors.push(FieldError::new("events", "unknown_event"));
            break;
        }
        if !events.iter().any(|x| x == e) {
            events.push(e.to_owned());
        }
    }
    if events.is_empty() && !errors.iter().any(|e| e.field == "events") {
        errors.push(FieldError::new("events", "required"));
    }
    if events.iter().any(|e| e == "*") {
        events = vec!["*".to_owned()];
    }
    let description = validate::optional_text(input.description.as_deref(), 300)
        .map_err(|code| errors.push(FieldError::new("description", code)))
        .ok()
        .flatten();
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    Ok(Clean {
        url,
        location_id,
        events,
        description,
    })
}

pub async fn list(state: &AppState, caller: &Caller) -> Result<Vec<Webhook>, AppError> {
    caller.require_admin()?;
    Ok(endpoints::list(&state.db).await?)
}

pub async fn get(state: &AppState, caller: &Caller, id: &str) -> Result<Webhook, AppError> {
    caller.require_admin()?;
    if !ids::is_id("whk", id) {
        return Err(AppError::NotFound);
    }
    endpoints::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn record(
    state_now: i64,
    tx: &mut Tx,
    caller: &Caller,
    action: &'static str,
    w: &Webhook,
) -> Result<(), AppError> {
    audit::record(
        tx,
        &caller.audit(),
        Entry::about(
            action,
            "webhook",
            &w.id,
            json!({
                "url": w.url,
                "location_id": w.location_id,
                "events": w.events,
                "enabled": w.enabled,
            }),
        ),
        state_now,
    )
    .await?;
    Ok(())
}

pub async fn create(
    state: &AppState,
    caller: &Caller,
    input: &WebhookIn,
) -> Result<WebhookWithSecret, AppError> {
    caller.require_admin()?;
    let c = clean(state, input).await?;
    let now = state.clock.now();
    let enabled = input.enabled.unwrap_or(true);
    let webhook = Webhook {
        id: ids::new_id("whk", now),
        url: c.url,
        location_id: c.location_id,
        events: c.events,
        description: c.description,
        enabled,
        disabled_reason: (!enabled).then(|| disabled_reason::MANUAL.to_owned()),
        failing_since: None,
        last_success_at: None,
        last_failure_at: None,
        previous_secret_until: None,
        created_at: now,
        updated_at: now,
        disabled_at: None,
        alert: None,
    };
    let secret = sign::new_secret();
    let sealed = state.webhooks.sealer.seal(&webhook.id, &secret);
    let mut tx = state.db.begin().await?;
    endpoints::insert(&mut tx, &webhook, &sealed).await?;
    record(now, &mut tx, caller, "webhook.created", &webhook).await?;
    tx.commit().await?;
    Ok(WebhookWithSecret { webhook, secret })
}

/// Replaces the editable fields. Turning an endpoint on clears its failure
/// record; turning it off fails its waiting deliveries (they can be resent).
pub async fn update(
    state: &AppState,
    caller: &Caller,
    id: &str,
    input: &WebhookIn,
) -> Result<Webhook, AppError> {
    let existing = get(state, caller, id).await?;
    let c = clean(state, input).await?;
    let now = state.clock.now();
    let enabled = input.enabled.unwrap_or(existing.enabled);
    let mut w = existing.clone();
    w.url = c.url;
    w.location_id = c.location_id;
    w.events = c.events;
    w.description = c.description;
    w.enabled = enabled;
    w.updated_at = now;
    match (existing.enabled, enabled) {
        (false, true) => {
            w.disabled_reason = None;
            w.failing_since = None;
            // Turning it on again is seeing the alert through.
            w.alert = None;
        }
        (true, false) => {
            w.disabled_reason = Some(disabled_reason::MANUAL.to_owned());
            // An administrator turning it off has seen its alert.
            w.alert = None;
        }
        _ => {}
    }
    let mut tx = state.db.begin().await?;
    endpoints::update(&mut tx, &w).await?;
    if existing.enabled && !enabled {
        endpoints::disable(&mut tx, id, disabled_reason::MANUAL, now).await?;
    }
    let action = match (existing.enabled, enabled) {
        (false, true) => "webhook.enabled",
        (true, false) => "webhook.disabled",
        _ => "webhook.updated",
    };
    record(now, &mut tx, caller, action, &w).await?;
    tx.commit().await?;
    state.webhooks.wake();
    Ok(w)
}

pub async fn delete(state: &AppState, caller: &Caller, id: &str) -> Result<(), AppError> {
    let existing = get(state, caller, id).await?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    if !endpoints::delete(&mut tx, id).await? {
        return Err(AppError::NotFound);
    }
    record(now, &mut tx, caller, "webhook.deleted", &existing).await?;
    tx.commit().await?;
    Ok(())
}

/// A new secret; the previous one keeps signing for 24 hours so receivers
/// can switch without missing a message.
pub async fn rotate_secret(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<WebhookWithSecret, AppError> {
    let mut webhook = get(state, caller, id).await?;
    let now = state.clock.now();
    let secret = sign::new_secret();
    let sealed = state.webhooks.sealer.seal(id, &secret);
    let mut tx = state.db.begin().await?;
    let previous = endpoints::secret_sealed(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let until = now + ROTATION_OVERLAP_MS;
    endpoints::rotate_secret(&mut tx, id, &sealed, &previous, until, now).await?;
    webhook.previous_secret_until = Some(until);
    webhook.updated_at = now;
    record(now, &mut tx, caller, "webhook.secret_rotated", &webhook).await?;
    tx.commit().await?;
    Ok(WebhookWithSecret { webhook, secret })
}

/// Queues a `webhook.test` message for this endpoint only, due now.
/// Returns its message id.
pub async fn send_test(state: &AppState, caller: &Caller, id: &str) -> Result<String, AppError> {
    let webhook = get(state, caller, id).await?;
    if !webhook.enabled {
        return Err(AppError::conflict("webhook_disabled"));
    }
    let now = state.clock.now();
    let message_id = ids::new_id("msg", now);
    let payload = json!({
        "type": "webhook.test",
        "timestamp": rfc3339(now),
        "data": {
            "webhook_id": webhook.id,
            "message": "A test event from Livreur.",
            "actor": caller.payload(),
        },
    });
    let mut tx = state.db.begin().await?;
    delivery_log::insert_test(&mut tx, id, &message_id, &payload.to_string(), now).await?;
    record(now, &mut tx, caller, "webhook.test_sent", &webhook).await?;
    tx.commit().await?;
    state.webhooks.wake();
    Ok(message_id)
}

/// Sends a message again, with a fresh retry schedule.
pub async fn resend(
    state: &AppState,
    caller: &Caller,
    id: &str,
    message_id: &str,
) -> Result<(), AppError> {
    let webhook = get(state, caller, id).await?;
    if !ids::is_id("msg", message_id) {
        return Err(AppError::NotFound);
    }
    if !webhook.enabled {
        return Err(AppError::conflict("webhook_disabled"));
    }
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    if !delivery_log::resend(&mut tx, id, message_id, now).await? {
        return Err(AppError::NotFound);
    }
    audit::record(
        &mut tx,
        &caller.audit(),
        Entry::about(
            "webhook.resent",
            "webhook",
            id,
            json!({ "message_id": message_id }),
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    state.webhooks.wake();
    Ok(())
}

/// One endpoint's deliveries, newest first. The cursor is the last row's
/// `created_at.message_id`.
pub async fn deliveries(
    state: &AppState,
    caller: &Caller,
    id: &str,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> Result<DeliveryPage, AppError> {
    get(state, caller, id).await?;
    let limit = limit.unwrap_or(50);
    if !(1..=MAX_DELIVERIES_PAGE).contains(&limit) {
        return Err(AppError::field("limit", "out_of_range"));
    }
    let before = match cursor.filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(parse_cursor(c).ok_or_else(|| AppError::field("cursor", "invalid"))?),
    };
    let mut data = delivery_log::list(&state.db, id, before, limit + 1).await?;
    let next_cursor = if data.len() as i64 > limit {
        data.truncate(limit as usize);
        data.last()
            .map(|d| format!("{}.{}", d.created_at, d.message_id))
    } else {
        None
    };
    Ok(DeliveryPage { data, next_cursor })
}

/// The most attempts a message's history shows: the schedule makes nine
/// a round, and each resend starts a round.
pub const MAX_ATTEMPTS_SHOWN: i64 = 200;

/// One message of an endpoint: what was sent and every attempt, newest
/// first. Another endpoint's message is not found here.
pub async fn message(
    state: &AppState,
    caller: &Caller,
    id: &str,
    message_id: &str,
) -> Result<Message, AppError> {
    get(state, caller, id).await?;
    if !ids::is_id("msg", message_id) {
        return Err(AppError::NotFound);
    }
    let (delivery, payload) = delivery_log::message(&state.db, id, message_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let attempts = delivery_log::attempts(&state.db, id, message_id, MAX_ATTEMPTS_SHOWN).await?;
    Ok(Message {
        delivery,
        payload,
        attempts,
    })
}

fn parse_cursor(c: &str) -> Option<(i64, String)> {
    let (at, id) = c.split_once('.')?;
    let at = at.parse().ok()?;
    ids::is_id("msg", id).then(|| (at, id.to_owned()))
}
