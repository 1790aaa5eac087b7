//! The job and action rows of docs/api.md. Administrators reach every job; a
//! merchant credential only the jobs its user created, and anything else
//! answers the same 404 as a job that does not exist.

use axum::Extension;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::job_search::SearchParams;
use super::problem::{ApiJson, Problem};
use crate::error::AppError;
use crate::model::job::{Action, ActionIn, Job, JobIn, JobPage, JobStatus};
use crate::server::AppState;
use crate::server::services::Caller;
use crate::server::services::jobs;

type ApiResult = Result<Response, Problem>;

/// The ETag of a job version: changes with every change to the job or
/// its actions.
pub fn etag(version: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or(HeaderValue::from_static("\"0\""))
}

/// The version an `If-Match` header asks for: `None` without the header or
/// for `*`; an unparseable value can match nothing (412).
fn if_match(headers: &HeaderMap) -> Result<Option<i64>, Problem> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or("").trim();
    if text == "*" {
        return Ok(None);
    }
    text.split(',')
        .map(|t| t.trim().trim_start_matches("W/").trim_matches('"'))
        .find_map(|t| t.parse::<i64>().ok())
        .map(Some)
        .ok_or_else(|| Problem::from(AppError::Stale))
}

fn with_etag(status: StatusCode, version: i64, body: impl serde::Serialize) -> Response {
    let mut res = (status, Json(body)).into_response();
    res.headers_mut().insert(header::ETAG, etag(version));
    res
}

fn job_response(status: StatusCode, job: Job) -> Response {
    let location = format!("/api/v1/jobs/{}", job.id);
    let mut res = with_etag(status, job.version, &job);
    if status == StatusCode::CREATED
        && let Ok(v) = HeaderValue::from_str(&location)
    {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

/// Creates a job, with up to 200 actions inline.
#[utoipa::path(post, path = "/jobs", tag = "Jobs", request_body = JobIn,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for 24 hours")),
    responses((status = 201, description = "Created; `ETag` and `Location` headers", body = Job)))]
pub async fn create_job(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(input): ApiJson<JobIn>,
) -> ApiResult {
    let job = jobs::create(&state, &caller, &input).await?;
    Ok(job_response(StatusCode::CREATED, job))
}

/// Searches jobs, newest first, with cursor paging.
#[utoipa::path(get, path = "/jobs", tag = "Jobs", params(SearchParams),
    responses((status = 200, description = "One page of jobs", body = JobPage)))]
pub async fn search_jobs(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    params: Result<Query<SearchParams>, axum::extract::rejection::QueryRejection>,
) -> ApiResult {
    let Query(params) = params.map_err(|e| Problem::bad_request(e.body_text()))?;
    let query = params.check()?;
    let page = jobs::search(&state, &caller, &query).await?;
    Ok(Json(page).into_response())
}

/// Reads a job with its actions.
#[utoipa::path(get, path = "/jobs/{job_id}", tag = "Jobs",
    params(("job_id" = String, Path)),
    responses((status = 200, description = "The job; `ETag` header", body = Job)))]
pub async fn get_job(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(job_id): Path<String>,
) -> ApiResult {
    let job = jobs::get(&state, &caller, &job_id).await?;
    Ok(job_response(StatusCode::OK, job))
}

/// Changes a job (JSON Merge Patch of the fields of a create, without
/// `actions`). Honours `If-Match`.
#[utoipa::path(patch, path = "/jobs/{job_id}", tag = "Jobs", request_body = JobIn,
    params(("job_id" = String, Path),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; 412 when stale")),
    responses((status = 200, description = "The changed job; new `ETag`", body = Job)))]
pub async fn patch_job(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(job_id): Path<String>,
    headers: HeaderMap,
    ApiJson(patch): ApiJson<Value>,
) -> ApiResult {
    let wanted = if_match(&headers)?;
    let job = jobs::patch(&state, &caller, &job_id, &patch, wanted).await?;
    Ok(job_response(StatusCode::OK, job))
}

/// Deletes a job; only while it is `new`.
#[utoipa::path(delete, path = "/jobs/{job_id}", tag = "Jobs",
    params(("job_id" = String, Path)),
    responses((status = 204, description = "Deleted")))]
pub async fn delete_job(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(job_id): Path<String>,
) -> ApiResult {
    jobs::delete(&state, &caller, &job_id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Cancels a `new` job.
#[utoipa::path(post, path = "/jobs/{job_id}/cancel", tag = "Jobs",
    params(("job_id" = String, Path)),
    responses((status = 200, description = "The cancelled job", body = Job)))]
