//! Which way a text search runs, from the sample of texts: walk the
//! newest jobs first, or ask the trigram index, and what to ask it.

use super::sample::{self, Sample};
use super::search::WINDOW;

/// A job found through the trigram index is read out of order, at about
/// twice the cost of a job read walking the window.
const SCATTERED_READ: f64 = 2.0;

/// Reading one entry of a trigram posting list costs about this share of
/// reading one job (measured: ~0.1 µs against ~2 µs on SQLite).
const LIST_ENTRY: f64 = 0.05;

/// A trigram in more than this share of the jobs is left out of the index
/// query (`ord` of `ORD-00158492`, `rue`): its posting list is most of
/// the index, and the rest of the needle narrows as well.
const UBIQUITOUS: f64 = 0.5;

/// How a text search runs, decided from the sample of texts.
#[derive(Debug)]
pub(super) struct Plan {
    /// Walk the window first: the needle looks common enough to fill a
    /// page there sooner than the index would find every job holding it.
    pub(super) window_first: bool,
    /// What the trigram index is asked for: stretches of the needle, in
    /// order, that leave out its ubiquitous trigrams (`00158492` of
    /// `ord-00158492`). Empty for a needle under three characters.
    pub(super) stretches: Vec<String>,
    /// What the index route is expected to cost, in jobs read walking:
    /// a window that did not fill continues through the jobs left when
    /// there are fewer of them than this.
    pub(super) index_cost: f64,
}

impl Plan {
    pub(super) fn new(sample: &Sample, needle: &str, limit: u32) -> Self {
        let chars: Vec<char> = needle.chars().collect();
        let shares: Vec<f64> = sample::trigrams_of(needle)
            .map(|t| sample.trigram_share(&t))
            .collect();
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

        // Costs, in jobs read walking the window. The index route reads
        // the posting lists (driven by the rarest) and every job holding
        // all the stretches, out of order; without trigrams it reads every
        // job.
        let jobs = sample.jobs();
        let share = sample.share(needle);
        let index = if stretches.is_empty() {
            jobs
        } else {
            let rarest = shares.iter().copied().fold(1.0, f64::min);
            // Most needles are one stretch: the share is already known.
            let holding = if stretches == [needle] {
                share
            } else {
                sample.share_all(&stretches)
            };
            holding * jobs * SCATTERED_READ + rarest * jobs * LIST_ENTRY
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
        Plan {
            window_first: window < index,
            stretches,
            index_cost: index,
        }
    }

    /// SQLite: the FTS5 query for the stretches (each a phrase of
    /// consecutive trigrams).
    pub(super) fn fts_query(&self) -> Option<String> {
        (!self.stretches.is_empty()).then(|| sample::fts_query(&self.stretches))
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
        assert!(Plan::new(&s, "montréal", 51).window_first);
        assert!(Plan::new(&s, "tremblay", 51).window_first);
        assert!(!Plan::new(&s, "4906", 51).window_first);
        assert!(!Plan::new(&s, "ord-00158492", 51).window_first);
        // Too short for any index: the window, then every job.
        let short = Plan::new(&s, "ro", 51);
        assert!(short.window_first && short.stretches.is_empty());
        assert_eq!(short.like_pattern(), None);
        assert_eq!(short.fts_query(), None);
    }

    #[test]
    fn the_index_is_not_asked_for_ubiquitous_trigrams() {
        let s = sample();
        let plan = Plan::new(&s, "ord-00158492", 51);
        assert_eq!(plan.stretches, ["00158492"]);
        assert_eq!(plan.fts_query().unwrap(), "\"00158492\"");
        assert_eq!(plan.like_pattern().unwrap(), "%00158492%");
        // Ubiquitous in the middle: two stretches, in order.
        assert_eq!(
            Plan::new(&s, "tremblay\nord-0", 51).stretches,
            ["tremblay\nor"]
        );
        assert_eq!(
            Plan::new(&s, "49\nord-0004", 51).stretches,
            ["49\nor", "004"]
        );
        // Nothing but ubiquitous trigrams: the whole needle.
        assert_eq!(Plan::new(&s, "ord-", 51).stretches, ["ord-"]);
        // LIKE's own characters are escaped.
        let odd = Plan::new(&s, "a_b%c", 51);
        assert_eq!(odd.like_pattern().unwrap(), "%a\\_b\\%c%");
    }
}
