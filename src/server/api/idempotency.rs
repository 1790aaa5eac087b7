//! `Idempotency-Key` on API POSTs (docs/api.md). The first request with
//! a key claims it in the database, so the rule holds across instances on
//! PostgreSQL; its successful response is kept for 24 hours and replayed
//! to repeats. A repeat with another body is 422, one that arrives while
//! the first is still running is 409. A request that fails (4xx, 5xx) gives
//! the key up, so the corrected request may reuse it.
//!
//! A stored response is sealed with the instance key (as webhook secrets
//! are): responses to `POST` carry secrets, an issued API key or a new
//! webhook's signing secret, and none may rest in the database in clear
//! (docs/security.md). Only the request that holds the key, replaying it,
//! sees the response again.
//!
//! The claim and the stored response are separate writes from the change
//! itself: should the process die between committing a job and storing its
//! response, the claim is taken over after [`ABANDONED_AFTER_MS`] and the
//! request runs again.

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::BODY_LIMIT;
use super::problem::Problem;
use crate::error::AppError;
use crate::server::AppState;
use crate::server::db::idempotency::{self, Claim, Saved};
use crate::server::services::Caller;
use crate::server::webhooks::seal::Sealer;

pub const HEADER: &str = "idempotency-key";
pub const KEEP_MS: i64 = 24 * 3_600_000;
pub const ABANDONED_AFTER_MS: i64 = 5 * 60_000;

/// Response headers worth replaying.
const REPLAYED: [HeaderName; 3] = [header::CONTENT_TYPE, header::ETAG, header::LOCATION];

fn problem(status: StatusCode, code: &str, detail: &str) -> Response {
    Problem {
        kind: "urn:livreur:problem:idempotency",
        code: Some(code.to_owned()),
        ..Problem::new(status, detail)
    }
    .into_response()
}

fn request_hash(method: &Method, path: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(method.as_str());
    h.update(b" ");
    h.update(path);
    h.update(b"\n");
    h.update(body);
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn saved_headers(headers: &HeaderMap) -> String {
    let map: serde_json::Map<String, serde_json::Value> = REPLAYED
        .iter()
        .filter_map(|name| {
            let v = headers.get(name)?.to_str().ok()?;
            Some((name.as_str().to_owned(), v.into()))
        })
        .collect();
    serde_json::Value::Object(map).to_string()
}

fn replay(saved: Saved) -> Response {
    let status = StatusCode::from_u16(saved.status).unwrap_or(StatusCode::OK);
    let mut res = (status, saved.body).into_response();
    let headers: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&saved.headers).unwrap_or_default();
    for (name, value) in headers {
        if let (Ok(n), Some(Ok(v))) = (
            HeaderName::try_from(name),
            value.as_str().map(HeaderValue::from_str),
        ) {
            res.headers_mut().insert(n, v);
        }
    }
    res.headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
    res
}

pub async fn idempotency(state: &AppState, req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let Some(key) = req.headers().get(HEADER) else {
        return next.run(req).await;
    };
    let key = match key.to_str() {
        Ok(k) if (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()) => {
            k.to_owned()
        }
        _ => {
            return Problem::bad_request(
                "`Idempotency-Key` must be 1 to 255 visible ASCII characters.",
            )
            .into_response();
        }
    };
    let Some(account) = req
        .extensions()
        .get::<Caller>()
        .and_then(|c| c.account_id().map(str::to_owned))
    else {
        return Problem::unauthorized().into_response();
    };
    let (parts, body) = req.into_parts();
    let bytes: Bytes = match to_bytes(body, BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => {
            return Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "The body is larger than the 1 MiB limit.",
            )
            .into_response();
        }
    };
    let hash = request_hash(&parts.method, parts.uri.path(), &bytes);
    let now = state.clock.now();
    let claim = idempotency::claim(
        &state.db,
        &account,
        &key,
        &hash,
        now,
        now - KEEP_MS,
        now - ABANDONED_AFTER_MS,
    )
    .await;
    match claim {
        Err(err) => Problem::from(AppError::from(err)).into_response(),
        Ok(Claim::Replay(saved)) => match unseal(state, &account, &key, saved) {
            Some(saved) => replay(saved),
            None => problem(
                StatusCode::CONFLICT,
                "idempotency_key_unreadable",
                "The response kept for this Idempotency-Key cannot be read with this \
                 server's key file. Use a new key.",
            ),
        },
        Ok(Claim::Mismatch) => problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            "This Idempotency-Key was used with a different request. Use a new key.",
        ),
        Ok(Claim::InFlight) => problem(
            StatusCode::CONFLICT,
            "idempotency_key_in_flight",
            "A request with this Idempotency-Key is still being processed. Retry shortly.",
        ),
        Ok(Claim::Fresh) => {
            let res = next
                .run(Request::from_parts(parts, Body::from(bytes)))
                .await;
            finish(state, &account, &key, res).await
        }
    }
}

