//! A write transaction on either backend, and what its commit tells the
//! caches: the credentials cache through [`Changes`], the job cache through
//! the jobs it touched.

use sqlx::{Postgres, Transaction};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::{group, jobs};

/// Counts the commits of this database's write transactions that may have
/// changed credentials (keys, accounts, users, merchants): the credentials
/// cache (`server::credentials`) serves an answer only while the count is
/// the one it was read under.
#[derive(Clone, Debug, Default)]
pub struct Changes(Arc<std::sync::atomic::AtomicU64>);

impl Changes {
    pub fn count(&self) -> u64 {
        self.0.load(Ordering::Acquire)
    }

    /// Something credentials depend on may have changed.
    pub fn bump(&self) {
        self.0.fetch_add(1, Ordering::AcqRel);
    }
}

/// A write transaction on either backend, and what its commit must tell
/// the credentials cache and the job cache.
pub enum Tx {
    Sqlite(group::Member, Touches),
    Postgres(Transaction<'static, Postgres>, Touches),
}

/// What a write transaction may change, for the caches.
///
/// - **Credentials:** by default anything, so that its commit empties the
///   credentials cache. Only transactions that cannot touch keys, accounts,
///   users or merchants (jobs, webhook deliveries, usage) are begun with
///   [`Db::begin_data`], so that the API's own writes keep it warm.
/// - **Jobs:** the jobs it changed or deleted ([`Tx::touch_job`]), which
///   its commit drops from the job cache.
pub struct Touches {
    changes: Option<Changes>,
    job_cache: Option<Arc<jobs::JobCache>>,
    jobs: Vec<String>,
}

impl Touches {
    pub(super) fn new(changes: Option<Changes>, job_cache: Option<Arc<jobs::JobCache>>) -> Self {
        Self {
            changes,
            job_cache,
            jobs: Vec::new(),
        }
    }

    fn committed(self) {
        if let Some(changes) = self.changes {
            changes.bump();
        }
        if let Some(cache) = self.job_cache
            && !self.jobs.is_empty()
        {
            cache.forget(&self.jobs);
        }
    }
}

impl Tx {
    /// Commits; the caches hear of it before this returns. A failed
    /// commit tells them too: a job forgotten for nothing is only read
    /// again.
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        let (done, touches) = match self {
            Tx::Sqlite(t, touches) => (t.commit().await, touches),
            Tx::Postgres(t, touches) => (t.commit().await, touches),
        };
        touches.committed();
        done
    }

    /// This transaction changes or deletes the job `id` (`db::jobs` calls
    /// it with every write): its commit drops the job from the cache.
    pub fn touch_job(&mut self, id: &str) {
        let touches = match self {
            Tx::Sqlite(_, t) | Tx::Postgres(_, t) => t,
        };
        if touches.job_cache.is_some() && !touches.jobs.iter().any(|j| j == id) {
            touches.jobs.push(id.to_owned());
        }
    }
}
