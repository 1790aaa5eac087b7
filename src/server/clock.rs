//! Time, injectable. Services ask the clock instead of the system so tests
//! can move time forward (session expiry, key expiry) without sleeping.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch, UTC: the one time representation in
/// the database (portable between SQLite and PostgreSQL, and totally ordered).
pub type Millis = i64;

#[derive(Clone, Default)]
pub struct Clock {
    /// `None` reads the system clock; `Some` is a manual clock for tests.
    manual: Option<Arc<AtomicI64>>,
}

impl Clock {
    pub fn system() -> Self {
        Self { manual: None }
    }

    /// A clock that stands still at `start` until [`Clock::advance`] moves it.
    pub fn manual(start: Millis) -> Self {
        Self {
            manual: Some(Arc::new(AtomicI64::new(start))),
        }
    }

    pub fn now(&self) -> Millis {
        match &self.manual {
            Some(t) => t.load(Ordering::SeqCst),
            None => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_millis() as Millis)
                .unwrap_or(0),
        }
    }

    /// Moves a manual clock forward; a system clock cannot be moved.
    pub fn advance(&self, by_ms: Millis) {
        if let Some(t) = &self.manual {
            t.fetch_add(by_ms, Ordering::SeqCst);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let clock = Clock::manual(1_000);
        assert_eq!(clock.now(), 1_000);
        clock.advance(500);
        assert_eq!(clock.clone().now(), 1_500);
    }

    #[test]
    fn system_clock_is_after_2025() {
        assert!(Clock::system().now() > 1_735_689_600_000);
    }
}
