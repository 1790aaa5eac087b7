//! Webhook operations (docs/webhooks.md): recovering an endpoint's
//! messages that did not get through, and the alerts administrators
//! acknowledge. Administrators only, audited.

use serde_json::json;

use super::Caller;
use super::webhooks::get;
use crate::error::{AppError, FieldError};
use crate::model::time::rfc3339;
use crate::model::webhook::{Recovery, Webhook};
use crate::server::AppState;
use crate::server::clock::Millis;
use crate::server::db::audit::{self, Entry};
use crate::server::db::delivery_log::KEEP_FINISHED_MS;
use crate::server::db::recoveries::{self, Window};
use crate::server::db::webhooks as endpoints;
use crate::server::ids;

/// A recovery looks back at most this far: finished deliveries are
/// forgotten after 30 days, and a message whose success was forgotten
/// must not look undelivered. A day's margin keeps clear of the purge.
pub const LOOK_BACK_MS: Millis = KEEP_FINISHED_MS - 24 * 3600 * 1000;
/// The count of messages shown stops here (the recovery itself does not).
const COUNT_CAP: i64 = 1_000_000;
/// The recoveries an endpoint's page lists.
const LISTED: i64 = 10;

/// Checks a window: `since` is required, not in the future, not older than
/// [`LOOK_BACK_MS`]; `until` (now when left out) comes after it.
fn window(
    since: Option<Millis>,
    until: Option<Millis>,
    now: Millis,
) -> Result<(Millis, Millis), AppError> {
    let mut errors = Vec::new();
    match since {
        None => errors.push(FieldError::new("since", "required")),
        Some(s) if s > now => errors.push(FieldError::new("since", "in_future")),
        Some(s) if s < now - LOOK_BACK_MS => errors.push(FieldError::new("since", "too_old")),
        Some(_) => {}
    }
    let until = until.unwrap_or(now).min(now);
    if let Some(s) = since
        && until <= s
        && errors.is_empty()
    {
        errors.push(FieldError::new("until", "before_since"));
    }
    match since {
        Some(s) if errors.is_empty() => Ok((s, until)),
        _ => Err(AppError::Validation { fields: errors }),
    }
}

/// "Recover failed messages since…": counts the endpoint's messages in
/// the window that did not get through and starts queueing them again, in
/// the background (`webhooks::recovery`). The endpoint must be on.
pub async fn recover(
    state: &AppState,
    caller: &Caller,
    id: &str,
    since: Option<Millis>,
    until: Option<Millis>,
) -> Result<Recovery, AppError> {
    let webhook = get(state, caller, id).await?;
    let now = state.clock.now();
    let (since, until) = window(since, until, now)?;
    if !webhook.enabled {
        return Err(AppError::conflict("webhook_disabled"));
    }
    let w = Window {
        endpoint: &webhook,
        since,
        until,
        after: (0, ""),
    };
    let total = recoveries::count(&state.db, &w, COUNT_CAP).await?;
    let recovery = Recovery {
        id: ids::new_id("rcv", now),
        endpoint_id: webhook.id.clone(),
        since,
        until,
        total,
        queued: 0,
        done: false,
        created_at: now,
        finished_at: None,
    };
    let mut tx = state.db.begin().await?;
    recoveries::insert(&mut tx, &recovery, Some(&caller.user.id)).await?;
    let details = json!({
        "recovery_id": recovery.id,
        "since": rfc3339(since),
        "until": rfc3339(until),
        "messages": total,
    });
    let entry = Entry::about("webhook.recovery_started", "webhook", id, details);
    audit::record(&mut tx, &caller.audit(), entry, now).await?;
    tx.commit().await?;
    Ok(recovery)
}

/// An endpoint's latest recoveries, newest first, with their progress.
pub async fn recoveries(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<Vec<Recovery>, AppError> {
    get(state, caller, id).await?;
    Ok(recoveries::list(&state.db, id, LISTED).await?)
}

/// The endpoints whose alert administrators have not acknowledged.
pub async fn alerts(state: &AppState, caller: &Caller) -> Result<Vec<Webhook>, AppError> {
    caller.require_admin()?;
    Ok(endpoints::alerted(&state.db).await?)
}

/// An administrator has seen the alert: it leaves the banner and the
/// badge (a new change raises a new one).
pub async fn acknowledge(state: &AppState, caller: &Caller, id: &str) -> Result<(), AppError> {
    let webhook = get(state, caller, id).await?;
    let Some(alert) = webhook.alert else {
        return Ok(());
    };
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    endpoints::set_alert(&mut tx, id, None, now).await?;
    let entry = Entry::about(
        "webhook.alert_acknowledged",
        "webhook",
        id,
        json!({ "alert": alert }),
    );
    audit::record(&mut tx, &caller.audit(), entry, now).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Millis = 1_800_000_000_000;
    const HOUR: Millis = 3_600_000;

    fn codes(e: AppError) -> Vec<(String, String)> {
        match e {
            AppError::Validation { fields } => {
                fields.into_iter().map(|f| (f.field, f.code)).collect()
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_window_is_checked() {
        assert_eq!(
            window(Some(NOW - HOUR), None, NOW).unwrap(),
            (NOW - HOUR, NOW)
        );
        assert_eq!(
            window(Some(NOW - 2 * HOUR), Some(NOW - HOUR), NOW).unwrap(),
            (NOW - 2 * HOUR, NOW - HOUR)
        );
        // A later end is now: nothing after now has failed yet.
        assert_eq!(
            window(Some(NOW - HOUR), Some(NOW + HOUR), NOW).unwrap().1,
            NOW
        );
        let e = |since, until| codes(window(since, until, NOW).unwrap_err());
        assert_eq!(e(None, None), [("since".into(), "required".into())]);
        assert_eq!(
            e(Some(NOW + 1), None),
            [("since".into(), "in_future".into())]
        );
        assert_eq!(
            e(Some(NOW - LOOK_BACK_MS - 1), None),
            [("since".into(), "too_old".into())]
        );
        assert_eq!(
            e(Some(NOW - HOUR), Some(NOW - HOUR)),
            [("until".into(), "before_since".into())]
        );
    }
}
