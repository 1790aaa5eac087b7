//! The second factor (docs/people.md): the code after the password, the
//! setup, and the profile's switch. The sign-in step and the setup accept
//! a session that is not signed in yet (a partial session); the rest need a
//! signed-in user.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::auth::SignedIn;
use crate::error::AppError;
use crate::model::two_factor::{Enrolment, TwoFactorStatus};

#[cfg(feature = "ssr")]
use super::as_role;
#[cfg(feature = "ssr")]
use crate::model::Role;

#[cfg(feature = "ssr")]
const EVERYONE: &[Role] = &[Role::Admin, Role::MerchantL1, Role::MerchantL2];

/// Who is setting up a second factor: a signed-in user, or an administrator
/// made to before anything else. Read before any `.await`.
#[cfg(feature = "ssr")]
fn enrolling() -> Result<(crate::model::SessionUser, String), AppError> {
    use crate::server::auth as guard;
    if let Some(s) = guard::current_session() {
        return Ok((s.user, s.token_hash));
    }
    match guard::partial_session() {
        Some(p) if p.stage == "enrol" => Ok((p.user, p.token_hash)),
        _ => Err(AppError::Unauthenticated),
    }
}

/// The code (or a recovery code) after the password. Works from a plain
/// form: home on success, else back with `?error=`.
#[server(prefix = "/_fn", endpoint = "verify_second_factor")]
pub async fn verify_second_factor(code: String) -> Result<SignedIn, AppError> {
    use crate::server::auth as guard;
    use crate::server::services::auth::Origin;
    use crate::server::services::two_factor;
    let plain_form = guard::is_plain_form_post();
    let partial = guard::partial_session();
    let result = async {
        let partial = partial.ok_or(AppError::Unauthenticated)?;
        let state = guard::app_state()?;
        let parts = guard::request_parts()?;
        let origin = Origin {
            ip: guard::client_ip(&parts),
            ..Default::default()
        };
        two_factor::verify(&state, &partial, &code, &origin).await?;
        Ok(SignedIn {
            language: partial.user.language,
            next: "/".to_owned(),
        })
    }
    .await;
    if plain_form {
        match &result {
            Ok(_) => leptos_axum::redirect("/"),
            Err(err) => leptos_axum::redirect(&format!(
                "/sign-in/code?error={}",
                super::auth::error_code(err)
            )),
        }
        return result;
    }
    guard::finish(result)
}

/// The secret to set up, with its QR code (the same until confirmed).
#[server(prefix = "/_fn", endpoint = "start_two_factor", input = Json)]
pub async fn start_two_factor() -> Result<Enrolment, AppError> {
    use crate::server::auth as guard;
    use crate::server::services::two_factor;
    let who = enrolling();
    let result = async {
        let (user, hash) = who?;
        let state = guard::app_state()?;
        two_factor::start_enrolment(&state, &user, &hash).await
    }
    .await;
    guard::finish(result)
}

/// Confirms the setup with a first code; returns the recovery codes (shown
/// during the setup). Works from a plain form: home on success, else back
/// to the setup with `?error=`.
#[server(prefix = "/_fn", endpoint = "confirm_two_factor")]
pub async fn confirm_two_factor(code: String) -> Result<Vec<String>, AppError> {
    use crate::server::auth as guard;
    use crate::server::services::two_factor;
    let plain_form = guard::is_plain_form_post();
    let who = enrolling();
    let result = async {
        let (user, hash) = who?;
        let state = guard::app_state()?;
        let ip = guard::request_parts()
            .ok()
            .and_then(|p| guard::client_ip(&p));
        two_factor::confirm_enrolment(&state, &user, &hash, &code, ip.as_deref()).await
    }
    .await;
    if plain_form {
        match &result {
            Ok(_) => leptos_axum::redirect("/"),
            Err(err) => {
                let code = match err {
                    AppError::Validation { .. } => "invalid_code",
                    _ => "start_again",
                };
                leptos_axum::redirect(&format!("/two-factor?error={code}"))
            }
        }
        return result;
    }
    guard::finish(result)
}

#[server(prefix = "/_fn", endpoint = "second_factor_status", input = Json)]
pub async fn second_factor_status() -> Result<TwoFactorStatus, AppError> {
    use crate::server::services::two_factor;
    as_role(EVERYONE, |state, caller| async move {
        two_factor::status(&state, &caller).await
    })
    .await
}

#[server(prefix = "/_fn", endpoint = "disable_two_factor", input = Json)]
pub async fn disable_two_factor(code: String) -> Result<(), AppError> {
    use crate::server::services::two_factor;
    as_role(EVERYONE, |state, caller| async move {
        two_factor::disable(&state, &caller, &code).await
    })
    .await
}
