//! Jobs as last read, kept in memory on SQLite so that reading a job twice
//! costs one query, not two, and still answers exactly what the database
//! holds (docs/architecture.md, "The job read cache").
//!
//! - **Only where one process writes.** SQLite is served by one process
//!   (`Db::lock_single_instance`), and every change to a job goes through
//!   this module's parent. On PostgreSQL other instances change jobs
//!   unseen, so there is no cache there: a read after a write made on
//!   another instance must see it.
//! - **A change forgets its jobs before it returns.** Each write
//!   transaction notes the jobs it changes or deletes (`Tx::touch_job`);
//!   its commit drops them from the cache once the database has them, so
//!   before the change's response.
//! - **A read that raced with a change keeps nothing.** A miss takes a
//!   [`Ticket`] before its query; every forget moves the count on, and an
//!   answer read under an older count is not kept.
//! - **Bounded.** At most [`CAPACITY`] jobs; past it the cache starts
//!   again empty.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use super::Scope;
use crate::model::job::Job;

/// Jobs kept at most (a job with a few actions is about 2 KiB).
pub const CAPACITY: usize = 4_096;

#[derive(Debug, Default)]
pub struct JobCache {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// Moves on with every forget.
    generation: u64,
    jobs: HashMap<String, Arc<Job>>,
}

/// A read to make in the database, and the count it was made under.
pub struct Ticket(u64);

impl JobCache {
    /// The job with this id if kept and visible in `scope` (a merchant's
    /// scope sees only the jobs its user created, as the query does);
    /// otherwise the [`Ticket`] to keep the database's answer with.
    pub fn get(&self, id: &str, scope: &Scope) -> Result<Option<Job>, Ticket> {
        let inner = self.lock();
        match inner.jobs.get(id) {
            Some(job) => Ok(match scope {
                Scope::Creator(user) if job.created_by.user_id != *user => None,
                _ => Some(Job::clone(job)),
            }),
            None => Err(Ticket(inner.generation)),
        }
    }

    /// Keeps a job read after `ticket`, unless a change was forgotten
    /// since (the read may predate it).
    pub fn keep(&self, ticket: Ticket, job: &Job) {
        let mut inner = self.lock();
        if inner.generation != ticket.0 {
            return;
        }
        if inner.jobs.len() >= CAPACITY {
            inner.jobs.clear();
        }
        inner.jobs.insert(job.id.clone(), Arc::new(job.clone()));
    }

    /// Drops these jobs: a transaction that changed them has committed.
    pub fn forget(&self, ids: &[String]) {
        let mut inner = self.lock();
        inner.generation += 1;
        for id in ids {
            inner.jobs.remove(id);
        }
    }

    pub fn len(&self) -> usize {
        self.lock().jobs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(id: &str, user: &str, version: i64) -> Job {
        serde_json::from_value(serde_json::json!({
            "id": id, "type": "delivery", "date": "2026-12-08",
            "customer": {"first_name": "Camille", "phone": "+15145550100"},
            "address": {"line1": "200 Rue Saint-Paul O"},
            "location_id": "loc_1", "barcodes": [], "status": "new",
            "creation_source": "api",
            "created_by": {"user_id": user, "account_id": null},
            "version": version, "created_at": "", "updated_at": "", "actions": []
        }))
        .expect("a job")
    }

    fn kept(cache: &JobCache, id: &str, scope: &Scope) -> Option<Option<i64>> {
        cache.get(id, scope).ok().map(|j| j.map(|j| j.version))
    }

    #[test]
    fn a_kept_job_is_served_in_its_creators_scope_only() {
        let cache = JobCache::default();
        let Err(ticket) = cache.get("job_1", &Scope::All) else {
            panic!("nothing is kept yet");
        };
        cache.keep(ticket, &job("job_1", "usr_a", 1));
        assert_eq!(kept(&cache, "job_1", &Scope::All), Some(Some(1)));
        assert_eq!(
            kept(&cache, "job_1", &Scope::Creator("usr_a".into())),
            Some(Some(1))
        );
        // Another merchant user: not found, as the query would answer.
        assert_eq!(
            kept(&cache, "job_1", &Scope::Creator("usr_b".into())),
            Some(None)
        );
        assert_eq!(kept(&cache, "job_2", &Scope::All), None);
    }

    #[test]
    fn a_forgotten_job_is_read_again_and_a_raced_read_is_not_kept() {
        let cache = JobCache::default();
        let Err(t) = cache.get("job_1", &Scope::All) else {
            panic!()
        };
        cache.keep(t, &job("job_1", "usr_a", 1));
        cache.forget(&["job_1".into()]);
        assert_eq!(kept(&cache, "job_1", &Scope::All), None);

        // A read that began before a change committed (its ticket is
        // older than the forget) keeps nothing, whatever job it was.
        let Err(before) = cache.get("job_1", &Scope::All) else {
            panic!()
        };
        cache.forget(&["job_9".into()]);
        cache.keep(before, &job("job_1", "usr_a", 1));
        assert_eq!(kept(&cache, "job_1", &Scope::All), None);
        assert!(cache.is_empty());
    }

    #[test]
    fn the_cache_is_bounded() {
        let cache = JobCache::default();
        for i in 0..=CAPACITY {
            let id = format!("job_{i}");
            let Err(t) = cache.get(&id, &Scope::All) else {
                panic!()
            };
            cache.keep(t, &job(&id, "usr_a", 1));
        }
        assert!(cache.len() <= CAPACITY);
        assert!(!cache.is_empty());
    }
}
