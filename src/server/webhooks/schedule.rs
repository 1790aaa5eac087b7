//! When a failed delivery is tried again (docs/rules.md, Webhooks): about
//! immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, with jitter so
//! that a receiver coming back up is not hit by every message at once.

use crate::model::time::days_from_civil;
use crate::server::ids::random_bytes;

/// Delays in seconds before each attempt, the first attempt included.
pub const DEFAULT: &[u64] = &[0, 5, 300, 1_800, 7_200, 18_000, 36_000, 36_000];

/// Longest wait a receiver's `Retry-After` can impose.
const MAX_RETRY_AFTER_SECS: u64 = 24 * 3600;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule(Vec<u64>);

impl Default for Schedule {
    fn default() -> Self {
        Self(DEFAULT.to_vec())
    }
}

impl Schedule {
    /// `LIVREUR_WEBHOOK_RETRY_SCHEDULE`: seconds, comma separated, one per
    /// attempt (the first is the delay of the first attempt, usually 0).
    pub fn parse(text: &str) -> Result<Self, String> {
        let delays = text
            .split(',')
            .map(|p| p.trim().parse::<u64>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| format!("{text:?} is not a list of seconds such as 0,5,300"))?;
        if delays.is_empty() || delays.len() > 50 || delays.iter().any(|d| *d > 7 * 24 * 3600) {
            return Err("between 1 and 50 delays, each at most a week".into());
        }
        Ok(Self(delays))
    }

    pub fn attempts(&self) -> usize {
        self.0.len()
    }

    /// Milliseconds to wait after the `done`-th attempt of a round failed,
    /// or `None` when that was the last one. A `Retry-After` longer than
    /// the schedule's delay wins.
    pub fn next_delay_ms(&self, done: usize, retry_after_secs: Option<u64>) -> Option<i64> {
        let base = *self.0.get(done)?;
        let jittered = jitter(base * 1000);
        let asked = retry_after_secs.map_or(0, |s| s.min(MAX_RETRY_AFTER_SECS) * 1000);
        Some(jittered.max(asked) as i64)
    }
}

/// ±20 %, so retries of many messages spread out.
fn jitter(ms: u64) -> u64 {
    if ms == 0 {
        return 0;
    }
    let mut b = [0u8; 2];
    random_bytes(&mut b);
    let unit = f64::from(u16::from_le_bytes(b)) / f64::from(u16::MAX); // 0..=1
    (ms as f64 * (0.8 + 0.4 * unit)) as u64
}

/// `Retry-After`: delay-seconds or an HTTP date (RFC 9110 10.2.3).
pub fn parse_retry_after(value: &str, now_ms: i64) -> Option<u64> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(secs);
    }
    // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
    let mut parts = value.split_whitespace();
    let (_, day, month, year, time, zone) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    if zone != "GMT" {
        return None;
    }
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.iter().position(|m| *m == month)? as u32 + 1;
    let mut hms = time.split(':').map(|p| p.parse::<i64>());
    let (h, m, s) = (hms.next()?.ok()?, hms.next()?.ok()?, hms.next()?.ok()?);
    // A receiver writes what it likes: only a real date and time is
    // taken, so the arithmetic below cannot overflow.
    let year: i64 = year.parse().ok()?;
    if !(1..=9999).contains(&year)
        || !(0..24).contains(&h)
        || !(0..60).contains(&m)
        || !(0..=60).contains(&s)
    {
        return None;
    }
    let days = days_from_civil(year, month, day.parse().ok()?)?;
    let at_ms = ((days * 24 + h) * 60 + m) * 60_000 + s * 1000;
    Some((at_ms.saturating_sub(now_ms).max(0) / 1000) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_schedule_follows_the_spec_with_jitter() {
        let s = Schedule::default();
        assert_eq!(s.attempts(), 8);
        assert_eq!(s.next_delay_ms(0, None), Some(0));
        for _ in 0..50 {
            let d = s.next_delay_ms(1, None).unwrap();
            assert!((4_000..=6_000).contains(&d), "{d}");
            let d = s.next_delay_ms(2, None).unwrap();
            assert!((240_000..=360_000).contains(&d), "{d}");
        }
        assert_eq!(s.next_delay_ms(8, None), None);
    }

    #[test]
    fn retry_after_can_only_lengthen_the_wait() {
        let s = Schedule::parse("0,1,1").unwrap();
        assert!(s.next_delay_ms(1, Some(30)).unwrap() >= 30_000);
        assert!(s.next_delay_ms(1, Some(0)).unwrap() <= 1_200);
        assert_eq!(
            s.next_delay_ms(1, Some(u64::MAX)).unwrap(),
            24 * 3600 * 1000
        );
    }

    #[test]
    fn schedules_are_parsed_strictly() {
        assert_eq!(Schedule::parse(" 0, 2 ,4").unwrap().attempts(), 3);
        assert!(Schedule::parse("").is_err());
        assert!(Schedule::parse("1,x").is_err());
        assert!(Schedule::parse("-1").is_err());
        assert!(Schedule::parse("99999999").is_err());
    }

    #[test]
    fn retry_after_in_both_forms() {
        assert_eq!(parse_retry_after("120", 0), Some(120));
        // 1994-11-06T08:49:37Z is 784111777 s after the epoch.
        let now = 784_111_777_000 - 90_000;
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now),
            Some(90)
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", i64::MAX / 2),
            Some(0)
        );
        assert_eq!(parse_retry_after("soon", 0), None);
        // Dates nobody lives in are ignored rather than overflowing.
        for odd in [
            "Sun, 06 Nov 99999999999999 08:49:37 GMT",
            "Sun, 06 Nov 1994 9999999999999:49:37 GMT",
            "Sun, 06 Nov 1994 08:61:37 GMT",
            "Sun, 06 Nov -5 08:49:37 GMT",
        ] {
            assert_eq!(parse_retry_after(odd, 0), None, "{odd}");
        }
        assert_eq!(
            parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", i64::MIN),
            Some((i64::MAX / 1000) as u64)
        );
        assert_eq!(parse_retry_after("18446744073709551615", 0), Some(u64::MAX));
    }
}
