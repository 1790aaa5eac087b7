//! Password hashing with argon2id (OWASP parameters: 19 MiB, 2 passes).
//! Hashing takes tens of milliseconds of CPU on purpose, so it always runs on
//! the blocking pool, never on the async workers that serve requests.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::OnceLock;

pub const MIN_LENGTH: usize = 10;
pub const MAX_LENGTH: usize = 256;

fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("static argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

/// Argon2 work is bounded: as many hashes run at once as there are cores,
/// a few more per core may wait for one, and past that a caller is told
/// the server is busy at once (sign-in answers 429) instead of queueing
/// without limit. Each hash holds 19 MiB and tens of milliseconds of a
/// core, so a flood of sign-ins with new e-mail addresses would otherwise
/// exhaust both (docs/security.md).
pub struct Gate {
    running: tokio::sync::Semaphore,
    admitted: tokio::sync::Semaphore,
}

/// Too much password work is already under way: come back in a moment.
#[derive(Debug, PartialEq, Eq)]
pub struct Busy;

impl Gate {
    pub fn new(running: usize, waiting: usize) -> Self {
        Gate {
            running: tokio::sync::Semaphore::new(running.max(1)),
            admitted: tokio::sync::Semaphore::new(running.max(1) + waiting),
        }
    }

    /// Runs `work` on the blocking pool once a core is free, or says
    /// [`Busy`] without waiting when too many are queued already.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Busy> {
        let _admitted = self.admitted.try_acquire().map_err(|_| Busy)?;
        let _running = self.running.acquire().await.map_err(|_| Busy)?;
        tokio::task::spawn_blocking(work).await.map_err(|_| Busy)
    }
}

/// The process's gate: one running hash per core, four waiting per core.
fn gate() -> &'static Gate {
    static GATE: OnceLock<Gate> = OnceLock::new();
    GATE.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Gate::new(cores, 4 * cores)
    })
}

pub async fn hash(password: String) -> Result<String, HashError> {
    gate()
        .run(move || {
            let salt = SaltString::generate(&mut OsRng);
            hasher()
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| HashError(e.to_string()))
        })
        .await
        .map_err(|Busy| HashError("the server is busy hashing other passwords".into()))?
}

/// Checks `password` against a stored hash. With `None` (no such user) it
/// still spends the same time against a dummy hash, so the response time
/// does not tell whether an e-mail address has an account.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, Busy> {
    gate()
        .run(move || {
            let has_user = stored.is_some();
            let stored = stored.as_deref().unwrap_or_else(|| dummy_hash());
            let Ok(parsed) = PasswordHash::new(stored) else {
                return false;
            };
            let matches = hasher()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok();
            matches && has_user
        })
        .await
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        hasher()
            .hash_password(b"no user has this password", &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

/// Why a new password is not acceptable, as a field error code.
pub fn check_strength(password: &str) -> Result<(), &'static str> {
    let chars = password.chars().count();
    if chars < MIN_LENGTH {
        Err("password_too_short")
    } else if chars > MAX_LENGTH {
        Err("too_long")
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_then_verify() {
        let h = hash("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert_eq!(
            verify("correct horse battery".into(), Some(h.clone())).await,
            Ok(true)
        );
        assert_eq!(
            verify("wrong horse battery".into(), Some(h)).await,
            Ok(false)
        );
    }

    #[tokio::test]
    async fn unknown_user_never_verifies() {
        assert_eq!(verify("anything".into(), None).await, Ok(false));
        // Not even the dummy hash's own password opens a missing account.
        assert_eq!(
            verify("no user has this password".into(), None).await,
            Ok(false)
        );
        assert_eq!(
            verify("anything".into(), Some("not a hash".into())).await,
            Ok(false)
        );
    }

    /// One running and one waiting: a third caller is turned away at once,
    /// and room comes back as work finishes.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_gate_bounds_running_and_waiting_work() {
        use std::sync::Arc;
        use std::sync::mpsc;
        let gate = Arc::new(Gate::new(1, 1));
        let (release_tx, release_rx) = mpsc::channel::<()>();
        let (started_tx, started_rx) = mpsc::channel::<()>();
        let first = tokio::spawn({
            let gate = gate.clone();
            async move {
                gate.run(move || {
                    started_tx.send(()).unwrap();
                    release_rx.recv().unwrap();
                    1
                })
                .await
            }
        });
        started_rx.recv().unwrap();
        let second = tokio::spawn({
            let gate = gate.clone();
            async move { gate.run(|| 2).await }
        });
        // The second waits for the core the first holds; the third finds
        // no room left to wait in.
        while gate.admitted.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        assert_eq!(gate.run(|| 3).await, Err(Busy));
        release_tx.send(()).unwrap();
        assert_eq!(first.await.unwrap(), Ok(1));
        assert_eq!(second.await.unwrap(), Ok(2));
        assert_eq!(gate.run(|| 4).await, Ok(4));
    }

    #[test]
    fn strength_rules() {
        assert_eq!(check_strength("short"), Err("password_too_short"));
        assert!(check_strength("long enough pw").is_ok());
        assert_eq!(check_strength(&"x".repeat(300)), Err("too_long"));
    }
}
