//! The REST API under `/api/v1` (docs/api.md).
//!
//! Every route sits behind [`gate`]: HTTP Basic with an API Account ID and
//! Auth Key ([`authenticate`]), the route's policy and the rate limit, then
//! the `Idempotency-Key`. The
//! handlers call the same services as the server functions, with the
//! credential's user as the actor, so a merchant credential meets the same
//! role checks as a merchant in the browser.

mod api_accounts;
mod audit;
mod events;
pub mod idempotency;
mod job_search;
mod jobs;
pub mod limits;
mod locations;
mod merchants;
pub mod openapi;
mod organization;
pub mod policy;
pub mod problem;
pub mod reference;
pub mod refusals;
mod reply;
mod users;
mod webhook_messages;
mod webhooks;
mod wire;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;
use std::sync::OnceLock;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use self::problem::Problem;
use super::AppState;
use super::auth::ClientIp;
use super::db::api_keys;
use super::services::{Caller, KeyRef};
use super::{key_limits, keys};
use crate::model::{Lang, SessionUser};

/// Request bodies over this size are refused with 413 (docs/api.md).
pub const BODY_LIMIT: usize = 1024 * 1024;

/// Every `/api/v1` operation, with its OpenAPI description.
fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(ping))
        .routes(routes!(
            organization::get_organization,
            organization::patch_organization
        ))
        .routes(routes!(jobs::search_jobs, jobs::create_job))
        .routes(routes!(jobs::get_job, jobs::patch_job, jobs::delete_job))
        .routes(routes!(jobs::cancel_job))
        .routes(routes!(jobs::set_status))
        .routes(routes!(jobs::list_actions, jobs::create_action))
        .routes(routes!(
            jobs::get_action,
            jobs::patch_action,
            jobs::delete_action
        ))
        .routes(routes!(
            locations::list_locations,
            locations::create_location
        ))
        .routes(routes!(locations::get_location, locations::patch_location))
        .routes(routes!(
            merchants::list_merchants,
            merchants::create_merchant
        ))
        .routes(routes!(merchants::get_merchant, merchants::patch_merchant))
        .routes(routes!(users::list_users, users::create_user))
        .routes(routes!(users::get_user, users::patch_user))
        .routes(routes!(users::put_api_access))
        .routes(routes!(users::issue_key))
        .routes(routes!(api_accounts::api_accounts))
        .routes(routes!(audit::audit))
        .routes(routes!(webhooks::list_webhooks, webhooks::create_webhook))
        .routes(routes!(
            webhooks::get_webhook,
            webhooks::patch_webhook,
            webhooks::delete_webhook
        ))
        .routes(routes!(webhooks::test_webhook))
        .routes(routes!(webhooks::rotate_secret))
        .routes(routes!(webhooks::recover_webhook))
        .routes(routes!(webhooks::list_deliveries))
        .routes(routes!(webhook_messages::get_message))
        .routes(routes!(webhooks::resend_delivery))
}

/// Paths anyone may read, without credentials.
const PUBLIC: &[&str] = &["/openapi.json"];

/// The OpenAPI document, built once.
pub fn document() -> &'static serde_json::Value {
    static DOC: OnceLock<serde_json::Value> = OnceLock::new();
    DOC.get_or_init(|| {
        let (_, mut doc) = routes().routes(routes!(openapi_json)).split_for_parts();
        openapi::complete(&mut doc, PUBLIC);
        openapi::served(&doc)
    })
}

/// The OpenAPI 3.1 document of this API.
#[utoipa::path(get, path = "/openapi.json", tag = "Account",
    responses((status = 200, description = "This document", body = Object)))]
async fn openapi_json() -> Response {
    static JSON: OnceLock<String> = OnceLock::new();
    let body = JSON.get_or_init(|| document().to_string());
    ([(header::CONTENT_TYPE, "application/json")], body.as_str()).into_response()
}

