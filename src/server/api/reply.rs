//! What every handler answers with: a response or a problem, `201` with
//! a body, `200` with a body, and the caller's address for the audit log.

use axum::Extension;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::problem::Problem;
use crate::server::auth::ClientIp;

pub(super) type ApiResult = Result<Response, Problem>;

pub(super) fn ip(ip: &Option<Extension<ClientIp>>) -> Option<String> {
    ip.as_ref().map(|Extension(ClientIp(ip))| ip.clone())
}

pub(super) fn created<T: Serialize>(body: T) -> Response {
    (StatusCode::CREATED, Json(body)).into_response()
}

pub(super) fn ok<T: Serialize>(body: T) -> Response {
    Json(body).into_response()
}
