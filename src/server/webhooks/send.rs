//! One delivery attempt over HTTP: sign, POST, read a bounded part of the
//! answer, and say what it means for the retry rules.

use reqwest::header::{CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::ready::Ready;
use super::schedule::parse_retry_after;
use super::sign;
use super::ssrf::{AllowedNets, GuardedResolver, Lookup, Refusal, resolve};

/// The answer excerpt kept for the deliveries table.
pub const EXCERPT_BYTES: usize = 1024;
/// How much of an answer is read at most; the rest is dropped unread.
const READ_CAP_BYTES: usize = 64 * 1024;

/// What an attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status: Option<u16>,
    pub duration_ms: i64,
    pub response: Option<String>,
    pub error: Option<String>,
    /// Seconds the receiver asked us to wait (429, 503).
    pub retry_after: Option<u64>,
}

impl Outcome {
    /// Only a 2xx is a success; a redirect is a failure and never followed.
    pub fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }

    /// 410 Gone: the receiver wants no more; the endpoint is disabled.
    pub fn gone(&self) -> bool {
        self.status == Some(410)
    }

    fn failed(error: impl Into<String>, started: Instant) -> Self {
        Outcome {
            status: None,
            duration_ms: started.elapsed().as_millis() as i64,
            response: None,
            error: Some(error.into()),
            retry_after: None,
        }
    }
}

/// The HTTP client every attempt goes through.
#[derive(Clone)]
pub struct Sender {
    client: reqwest::Client,
    nets: AllowedNets,
    lookup: Arc<dyn Lookup>,
}

/// A message ready to go: the same id on every attempt.
pub struct Message<'a> {
    pub id: &'a str,
    pub body: &'a [u8],
    pub to: &'a Ready,
}

impl Sender {
    pub fn new(nets: AllowedNets, lookup: Arc<dyn Lookup>, timeout: Duration) -> Self {
        // reqwest is built without a default crypto provider: ring is the
        // one in the tree. Installing twice is harmless (the first wins).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .user_agent(concat!("Livreur-Webhooks/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            // A proxy from the environment would resolve names itself,
            // around the address checks.
            .no_proxy()
            .retry(reqwest::retry::never())
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .pool_max_idle_per_host(16)
            .dns_resolver(Arc::new(GuardedResolver {
                lookup: lookup.clone(),
                nets: nets.clone(),
            }))
            .build()
            .expect("the webhook HTTP client builds");
        Self {
            client,
            nets,
            lookup,
        }
    }

    pub fn nets(&self) -> &AllowedNets {
        &self.nets
    }

    pub fn lookup(&self) -> &dyn Lookup {
        &*self.lookup
    }

    /// Checks the address again (it may have changed since the URL was
    /// saved), signs with this attempt's timestamp, and posts.
    ///
    /// The URL was parsed and its literal address judged when the endpoint
    /// was made ready. A name is judged when a connection is opened (the
    /// client's [`GuardedResolver`]), so a kept connection sends without a
    /// lookup; plain `http` to a name is the exception, resolved here every
    /// time, because only this check knows the scheme (plain `http` must
    /// stay inside the allowed networks).
    pub async fn attempt(&self, msg: &Message<'_>, now_ms: i64) -> Outcome {
        let started = Instant::now();
        let target = match &msg.to.target {
            Ok(t) => t,
            Err(r) => return Outcome::failed(refusal_text(r), started),
        };
        if !target.https
            && let Err(r) = resolve(target, &*self.lookup, &self.nets).await
        {
            return Outcome::failed(refusal_text(&r), started);
        }
        let timestamp = now_ms.div_euclid(1000);
        let signature = sign::header(&msg.to.keys, msg.id, timestamp, msg.body);
        let request = self
            .client
            .post(target.url.clone())
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .header("webhook-id", msg.id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(msg.body.to_vec());
        let mut response = match request.send().await {
            Ok(r) => r,
            Err(err) => return Outcome::failed(describe(&err), started),
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, now_ms));
        let mut body = Vec::new();
        let mut error = None;
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    let room = READ_CAP_BYTES - body.len();
                    body.extend_from_slice(&chunk[..chunk.len().min(room)]);
                    if body.len() >= READ_CAP_BYTES {
                        break;
                    }
                }
                Ok(None) => break,
                Err(err) => {
                    error = Some(describe(&err));
                    break;
                }
            }
        }
        Outcome {
            status: Some(status),
            duration_ms: started.elapsed().as_millis() as i64,
            response: excerpt(&body),
            error,
            retry_after,
        }
    }
}

fn refusal_text(r: &Refusal) -> String {
    match r {
        Refusal::Invalid => "the URL is not valid".into(),
        Refusal::NotHttps => "plain http is allowed only to LIVREUR_WEBHOOK_ALLOWED_NETS".into(),
        Refusal::PrivateAddress => "the URL leads to an address webhooks may not reach".into(),
        Refusal::Unresolvable => "the host name does not resolve".into(),
    }
}

/// A short, secret-free reason for the deliveries table.
fn describe(err: &reqwest::Error) -> String {
    if err.is_timeout() {
        "timed out".into()
    } else if err.is_connect() {
        let mut source = std::error::Error::source(err);
        while let Some(s) = source {
            if s.to_string().contains("may not reach") {
                return "the URL leads to an address webhooks may not reach".into();
            }
            source = s.source();
        }
        "could not connect".into()
    } else if err.is_body() || err.is_decode() {
        "the answer was cut off".into()
    } else {
        "the request failed".into()
    }
}

/// The first [`EXCERPT_BYTES`] of an answer as text, cut on a character
/// boundary.
fn excerpt(body: &[u8]) -> Option<String> {
    if body.is_empty() {
        return None;
    }
    let text = String::from_utf8_lossy(&body[..body.len().min(EXCERPT_BYTES + 3)]);
    let mut end = text.len().min(EXCERPT_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    Some(text[..end].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_bounded_and_whole_characters() {
        assert_eq!(excerpt(b""), None);
        assert_eq!(excerpt(b"ok").as_deref(), Some("ok"));
        let long = "é".repeat(2000);
        let cut = excerpt(long.as_bytes()).unwrap();
        assert!(cut.len() <= EXCERPT_BYTES && cut.chars().all(|c| c == 'é'));
    }

    #[test]
    fn only_2xx_succeeds() {
        let at = |status| Outcome {
            status: Some(status),
            duration_ms: 1,
            response: None,
            error: None,
            retry_after: None,
        };
        assert!(at(200).succeeded() && at(204).succeeded());
        assert!(!at(308).succeeded() && !at(500).succeeded() && !at(410).succeeded());
        assert!(at(410).gone());
    }
}
