use axum::http::HeaderMap;
use standardwebhooks::Webhook;

/// The event, once its signature and timestamp are checked; an error otherwise.
pub fn verified_event(
    secret: &str,
    body: &[u8],
    headers: &HeaderMap,
) -> Result<serde_json::Value, Box<dyn std::error::Error>> {
    Webhook::new(secret)?.verify(body, headers)?;
    Ok(serde_json::from_slice(body)?)
}
