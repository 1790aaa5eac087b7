//! Who is calling: the session cookie, the client address, and the guards
//! every server function calls before doing anything else.

use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

use super::AppState;
use crate::error::AppError;
use crate::model::{Lang, Role, SessionUser};

pub const SESSION_COOKIE: &str = "livreur_session";
/// The session cookie's name when cookies are `Secure` (an `https` public
/// URL): the `__Host-` prefix makes the browser refuse it unless it is
/// `Secure`, for this host only (no `Domain`) and for `Path=/`, so a
/// sibling subdomain cannot plant or shadow it.
pub const SECURE_SESSION_COOKIE: &str = "__Host-livreur_session";

pub fn session_cookie_name(secure: bool) -> &'static str {
    if secure {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}
/// The cookie leptos_i18n reads to pick the language on the server.
pub const LOCALE_COOKIE: &str = "i18n_pref_locale";

/// Put in the request extensions by the session middleware when the
/// request carries a live session.
#[derive(Debug, Clone)]
pub struct CurrentSession {
    pub user: SessionUser,
    pub token_hash: String,
    /// When the user last proved who they are (password, code).
    pub proven_at: i64,
}

/// A session whose password was right but whose second factor is still
/// due (`stage` `code`), or whose administrator must set one up first
/// (`enrol`). It signs no one in; only the second-factor server functions
/// read it (docs/people.md).
#[derive(Debug, Clone)]
pub struct PartialSession {
    pub user: SessionUser,
    pub token_hash: String,
    pub stage: String,
}

/// The partial session of the request, if it carries one.
pub fn partial_session() -> Option<PartialSession> {
    use_context::<Parts>().and_then(|p| p.extensions.get::<PartialSession>().cloned())
}

/// The caller's address, as the connection (or a trusted proxy) says.
#[derive(Debug, Clone)]
pub struct ClientIp(pub String);

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// `Set-Cookie` for a new session. `HttpOnly` keeps it from scripts,
/// `SameSite=Strict` from every cross-site request, `Secure` when served
/// over HTTPS. No `Max-Age`: the server enforces idle and absolute expiry,
/// and the cookie dies with the browser.
pub fn session_cookie(token: &str, secure: bool) -> String {
    let name = session_cookie_name(secure);
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={token}; Path=/; HttpOnly; SameSite=Strict{secure}")
}

pub fn clear_session_cookie(secure: bool) -> String {
    let name = session_cookie_name(secure);
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict{secure}")
}

pub fn locale_cookie(lang: Lang, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{LOCALE_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax{secure}",
        lang.as_str()
    )
}

// ---- inside server functions -------------------------------------------

pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the server function context");
        AppError::Internal
    })
}

pub fn request_parts() -> Result<Parts, AppError> {
    use_context::<Parts>().ok_or_else(|| {
        tracing::error!("request parts missing from the server function context");
        AppError::Internal
    })
}

pub fn current_session() -> Option<CurrentSession> {
    use_context::<Parts>().and_then(|p| p.extensions.get::<CurrentSession>().cloned())
}

/// The signed-in user, or 401.
pub fn require_user() -> Result<SessionUser, AppError> {
    current_session()
        .map(|s| s.user)
        .ok_or(AppError::Unauthenticated)
}

/// The signed-in user if their role is one of `roles`; 401 or 403 otherwise.
pub fn require_role(roles: &[Role]) -> Result<SessionUser, AppError> {
    let user = require_user()?;
    if roles.contains(&user.role) {
        Ok(user)
    } else {
        Err(AppError::Forbidden)
    }
}

pub fn client_ip(parts: &Parts) -> Option<String> {
    parts.extensions.get::<ClientIp>().map(|ip| ip.0.clone())
}

pub fn user_agent(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|ua| ua.chars().take(256).collect())
}

/// True for a plain HTML form submission (no JavaScript): the browser asks
/// for HTML back, where the server-function client asks for data.
pub fn is_plain_form_post() -> bool {
    use_context::<Parts>().is_some_and(|p| {
        p.headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
    })
}

pub fn append_set_cookie(cookie: &str) {
    if let (Some(res), Ok(value)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(cookie),
    ) {
        res.append_header(header::SET_COOKIE, value);
    }
}

/// Gives an error its HTTP status on the way out of a server function, so
/// the browser and any other client see 401/403/422 rather than a blanket 500.
pub fn finish<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(err) = &result
        && let Some(res) = use_context::<ResponseOptions>()
    {
        res.set_status(
            StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        );
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_cookie_among_several() {
        let mut h = HeaderMap::new();
        h.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; livreur_session=tok; b=2"),
        );
        assert_eq!(cookie_value(&h, SESSION_COOKIE), Some("tok"));
        assert_eq!(cookie_value(&h, "b"), Some("2"));
        assert_eq!(cookie_value(&h, "missing"), None);
        let mut h = HeaderMap::new();
        h.append(
            header::COOKIE,
            HeaderValue::from_static("x_livreur_session=evil"),
        );
        assert_eq!(cookie_value(&h, SESSION_COOKIE), None);
    }

    #[test]
    fn session_cookie_attributes() {
        let c = session_cookie("t", false);
        assert_eq!(c, "livreur_session=t; Path=/; HttpOnly; SameSite=Strict");
        assert_eq!(
            session_cookie("t", true),
            "__Host-livreur_session=t; Path=/; HttpOnly; SameSite=Strict; Secure"
        );
        assert!(clear_session_cookie(true).starts_with("__Host-livreur_session=;"));
        assert!(clear_session_cookie(false).contains("Max-Age=0"));
        assert_eq!(
            locale_cookie(Lang::Fr, false),
            "i18n_pref_locale=fr; Path=/; Max-Age=31536000; SameSite=Lax"
        );
    }
}
