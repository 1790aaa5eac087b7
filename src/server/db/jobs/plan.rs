//! Which way a text search runs, from the sample of texts: walk the
//! newest jobs first, or ask the trigram index, and what to ask it.

use super::sample::{self, Sample};
use super::search::WINDOW;
use crate::server::db::Db;

/// What each step of a search costs, in jobs walked: one entry of the
/// filters' index tested for the text is 1.
#[derive(Debug, Clone, Copy)]
pub(super) struct Costs {
    /// A job found through the trigram index, read out of order.
    pub(super) scattered_read: f64,
    /// One entry of a trigram posting list.
    pub(super) list_entry: f64,
    /// The index is asked for the needle's rarest trigrams only
    /// ([`Plan::fts_terms`]), not every one.
    pub(super) rarest_terms: bool,
}

impl Costs {
    /// The costs of `db`'s backend.
    pub(super) fn of(db: &Db) -> Costs {
        match db {
            Db::Sqlite { .. } => Costs::SQLITE,
            Db::Postgres(..) => Costs::POSTGRES,
        }
    }

    /// SQLite: the filters' indexes carry the text (migration 0006), so
    /// a walked job is an index entry (~0.2 µs), against ~5 µs for a row
    /// read out of order and ~0.1 µs per posting-list entry (measured at
    /// a million jobs, docs/benchmarks.md).
    pub(super) const SQLITE: Costs = Costs {
        scattered_read: 25.0,
        list_entry: 0.5,
        rarest_terms: true,
    };
    /// PostgreSQL: the filters' indexes carry the text too (migration
    /// 0006), so a walked job is an index entry of an index-only scan
    /// (~0.55 µs), against ~7.5 µs for each row the trigram index's bitmap
    /// scan reads, and ~0.05 µs per posting-list entry, which the GIN
    /// index keeps compressed (measured at a million jobs,
    /// docs/benchmarks.md).
    pub(super) const POSTGRES: Costs = Costs {
        scattered_read: 14.0,
        list_entry: 0.1,
        rarest_terms: false,
    };
}

/// SQLite asks FTS5 for this many of the needle's rarest trigrams rather
/// than the whole needle: FTS5 reads every term's posting list in full,
/// and in `00158492` the lists of `001` and `015` are long while three
/// rare trigrams narrow to a handful of jobs; the exact test decides.
const FTS_TERMS: usize = 3;

/// A trigram in more than this share of the jobs is left out of the index
/// query (`ord` of `ORD-00158492`, `rue`): its posting list is most of
/// the index, and the rest of the needle narrows as well.
const UBIQUITOUS: f64 = 0.5;

/// How a text search finds its page: what [`Plan::new`] decides from the
/// sample of texts, or what a test asks for. Every strategy finds the same
/// jobs; only the time differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// Walk the newest `size` jobs passing the filters, testing each one's
    /// text: chosen when the needle looks common enough to fill a page
    /// there sooner than the index would find every job holding it. When
    /// the page is not full, walk on through the jobs left if there are
    /// fewer than `rest_limit` of them, else ask the trigram index.
    Window { size: u32, rest_limit: u64 },
    /// Ask the trigram index for every job holding the needle.
    Index,
}

/// How a text search runs, decided from the sample of texts.
#[derive(Debug)]
pub(super) struct Plan {
    pub(super) strategy: Strategy,
    /// What the trigram index is asked for: stretches of the needle, in
    /// order, that leave out its ubiquitous trigrams (`00158492` of
    /// `ord-00158492`). Empty for a needle under three characters.
    pub(super) stretches: Vec<String>,
    /// SQLite: the [`FTS_TERMS`] rarest trigrams of a needle that has
    /// more, each asked of FTS5 on its own; empty to ask the stretches.
    pub(super) fts_terms: Vec<String>,
}

