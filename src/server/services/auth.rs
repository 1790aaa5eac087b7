//! Browser sign-in and sign-out.
//!
//! Attempts are throttled under two keys (docs/security.md): the client
//! address with the e-mail address typed, and the client address alone.
//! After [`FREE_FAILURES`] failures of a pair (or [`FREE_ADDRESS_FAILURES`]
//! from one address, whatever the e-mail), each further attempt must wait
//! twice as long as the previous one, up to [`MAX_DELAY_SECS`]. Someone
//! failing elsewhere never delays a user's own sign-in, and the answer is
//! the same whether or not an account exists. An attempt is counted before
//! its password is checked, so parallel guesses cannot slip past the count.

use serde_json::json;

use crate::error::{AppError, FieldError};
use crate::model::SessionUser;
use crate::server::AppState;
use crate::server::db::audit::{self, Actor, Entry};
use crate::server::db::sign_in_throttles::{self as throttles, Key};
use crate::server::db::{sessions, users};
use crate::server::ids;
use crate::server::metrics::SignInOutcome;
use crate::server::password;

/// Failures of one client address with one e-mail address before waits.
pub const FREE_FAILURES: i64 = 3;
/// Failures from one client address, any e-mail, before waits: higher, as
/// an office behind one address shares it.
pub const FREE_ADDRESS_FAILURES: i64 = 10;
pub const MAX_DELAY_SECS: i64 = 300;
/// Failures older than this are forgotten.
pub const FAILURE_MEMORY_MS: i64 = 15 * 60_000;

fn delay(failures: i64, free: i64) -> i64 {
    if failures < free {
        0
    } else {
        let exp = (failures - free).min(16) as u32;
        (1i64 << exp).min(MAX_DELAY_SECS)
    }
}

/// How long the next attempt of a client address with an e-mail address
/// must wait after `failures` failures.
pub fn delay_after(failures: i64) -> i64 {
    delay(failures, FREE_FAILURES)
}

/// How long the next attempt from a client address must wait after
/// `failures` failures, whatever the e-mail addresses.
pub fn address_delay_after(failures: i64) -> i64 {
    delay(failures, FREE_ADDRESS_FAILURES)
}

/// Counts one attempt under `key` (a reset request, a second-factor code)
/// before it is checked, or answers how long to wait (docs/security.md).
pub async fn claim_attempt(
    state: &AppState,
    key: &str,
    delay_after: fn(i64) -> i64,
) -> Result<(), AppError> {
    let now = state.clock.now();
    let mut keys = [Key { key, delay_after }];
    let mut tx = state.db.begin().await?;
    let claimed = throttles::claim(&mut tx, &mut keys, now, now - FAILURE_MEMORY_MS).await?;
    tx.commit().await?;
    claimed.map_err(|wait_until| AppError::TooManyAttempts {
        retry_after_secs: ((wait_until - now + 999) / 1000) as u64,
    })
}

/// Where the request came from, for the session row and the audit log.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The hash of the session the browser already had, if any: it is ended,
    /// so every sign-in gets a fresh session id.
    pub previous_session: Option<String>,
}

pub struct SignedIn {
    pub user: SessionUser,
    /// The cookie value; only its hash is stored.
    pub token: String,
    /// `full`, or `code` / `enrol` while the second factor is due.
    pub stage: String,
}

/// Where a session starts once the password is right: a second factor is
/// due when the user has one, and an administrator without one must set
/// it up first when `LIVREUR_REQUIRE_2FA_FOR_ADMINS` says so.
pub async fn stage_after_password(
    state: &AppState,
    tx: &mut crate::server::db::Tx,
    user: &SessionUser,
) -> Result<String, AppError> {
    let has_factor = crate::server::db::two_factor::secret(tx, &user.id)
        .await?
        .is_some();
    Ok(if has_factor {
        "code"
    } else if user.role == crate::model::Role::Admin && state.settings.require_2fa_for_admins {
        "enrol"
    } else {
        "full"
    }
    .to_owned())
}