pub async fn cancel_job(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(job_id): Path<String>,
) -> ApiResult {
    let job = jobs::cancel(&state, &caller, &job_id).await?;
    Ok(job_response(StatusCode::OK, job))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusIn {
    status: JobStatus,
}

/// Moves a job along its lifecycle (administrators).
#[utoipa::path(post, path = "/jobs/{job_id}/status", tag = "Jobs", request_body = StatusIn,
    params(("job_id" = String, Path),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; 412 when stale")),
    responses((status = 200, description = "The job in its new status", body = Job)))]
pub async fn set_status(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(job_id): Path<String>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<StatusIn>,
) -> ApiResult {
    let wanted = if_match(&headers)?;
    let job = jobs::set_status(&state, &caller, &job_id, input.status, wanted).await?;
    Ok(job_response(StatusCode::OK, job))
}

/// A job's actions, in order.
#[utoipa::path(get, path = "/jobs/{job_id}/actions", tag = "Actions",
    params(("job_id" = String, Path)),
    responses((status = 200, description = "`{data: [actions]}`", body = ActionList)))]
pub async fn list_actions(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(job_id): Path<String>,
) -> ApiResult {
    let job = jobs::get(&state, &caller, &job_id).await?;
    Ok(with_etag(
        StatusCode::OK,
        job.version,
        json!({ "data": job.actions }),
    ))
}

/// `{data: [actions]}`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ActionList {
    data: Vec<Action>,
}

/// Adds an action to a job that is not finished.
#[utoipa::path(post, path = "/jobs/{job_id}/actions", tag = "Actions", request_body = ActionIn,
    params(("job_id" = String, Path),
        ("If-Match" = Option<String>, Header, description = "The job's ETag; 412 when stale"),
        ("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for 24 hours")),
    responses((status = 201, description = "Created; the job's new `ETag`", body = Action)))]
pub async fn create_action(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(job_id): Path<String>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<ActionIn>,
) -> ApiResult {
    let wanted = if_match(&headers)?;
    let (job, action) = jobs::add_action(&state, &caller, &job_id, &input, wanted).await?;
    Ok(with_etag(StatusCode::CREATED, job.version, action))
}

/// Reads one action.
#[utoipa::path(get, path = "/jobs/{job_id}/actions/{action_id}", tag = "Actions",
    params(("job_id" = String, Path), ("action_id" = String, Path)),
    responses((status = 200, description = "The action", body = Action)))]
pub async fn get_action(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((job_id, action_id)): Path<(String, String)>,
) -> ApiResult {
    let action = jobs::get_action(&state, &caller, &job_id, &action_id).await?;
    Ok(Json(action).into_response())
}

/// Changes an action (JSON Merge Patch).
#[utoipa::path(patch, path = "/jobs/{job_id}/actions/{action_id}", tag = "Actions",
    request_body = ActionIn,
    params(("job_id" = String, Path), ("action_id" = String, Path),
        ("If-Match" = Option<String>, Header, description = "The job's ETag; 412 when stale")),
    responses((status = 200, description = "The changed action; the job's new `ETag`", body = Action)))]
pub async fn patch_action(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((job_id, action_id)): Path<(String, String)>,
    headers: HeaderMap,
    ApiJson(patch): ApiJson<Value>,
) -> ApiResult {
    let wanted = if_match(&headers)?;
    let (job, action) =
        jobs::patch_action(&state, &caller, &job_id, &action_id, &patch, wanted).await?;
    Ok(with_etag(StatusCode::OK, job.version, action))
}

/// Deletes an action of a job that is not finished.
#[utoipa::path(delete, path = "/jobs/{job_id}/actions/{action_id}", tag = "Actions",
    params(("job_id" = String, Path), ("action_id" = String, Path),
        ("If-Match" = Option<String>, Header, description = "The job's ETag; 412 when stale")),
    responses((status = 204, description = "Deleted")))]
pub async fn delete_action(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((job_id, action_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult {
    let wanted = if_match(&headers)?;
    let job = jobs::delete_action(&state, &caller, &job_id, &action_id, wanted).await?;
    let mut res = StatusCode::NO_CONTENT.into_response();
    res.headers_mut().insert(header::ETAG, etag(job.version));
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_reads_strong_weak_and_star() {
        let mut h = HeaderMap::new();
        assert_eq!(if_match(&h).ok(), Some(None));
        h.insert(header::IF_MATCH, HeaderValue::from_static("\"3\""));
        assert_eq!(if_match(&h).ok(), Some(Some(3)));
        h.insert(header::IF_MATCH, HeaderValue::from_static("W/\"4\""));
        assert_eq!(if_match(&h).ok(), Some(Some(4)));
        h.insert(header::IF_MATCH, HeaderValue::from_static("*"));
        assert_eq!(if_match(&h).ok(), Some(None));
        h.insert(header::IF_MATCH, HeaderValue::from_static("\"abc\""));
        assert_eq!(if_match(&h).map_err(|p| p.status).err(), Some(412));
    }
}
