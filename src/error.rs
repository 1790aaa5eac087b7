//! The one error type that crosses the wire between server functions and the
//! interface. Its variants are what the UI can react to; none of them carries
//! internal detail (database text, paths, stack traces): server-side
//! conversions log the cause and hand out [`AppError::Internal`].

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// A problem with one input field. `code` is a stable identifier
/// (`required`, `invalid_email`, `taken`, …) that the UI translates and the
/// REST API spells out in English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub code: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code: code.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AppError {
    #[error("the submitted data is not valid")]
    Validation { fields: Vec<FieldError> },
    #[error("sign-in required")]
    Unauthenticated,
    #[error("you are not allowed to do this")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// The object changed since the client read it (`If-Match`).
    #[error("the object has changed since it was read")]
    Stale,
    /// The request clashes with the current state; `code` says how.
    #[error("conflict: {code}")]
    Conflict { code: String },
    /// The same answer for an unknown e-mail and a wrong password.
    #[error("e-mail or password is incorrect")]
    InvalidCredentials,
    #[error("too many attempts, try again in {retry_after_secs} s")]
    TooManyAttempts { retry_after_secs: u64 },
    #[error("something went wrong on our side")]
    Internal,
    /// The call itself failed (network, malformed arguments): raised by the
    /// server-function machinery rather than by our code.
    #[error("the request could not be completed")]
    Request { detail: String },
}

impl AppError {
    pub fn validation(fields: Vec<FieldError>) -> Self {
        AppError::Validation { fields }
    }

    pub fn field(field: &str, code: &str) -> Self {
        AppError::Validation {
            fields: vec![FieldError::new(field, code)],
        }
    }

    pub fn conflict(code: &str) -> Self {
        AppError::Conflict {
            code: code.to_owned(),
        }
    }

    /// The HTTP status a response carrying this error gets.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Validation { .. } => 422,
            AppError::Unauthenticated | AppError::InvalidCredentials => 401,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::Conflict { .. } => 409,
            AppError::Stale => 412,
            AppError::TooManyAttempts { .. } => 429,
            AppError::Internal => 500,
            AppError::Request { .. } => 400,
        }
    }

    /// The message code of one field, if this is a validation error naming it.
    pub fn field_code(&self, field: &str) -> Option<&str> {
        match self {
            AppError::Validation { fields } => fields
                .iter()
                .find(|f| f.field == field)
                .map(|f| f.code.as_str()),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        // On the server, arguments that do not decode (malformed JSON, a
        // lone surrogate escape, a missing field) are the caller's error:
        // 400, where the framework would answer 500.
        #[cfg(feature = "ssr")]
        if matches!(
            value,
            // `Deserialization` is how the server names arguments that do
            // not decode; only the client deserializes results.
            ServerFnErrorErr::Args(_)
                | ServerFnErrorErr::MissingArg(_)
                | ServerFnErrorErr::Deserialization(_)
        ) && let Some(res) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>()
        {
            res.set_status(axum::http::StatusCode::BAD_REQUEST);
        }
        AppError::Request {
            detail: value.to_string(),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        // PostgreSQL cannot store the NUL character in text (SQLite can):
        // text holding one is the caller's error, not the server's.
        if let Some(db) = err.as_database_error()
            && matches!(db.code().as_deref(), Some("22021" | "22P05"))
        {
            return AppError::Request {
                detail: "Text may not contain the NUL character.".into(),
            };
        }
        tracing::error!(error = %err, "database error");
        AppError::Internal
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_round_trip_through_json_without_losing_fields() {
        let err = AppError::validation(vec![FieldError::new("email", "taken")]);
        let json = serde_json::to_string(&err).unwrap();
        assert_eq!(
            json,
            r#"{"kind":"validation","fields":[{"field":"email","code":"taken"}]}"#
        );
        let back: AppError = serde_json::from_str(&json).unwrap();
        assert_eq!(back, err);
        assert_eq!(back.field_code("email"), Some("taken"));
        assert_eq!(back.field_code("password"), None);
    }

    #[test]
    fn statuses_match_their_meaning() {
        assert_eq!(AppError::Forbidden.status(), 403);
        assert_eq!(AppError::Unauthenticated.status(), 401);
        assert_eq!(AppError::InvalidCredentials.status(), 401);
        assert_eq!(AppError::field("x", "required").status(), 422);
        assert_eq!(
            AppError::TooManyAttempts {
                retry_after_secs: 3
            }
            .status(),
            429
        );
    }
}
