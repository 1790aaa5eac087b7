//! API usage: each key's "last used" time and address, and requests per
//! key per day (the owner's 30-day chart) and per account per day (the
//! administrators' 7-day chart).
//!
//! Writing on every request would put a write in front of every API call
//! (and, on SQLite, queue it behind the one writer). Instead requests are
//! counted in memory and written in one small transaction every few
//! seconds ([`FLUSH_EVERY`]), and a key's `last_used_at` is written at most
//! once a minute: this instance remembers when it last wrote it, and the
//! UPDATE itself skips keys another instance touched within the minute.
//! A crash loses at most the last few seconds of counts, never a request.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use super::clock::Millis;
use super::db::Db;
use super::db::key_usage::{self, Counted};
use crate::model::time::DAY_MS;

pub const FLUSH_EVERY: Duration = Duration::from_secs(5);
const LAST_USED_EVERY: Millis = 60_000;

#[derive(Default)]
pub struct Usage {
    inner: Mutex<Pending>,
}

#[derive(Default)]
struct Pending {
    /// (account, key, day) → requests not yet written.
    requests: HashMap<(String, String, i64), i64>,
    /// key → the `last_used_at` and client address to write.
    last_used: HashMap<String, (Millis, Option<String>)>,
    /// key → when this instance last wrote (or saw) `last_used_at`.
    written: HashMap<String, Millis>,
}

impl Usage {
    /// Counts one authenticated request. `stored_last_used` is the value
    /// the authentication query read, so a fresh instance does not rewrite
    /// a time written a few seconds ago by another one.
    pub fn record(
        &self,
        account_id: &str,
        key_id: &str,
        ip: Option<&str>,
        stored_last_used: Option<Millis>,
        now: Millis,
    ) {
        let mut p = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        *p.requests
            .entry((
                account_id.to_owned(),
                key_id.to_owned(),
                now.div_euclid(DAY_MS),
            ))
            .or_default() += 1;
        let known = p
            .written
            .get(key_id)
            .copied()
            .into_iter()
            .chain(stored_last_used)
            .max();
        if known.is_none_or(|at| now - at >= LAST_USED_EVERY) {
            p.written.insert(key_id.to_owned(), now);
            p.last_used
                .insert(key_id.to_owned(), (now, ip.map(str::to_owned)));
        }
    }

    /// Writes what has been counted. On failure the counts are put back and
    /// the next flush tries again.
    pub async fn flush(&self, db: &Db) -> Result<(), sqlx::Error> {
        let (requests, last_used) = {
            let mut p = self.inner.lock().unwrap_or_else(|e| e.into_inner());
            // Forget keys not seen for a while so the map does not grow
            // with every key ever used.
            if p.written.len() > 10_000 {
                let newest = p.written.values().copied().max().unwrap_or(0);
                p.written.retain(|_, at| newest - *at < LAST_USED_EVERY);
            }
            (
                std::mem::take(&mut p.requests),
                std::mem::take(&mut p.last_used),
            )
        };
        if requests.is_empty() && last_used.is_empty() {
            return Ok(());
        }
        let result = async {
            let mut tx = db.begin_data().await?;
            let mut counts: HashMap<(Counted, &str, i64), i64> = HashMap::new();
            for ((account, key, day), n) in &requests {
                *counts.entry((Counted::Key, key, *day)).or_default() += n;
                *counts.entry((Counted::Account, account, *day)).or_default() += n;
            }
            for ((counted, id, day), n) in counts {
                key_usage::add_usage(&mut tx, counted, id, day, n).await?;
            }
            for (key, (at, ip)) in &last_used {
                key_usage::touch(&mut tx, key, *at, ip.as_deref()).await?;
            }
            tx.commit().await
        }
        .await;
        if result.is_err() {
            let mut p = self.inner.lock().unwrap_or_else(|e| e.into_inner());
            for (k, n) in requests {
                *p.requests.entry(k).or_default() += n;
            }
            for (k, used) in last_used {
                p.last_used.entry(k).or_insert(used);
            }
        }
        result
    }

    #[cfg(test)]
    fn pending(&self) -> (usize, usize) {
        let p = self.inner.lock().unwrap();
        (p.requests.len(), p.last_used.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_used_is_written_at_most_once_a_minute_per_key() {
        let usage = Usage::default();
        usage.record("acct_a", "key_1", Some("192.0.2.1"), None, 1_000);
        usage.record("acct_a", "key_1", Some("192.0.2.2"), None, 2_000);
        assert_eq!(usage.pending(), (1, 1));
        let p = usage.inner.lock().unwrap();
        assert_eq!(p.last_used["key_1"], (1_000, Some("192.0.2.1".into())));
        assert_eq!(p.requests[&("acct_a".into(), "key_1".into(), 0)], 2);
        drop(p);

        // Cleared by a flush, a use within the minute writes nothing more.
        usage.inner.lock().unwrap().last_used.clear();
        usage.record("acct_a", "key_1", None, None, 59_000);
        assert_eq!(usage.inner.lock().unwrap().last_used.len(), 0);
        usage.record("acct_a", "key_1", None, None, 61_000);
        assert_eq!(usage.inner.lock().unwrap().last_used["key_1"].0, 61_000);
    }

    #[test]
    fn a_recent_time_written_elsewhere_is_respected() {
        let usage = Usage::default();
        usage.record("acct_a", "key_1", None, Some(100_000), 130_000);
        assert_eq!(usage.pending(), (1, 0));
        usage.record("acct_a", "key_1", None, Some(100_000), 160_000);
        assert_eq!(usage.pending(), (1, 1));
    }

    #[test]
    fn requests_are_counted_per_key_and_day() {
        let usage = Usage::default();
        usage.record("acct_a", "key_1", None, None, DAY_MS - 1);
        usage.record("acct_a", "key_1", None, None, DAY_MS);
        usage.record("acct_a", "key_3", None, None, DAY_MS);
        usage.record("acct_b", "key_2", None, None, DAY_MS);
        let p = usage.inner.lock().unwrap();
        let at = |a: &str, k: &str, d| p.requests[&(a.into(), k.into(), d)];
        assert_eq!(at("acct_a", "key_1", 0), 1);
        assert_eq!(at("acct_a", "key_1", 1), 1);
        assert_eq!(at("acct_a", "key_3", 1), 1);
        assert_eq!(at("acct_b", "key_2", 1), 1);
    }
}
