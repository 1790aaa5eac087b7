//! The REST API under `/api/v1` (SPEC section 4).
//!
//! Every route sits behind [`authenticate`]: HTTP Basic with an API Account
//! ID and Auth Key, checked against the database on every request. The
//! handlers call the same services as the server functions, with the
//! credential's user as the actor, so a merchant credential meets the same
//! role checks as a merchant in the browser.

mod admin;
pub mod problem;
mod wire;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Extension, Json};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;

use self::problem::Problem;
use super::AppState;
use super::auth::ClientIp;
use super::db::api_keys;
use super::keys;
use crate::model::{Lang, SessionUser};

/// Request bodies over this size are refused with 413 (SPEC section 4).
pub const BODY_LIMIT: usize = 1024 * 1024;

/// Who is calling, put in the request extensions by [`authenticate`].
#[derive(Debug, Clone)]
pub struct ApiCaller {
    pub user: SessionUser,
    pub account_id: String,
    pub key_id: String,
}

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/ping", get(ping))
        .route(
            "/locations",
            get(admin::list_locations).post(admin::create_location),
        )
        .route(
            "/locations/{location_id}",
            get(admin::get_location).patch(admin::patch_location),
        )
        .route(
            "/merchants",
            get(admin::list_merchants).post(admin::create_merchant),
        )
        .route(
            "/merchants/{merchant_id}",
            get(admin::get_merchant).patch(admin::patch_merchant),
        )
        .route(
            "/merchants/{merchant_id}/users",
            get(admin::list_users).post(admin::create_user),
        )
        .route(
            "/users/{user_id}",
            get(admin::get_user).patch(admin::patch_user),
        )
        .route("/users/{user_id}/api-access", put(admin::put_api_access))
        .route("/users/{user_id}/api-keys", post(admin::issue_key))
        .route("/api-accounts", get(admin::api_accounts))
        .route("/audit", get(admin::audit))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
        .route_layer(axum::middleware::from_fn_with_state(state, authenticate))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
}

async fn not_found() -> Problem {
    Problem::not_found()
}

async fn method_not_allowed() -> Problem {
    Problem::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "This method is not allowed on this path.",
    )
}

/// Query parameters that look like credentials: a request carrying one is
/// refused, so keys do not end up in proxy logs and browser histories by
/// habit.
const CREDENTIAL_PARAMS: &[&str] = &[
    "account_id",
    "auth_key",
    "api_key",
    "apikey",
    "key",
    "password",
    "token",
    "access_token",
];

/// (Account ID, Auth Key) from `Authorization: Basic …`, or `None` for
/// anything else.
pub fn basic_credentials(req: &Request) -> Option<(String, String)> {
    let mut values = req.headers().get_all(header::AUTHORIZATION).iter();
    let value = values.next()?;
    if values.next().is_some() {
        return None;
    }
    let (scheme, encoded) = value.to_str().ok()?.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = STANDARD.decode(encoded.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (account, key) = text.split_once(':')?;
    Some((account.to_owned(), key.to_owned()))
}

fn has_credential_params(req: &Request) -> bool {
    req.uri().query().is_some_and(|q| {
        q.split('&')
            .filter_map(|pair| pair.split('=').next())
            .any(|name| {
                CREDENTIAL_PARAMS
                    .iter()
                    .any(|p| p.eq_ignore_ascii_case(name))
            })
    })
}

/// Authenticates every `/api/v1` request. All failures answer the same
/// 401; a malformed key or one with a bad checksum is refused before any
/// database work.
pub async fn authenticate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    if has_credential_params(&req) {
        return Problem::unauthorized().into_response();
    }
    let Some((account_id, key)) = basic_credentials(&req) else {
        return Problem::unauthorized().into_response();
    };
    if !keys::is_well_formed(&key) || !account_id.starts_with("acct_") {
        return Problem::unauthorized().into_response();
    }
    let now = state.clock.now();
    let owner = match api_keys::authenticate(&state.db, &keys::hash(&key), now).await {
        Ok(Some(owner)) => owner,
        Ok(None) => return Problem::unauthorized().into_response(),
        Err(err) => return Problem::from(crate::error::AppError::from(err)).into_response(),
    };
    if !keys::same(&owner.account_id, &account_id) {
        return Problem::unauthorized().into_response();
    }
    state
        .usage
        .record(&owner.account_id, &owner.key_id, owner.last_used_at, now);
    req.extensions_mut().insert(ApiCaller {
        user: SessionUser {
            id: owner.user_id,
            email: owner.email,
            display_name: owner.display_name,
            role: owner.role,
            merchant_id: owner.merchant_id,
            language: Lang::En,
        },
        account_id: owner.account_id,
        key_id: owner.key_id,
    });
    next.run(req).await
}

/// `GET /api/v1/ping`: who the credential belongs to.
async fn ping(
    Extension(caller): Extension<ApiCaller>,
    ip: Option<Extension<ClientIp>>,
) -> Response {
    Json(json!({
        "account_id": caller.account_id,
        "role": caller.user.role.as_str(),
        "user_id": caller.user.id,
        "merchant_id": caller.user.merchant_id,
        "client_ip": ip.map(|Extension(ClientIp(ip))| ip),
    }))
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    fn request(auth: Option<&str>, uri: &str) -> Request {
        let mut b = Request::builder().uri(uri);
        if let Some(a) = auth {
            b = b.header(header::AUTHORIZATION, a);
        }
        b.body(Body::empty()).unwrap()
    }

    #[test]
    fn basic_credentials_are_parsed_strictly() {
        let good = format!("Basic {}", STANDARD.encode("acct_1:lvr_x"));
        assert_eq!(
            basic_credentials(&request(Some(&good), "/")),
            Some(("acct_1".into(), "lvr_x".into()))
        );
        let lower = format!("basic {}", STANDARD.encode("acct_1:lvr_x"));
        assert!(basic_credentials(&request(Some(&lower), "/")).is_some());
        assert_eq!(basic_credentials(&request(None, "/")), None);
        assert_eq!(basic_credentials(&request(Some("Bearer abc"), "/")), None);
        assert_eq!(basic_credentials(&request(Some("Basic !!!"), "/")), None);
        let no_colon = format!("Basic {}", STANDARD.encode("acct_1"));
        assert_eq!(basic_credentials(&request(Some(&no_colon), "/")), None);
    }

    #[test]
    fn credentials_in_the_query_string_are_spotted() {
        assert!(has_credential_params(&request(None, "/ping?auth_key=x")));
        assert!(has_credential_params(&request(None, "/ping?a=1&API_KEY=x")));
        assert!(!has_credential_params(&request(None, "/jobs?q=key")));
        assert!(!has_credential_params(&request(None, "/ping")));
    }
}
