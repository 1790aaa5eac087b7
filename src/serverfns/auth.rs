//! Sign-in, sign-out and "who am I".

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::model::{InstallStatus, Lang, Viewer};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedIn {
    pub language: Lang,
    /// Where the browser goes next: home, or the second factor's code or
    /// setup (docs/people.md).
    pub next: String,
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
        Ok(start_session(&state, &signed_in))
    }
    .await;
    if plain_form {
        match &result {
            Ok(signed_in) => leptos_axum::redirect(&signed_in.next),
            Err(err) => leptos_axum::redirect(&format!("/sign-in?error={}", error_code(err))),
        }
        return result;
    }
    guard::finish(result)
}

/// Hands the browser its new session: the session and language cookies.
#[cfg(feature = "ssr")]
fn start_session(
    state: &crate::server::AppState,
    signed_in: &crate::server::services::auth::SignedIn,
) -> SignedIn {
    use crate::server::auth as guard;
    let secure = state.settings.secure_cookies();
    guard::append_set_cookie(&guard::session_cookie(&signed_in.token, secure));
    guard::append_set_cookie(&guard::locale_cookie(signed_in.user.language, secure));
    SignedIn {
        language: signed_in.user.language,
        next: match signed_in.stage.as_str() {
            "code" => "/sign-in/code",
            "enrol" => "/two-factor",
            _ => "/",
        }
        .to_owned(),
    }
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
        let hash = guard::current_session()
            .map(|s| s.token_hash)
            .or_else(|| guard::partial_session().map(|p| p.token_hash));
        if let Some(hash) = hash {
            crate::server::services::auth::sign_out(&state, &hash).await?;
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
        let webhook_alerts = match session.user.role {
            crate::model::Role::Admin => {
                crate::server::db::webhooks::alert_count(&state.db).await?
            }
            _ => 0,
        };
        Ok(Some(Viewer {
            user: session.user,
            organization: org.name,
            zone: crate::server::zones::zone(&org.timezone, state.clock.now()),
            webhook_alerts,
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

/// What the set-password page shows for a link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkInfo {
    /// `invite` or `reset`.
    pub purpose: String,
    pub email: String,
}

/// The link of the set-password page, if it still works.
#[server(prefix = "/_fn", endpoint = "password_link")]
pub async fn password_link(token: String) -> Result<Option<LinkInfo>, AppError> {
    use crate::server::auth as guard;
    use crate::server::services::user_links::{self, Purpose};
    let result = async {
        let state = guard::app_state()?;
        Ok(user_links::status(&state, &token)
            .await?
            .map(|(purpose, email)| LinkInfo {
                purpose: match purpose {
                    Purpose::Invite => "invite",
                    Purpose::Reset => "reset",
                }
                .to_owned(),
                email,
            }))
    }
    .await;
    guard::finish(result)
}

/// "Forgot your password?": the same answer whether or not the address
/// belongs to someone. Works from a plain form (redirects back to the page
/// with `?sent` or `?error=`).
#[server(prefix = "/_fn", endpoint = "request_password_reset")]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    use crate::server::auth as guard;
    use crate::server::services::auth::Origin;
    use crate::server::services::user_links;
    let plain_form = guard::is_plain_form_post();
    let result = async {
        let state = guard::app_state()?;
        let parts = guard::request_parts()?;
        let origin = Origin {
            ip: guard::client_ip(&parts),
            ..Default::default()
        };
        user_links::request_reset(&state, &email, &origin).await
    }
    .await;
    if plain_form {
        match &result {
            Ok(()) => leptos_axum::redirect("/forgot-password?sent"),
            Err(err) => {
                leptos_axum::redirect(&format!("/forgot-password?error={}", link_error_code(err)))
            }
        }
        return result;
    }
    guard::finish(result)
}

/// Sets the password with an invitation or reset link, then signs in.
/// Works from a plain form: home on success, else back to the page.
#[server(prefix = "/_fn", endpoint = "set_password")]
pub async fn set_password(
    token: String,
    password: String,
    confirm: String,
) -> Result<SignedIn, AppError> {
    use crate::server::auth as guard;
    use crate::server::services::auth::Origin;
    use crate::server::services::user_links;
    let plain_form = guard::is_plain_form_post();
    let result = async {
        let state = guard::app_state()?;
        let parts = guard::request_parts()?;
        let origin = Origin {
            ip: guard::client_ip(&parts),
            user_agent: guard::user_agent(&parts),
            previous_session: None,
        };
        let signed_in =
            user_links::set_password(&state, &token, &password, &confirm, &origin).await?;
        Ok(start_session(&state, &signed_in))
    }
    .await;
    if plain_form {
        match &result {
            Ok(signed_in) => leptos_axum::redirect(&signed_in.next),
            Err(err) => {
                let token: String = token
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                    .take(100)
                    .collect();
                leptos_axum::redirect(&format!(
                    "/set-password?token={token}&error={}",
                    link_error_code(err)
                ))
            }
        }
        return result;
    }
    guard::finish(result)
}

/// The short code the link pages show a message for.
pub fn link_error_code(err: &AppError) -> &'static str {
    match err {
        AppError::NotFound => "expired",
        AppError::TooManyAttempts { .. } => "throttled",
        AppError::Validation { fields } => match fields.first().map(|f| f.code.as_str()) {
            Some("passwords_differ") => "passwords_differ",
            Some("required") => "required",
            Some("invalid_email") => "invalid_email",
            _ => "password_too_short",
        },
        _ => "unavailable",
    }
}
