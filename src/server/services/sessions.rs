//! A user's own browser sessions (docs/people.md): where they are signed
//! in, ending one, ending every other; and an administrator ending all the
//! sessions of a merchant user. A session is named to its owner by a
//! public id derived from its stored hash, never by the hash itself.

use serde_json::json;
use sha2::{Digest, Sha256};

use super::Caller;
use crate::error::AppError;
use crate::model::sessions::SessionInfo;
use crate::server::AppState;
use crate::server::db::audit::{self, Entry};
use crate::server::db::{merchant_users, sessions};

/// The public id of a stored session: 16 hex characters of SHA-256 over
/// its token hash.
fn public_id(token_hash: &str) -> String {
    Sha256::digest(format!("session:{token_hash}").as_bytes())
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// "Firefox on Linux", "Safari on iPhone": enough to recognise a device,
/// from the `User-Agent` kept at sign-in.
pub fn device(user_agent: Option<&str>) -> String {
    let ua = user_agent.unwrap_or_default();
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Chromium/", "Chromium"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
    ]
    .iter()
    .find(|(needle, _)| ua.contains(needle))
    .map(|(_, name)| *name);
    let system = [
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Android", "Android"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(needle, _)| ua.contains(needle))
    .map(|(_, name)| *name);
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} · {s}"),
        (Some(b), None) => b.to_owned(),
        (None, Some(s)) => s.to_owned(),
        (None, None) => String::new(),
    }
}

/// The caller's live sessions, the current one marked.
pub async fn mine(
    state: &AppState,
    caller: &Caller,
    current_hash: &str,
) -> Result<Vec<SessionInfo>, AppError> {
    let now = state.clock.now();
    let rows = sessions::list_for_user(
        &state.db,
        &caller.user.id,
        now,
        now - state.settings.session_idle_ms(),
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|(hash, ip, ua, created_at, last_seen_at)| SessionInfo {
            id: public_id(&hash),
            current: hash == current_hash,
            device: device(ua.as_deref()),
            ip,
            created_at,
            last_seen_at,
        })
        .collect())
}

/// "Sign out" on one of the caller's other sessions.
pub async fn end_mine(state: &AppState, caller: &Caller, id: &str) -> Result<(), AppError> {
    let now = state.clock.now();
    let rows = sessions::list_for_user(&state.db, &caller.user.id, now, i64::MIN).await?;
    let hash = rows
        .into_iter()
        .map(|r| r.0)
        .find(|h| public_id(h) == id)
        .ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    if !sessions::delete_of_user(&mut tx, &caller.user.id, &hash).await? {
        return Err(AppError::NotFound);
    }
    audit::record(
        &mut tx,
        &caller.audit(),
        Entry::about(
            "session.ended",
            "user",
            &caller.user.id,
            json!({ "sessions": 1 }),
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// "Sign out everywhere else". Returns how many sessions ended.
pub async fn end_others(
    state: &AppState,
    caller: &Caller,
    current_hash: &str,
) -> Result<u64, AppError> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let n = sessions::delete_others(&mut tx, &caller.user.id, current_hash).await?;
    audit::record(
        &mut tx,
        &caller.audit(),
        Entry::about(
            "session.ended_others",
            "user",
            &caller.user.id,
            json!({ "sessions": n }),
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

/// An administrator signs a merchant user out everywhere.
pub async fn end_all_of_user(
    state: &AppState,
    caller: &Caller,
    user_id: &str,
) -> Result<u64, AppError> {
    caller.require_admin()?;
    merchant_users::get(&state.db, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let n = sessions::delete_for_user(&mut tx, user_id).await?;
    audit::record(
        &mut tx,
        &caller.audit(),
        Entry::about(
            "session.ended_all",
            "user",
            user_id,
            json!({ "sessions": n }),
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_are_named_from_the_user_agent() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
                      Chrome/156.0.0.0 Safari/537.36";
        assert_eq!(device(Some(chrome)), "Chrome · Linux");
        let safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 \
                      (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1";
        assert_eq!(device(Some(safari)), "Safari · iPhone");
        let edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
                    Chrome/120.0 Safari/537.36 Edg/120.0";
        assert_eq!(device(Some(edge)), "Edge · Windows");
        assert_eq!(device(Some("curl/8.5.0")), "curl");
        assert_eq!(device(None), "");
    }

    #[test]
    fn public_ids_are_stable_and_do_not_show_the_hash() {
        let a = public_id("abc");
        assert_eq!(a, public_id("abc"));
        assert_eq!(a.len(), 16);
        assert_ne!(a, public_id("abd"));
        assert!(!a.contains("abc"));
    }
}