pub async fn sign_in(
    state: &AppState,
    email: &str,
    password: &str,
    origin: &Origin,
) -> Result<SignedIn, AppError> {
    let email_lower = email.trim().to_lowercase();
    let mut missing = Vec::new();
    if email_lower.is_empty() {
        missing.push(FieldError::new("email", "required"));
    }
    if password.is_empty() {
        missing.push(FieldError::new("password", "required"));
    }
    if !missing.is_empty() {
        return Err(AppError::validation(missing));
    }
    if email_lower.len() > 254 || password.len() > password::MAX_LENGTH * 4 {
        return Err(AppError::InvalidCredentials);
    }

    let now = state.clock.now();
    let forget_before = now - FAILURE_MEMORY_MS;
    let address = origin.ip.as_deref().unwrap_or("unknown");
    let pair_key = format!("pair:{address} {email_lower}");
    let address_key = format!("addr:{address}");
    let mut tx = state.db.begin().await?;
    let mut keys = [
        Key {
            key: &pair_key,
            delay_after,
        },
        Key {
            key: &address_key,
            delay_after: address_delay_after,
        },
    ];
    let claimed = throttles::claim(&mut tx, &mut keys, now, forget_before).await?;
    tx.commit().await?;
    if let Err(wait_until) = claimed {
        state.metrics.sign_in(SignInOutcome::Throttled);
        return Err(AppError::TooManyAttempts {
            retry_after_secs: ((wait_until - now + 999) / 1000) as u64,
        });
    }

    let found = users::find_for_sign_in(&state.db, &email_lower).await?;
    let (user, hash) = match found {
        Some((user, hash)) => (Some(user), Some(hash)),
        None => (None, None),
    };
    let verified = match password::verify(password.to_owned(), hash).await {
        Ok(verified) => verified,
        Err(password::Busy) => {
            // Never checked: not a failure of this user's.
            let mut tx = state.db.begin().await?;
            throttles::refund(&mut tx, &[pair_key.as_str(), address_key.as_str()]).await?;
            tx.commit().await?;
            state.metrics.sign_in(SignInOutcome::Throttled);
            return Err(AppError::TooManyAttempts {
                retry_after_secs: 1,
            });
        }
    };

    let mut tx = state.db.begin().await?;
    let Some(user) = user.filter(|_| verified) else {
        let failures = throttles::failures(&mut tx, &pair_key, forget_before).await?;
        let actor = Actor {
            user_id: None,
            label: email_lower.clone(),
            ip: origin.ip.clone(),
        };
        audit::record(
            &mut tx,
            &actor,
            Entry {
                action: "auth.sign_in_failed",
                target_type: None,
                target_id: None,
                details: json!({ "email": email_lower, "failures": failures }),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        state.metrics.sign_in(SignInOutcome::Failure);
        return Err(AppError::InvalidCredentials);
    };

    if let Some(previous) = &origin.previous_session {
        sessions::delete(&mut tx, previous).await?;
    }
    throttles::forget(&mut tx, &pair_key).await?;
    throttles::refund(&mut tx, &[address_key.as_str()]).await?;
    let stage = stage_after_password(state, &mut tx, &user).await?;
    let token = ids::new_token();
    let token_hash = ids::token_hash(&token);
    sessions::insert(
        &mut tx,
        &sessions::NewSession {
            token_hash: &token_hash,
            user_id: &user.id,
            expires_at: now + state.settings.session_max_ms(),
            ip: origin.ip.as_deref(),
            user_agent: origin.user_agent.as_deref(),
            stage: &stage,
        },
        now,
    )
    .await?;
    let actor = Actor {
        user_id: Some(user.id.clone()),
        label: user.email.clone(),
        ip: origin.ip.clone(),
    };
    audit::record(
        &mut tx,
        &actor,
        Entry::about(
            "auth.signed_in",
            "user",
            &user.id,
            json!({ "stage": stage }),
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    state.metrics.sign_in(SignInOutcome::Success);
    Ok(SignedIn { user, token, stage })
}

pub async fn sign_out(state: &AppState, token_hash: &str) -> Result<(), AppError> {
    let mut tx = state.db.begin().await?;
    sessions::delete(&mut tx, token_hash).await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes sessions past their deadlines, and sign-in counters that no
/// longer delay anyone. Run periodically by the server.
pub async fn purge_expired_sessions(state: &AppState) -> Result<u64, AppError> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let n = sessions::delete_expired(&mut tx, now, now - state.settings.session_idle_ms()).await?;
    throttles::purge(&mut tx, now - FAILURE_MEMORY_MS).await?;
    // Password links a day past their end are no use to anyone.
    crate::server::db::user_links::purge(&mut tx, now - 86_400_000).await?;
    tx.commit().await?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_grows_then_caps() {
        assert_eq!(delay_after(0), 0);
        assert_eq!(delay_after(2), 0);
        assert_eq!(delay_after(3), 1);
        assert_eq!(delay_after(4), 2);
        assert_eq!(delay_after(6), 8);
        assert_eq!(delay_after(20), MAX_DELAY_SECS);
        assert_eq!(delay_after(i64::MAX), MAX_DELAY_SECS);
        assert_eq!(address_delay_after(9), 0);
        assert_eq!(address_delay_after(10), 1);
        assert_eq!(address_delay_after(12), 4);
    }
}
