//! The second factor (docs/people.md): setting it up (a secret waiting on
//! the session until a first code confirms it, then 10 recovery codes shown
//! once), checking it after the password (a TOTP code never accepted twice,
//! or a recovery code used once), turning it off, and resetting it from the
//! command line. Secrets rest sealed with the instance key.

use serde_json::json;

use super::Caller;
use super::auth::Origin;
use crate::error::AppError;
use crate::model::two_factor::{Enrolment, TwoFactorStatus};
use crate::model::{Role, SessionUser};
use crate::server::AppState;
use crate::server::auth::PartialSession;
use crate::server::db::audit::{self, Actor, Entry};
use crate::server::db::sign_in_throttles as throttles;
use crate::server::db::{Tx, two_factor};
use crate::server::totp;

fn user_row(user_id: &str) -> String {
    format!("users:{user_id}:totp")
}

fn session_row(token_hash: &str) -> String {
    format!("sessions:{token_hash}:totp")
}

fn actor(user: &SessionUser, ip: Option<&str>) -> Actor {
    Actor {
        user_id: Some(user.id.clone()),
        label: user.email.clone(),
        ip: ip.map(str::to_owned),
    }
}

/// What waits on a session being set up: the secret (base32) and the
/// recovery codes that come with it, sealed together.
#[derive(serde::Serialize, serde::Deserialize)]
struct Pending {
    secret: String,
    codes: Vec<String>,
}

fn open_pending(state: &AppState, token_hash: &str, sealed: &str) -> Result<Pending, AppError> {
    let text = state
        .sealer()
        .open(&session_row(token_hash), sealed)
        .map_err(|_| AppError::Internal)?;
    serde_json::from_str(&text).map_err(|_| AppError::conflict("no_setup"))
}

/// The secret being set up on this session and its recovery codes (made on
/// first call, the same after), with the QR code. The codes are shown
/// here, before the second factor is turned on, so the page needs no
/// script to show them once: after, they are never shown again.
pub async fn start_enrolment(
    state: &AppState,
    user: &SessionUser,
    token_hash: &str,
) -> Result<Enrolment, AppError> {
    let mut tx = state.db.begin().await?;
    let pending = match two_factor::pending_secret(&mut tx, token_hash).await? {
        Some(sealed) => open_pending(state, token_hash, &sealed)?,
        None => {
            let pending = Pending {
                secret: totp::encoded(&totp::new_secret()),
                codes: totp::new_recovery_codes(),
            };
            let text = serde_json::to_string(&pending).map_err(|_| AppError::Internal)?;
            let sealed = state.sealer().seal(&session_row(token_hash), &text);
            two_factor::set_pending(&mut tx, token_hash, Some(&sealed)).await?;
            pending
        }
    };
    tx.commit().await?;
    let raw = decode(&pending.secret)?;
    let url = totp::otpauth_url(&raw, &user.email);
    Ok(Enrolment {
        qr_svg: totp::qr_svg(&url),
        otpauth_url: url,
        secret: pending.secret,
        recovery_codes: pending.codes,
    })
}

/// The secret's bytes from its base32 text.
fn decode(encoded: &str) -> Result<Vec<u8>, AppError> {
    totp_rs::Secret::try_from_base32(encoded)
        .map(|s| s.as_ref().to_vec())
        .map_err(|_| AppError::Internal)
}

/// Confirms the setup with a first code: the second factor is on with the
/// recovery codes shown during the setup, and the session is signed in.
pub async fn confirm_enrolment(
    state: &AppState,
    user: &SessionUser,
    token_hash: &str,
    code: &str,
    ip: Option<&str>,
) -> Result<Vec<String>, AppError> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let sealed = two_factor::pending_secret(&mut tx, token_hash)
        .await?
        .ok_or(AppError::conflict("no_setup"))?;
    let Pending {
        secret: encoded,
        codes,
    } = open_pending(state, token_hash, &sealed)?;
    let secret = decode(&encoded)?;
    let step = totp::matching_step(&secret, code, now, 0)
        .ok_or_else(|| AppError::field("code", "invalid_code"))?;
    let hashes: Vec<String> = codes.iter().map(|c| totp::recovery_hash(c)).collect();
    let for_user = state.sealer().seal(&user_row(&user.id), &encoded);
    two_factor::set(&mut tx, &user.id, Some(&for_user), step as i64, &hashes).await?;
    two_factor::set_stage(&mut tx, token_hash, "full", None).await?;
    audit::record(
        &mut tx,
        &actor(user, ip),
        Entry::about("user.two_factor_enabled", "user", &user.id, json!({})),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(codes)
}

