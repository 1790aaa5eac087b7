//! Proving again who you are before the most sensitive actions
//! (docs/people.md): making, rolling or revoking an API key, creating a
//! webhook or rotating its secret. A proof (the password at sign-in, a
//! second-factor code, or this) lasts `LIVREUR_REAUTH_SECONDS` (10 minutes
//! by default).

use serde_json::json;

use super::Caller;
use crate::error::AppError;
use crate::server::AppState;
use crate::server::clock::Millis;
use crate::server::db::audit::{self, Entry};
use crate::server::db::{sessions, two_factor, users};
use crate::server::password;

/// Refuses with `reauth_required` when the session's last proof is older
/// than the setting allows. `proven_at` is read from the request.
pub fn require_recent(state: &AppState, proven_at: Option<Millis>) -> Result<(), AppError> {
    let window = i64::from(state.settings.reauth_seconds) * 1000;
    match proven_at {
        Some(at) if state.clock.now() - at < window => Ok(()),
        _ => Err(AppError::conflict("reauth_required")),
    }
}

/// Checks the password (and the code, for a user with a second factor)
/// and records the proof on the session. Throttled per user.
pub async fn confirm(
    state: &AppState,
    caller: &Caller,
    token_hash: &str,
    given_password: &str,
    code: &str,
) -> Result<(), AppError> {
    if given_password.is_empty() {
        return Err(AppError::field("password", "required"));
    }
    if given_password.len() > password::MAX_LENGTH * 4 || code.len() > 64 {
        return Err(AppError::InvalidCredentials);
    }
    let key = format!("reauth:{}", caller.user.id);
    super::auth::claim_attempt(state, &key, super::auth::delay_after).await?;
    let hash = users::find_for_sign_in(&state.db, &caller.user.email.to_lowercase())
        .await?
        .filter(|(u, _)| u.id == caller.user.id)
        .map(|(_, hash)| hash);
    let verified = password::verify(given_password.to_owned(), hash)
        .await
        .map_err(|_| AppError::TooManyAttempts {
            retry_after_secs: 1,
        })?;
    if !verified {
        return Err(AppError::InvalidCredentials);
    }
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    if two_factor::secret(&mut tx, &caller.user.id)
        .await?
        .is_some()
        && super::two_factor::check(state, &mut tx, &caller.user.id, code, now)
            .await?
            .is_none()
    {
        return Err(AppError::field("code", "invalid_code"));
    }
    sessions::prove(&mut tx, token_hash, now).await?;
    crate::server::db::sign_in_throttles::forget(&mut tx, &key).await?;
    audit::record(
        &mut tx,
        &caller.audit(),
        Entry::about("auth.reauthenticated", "user", &caller.user.id, json!({})),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
