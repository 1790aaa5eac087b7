//! The credentials cache: who an API key belongs to, kept in memory so
//! that an API request needs no query to authenticate, and still exact
//! (docs/api-keys.md, "Authentication and the cache").
//!
//! The rule it keeps: a revocation, a roll, a demotion, a deactivation or
//! an account turned off refuses the very next request. So:
//!
//! - **One count, bumped by every write.** Every write transaction's
//!   commit bumps the database's count of changes (`db::Changes`), which
//!   empties the cache, unless it was begun as one that changes no key,
//!   account, user or merchant (`Db::begin_data`: jobs, webhook
//!   deliveries, usage). The bump happens before `commit()` returns, so
//!   before the change's own response. Forgetting to mark a transaction
//!   costs a few cache misses, never a stale answer.
//! - **Entries carry the count they were read under.** A lookup that
//!   raced with a change (read before its commit, stored after) stores
//!   an entry that is already stale, and never served.
//! - **Expiry is checked at every request** against the stored time, not
//!   cached as a verdict.
//! - **Only known keys are kept.** An unknown or refused key is asked of
//!   the database every time, so a key made by another process (the
//!   command line) works at once.
//! - **Several instances (PostgreSQL).** A trigger on the four tables does
//!   `pg_notify('livreur_credentials')` at commit, and every instance
//!   `LISTEN`s ([`listen`]) and empties its cache. While that connection
//!   is down, the cache is not used at all: every request asks the
//!   database, as without a cache.
//! - **Bounded.** At most [`CAPACITY`] keys, each kept [`MAX_AGE_MS`] at
//!   most.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::watch;

use crate::server::clock::Millis;
use crate::server::db::Changes;
use crate::server::db::api_keys::KeyOwner;

/// Keys kept at most; past it the cache starts again empty.
pub const CAPACITY: usize = 10_000;
/// How long an entry is kept at most, whatever happens.
pub const MAX_AGE_MS: i64 = 60_000;

struct Entry {
    generation: u64,
    at: Millis,
    owner: KeyOwner,
}

pub struct Credentials {
    entries: Mutex<HashMap<String, Entry>>,
    /// The database's count of changes to credentials.
    changes: Changes,
    /// False while changes made by other instances could go unseen (the
    /// PostgreSQL listener is down or not started): the cache is skipped.
    trusted: AtomicBool,
}

/// A lookup to make in the database, and where to keep its answer.
pub struct Miss {
    generation: u64,
}

impl Credentials {
    /// `trusted` from the start when no other process can change the
    /// credentials unseen (SQLite, served by one process); on PostgreSQL
    /// only once [`listen`] is listening.
    pub fn new(changes: Changes, trusted: bool) -> Self {
        Self {
            entries: Mutex::default(),
            changes,
            trusted: AtomicBool::new(trusted),
        }
    }

    /// The owner of the key with this hash, if kept and still current;
    /// otherwise the [`Miss`] to hand to [`Credentials::keep`] with what
    /// the database says.
    pub fn get(&self, key_hash: &str, now: Millis) -> Result<KeyOwner, Miss> {
        // Read before the lookup: a change committed after this point
        // bumps it, and the entry stored with it is never served.
        let miss = Miss {
            generation: self.changes.count(),
        };
        if !self.trusted.load(Ordering::Acquire) {
            return Err(miss);
        }
        let entries = self.lock();
        match entries.get(key_hash) {
            Some(e)
                if e.generation == miss.generation && now - e.at < MAX_AGE_MS && now >= e.at =>
            {
                let mut owner = e.owner.clone();
                owner.expired = owner.expires_at.is_some_and(|at| at <= now);
                Ok(owner)
            }
            _ => Err(miss),
        }
    }

    /// Keeps what the database said about a key found after `miss`.
    pub fn keep(&self, miss: Miss, key_hash: &str, owner: &KeyOwner, now: Millis) {
        if !self.trusted.load(Ordering::Acquire) || miss.generation != self.changes.count() {
            return;
        }
        let mut entries = self.lock();
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        // Stale entries of older generations go with the next clear; they
        // are never served.
        entries.insert(
            key_hash.to_owned(),
            Entry {
                generation: miss.generation,
                at: now,
                owner: owner.clone(),
            },
        );
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True while the cache is used.
    pub fn trusted(&self) -> bool {
        self.trusted.load(Ordering::Acquire)
    }

    fn set_trusted(&self, trusted: bool) {
        self.changes.bump();
        self.trusted.store(trusted, Ordering::Release);
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The channel the PostgreSQL trigger notifies on.
pub const CHANNEL: &str = "livreur_credentials";

/// PostgreSQL: empties the cache whenever any instance commits a change to
/// keys, accounts, users or merchants; the cache is used only while this
/// listens. Runs until `stop`.
pub async fn listen(
    pool: sqlx::PgPool,
    cache: std::sync::Arc<Credentials>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            err = listen_once(&pool, &cache) => {
                cache.set_trusted(false);
                tracing::warn!(error = %err, "credentials listener down; every API request asks the database meanwhile");
            }
            _ = stop.changed() => {
                cache.set_trusted(false);
                return;
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

async fn listen_once(pool: &sqlx::PgPool, cache: &Credentials) -> sqlx::Error {
    let mut listener = match sqlx::postgres::PgListener::connect_with(pool).await {
        Ok(l) => l,
        Err(err) => return err,
    };
    if let Err(err) = listener.listen(CHANNEL).await {
        return err;
    }
    // Listening from here: what changed before is covered by emptying.
    cache.set_trusted(true);
    loop {
        match listener.try_recv().await {
            Ok(Some(_)) => cache.changes.bump(),
            // The connection was lost: notifications may have been missed.
            // The cache is off until listening again (not reconnected
            // behind our back, which `try_recv` would do next).
            Ok(None) => return sqlx::Error::PoolClosed,
            Err(err) => return err,
        }
    }
}