/// Failed codes of one user before each further attempt must wait.
fn code_delay(failures: i64) -> i64 {
    super::auth::delay_after(failures)
}

/// The second step of signing in: a code from the app, or a recovery
/// code. Throttled per user, audited either way.
pub async fn verify(
    state: &AppState,
    partial: &PartialSession,
    code: &str,
    origin: &Origin,
) -> Result<(), AppError> {
    if partial.stage != "code" {
        return Err(AppError::Unauthenticated);
    }
    if code.trim().is_empty() {
        return Err(AppError::field("code", "required"));
    }
    if code.len() > 64 {
        return Err(AppError::InvalidCredentials);
    }
    let now = state.clock.now();
    let key = format!("code:{}", partial.user.id);
    super::auth::claim_attempt(state, &key, code_delay).await?;
    let mut tx = state.db.begin().await?;
    let method = check(state, &mut tx, &partial.user.id, code, now).await?;
    let ip = origin.ip.as_deref();
    let Some(method) = method else {
        audit::record(
            &mut tx,
            &actor(&partial.user, ip),
            Entry::about(
                "auth.second_factor_failed",
                "user",
                &partial.user.id,
                json!({}),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        return Err(AppError::InvalidCredentials);
    };
    two_factor::set_stage(&mut tx, &partial.token_hash, "full", None).await?;
    crate::server::db::sessions::prove(&mut tx, &partial.token_hash, now).await?;
    throttles::forget(&mut tx, &key).await?;
    audit::record(
        &mut tx,
        &actor(&partial.user, ip),
        Entry::about(
            "auth.second_factor",
            "user",
            &partial.user.id,
            json!({ "method": method }),
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Which way `code` proves the second factor (`totp`, `recovery_code`), if
/// it does; a TOTP step or a recovery code is used up in `tx`.
pub(super) async fn check(
    state: &AppState,
    tx: &mut Tx,
    user_id: &str,
    code: &str,
    now: i64,
) -> Result<Option<&'static str>, AppError> {
    let Some((sealed, last_step)) = two_factor::secret(tx, user_id).await? else {
        return Ok(None);
    };
    let looks_like_totp = code
        .chars()
        .filter(|c| !c.is_whitespace())
        .all(|c| c.is_ascii_digit());
    if !looks_like_totp {
        let used =
            two_factor::use_recovery_code(tx, user_id, &totp::recovery_hash(code), now).await?;
        return Ok(used.then_some("recovery_code"));
    }
    let encoded = state
        .sealer()
        .open(&user_row(user_id), &sealed)
        .map_err(|_| AppError::Internal)?;
    let secret = decode(&encoded)?;
    let Some(step) = totp::matching_step(&secret, code, now, last_step.max(0) as u64) else {
        return Ok(None);
    };
    Ok(two_factor::accept_step(tx, user_id, step as i64)
        .await?
        .then_some("totp"))
}

/// The profile's view of the caller's second factor.
pub async fn status(state: &AppState, caller: &Caller) -> Result<TwoFactorStatus, AppError> {
    let mut tx = state.db.begin().await?;
    let enabled = two_factor::secret(&mut tx, &caller.user.id)
        .await?
        .is_some();
    let recovery_codes_left = two_factor::recovery_codes_left(&mut tx, &caller.user.id).await?;
    tx.commit().await?;
    Ok(TwoFactorStatus {
        enabled,
        required: caller.user.role == Role::Admin && state.settings.require_2fa_for_admins,
        recovery_codes_left,
    })
}

/// Turns the caller's second factor off, with a current code. Refused to
/// administrators while it is required.
pub async fn disable(state: &AppState, caller: &Caller, code: &str) -> Result<(), AppError> {
    if caller.user.role == Role::Admin && state.settings.require_2fa_for_admins {
        return Err(AppError::conflict("two_factor_required"));
    }
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    if check(state, &mut tx, &caller.user.id, code, now)
        .await?
        .is_none()
    {
        return Err(AppError::field("code", "invalid_code"));
    }
    two_factor::set(&mut tx, &caller.user.id, None, 0, &[]).await?;
    audit::record(
        &mut tx,
        &caller.audit(),
        Entry::about(
            "user.two_factor_disabled",
            "user",
            &caller.user.id,
            json!({}),
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// `livreur create-admin` on an existing administrator: the second factor
/// is removed (a lost phone), to be set up again at the next sign-in.
pub async fn reset_in(tx: &mut Tx, user_id: &str) -> Result<(), AppError> {
    two_factor::set(tx, user_id, None, 0, &[]).await?;
    Ok(())
}
