//! Middleware: request ids and logging, security headers, the cross-site
//! check for server functions, and the session lookup.

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::{IpAddr, SocketAddr};
use std::time::Instant;
use tracing::Instrument;

use crate::server::AppState;
use crate::server::auth::{
    ClientIp, CurrentSession, PartialSession, cookie_value, session_cookie_name,
};
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

    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let forwarded = req
        .headers()
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok());
    let trusted = state
        .settings
        .trust_proxy
        .then_some(&*state.trusted_proxies);
    let ip = client_ip(peer, forwarded, trusted);
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

/// The client's address: the peer's, or, when `trusted` proxies are
/// configured and the peer is one of them, the right-most
/// `X-Forwarded-For` hop that is not a trusted proxy. The left-most hops
/// are whatever the client wrote and are never believed; a hop that does
/// not parse ends the walk at the last address known good.
pub fn client_ip(
    peer: Option<IpAddr>,
    forwarded: Option<&str>,
    trusted: Option<&[ipnet::IpNet]>,
) -> String {
    let Some(peer) = peer else {
        return "unknown".into();
    };
    let Some(trusted) = trusted else {
        return peer.to_string();
    };
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    let mut client = peer;
    // At most 32 hops: a longer header is someone's invention.
    for hop in forwarded.unwrap_or("").rsplit(',').take(32) {
        if !is_trusted(&client) {
            break;
        }
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) => client = ip,
            Err(_) => break,
        }
    }
    client.to_string()
}

/// The Content-Security-Policy of a rendered page: scripts only from this
/// origin or carrying this render's nonce (Leptos puts it on its hydration
/// and data scripts; nothing inline runs otherwise), WebAssembly allowed to
/// compile, styles and everything else from this origin only, and never
/// inside another site's frame (docs/security.md).
pub fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// The policy of every other response (JSON, files, errors): nothing in it
/// may run, load or be framed.
const OTHER_POLICY: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// Sets the page policy from inside the render: the nonce is the one
/// Leptos gave this render (`use_nonce`). Called by the app's shell.
pub fn set_page_policy() {
    if let (Some(nonce), Some(res)) = (
        leptos::nonce::use_nonce(),
        leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
    ) && let Ok(value) = HeaderValue::from_str(&page_policy(&nonce))
    {
        res.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

/// Headers every response gets: no framing (clickjacking), no MIME sniffing,
/// no referrer leaking to other sites, a Content-Security-Policy (a page's
/// own, set by the shell, or the closed one), and HSTS when the public URL
/// is `https`.
pub async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(OTHER_POLICY),
        );
    }
    if state.settings.secure_cookies() {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
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
    // Server functions and the pages' plain form posts; the API has no
    // cookies to ride on.
    let from_pages = !req.uri().path().starts_with("/api/");
    let safe_method = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if from_pages && !safe_method && is_cross_site(&req, state.settings.public_origin().as_deref())
    {
        tracing::warn!(
            path = req.uri().path(),
            "cross-site request to a server function or form refused"
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
        && let Some(token) = cookie_value(
            req.headers(),
            session_cookie_name(state.settings.secure_cookies()),
        )
        // A token is 43 characters; anything much longer is not one of ours
        // and is not worth hashing.
        && token.len() <= 64
    {
        let token_hash = ids::token_hash(token);
        let now = state.clock.now();
        let idle_cutoff = now - state.settings.session_idle_ms();
        match sessions::find_live(&state.db, &token_hash, now, idle_cutoff).await {
            Ok(Some(live)) => {
                if now - live.last_seen_at >= 60_000 {
                    touch(&state.db, &token_hash, now).await;
                }
                let (user, stage) = (live.user, live.stage);
                // A session still owing its second factor signs no one in:
                // only the second-factor pages see it (docs/people.md).
                if stage == "full" {
                    req.extensions_mut().insert(CurrentSession {
                        user,
                        token_hash,
                        proven_at: live.proven_at,
                    });
                } else {
                    req.extensions_mut().insert(PartialSession {
                        user,
                        token_hash,
                        stage,
                    });
                }
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
        let mut tx = db.begin_data().await?;
        sessions::touch(&mut tx, token_hash, now).await?;
        tx.commit().await
    }
    .await;
    if let Err(err) = result {
        // Not fatal: the session stays valid, only its idle clock lags.
        tracing::warn!(error = %err, "could not record session activity");
    }
}

#[cfg(test)]
mod tests {
    use super::client_ip;

    fn nets(list: &str) -> Vec<ipnet::IpNet> {
        list.split(',').map(|n| n.parse().unwrap()).collect()
    }

    #[test]
    fn the_client_is_the_right_most_untrusted_hop() {
        let loopback = Some("127.0.0.1".parse().unwrap());
        let proxies = nets("127.0.0.0/8,::1/128,10.0.0.0/8");
        let via = |xff: &str| client_ip(loopback, Some(xff), Some(&proxies));
        // A client's own X-Forwarded-For is kept by the proxy, which adds
        // the address it saw: that one counts, never the forged one.
        assert_eq!(via("203.0.113.66, 198.51.100.5"), "198.51.100.5");
        assert_eq!(via("203.0.113.66"), "203.0.113.66");
        // Trusted hops (a second proxy) are skipped.
        assert_eq!(via("198.51.100.5, 10.1.2.3"), "198.51.100.5");
        assert_eq!(via("2001:db8::7, ::1"), "2001:db8::7");
        // Garbage stops the walk at the last good address.
        assert_eq!(via("198.51.100.5, not-an-ip"), "127.0.0.1");
        assert_eq!(via(""), "127.0.0.1");
        // Every hop trusted: the left-most of them.
        assert_eq!(via("10.9.9.9, 10.1.1.1"), "10.9.9.9");
    }

    #[test]
    fn headers_are_believed_only_from_trusted_peers() {
        let proxies = nets("127.0.0.0/8");
        let outsider = Some("192.0.2.1".parse().unwrap());
        assert_eq!(
            client_ip(outsider, Some("203.0.113.66"), Some(&proxies)),
            "192.0.2.1"
        );
        // Without LIVREUR_TRUST_PROXY the header is never read.
        let loopback = Some("127.0.0.1".parse().unwrap());
        assert_eq!(client_ip(loopback, Some("203.0.113.66"), None), "127.0.0.1");
        assert_eq!(
            client_ip(None, Some("203.0.113.66"), Some(&proxies)),
            "unknown"
        );
    }
}