pub fn router(state: AppState) -> Router<AppState> {
    let (authenticated, _) = routes().split_for_parts();
    authenticated
        .route_layer(axum::middleware::from_fn_with_state(state, gate))
        .route("/openapi.json", get(openapi_json))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
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
    // An Account ID and a key encode to about 120 characters.
    if !scheme.eq_ignore_ascii_case("basic") || encoded.len() > 512 {
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

/// What every `/api/v1` operation passes through, in order: who is
/// calling ([`authenticate`]), whether the route allows them and the rate
/// limit ([`policy::authorize`]), then the `Idempotency-Key`
/// ([`idempotency::idempotency`]). One layer rather than three: axum clones
/// a layer's service and boxes its future for every request.
async fn gate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let req = match authenticate(&state, req).await {
        Ok(req) => req,
        Err(refused) => return refused,
    };
    let decision = match policy::authorize(&state, &req) {
        Ok(decision) => decision,
        Err(refused) => return refused,
    };
    let mut res = idempotency::idempotency(&state, req, next).await;
    state.rate_limiter.headers(&decision, res.headers_mut());
    res
}

/// Authenticates an `/api/v1` request: the request with its [`Caller`],
/// or the refusal. All failures answer the same 401; a malformed key or
/// one with a bad checksum is refused before any database work.
async fn authenticate(state: &AppState, mut req: Request) -> Result<Request, Response> {
    // A NUL in a path or query can name nothing (and PostgreSQL refuses it).
    if req.uri().path().contains("%00") {
        return Err(Problem::not_found().into_response());
    }
    if req.uri().query().is_some_and(|q| q.contains("%00")) {
        return Err(
            Problem::bad_request("The query may not contain NUL characters.").into_response(),
        );
    }
    let unauthorized = || Problem::unauthorized().into_response();
    if has_credential_params(&req) {
        return Err(unauthorized());
    }
    let Some((account_id, key)) = basic_credentials(&req) else {
        return Err(unauthorized());
    };
    if !keys::is_well_formed(&key) || !account_id.starts_with("acct_") {
        return Err(unauthorized());
    }
    let now = state.clock.now();
    let hash = keys::hash(&key);
    let owner = match state.credentials.get(&hash, now) {
        Ok(owner) => owner,
        Err(miss) => match api_keys::authenticate(&state.db, &hash, now).await {
            Ok(Some(owner)) => {
                if !owner.expired {
                    state.credentials.keep(miss, &hash, &owner, now);
                }
                owner
            }
            Ok(None) => return Err(unauthorized()),
            Err(err) => {
                return Err(Problem::from(crate::error::AppError::from(err)).into_response());
            }
        },
    };
    if !keys::same(&owner.account_id, &account_id) {
        return Err(unauthorized());
    }
    let ip = req
        .extensions()
        .get::<ClientIp>()
        .map(|ClientIp(ip)| ip.clone());
    // The same 401 as any other failure; the audit log says why.
    let refused = if owner.expired {
        Some(refusals::Reason::Expired)
    } else if !key_limits::allows(owner.allowed_nets.as_deref(), ip.as_deref()) {
        Some(refusals::Reason::AddressNotAllowed)
    } else {
        None
    };
    if let Some(reason) = refused {
        refusals::record(
            state,
            &owner.user_id,
            &owner.account_id,
            &owner.key_id,
            reason,
            ip.as_deref(),
        )
        .await;
        return Err(unauthorized());
    }
    state.usage.record(
        &owner.account_id,
        &owner.key_id,
        ip.as_deref(),
        owner.last_used_at,
        now,
    );
    req.extensions_mut().insert(Caller {
        user: SessionUser {
            id: owner.user_id,
            email: owner.email,
            display_name: owner.display_name,
            role: owner.role,
            merchant_id: owner.merchant_id,
            language: Lang::En,
        },
        ip,
        key: Some(KeyRef {
            account_id: owner.account_id,
            key_id: owner.key_id,
            scope: owner.scope,
        }),
    });
    Ok(req)
}

/// Who the credential belongs to.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[allow(dead_code)]
struct PingOut {
    account_id: String,
    role: crate::model::Role,
    user_id: String,
    merchant_id: Option<String>,
    client_ip: Option<String>,
}

/// Who the credential belongs to: a cheap way to check a key.
#[utoipa::path(get, path = "/ping", tag = "Account",
    responses((status = 200, description = "The credential's owner", body = PingOut)))]
async fn ping(Extension(caller): Extension<Caller>) -> Response {
    Json(json!({
        "account_id": caller.account_id(),
        "role": caller.user.role.as_str(),
        "user_id": caller.user.id,
        "merchant_id": caller.user.merchant_id,
        "client_ip": caller.ip,
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
