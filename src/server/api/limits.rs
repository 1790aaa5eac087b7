//! The rate limit per credential (README, Commands): `LIVREUR_RATE_LIMIT` requests
//! per second with bursts of twice that, by the generic cell rate algorithm
//! (one timestamp per key, no timers). Counted in each instance's memory:
//! with several instances behind a balancer a credential may reach up to
//! the limit on each of them.

use axum::http::{HeaderMap, HeaderValue};
use std::collections::HashMap;
use std::sync::Mutex;

use crate::server::clock::Millis;

/// The answer for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    /// Requests that could still be made right now.
    pub remaining: u32,
    /// Seconds until a refused request may be retried (at least 1).
    pub retry_after: u32,
    /// Seconds until the full burst is available again.
    pub reset: u32,
}

pub struct RateLimiter {
    /// Microseconds between two requests at the sustained rate.
    interval_us: i64,
    burst: u32,
    /// Per key: the theoretical arrival time of the next request, in µs.
    cells: Mutex<HashMap<String, i64>>,
}

impl RateLimiter {
    pub fn new(per_second: u32) -> Self {
        let per_second = per_second.max(1);
        RateLimiter {
            interval_us: 1_000_000 / i64::from(per_second),
            burst: per_second.saturating_mul(2),
            cells: Mutex::new(HashMap::new()),
        }
    }

    pub fn burst(&self) -> u32 {
        self.burst
    }

    /// Counts one request of `key` at `now`.
    pub fn check(&self, key: &str, now: Millis) -> Decision {
        let now_us = now.saturating_mul(1000);
        let tolerance = self.interval_us * i64::from(self.burst - 1);
        let mut cells = self.cells.lock().unwrap_or_else(|e| e.into_inner());
        if cells.len() > 100_000 {
            // Forget keys that are back to a full burst: they behave the
            // same as keys never seen.
            cells.retain(|_, tat| *tat > now_us);
        }
        let tat = cells.get(key).copied().unwrap_or(now_us).max(now_us);
        let secs = |us: i64| u32::try_from((us.max(0) + 999_999) / 1_000_000).unwrap_or(u32::MAX);
        if tat - now_us > tolerance {
            return Decision {
                allowed: false,
                remaining: 0,
                retry_after: secs(tat - tolerance - now_us).max(1),
                reset: secs(tat - now_us),
            };
        }
        let next = tat + self.interval_us;
        cells.insert(key.to_owned(), next);
        let used = (next - now_us + self.interval_us - 1) / self.interval_us;
        Decision {
            allowed: true,
            remaining: u32::try_from(i64::from(self.burst) - used).unwrap_or(0),
            retry_after: 0,
            reset: secs(next - now_us),
        }
    }

    /// `RateLimit-Policy` and `RateLimit` (IETF httpapi rate-limit headers):
    /// a quota of `burst` requests per `burst / rate` seconds.
    pub fn headers(&self, d: &Decision, headers: &mut HeaderMap) {
        let window = (i64::from(self.burst) * self.interval_us / 1_000_000).max(1);
        if let Ok(v) = HeaderValue::from_str(&format!("\"default\";q={};w={window}", self.burst)) {
            headers.insert("ratelimit-policy", v);
        }
        if let Ok(v) =
            HeaderValue::from_str(&format!("\"default\";r={};t={}", d.remaining, d.reset))
        {
            headers.insert("ratelimit", v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_the_sustained_rate() {
        let limiter = RateLimiter::new(20);
        let now = 1_000_000;
        for i in 0..40 {
            let d = limiter.check("k", now);
            assert!(d.allowed, "request {i} of the burst");
            assert_eq!(d.remaining, 39 - i);
        }
        let refused = limiter.check("k", now);
        assert!(!refused.allowed);
        assert_eq!(refused.retry_after, 1);
        // Another key has its own budget.
        assert!(limiter.check("other", now).allowed);
        // 50 ms later one more request fits (20/s), and not two.
        assert!(limiter.check("k", now + 50).allowed);
        assert!(!limiter.check("k", now + 50).allowed);
        // Two seconds later the whole burst is back.
        let later = now + 2_050;
        for _ in 0..40 {
            assert!(limiter.check("k", later).allowed);
        }
        assert!(!limiter.check("k", later).allowed);
    }

    #[test]
    fn headers_follow_the_ietf_draft() {
        let limiter = RateLimiter::new(20);
        let d = limiter.check("k", 0);
        let mut h = HeaderMap::new();
        limiter.headers(&d, &mut h);
        assert_eq!(h["ratelimit-policy"], "\"default\";q=40;w=2");
        assert_eq!(h["ratelimit"], "\"default\";r=39;t=1");
    }
}
