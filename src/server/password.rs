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

pub async fn hash(password: String) -> Result<String, HashError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| HashError(e.to_string()))
    })
    .await
    .map_err(|e| HashError(e.to_string()))?
}

/// Checks `password` against a stored hash. With `None` (no such user) it
/// still spends the same time against a dummy hash, so the response time
/// does not tell whether an e-mail address has an account.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
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
    .unwrap_or(false)
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
        assert!(verify("correct horse battery".into(), Some(h.clone())).await);
        assert!(!verify("wrong horse battery".into(), Some(h)).await);
    }

    #[tokio::test]
    async fn unknown_user_never_verifies() {
        assert!(!verify("anything".into(), None).await);
        // Not even the dummy hash's own password opens a missing account.
        assert!(!verify("no user has this password".into(), None).await);
        assert!(!verify("anything".into(), Some("not a hash".into())).await);
    }

    #[test]
    fn strength_rules() {
        assert_eq!(check_strength("short"), Err("password_too_short"));
        assert!(check_strength("long enough pw").is_ok());
        assert_eq!(check_strength(&"x".repeat(300)), Err("too_long"));
    }
}
