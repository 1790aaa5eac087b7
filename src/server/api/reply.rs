//! What every handler answers with: a response or a problem, `201` with
//! a body, `200` with a body.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::problem::Problem;

pub(super) type ApiResult = Result<Response, Problem>;

pub(super) fn created<T: Serialize>(body: T) -> Response {
    (StatusCode::CREATED, Json(body)).into_response()
}

pub(super) fn ok<T: Serialize>(body: T) -> Response {
    Json(body).into_response()
}