impl Plan {
    pub(super) fn new(sample: &Sample, needle: &str, limit: u32, costs: Costs) -> Self {
        let chars: Vec<char> = needle.chars().collect();
        let trigrams: Vec<String> = sample::trigrams_of(needle).collect();
        let shares: Vec<f64> = trigrams.iter().map(|t| sample.trigram_share(t)).collect();
        // Stretches of characters covered by trigrams that are not
        // ubiquitous; overlapping ones are joined (`%abc%cde%` would ask
        // for two c's). A needle made only of ubiquitous trigrams is one
        // stretch.
        let mut spans: Vec<(usize, usize)> = Vec::new();
        for k in (0..shares.len()).filter(|k| shares[*k] <= UBIQUITOUS) {
            match spans.last_mut() {
                Some((_, end)) if k < *end => *end = k + 3,
                _ => spans.push((k, k + 3)),
            }
        }
        if spans.is_empty() && !shares.is_empty() {
            spans.push((0, chars.len()));
        }
        let stretches: Vec<String> = spans
            .iter()
            .map(|(a, b)| chars[*a..*b].iter().collect())
            .collect();

        // A needle of a few trigrams is asked whole: the phrase is far
        // more selective than its trigrams apart (`490` and `906`
        // anywhere, for `4906`), for the same posting lists.
        // Each trigram once, in linear time: a needle repeats trigrams
        // (`aaaa…`), and a scan of the kept ones per trigram was quadratic.
        let mut seen = std::collections::HashSet::with_capacity(trigrams.len());
        let mut rare: Vec<(f64, &String)> = Vec::new();
        for (t, share) in trigrams.iter().zip(&shares) {
            if *share <= UBIQUITOUS && seen.insert(t.as_str()) {
                rare.push((*share, t));
            }
        }
        if !costs.rarest_terms || rare.len() <= FTS_TERMS {
            rare.clear();
        }
        rare.sort_by(|a, b| a.0.total_cmp(&b.0));
        rare.truncate(FTS_TERMS);
        let lists: f64 = rare.iter().map(|(share, _)| share).sum();
        let fts_terms: Vec<String> = rare.into_iter().map(|(_, t)| t.clone()).collect();

        // Costs, in jobs walked. The index route reads the posting lists
        // and every job holding all that is asked, out of order; without
        // trigrams it reads every job.
        let jobs = sample.jobs();
        let share = sample.share(needle);
        let index = if stretches.is_empty() {
            jobs
        } else if !fts_terms.is_empty() {
            let holding = sample.share_all(&fts_terms);
            holding * jobs * costs.scattered_read + lists * jobs * costs.list_entry
        } else {
            let rarest = shares.iter().copied().fold(1.0, f64::min);
            // Most needles are one stretch: the share is already known.
            let holding = if stretches == [needle] {
                share
            } else {
                sample.share_all(&stretches)
            };
            holding * jobs * costs.scattered_read + rarest * jobs * costs.list_entry
        };
        // The window reads jobs until the page is full; when it would not
        // fill, the whole window and then the index route.
        let fill = if share > 0.0 {
            f64::from(limit) / share
        } else {
            f64::INFINITY
        };
        let window = if fill <= f64::from(WINDOW) {
            fill
        } else {
            f64::from(WINDOW) + index
        };
        // A window that did not fill continues through the jobs left when
        // there are fewer of them than the index route would read.
        let strategy = if window < index {
            Strategy::Window {
                size: WINDOW,
                // Saturating: the executor bounds it (search.rs, MAX_REST).
                rest_limit: index as u64,
            }
        } else {
            Strategy::Index
        };
        Plan {
            strategy,
            stretches,
            fts_terms,
        }
    }

    /// SQLite: the FTS5 query for the rarest trigrams, or, for a needle
    /// made only of ubiquitous ones, the whole needle as a phrase.
    pub(super) fn fts_query(&self) -> Option<String> {
        if !self.fts_terms.is_empty() {
            Some(sample::fts_query(&self.fts_terms))
        } else {
            (!self.stretches.is_empty()).then(|| sample::fts_query(&self.stretches))
        }
    }

