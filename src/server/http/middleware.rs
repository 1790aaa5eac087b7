//! Middleware: request ids and logging, security headers, the cross-site
//! check for server functions, and the session lookup.

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use std::time::Instant;
use tracing::Instrument;

use crate::server::AppState;
use crate::server::auth::{ClientIp, CurrentSession, SESSION_COOKIE, cookie_value};
use crate::server::db::{self, sessions};
use crate::server::ids;
use crate::server::metrics::RouteGroup;

const REQUEST_ID: &str = "x-request-id";

/// Gives each request an id (or keeps a sane one from a proxy), runs it in a
/// span carrying that id, records metrics and logs one line at the end.
/// Only the path is logged: query strings may hold things that must not end
/// up in logs.
pub async fn observe(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let start = Instant::now();
    let request_id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map(str::to_owned)
        .unwrap_or_else(|| ids::new_id("req", state.clock.now()));

    let ip = client_ip(&req, state.settings.trust_proxy);
    req.extensions_mut().insert(ClientIp(ip.clone()));

    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let group = RouteGroup::of_path(&path);
    let span = tracing::info_span!("request", id = %request_id, %method, %path);
    let mut res = next.run(req).instrument(span.clone()).await;

    let micros = start.elapsed().as_micros() as u64;
    let status = res.status().as_u16();
    state.metrics.observe_request(group, status, micros);
    span.in_scope(|| {
        if status >= 500 {
            tracing::error!(status, ms = micros as f64 / 1000.0, %ip, "request failed");
        } else if group != RouteGroup::Static {
            tracing::info!(status, ms = micros as f64 / 1000.0, %ip, "request");
        }
    });
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        res.headers_mut().insert(REQUEST_ID, v);
    }
    res
}

fn client_ip(req: &Request, trust_proxy: bool) -> String {
    if trust_proxy
        && let Some(forwarded) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
            .filter(|v| v.parse::<std::net::IpAddr>().is_ok())
    {
        return forwarded.to_owned();
    }
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// Headers every response gets: no framing (clickjacking), no MIME sniffing,
/// no referrer leaking to other sites.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    h.insert(
        "content-security-policy",
        HeaderValue::from_static(
            "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'",
        ),
    );
    res
}

/// Leptos does not protect server functions from cross-site requests, so
/// every state-changing call to one is checked here: a browser says where a
/// request comes from (`Sec-Fetch-Site`, or at least `Origin`) and anything
/// but the app itself is refused. Clients that send neither header are not
/// browsers, and so cannot be tricked into sending a user's cookie.
pub async fn reject_cross_site(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let is_server_fn = req.uri().path().starts_with("/_fn/");
    let safe_method = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if is_server_fn
        && !safe_method
        && is_cross_site(&req, state.settings.public_origin().as_deref())
    {
        tracing::warn!(
            path = req.uri().path(),
            "cross-site request to a server function refused"
        );
        return (
            StatusCode::FORBIDDEN,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "cross-site request refused",
        )
            .into_response();
    }
    next.run(req).await
}

pub fn is_cross_site(req: &Request<Body>, public_origin: Option<&str>) -> bool {
    let headers = req.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return false;
    };
    let Ok(origin) = origin.to_str() else {
        return true;
    };
    let origin = origin.to_ascii_lowercase();
    if let Some(expected) = public_origin {
        return origin != expected;
    }
    // Without a configured public URL, the origin's host must be the host
    // the request was sent to.
    let origin_host = origin.split_once("://").map(|(_, host)| host);
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_ascii_lowercase);
    match (origin_host, host) {
        (Some(o), Some(h)) => o != h,
        _ => true,
    }
}

/// Paths that never need to know who is calling.
fn needs_session(path: &str) -> bool {
    !(path.starts_with("/pkg/")
        || path.starts_with("/api/")
        || matches!(path, "/healthz" | "/readyz" | "/metrics" | "/favicon.ico"))
}

/// Resolves the session cookie into a [`CurrentSession`] extension. A cookie
/// that names no live session is simply ignored (the request is anonymous);
/// `last_seen_at` is written at most once a minute per session.
pub async fn session(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    if needs_session(req.uri().path())
        && let Some(token) = cookie_value(req.headers(), SESSION_COOKIE)
    {
        let token_hash = ids::token_hash(token);
        let now = state.clock.now();
        let idle_cutoff = now - state.settings.session_idle_ms();
        match sessions::find_live(&state.db, &token_hash, now, idle_cutoff).await {
            Ok(Some((user, last_seen))) => {
                if now - last_seen >= 60_000 {
                    touch(&state.db, &token_hash, now).await;
                }
                req.extensions_mut()
                    .insert(CurrentSession { user, token_hash });
            }
            Ok(None) => {}
            Err(err) => {
                tracing::error!(error = %err, "session lookup failed");
                return (StatusCode::SERVICE_UNAVAILABLE, "service unavailable").into_response();
            }
        }
    }
    next.run(req).await
}

async fn touch(db: &db::Db, token_hash: &str, now: i64) {
    let result = async {
        let mut tx = db.begin().await?;
        sessions::touch(&mut tx, token_hash, now).await?;
        tx.commit().await
    }
    .await;
    if let Err(err) = result {
        // Not fatal: the session stays valid, only its idle clock lags.
        tracing::warn!(error = %err, "could not record session activity");
    }
}
