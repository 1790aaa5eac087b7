//! A sample of the newest jobs' search text, to plan text searches.
//!
//! Neither database can tell a common needle from a rare one before
//! running the query (SQLite has no statistics for FTS5, `pg_trgm`'s are
//! fixed guesses), yet the best plan depends on exactly that. A few
//! thousand texts drawn at random from the whole table, kept in memory and
//! refreshed in the background, tell it: how often the needle occurs, and
//! how often each of its trigrams does. Not the newest texts: a burst of
//! similar recent jobs (one merchant's import) would make a needle that is
//! common across the table look absent, and send it to the index, whose
//! cost is what the whole table holds. The sample only steers the plan;
//! every plan returns the same jobs, so a stale sample costs time, never
//! results.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::server::db::Db;

/// How many jobs are sampled (about 0.6 MB of text).
const SIZE: i64 = 5000;

/// A sample older than this is refreshed, in the background.
const FRESH: Duration = Duration::from_secs(300);

#[derive(Debug)]
pub(super) struct Sample {
    texts: Vec<String>,
    /// In how many sampled texts each trigram occurs.
    trigram_texts: HashMap<String, u32>,
    /// About how many jobs there are in all.
    jobs: f64,
    taken: Instant,
}

impl Sample {
    /// The sample of `texts` out of about `jobs` jobs (at least as many
    /// as there are texts).
    pub(super) fn new(texts: Vec<String>, jobs: f64) -> Self {
        let mut trigram_texts: HashMap<String, u32> = HashMap::new();
        for text in &texts {
            let seen: HashSet<String> = trigrams_of(text).collect();
            for t in seen {
                *trigram_texts.entry(t).or_default() += 1;
            }
        }
        let jobs = jobs.max(texts.len() as f64);
        Sample {
            texts,
            trigram_texts,
            jobs,
            taken: Instant::now(),
        }
    }

    /// About how many jobs there are.
    pub(super) fn jobs(&self) -> f64 {
        self.jobs
    }

    /// The share of sampled texts holding `needle`.
    pub(super) fn share(&self, needle: &str) -> f64 {
        self.share_all(&[needle])
    }

    /// The share of sampled texts holding every one of `parts`.
    pub(super) fn share_all<S: AsRef<str>>(&self, parts: &[S]) -> f64 {
        if self.texts.is_empty() {
            return 0.0;
        }
        let hits = self
            .texts
            .iter()
            .filter(|t| parts.iter().all(|p| t.contains(p.as_ref())))
            .count();
        hits as f64 / self.texts.len() as f64
    }

    /// The share of sampled texts holding the trigram `t`.
    pub(super) fn trigram_share(&self, t: &str) -> f64 {
        if self.texts.is_empty() {
            return 0.0;
        }
        f64::from(self.trigram_texts.get(t).copied().unwrap_or(0)) / self.texts.len() as f64
    }
}

/// Every trigram of `text`, as the FTS5 trigram tokenizer and `pg_trgm`'s
/// LIKE support cut a needle: three characters, overlapping.
pub(super) fn trigrams_of(text: &str) -> impl Iterator<Item = String> + '_ {
    let starts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
    (0..starts.len().saturating_sub(2)).map(move |k| {
        let end = starts.get(k + 3).copied().unwrap_or(text.len());
        text[starts[k]..end].to_owned()
    })
}

type Samples = HashMap<String, (Arc<Sample>, bool)>;

fn samples() -> &'static Mutex<Samples> {
    static SAMPLES: OnceLock<Mutex<Samples>> = OnceLock::new();
    SAMPLES.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Which database a sample belongs to (tests run many side by side).
fn key(db: &Db) -> String {
    match db {
        Db::Sqlite { read, .. } => read.connect_options().get_filename().display().to_string(),
        Db::Postgres(pool, ..) => {
            let o = pool.connect_options();
            format!(
                "{}:{}/{}",
                o.get_host(),
                o.get_port(),
                o.get_database().unwrap_or_default()
            )
        }
    }
}