    /// PostgreSQL: a LIKE pattern of the stretches in order, which any
    /// text holding the needle matches.
    pub(super) fn like_pattern(&self) -> Option<String> {
        if self.stretches.is_empty() {
            return None;
        }
        let mut pattern = String::from("%");
        for stretch in &self.stretches {
            for c in stretch.chars() {
                if matches!(c, '%' | '_' | '\\') {
                    pattern.push('\\');
                }
                pattern.push(c);
            }
            pattern.push('%');
        }
        Some(pattern)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window_first(plan: &Plan) -> bool {
        matches!(plan.strategy, Strategy::Window { .. })
    }

    /// 5000 sampled texts of a million jobs: 40 % in Montréal, 2 % named
    /// Tremblay, 0.1 % with the phone fragment 4906, every one with an
    /// `ord-` reference.
    fn sample() -> Sample {
        let texts = (0..5000)
            .map(|i| {
                let name = if i % 50 == 0 { "tremblay" } else { "roy" };
                let city = if i % 5 < 2 { "montréal" } else { "laval" };
                let phone = if i % 1000 == 7 {
                    "+15145554906"
                } else {
                    "+15145551111"
                };
                format!("ord-{i:08}\n{name}\n{phone}\n{city}")
            })
            .collect();
        Sample::new(texts, 1_000_000.0)
    }

    #[test]
    fn common_needles_walk_the_window_rare_ones_the_index() {
        let s = sample();
        assert!(window_first(&Plan::new(&s, "montréal", 51, Costs::SQLITE)));
        assert!(window_first(&Plan::new(&s, "tremblay", 51, Costs::SQLITE)));
        assert!(!window_first(&Plan::new(&s, "4906", 51, Costs::SQLITE)));
        assert!(!window_first(&Plan::new(
            &s,
            "ord-00158492",
            51,
            Costs::SQLITE
        )));
        // The same choices where a walked job is a row read (PostgreSQL).
        assert!(window_first(&Plan::new(
            &s,
            "montréal",
            51,
            Costs::POSTGRES
        )));
        assert!(!window_first(&Plan::new(&s, "4906", 51, Costs::POSTGRES)));
        // Too short for any index: the window, then every job.
        let short = Plan::new(&s, "ro", 51, Costs::SQLITE);
        assert!(window_first(&short) && short.stretches.is_empty());
        assert_eq!(short.like_pattern(), None);
        assert_eq!(short.fts_query(), None);
    }

    #[test]
    fn the_index_is_not_asked_for_ubiquitous_trigrams() {
        let s = sample();
        let plan = Plan::new(&s, "ord-00158492", 51, Costs::SQLITE);
        assert_eq!(plan.stretches, ["00158492"]);
        // FTS5 gets three of its trigrams, the rarest in the sample.
        assert_eq!(plan.fts_terms.len(), 3);
        for t in &plan.fts_terms {
            assert!(
                "00158492".contains(t.as_str()) && t.chars().count() == 3,
                "{t}"
            );
            assert!(s.trigram_share(t) <= s.trigram_share("001"), "{t}");
        }
        assert_eq!(
            plan.fts_query().unwrap(),
            sample::fts_query(&plan.fts_terms)
        );
        assert_eq!(plan.like_pattern().unwrap(), "%00158492%");
        // A needle of three trigrams or fewer is asked as a phrase.
        let phone = Plan::new(&s, "4906", 51, Costs::SQLITE);
        assert!(phone.fts_terms.is_empty());
        assert_eq!(phone.fts_query().unwrap(), "\"4906\"");
        // Ubiquitous in the middle: two stretches, in order.
        assert_eq!(
            Plan::new(&s, "tremblay\nord-0", 51, Costs::SQLITE).stretches,
            ["tremblay\nor"]
        );
        assert_eq!(
            Plan::new(&s, "49\nord-0004", 51, Costs::SQLITE).stretches,
            ["49\nor", "004"]
        );
        // Nothing but ubiquitous trigrams: the whole needle.
        assert_eq!(Plan::new(&s, "ord-", 51, Costs::SQLITE).stretches, ["ord-"]);
        // LIKE's own characters are escaped.
        let odd = Plan::new(&s, "a_b%c", 51, Costs::SQLITE);
        assert_eq!(odd.like_pattern().unwrap(), "%a\\_b\\%c%");
    }
}
