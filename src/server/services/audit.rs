//! Reading the audit log. Administrators only; entries are written by the
//! services that make the changes, in the same transaction.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::Caller;
use crate::error::AppError;
use crate::model::audit::{AuditEntry, AuditPage, AuditQuery};
use crate::server::AppState;
use crate::server::db::audit;

pub const PAGE_SIZE: i64 = 50;

pub async fn search(
    state: &AppState,
    caller: &Caller,
    q: &AuditQuery,
    limit: i64,
) -> Result<AuditPage, AppError> {
    caller.require_admin()?;
    // Bounded before any work: an action name, an e-mail or a name, and a
    // cursor this service made (about 56 characters).
    let over =
        |v: &Option<String>, max: usize| v.as_deref().is_some_and(|s| s.chars().count() > max);
    if over(&q.action, 64) {
        return Err(AppError::field("action", "too_long"));
    }
    if over(&q.actor, 254) {
        return Err(AppError::field("actor", "too_long"));
    }
    if over(&q.cursor, 128) {
        return Err(AppError::field("cursor", "invalid"));
    }
    let before = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => Some(decode_cursor(c).ok_or_else(|| AppError::field("cursor", "invalid"))?),
        None => None,
    };
    let limit = limit.clamp(1, 100);
    let filter = audit::Filter {
        action: q.action.clone().filter(|a| !a.is_empty()),
        actor: q.actor.clone(),
        actor_user_id: None,
        before,
    };
    // One more than asked tells whether there is a next page.
    let mut events = audit::search(&state.db, &filter, limit + 1).await?;
    let next_cursor = if events.len() as i64 > limit {
        events.truncate(limit as usize);
        events.last().map(|e| encode_cursor(e.at, &e.id))
    } else {
        None
    };
    Ok(AuditPage {
        items: events
            .into_iter()
            .map(|e| AuditEntry {
                details: serde_json::from_str(&e.details).unwrap_or(serde_json::Value::Null),
                id: e.id,
                at: e.at,
                actor_user_id: e.actor_user_id,
                actor_label: e.actor_label,
                action: e.action,
                target_type: e.target_type,
                target_id: e.target_id,
                ip: e.ip,
            })
            .collect(),
        next_cursor,
    })
}

/// The actions present in the log, for the filter.
pub async fn actions(state: &AppState, caller: &Caller) -> Result<Vec<String>, AppError> {
    caller.require_admin()?;
    Ok(audit::actions(&state.db).await?)
}

fn encode_cursor(at: i64, id: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{at}.{id}"))
}

fn decode_cursor(cursor: &str) -> Option<(i64, String)> {
    let raw = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (at, id) = text.split_once('.')?;
    let id_ok = id.starts_with("aud_") && id.len() == 30 && id.is_ascii();
    id_ok.then(|| Some((at.parse().ok()?, id.to_owned())))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let id = "aud_01jd0000000000000000000000";
        let c = encode_cursor(1_700_000_000_000, id);
        assert_eq!(decode_cursor(&c), Some((1_700_000_000_000, id.to_owned())));
        assert_eq!(decode_cursor("not base64!"), None);
        assert_eq!(decode_cursor(&URL_SAFE_NO_PAD.encode("12.usr_x")), None);
        assert_eq!(
            decode_cursor(&URL_SAFE_NO_PAD.encode(format!("x.{id}"))),
            None
        );
    }
}
