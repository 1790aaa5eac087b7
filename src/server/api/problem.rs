//! Errors of the REST API as `application/problem+json` (RFC 9457), and the
//! JSON body extractor that turns every bad body into one.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::sync::OnceLock;

use crate::error::AppError;

pub const PROBLEM_JSON: &str = "application/problem+json";

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub code: String,
    pub message: String,
}

/// An error (RFC 9457).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub title: &'static str,
    pub status: u16,
    pub detail: String,
    /// A stable machine-readable reason, for conflicts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldProblem>>,
    #[serde(skip)]
    pub retry_after: Option<u32>,
}

impl Problem {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Problem {
            kind: "about:blank",
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            detail: detail.into(),
            code: None,
            errors: None,
            retry_after: None,
        }
    }

    /// The one answer to every authentication failure, whatever failed:
    /// telling them apart would help someone guessing keys.
    pub fn unauthorized() -> Self {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "Valid API credentials are required: HTTP Basic authentication with your \
             API Account ID as the user name and your API Auth Key as the password.",
        )
    }

    pub fn not_found() -> Self {
        Problem::new(
            StatusCode::NOT_FOUND,
            "There is no such resource, or it is not yours.",
        )
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Problem::new(StatusCode::BAD_REQUEST, detail)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut res = (status, body).into_response();
        let headers = res.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(r#"Basic realm="Livreur API", charset="UTF-8""#),
            );
        }
        if let Some(secs) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        res
    }
}

impl From<AppError> for Problem {
    fn from(err: AppError) -> Self {
        match err {
            AppError::Validation { fields } => {
                let errors = fields
                    .into_iter()
                    .map(|f| FieldProblem {
                        message: message("field", &f.code)
                            .unwrap_or("This value is not valid.")
                            .to_owned(),
                        field: f.field,
                        code: f.code,
                    })
                    .collect();
                Problem {
                    kind: "urn:livreur:problem:validation",
                    title: "Validation failed",
                    errors: Some(errors),
                    ..Problem::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "Some fields are not valid; see `errors`.",
                    )
                }
            }
            AppError::Conflict { code } => Problem {
                kind: "urn:livreur:problem:conflict",
                detail: message("conflict", &code)
                    .unwrap_or("This request conflicts with the current state.")
                    .to_owned(),
                code: Some(code),
                ..Problem::new(StatusCode::CONFLICT, "")
            },
            AppError::Unauthenticated | AppError::InvalidCredentials => Problem::unauthorized(),
            AppError::Forbidden => Problem::new(
                StatusCode::FORBIDDEN,
                "Your credentials do not give access to this endpoint.",
            ),
            AppError::NotFound => Problem::not_found(),
            AppError::Stale => Problem::new(
                StatusCode::PRECONDITION_FAILED,
                "The job has changed since you read it: fetch it again for its current ETag.",
            ),
            AppError::TooManyAttempts { retry_after_secs } => Problem {
                retry_after: Some(u32::try_from(retry_after_secs).unwrap_or(u32::MAX)),
                ..Problem::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    format!("Too many requests; retry in {retry_after_secs} s."),
                )
            },
            AppError::Request { detail } => Problem::bad_request(detail),
            AppError::Internal => Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side. Try again later.",
            ),
        }
    }
}

/// The English text for `section.code` from `locales/en.json`, the same
/// words the interface shows.
fn message(section: &str, code: &str) -> Option<&'static str> {
    static MESSAGES: OnceLock<HashMap<String, String>> = OnceLock::new();
    let messages = MESSAGES.get_or_init(|| {
        let all: serde_json::Value =
            serde_json::from_str(include_str!("../../../locales/en.json")).unwrap_or_default();
        let mut out = HashMap::new();
        for section in ["field", "conflict"] {
            if let Some(obj) = all.get(section).and_then(|v| v.as_object()) {
                for (k, v) in obj {
                    if let Some(text) = v.as_str() {
                        out.insert(format!("{section}.{k}"), text.to_owned());
                    }
                }
            }
        }
        out
    });
    messages
        .get(&format!("{section}.{code}"))
        .map(String::as_str)
}

/// A JSON body. Anything wrong with it is a problem+json answer: 415 for
/// another media type, 413 over the size limit, 400 for malformed JSON,
/// wrong types and unknown fields.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Problem> {
        let is_json = is_json(&req);
        let bytes = read_body(req, state).await?;
        if !is_json {
            return Err(not_json());
        }
        parse(&bytes).map(ApiJson)
    }
}

/// As [`ApiJson`], but an empty body (with no `Content-Type`) means the
/// default: for endpoints whose fields are all optional.
pub struct ApiJsonOrEmpty<T>(pub T);

impl<T: DeserializeOwned + Default, S: Send + Sync> FromRequest<S> for ApiJsonOrEmpty<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Problem> {
        let is_json = is_json(&req);
        let bytes = read_body(req, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(ApiJsonOrEmpty(T::default()));
        }
        if !is_json {
            return Err(not_json());
        }
        parse(&bytes).map(ApiJsonOrEmpty)
    }
}

fn is_json(req: &Request) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .is_some_and(|v| v == "application/json" || v.ends_with("+json"))
}

fn not_json() -> Problem {
    Problem::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "Send the body as JSON with `Content-Type: application/json`.",
    )
}

async fn read_body<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, Problem> {
    Bytes::from_request(req, state).await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "The body is larger than the 1 MiB limit.",
            )
        } else {
            Problem::bad_request("The body could not be read.")
        }
    })
}

fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    // No text field may hold a NUL character (PostgreSQL cannot store one,
    // and no address or name contains one).
    if bytes.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000")) {
        return Err(Problem::bad_request(
            "Text may not contain NUL characters (\\u0000).",
        ));
    }
    serde_json::from_slice(bytes)
        .map_err(|e| Problem::bad_request(format!("The body is not valid for this request: {e}.")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::FieldError;

    #[test]
    fn validation_errors_carry_english_messages() {
        let p = Problem::from(AppError::validation(vec![FieldError::new(
            "email", "taken",
        )]));
        assert_eq!(p.status, 422);
        let errors = p.errors.unwrap();
        assert_eq!(errors[0].field, "email");
        assert_eq!(errors[0].message, "This is already in use.");
    }

    #[test]
    fn conflicts_say_why() {
        let p = Problem::from(AppError::conflict("api_access_requires_level_2"));
        assert_eq!(p.status, 409);
        assert_eq!(p.code.as_deref(), Some("api_access_requires_level_2"));
        assert!(p.detail.contains("Level 2"), "{}", p.detail);
    }
}
