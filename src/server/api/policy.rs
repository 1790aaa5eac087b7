//! Who may call which route: every `/api/v1` operation is declared here,
//! and an operation that is not is refused (deny by default; a test checks
//! that the OpenAPI document and this table name the same operations).
//! A read-only key may only read (`GET`, `HEAD`) whatever the route: the
//! check is on the method, so a route added later is covered too.

use axum::extract::{MatchedPath, Request};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};

use super::limits::Decision;
use super::problem::Problem;
use crate::model::api::KeyScope;
use crate::server::AppState;
use crate::server::services::Caller;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Any credential; a merchant's reach is narrowed to their own jobs by
    /// the service.
    AnyCredential,
    /// Administrators only: 403 for a merchant credential.
    Admin,
}

use Policy::{Admin, AnyCredential};

/// (method, path relative to `/api/v1`, policy).
pub const POLICIES: &[(&str, &str, Policy)] = &[
    ("GET", "/ping", AnyCredential),
    ("GET", "/jobs", AnyCredential),
    ("POST", "/jobs", AnyCredential),
    ("GET", "/jobs/{job_id}", AnyCredential),
    ("PATCH", "/jobs/{job_id}", AnyCredential),
    ("DELETE", "/jobs/{job_id}", AnyCredential),
    ("POST", "/jobs/{job_id}/cancel", AnyCredential),
    ("POST", "/jobs/{job_id}/status", Admin),
    ("GET", "/jobs/{job_id}/actions", AnyCredential),
    ("POST", "/jobs/{job_id}/actions", AnyCredential),
    ("GET", "/jobs/{job_id}/actions/{action_id}", AnyCredential),
    ("PATCH", "/jobs/{job_id}/actions/{action_id}", AnyCredential),
    (
        "DELETE",
        "/jobs/{job_id}/actions/{action_id}",
        AnyCredential,
    ),
    ("GET", "/organization", Admin),
    ("PATCH", "/organization", Admin),
    ("GET", "/locations", Admin),
    ("POST", "/locations", Admin),
    ("GET", "/locations/{location_id}", Admin),
    ("PATCH", "/locations/{location_id}", Admin),
    ("GET", "/merchants", Admin),
    ("POST", "/merchants", Admin),
    ("GET", "/merchants/{merchant_id}", Admin),
    ("PATCH", "/merchants/{merchant_id}", Admin),
    ("GET", "/merchants/{merchant_id}/users", Admin),
    ("POST", "/merchants/{merchant_id}/users", Admin),
    ("GET", "/users/{user_id}", Admin),
    ("PATCH", "/users/{user_id}", Admin),
    ("PUT", "/users/{user_id}/api-access", Admin),
    ("POST", "/users/{user_id}/api-keys", Admin),
    ("GET", "/api-accounts", Admin),
    ("GET", "/audit", Admin),
    ("GET", "/webhooks", Admin),
    ("POST", "/webhooks", Admin),
    ("GET", "/webhooks/{webhook_id}", Admin),
    ("PATCH", "/webhooks/{webhook_id}", Admin),
    ("DELETE", "/webhooks/{webhook_id}", Admin),
    ("POST", "/webhooks/{webhook_id}/test", Admin),
    ("POST", "/webhooks/{webhook_id}/rotate-secret", Admin),
    ("POST", "/webhooks/{webhook_id}/recover", Admin),
    ("GET", "/webhooks/{webhook_id}/deliveries", Admin),
    (
        "GET",
        "/webhooks/{webhook_id}/deliveries/{message_id}",
        Admin,
    ),
    (
        "POST",
        "/webhooks/{webhook_id}/deliveries/{message_id}/resend",
        Admin,
    ),
];

/// The policy of a route; `HEAD` is a `GET` without the body.
pub fn policy(method: &Method, path: &str) -> Option<Policy> {
    let path = path.strip_prefix("/api/v1").unwrap_or(path);
    let method = if *method == Method::HEAD {
        "GET"
    } else {
        method.as_str()
    };
    POLICIES
        .iter()
        .find(|(m, p, _)| *m == method && *p == path)
        .map(|(_, _, policy)| *policy)
}

/// What a read-only key may do.
pub fn is_read(method: &Method) -> bool {
    *method == Method::GET || *method == Method::HEAD
}

/// Runs after authentication: applies the route's policy, then the
/// credential's rate limit.
// The refusal is the response itself, made at most once per request.
#[allow(clippy::result_large_err)]
pub fn authorize(state: &AppState, req: &Request) -> Result<Decision, Response> {
    let Some(caller) = req.extensions().get::<Caller>() else {
        return Err(Problem::unauthorized().into_response());
    };
    let Some(key) = caller.key.as_ref() else {
        return Err(Problem::unauthorized().into_response());
    };
    let path = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("", MatchedPath::as_str);
    let is_admin = caller.is_admin();
    let allowed = match policy(req.method(), path) {
        Some(AnyCredential) => true,
        Some(Admin) => is_admin,
        None => false,
    };
    if !allowed {
        return Err(Problem::from(crate::error::AppError::Forbidden).into_response());
    }
    if key.scope == KeyScope::ReadOnly && !is_read(req.method()) {
        return Err(Problem {
            code: Some("key_read_only".to_owned()),
            ..Problem::new(
                StatusCode::FORBIDDEN,
                "This API key is read-only: it may only GET and HEAD.",
            )
        }
        .into_response());
    }
    let decision = state.rate_limiter.check(&key.key_id, state.clock.now());
    if !decision.allowed {
        let mut res = Problem {
            retry_after: Some(decision.retry_after),
            ..Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "Too many requests for this credential; retry in {} s.",
                    decision.retry_after
                ),
            )
        }
        .into_response();
        state.rate_limiter.headers(&decision, res.headers_mut());
        return Err(res);
    }
    Ok(decision)
}
