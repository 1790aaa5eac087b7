//! Endpoints ready to send to: the URL parsed and checked, the secrets
//! opened into signing keys. Opening a secret and parsing a URL on every
//! send would be wasted work, so each endpoint's is kept, keyed by what it
//! was made from (the URL and both sealed secrets as stored). A change to
//! any of them, made by this instance or another, is a different key: the
//! cache can never sign with a secret the database no longer holds
//! (docs/webhooks.md, "How a message travels").

use ring::hmac;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::seal::Sealer;
use super::sign;
use super::ssrf::{AllowedNets, Target, parse};
use crate::server::db::webhooks::Signing;

/// An enabled endpoint, ready to sign for and post to.
pub struct Ready {
    /// `Err` when the URL no longer passes the address rules (the
    /// allowed networks may have changed since it was saved): every
    /// attempt then fails with that reason, as it did before the cache.
    pub target: Result<Target, super::ssrf::Refusal>,
    pub keys: Vec<hmac::Key>,
}

/// What a cached entry was made from.
struct Source {
    url: String,
    sealed: String,
    previous: Option<String>,
}

impl Source {
    fn of(s: &Signing) -> Self {
        Source {
            url: s.webhook.url.clone(),
            sealed: s.secret_sealed.clone(),
            previous: s.previous_sealed.clone(),
        }
    }

    /// True when `s` is what this entry was made from (no copy made: this
    /// runs for every change that fans out).
    fn is(&self, s: &Signing) -> bool {
        self.url == s.webhook.url
            && self.sealed == s.secret_sealed
            && self.previous == s.previous_sealed
    }
}

#[derive(Default)]
pub struct ReadyCache {
    entries: Mutex<HashMap<String, (Source, Arc<Ready>)>>,
}

impl ReadyCache {
    /// The endpoint ready to send to, from the cache when its URL and
    /// secrets are the ones cached; `None` when no secret opens (the key
    /// file is not the one the endpoint was created with), which is logged.
    pub fn get(&self, s: &Signing, sealer: &Sealer, nets: &AllowedNets) -> Option<Arc<Ready>> {
        let id = &s.webhook.id;
        if let Some((cached, ready)) = self.lock().get(id)
            && cached.is(s)
        {
            return Some(ready.clone());
        }
        let source = Source::of(s);
        let ready = Arc::new(open(id, &source, sealer, nets)?);
        self.lock().insert(id.clone(), (source, ready.clone()));
        Some(ready)
    }

    /// Forgets the endpoints not in `enabled` (deleted or disabled ones).
    pub fn keep_only<'a>(&self, enabled: impl Iterator<Item = &'a str>) {
        let keep: std::collections::HashSet<&str> = enabled.collect();
        self.lock().retain(|id, _| keep.contains(id.as_str()));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Source, Arc<Ready>)>> {
        // A panic while holding it cannot leave the map half-changed.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn open(id: &str, source: &Source, sealer: &Sealer, nets: &AllowedNets) -> Option<Ready> {
    let mut keys = Vec::with_capacity(2);
    for sealed in std::iter::once(&source.sealed).chain(source.previous.as_ref()) {
        match sealer.open(id, sealed).ok().and_then(|s| sign::key_of(&s)) {
            Some(key) => keys.push(key),
            None => tracing::error!(
                endpoint = %id,
                "cannot open the webhook's signing secret: is LIVREUR_KEY_FILE the one it was created with?"
            ),
        }
    }
    if keys.is_empty() {
        return None;
    }
    Some(Ready {
        target: parse(&source.url, nets),
        keys,
    })
}