async fn take(db: &Db) -> Result<Sample, sqlx::Error> {
    let (texts, jobs): (Vec<String>, f64) = match db {
        Db::Sqlite { read, .. } => {
            // The highest row number: deleted jobs count too, close enough.
            let top: Option<i64> = sqlx::query_scalar("SELECT max(seq) FROM jobs")
                .fetch_one(read)
                .await?;
            let top = top.unwrap_or(0);
            if top <= 2 * SIZE {
                let texts = sqlx::query_scalar("SELECT search_text FROM jobs")
                    .fetch_all(read)
                    .await?;
                let jobs = texts.len() as f64;
                (texts, jobs)
            } else {
                // Row numbers drawn at random (a few land on deleted
                // jobs): one lookup each, about 5 µs.
                let texts = sqlx::query_scalar(
                    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) \
                     SELECT search_text FROM jobs \
                     WHERE seq IN (SELECT abs(random() % $2) + 1 FROM n)",
                )
                .bind(SIZE)
                .bind(top)
                .fetch_all(read)
                .await?;
                (texts, top as f64)
            }
        }
        Db::Postgres(pool, ..) => {
            // The planner's own estimate (-1 before the first ANALYZE).
            let jobs: f64 = sqlx::query_scalar(
                "SELECT greatest(reltuples, 0)::float8 FROM pg_class WHERE oid = 'jobs'::regclass",
            )
            .fetch_one(pool)
            .await?;
            // Whole pages drawn at random: the share of them that holds
            // about SIZE jobs, every page of a small (or never analysed)
            // table, bounded so a wrong estimate cannot read a big table.
            let percent = if jobs > SIZE as f64 {
                100.0 * SIZE as f64 / jobs
            } else {
                100.0
            };
            let texts =
                sqlx::query_scalar("SELECT search_text FROM jobs TABLESAMPLE SYSTEM ($1) LIMIT $2")
                    .bind(percent)
                    .bind(4 * SIZE)
                    .fetch_all(pool)
                    .await?;
            (texts, jobs)
        }
    };
    Ok(Sample::new(texts, jobs))
}

/// The sample of `db`: taken now if there is none yet, refreshed in the
/// background when it is old.
pub(super) async fn sample(db: &Db) -> Result<Arc<Sample>, sqlx::Error> {
    let key = key(db);
    let refresh = {
        let mut all = samples().lock().unwrap_or_else(|e| e.into_inner());
        match all.get_mut(&key) {
            Some((s, refreshing)) => {
                if s.taken.elapsed() < FRESH || *refreshing {
                    return Ok(s.clone());
                }
                *refreshing = true;
                Some(s.clone())
            }
            None => None,
        }
    };
    let store = |key: String, s: Sample| {
        let s = Arc::new(s);
        let mut all = samples().lock().unwrap_or_else(|e| e.into_inner());
        all.insert(key, (s.clone(), false));
        s
    };
    match refresh {
        Some(old) => {
            let db = db.clone();
            tokio::spawn(async move {
                match take(&db).await {
                    Ok(s) => {
                        store(key, s);
                    }
                    Err(err) => {
                        tracing::warn!(%err, "could not sample the jobs' search text");
                        if let Some(entry) = samples()
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .get_mut(&key)
                        {
                            entry.1 = false;
                        }
                    }
                }
            });
            Ok(old)
        }
        None => Ok(store(key, take(db).await?)),
    }
}

/// An FTS5 query matching rows that hold every one of `terms`.
pub(super) fn fts_query<S: AsRef<str>>(terms: &[S]) -> String {
    terms
        .iter()
        .map(|t| format!("\"{}\"", t.as_ref().replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" AND ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trigrams_follow_characters_not_bytes() {
        let all: Vec<String> = trigrams_of("côté").collect();
        assert_eq!(all, ["côt", "ôté"]);
        assert_eq!(trigrams_of("ro").count(), 0);
        assert_eq!(fts_query(&["a\"b", "xyz"]), "\"a\"\"b\" AND \"xyz\"");
    }

    #[test]
    fn shares_come_from_the_sampled_texts() {
        let texts = vec!["roy\nmontréal".to_string(), "côté\nlaval".into()];
        let s = Sample::new(texts, 1_000_000.0);
        assert_eq!(s.jobs(), 1_000_000.0);
        // Never fewer jobs than sampled texts.
        assert_eq!(Sample::new(vec!["a".into(); 3], 0.0).jobs(), 3.0);
        assert_eq!(s.share("montréal"), 0.5);
        assert_eq!(s.share("zzz"), 0.0);
        assert_eq!(s.trigram_share("al\n"), 0.0);
        assert_eq!(s.trigram_share("val"), 0.5);
        assert_eq!(s.trigram_share("ont"), 0.5);
    }
}