/// Keeps a successful response for replay; gives the key up otherwise.
async fn finish(state: &AppState, account: &str, key: &str, res: Response) -> Response {
    if !res.status().is_success() {
        if let Err(err) = idempotency::release(&state.db, account, key).await {
            tracing::error!(error = %err, "could not release an idempotency key");
        }
        return res;
    }
    let (parts, body) = res.into_parts();
    let Ok(bytes) = to_bytes(body, usize::MAX).await else {
        return Problem::from(AppError::Internal).into_response();
    };
    let Ok(text) = std::str::from_utf8(&bytes) else {
        // Never for this API's JSON; without a body to seal, no replay.
        if let Err(err) = idempotency::release(&state.db, account, key).await {
            tracing::error!(error = %err, "could not release an idempotency key");
        }
        return Response::from_parts(parts, Body::from(bytes));
    };
    let saved = Saved {
        status: parts.status.as_u16(),
        headers: saved_headers(&parts.headers),
        body: state
            .sealer()
            .seal(&sealed_row(account, key), text)
            .into_bytes(),
    };
    if let Err(err) = idempotency::finish(&state.db, account, key, &saved).await {
        // The change is made; only the replay is lost. A repeat will find
        // the claim in flight, then abandoned, and run again.
        tracing::error!(error = %err, "could not store an idempotent response");
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// What a sealed response is bound to: opened under another account or
/// key, it does not open.
fn sealed_row(account: &str, key: &str) -> String {
    format!("idempotency:{account}:{key}")
}

/// The stored body, opened. Responses stored in clear before they were
/// sealed (JSON never starts as a sealed value does) are sealed at start-up
/// by [`seal_stored_responses`], and read as they are until then.
fn unseal(state: &AppState, account: &str, key: &str, mut saved: Saved) -> Option<Saved> {
    let text = String::from_utf8(saved.body).ok()?;
    saved.body = if Sealer::is_sealed(&text) {
        state
            .sealer()
            .open(&sealed_row(account, key), &text)
            .ok()?
            .into_bytes()
    } else {
        text.into_bytes()
    };
    Some(saved)
}

/// Seals the responses a version before sealing kept in clear. Run once
/// when the server starts; returns how many it sealed.
pub async fn seal_stored_responses(state: &AppState) -> Result<u64, sqlx::Error> {
    let mut sealed = 0;
    for (account, key, body) in idempotency::stored_bodies(&state.db, true).await? {
        let Ok(text) = String::from_utf8(body) else {
            continue;
        };
        let body = state.sealer().seal(&sealed_row(&account, &key), &text);
        idempotency::replace_body(&state.db, &account, &key, body.as_bytes()).await?;
        sealed += 1;
    }
    Ok(sealed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_covers_method_path_and_body() {
        let a = request_hash(&Method::POST, "/api/v1/jobs", b"{}");
        assert_eq!(a, request_hash(&Method::POST, "/api/v1/jobs", b"{}"));
        assert_ne!(a, request_hash(&Method::POST, "/api/v1/jobs", b"{ }"));
        assert_ne!(a, request_hash(&Method::POST, "/api/v1/jobz", b"{}"));
    }

    #[test]
    fn replays_carry_the_saved_headers() {
        let mut h = HeaderMap::new();
        h.insert(header::ETAG, HeaderValue::from_static("\"1\""));
        h.insert(header::SET_COOKIE, HeaderValue::from_static("x=1"));
        let saved = Saved {
            status: 201,
            headers: saved_headers(&h),
            body: b"{}".to_vec(),
        };
        let res = replay(saved);
        assert_eq!(res.status(), StatusCode::CREATED);
        assert_eq!(res.headers()[header::ETAG], "\"1\"");
        assert!(res.headers().get(header::SET_COOKIE).is_none());
        assert_eq!(res.headers()["idempotent-replayed"], "true");
    }
}
