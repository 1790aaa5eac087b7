//! Sign-in, sign-out and "who am I".

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::model::{InstallStatus, Lang, Viewer};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedIn {
    pub language: Lang,
}

/// Signs in with e-mail and password. Works from a plain HTML form too: the
/// browser is then redirected home, or back to the form with the error code
/// in the query string.
#[server(prefix = "/_fn", endpoint = "sign_in")]
pub async fn sign_in(email: String, password: String) -> Result<SignedIn, AppError> {
    use crate::server::auth as guard;
    use crate::server::services::auth::{self, Origin};

    let plain_form = guard::is_plain_form_post();
    let result = async {
        let state = guard::app_state()?;
        let parts = guard::request_parts()?;
        let origin = Origin {
            ip: guard::client_ip(&parts),
            user_agent: guard::user_agent(&parts),
            previous_session: guard::current_session().map(|s| s.token_hash),
        };
        let signed_in = auth::sign_in(&state, &email, &password, &origin).await?;
        let secure = state.settings.secure_cookies();
        guard::append_set_cookie(&guard::session_cookie(&signed_in.token, secure));
        guard::append_set_cookie(&guard::locale_cookie(signed_in.user.language, secure));
        Ok(SignedIn {
            language: signed_in.user.language,
        })
    }
    .await;
    if plain_form {
        match &result {
            Ok(_) => leptos_axum::redirect("/"),
            Err(err) => leptos_axum::redirect(&format!("/sign-in?error={}", error_code(err))),
        }
        return result;
    }
    guard::finish(result)
}

/// The short code the sign-in page shows a message for.
pub fn error_code(err: &AppError) -> &'static str {
    match err {
        AppError::InvalidCredentials => "invalid",
        AppError::TooManyAttempts { .. } => "throttled",
        AppError::Validation { .. } => "required",
        _ => "unavailable",
    }
}

#[server(prefix = "/_fn", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::server::auth as guard;
    let result = async {
        let state = guard::app_state()?;
        if let Some(session) = guard::current_session() {
            crate::server::services::auth::sign_out(&state, &session.token_hash).await?;
        }
        guard::append_set_cookie(&guard::clear_session_cookie(
            state.settings.secure_cookies(),
        ));
        Ok(())
    }
    .await;
    if guard::is_plain_form_post() {
        leptos_axum::redirect("/sign-in");
    }
    guard::finish(result)
}

/// The signed-in user with the organization's name and time zone, or
/// `None` for an anonymous visitor.
#[server(prefix = "/_fn", endpoint = "current_user")]
pub async fn current_user() -> Result<Option<Viewer>, AppError> {
    use crate::server::auth as guard;
    let Some(session) = guard::current_session() else {
        return Ok(None);
    };
    let result = async {
        let state = guard::app_state()?;
        let org = crate::server::db::organization::get(&state.db).await?;
        Ok(Some(Viewer {
            user: session.user,
            organization: org.name,
            zone: crate::server::zones::zone(&org.timezone, state.clock.now()),
        }))
    }
    .await;
    guard::finish(result)
}

/// Whether an administrator exists yet (the sign-in page explains how to
/// create the first one).
#[server(prefix = "/_fn", endpoint = "setup_status")]
pub async fn setup_status() -> Result<InstallStatus, AppError> {
    use crate::server::auth as guard;
    let result = async {
        let state = guard::app_state()?;
        let has_admin = crate::server::db::users::any_active_admin(&state.db).await?;
        Ok(InstallStatus { has_admin })
    }
    .await;
    guard::finish(result)
}
