//! Standard Webhooks signing (docs/rules.md, Webhooks): `webhook-signature` is
//! `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, keyed with the
//! base64 part of the endpoint's `whsec_…` secret. During a rotation both
//! secrets sign and the header carries both signatures, space separated.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ring::hmac;

use crate::server::ids::random_bytes;

const PREFIX: &str = "whsec_";

/// A new signing secret: `whsec_` and 32 random bytes in base64.
pub fn new_secret() -> String {
    let mut key = [0u8; 32];
    random_bytes(&mut key);
    format!("{PREFIX}{}", STANDARD.encode(key))
}

/// The HMAC key inside a `whsec_…` secret.
pub fn key_of(secret: &str) -> Option<hmac::Key> {
    let raw = STANDARD
        .decode(secret.strip_prefix(PREFIX).unwrap_or(secret))
        .ok()?;
    (!raw.is_empty()).then(|| hmac::Key::new(hmac::HMAC_SHA256, &raw))
}

/// One `v1,…` signature of a message.
pub fn sign(key: &hmac::Key, id: &str, timestamp: i64, body: &[u8]) -> String {
    let mut ctx = hmac::Context::with_key(key);
    ctx.update(id.as_bytes());
    ctx.update(b".");
    ctx.update(timestamp.to_string().as_bytes());
    ctx.update(b".");
    ctx.update(body);
    format!("v1,{}", STANDARD.encode(ctx.sign().as_ref()))
}

/// The `webhook-signature` header: one signature per key, space separated.
pub fn header(keys: &[hmac::Key], id: &str, timestamp: i64, body: &[u8]) -> String {
    keys.iter()
        .map(|k| sign(k, id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The known-answer vector of the Standard Webhooks reference
    /// libraries (standard-webhooks/standard-webhooks, every language's
    /// test suite).
    #[test]
    fn reproduces_the_standard_webhooks_vector() {
        let key = key_of("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let sig = sign(
            &key,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            br#"{"test": 2432232314}"#,
        );
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn any_change_changes_the_signature() {
        let key = key_of(&new_secret()).unwrap();
        let base = sign(&key, "msg_1", 10, b"{}");
        assert_ne!(base, sign(&key, "msg_2", 10, b"{}"));
        assert_ne!(base, sign(&key, "msg_1", 11, b"{}"));
        assert_ne!(base, sign(&key, "msg_1", 10, b"{ }"));
        let other = key_of(&new_secret()).unwrap();
        assert_ne!(base, sign(&other, "msg_1", 10, b"{}"));
    }

    #[test]
    fn rotation_signs_with_both() {
        let (a, b) = (
            key_of(&new_secret()).unwrap(),
            key_of(&new_secret()).unwrap(),
        );
        let h = header(&[a, b], "msg_1", 10, b"{}");
        let parts: Vec<&str> = h.split(' ').collect();
        assert_eq!(parts.len(), 2);
        assert!(parts.iter().all(|p| p.starts_with("v1,")));
        assert_ne!(parts[0], parts[1]);
    }

    #[test]
    fn secrets_are_random_and_well_formed() {
        let (a, b) = (new_secret(), new_secret());
        assert_ne!(a, b);
        assert!(a.starts_with("whsec_") && key_of(&a).is_some());
        assert!(key_of("whsec_!!!").is_none());
    }
}
