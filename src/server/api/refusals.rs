//! Refused API requests worth an audit entry (docs/api-keys.md): a key
//! used after its expiry, or from outside its allow-list. Each answers the
//! uniform 401; the audit log says why, once per key, reason and address
//! every ten minutes, so a stolen key hammered from elsewhere cannot flood
//! the log or queue writes.

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::json;

use crate::server::AppState;
use crate::server::clock::Millis;
use crate::server::db::audit::{self, Actor, Entry};

const EVERY_MS: Millis = 10 * 60_000;
/// Entries remembered at most; beyond, the oldest are forgotten.
const REMEMBERED: usize = 10_000;

#[derive(Default)]
pub struct Refusals {
    written: Mutex<HashMap<String, Millis>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Expired,
    AddressNotAllowed,
}

impl Reason {
    fn as_str(self) -> &'static str {
        match self {
            Reason::Expired => "expired",
            Reason::AddressNotAllowed => "address_not_allowed",
        }
    }
}

impl Refusals {
    /// Whether a refusal of this key, for this reason, from this address is
    /// to be written now (and if so, remembers it).
    fn due(&self, key_id: &str, reason: Reason, ip: Option<&str>, now: Millis) -> bool {
        let mut written = self.written.lock().unwrap_or_else(|e| e.into_inner());
        let id = format!("{key_id} {} {}", reason.as_str(), ip.unwrap_or("-"));
        if written.get(&id).is_some_and(|at| now - at < EVERY_MS) {
            return false;
        }
        if written.len() >= REMEMBERED {
            written.retain(|_, at| now - *at < EVERY_MS);
            if written.len() >= REMEMBERED {
                return false;
            }
        }
        written.insert(id, now);
        true
    }
}

/// Writes "api_key.refused" for the owner's key, unless written lately.
pub async fn record(
    state: &AppState,
    user_id: &str,
    account_id: &str,
    key_id: &str,
    reason: Reason,
    ip: Option<&str>,
) {
    let now = state.clock.now();
    if !state.refusals.due(key_id, reason, ip, now) {
        return;
    }
    let result = async {
        let mut tx = state.db.begin_data().await?;
        audit::record(
            &mut tx,
            &Actor::system(),
            Entry::about(
                "api_key.refused",
                "user",
                user_id,
                json!({
                    "account_id": account_id,
                    "key_id": key_id,
                    "reason": reason.as_str(),
                    "client_ip": ip,
                }),
            ),
            now,
        )
        .await?;
        tx.commit().await
    }
    .await;
    if let Err(err) = result {
        tracing::warn!(error = %err, "could not write a refused API request to the audit log");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_entry_per_key_reason_and_address_every_ten_minutes() {
        let r = Refusals::default();
        assert!(r.due("key_1", Reason::Expired, Some("192.0.2.1"), 0));
        assert!(!r.due("key_1", Reason::Expired, Some("192.0.2.1"), EVERY_MS - 1));
        assert!(r.due("key_1", Reason::Expired, Some("192.0.2.2"), 1));
        assert!(r.due("key_1", Reason::AddressNotAllowed, Some("192.0.2.1"), 1));
        assert!(r.due("key_2", Reason::Expired, Some("192.0.2.1"), 1));
        assert!(r.due("key_1", Reason::Expired, Some("192.0.2.1"), EVERY_MS));
    }

    #[test]
    fn the_memory_is_bounded() {
        let r = Refusals::default();
        for i in 0..REMEMBERED {
            assert!(r.due(&format!("key_{i}"), Reason::Expired, None, 0));
        }
        assert!(!r.due("key_new", Reason::Expired, None, 1));
        assert!(r.due("key_new", Reason::Expired, None, EVERY_MS));
        assert_eq!(r.written.lock().unwrap().len(), 1);
    }
}
