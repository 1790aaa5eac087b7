//! Sealing of stored secrets (webhook signing secrets, docs/rules.md, Webhooks):
//! ChaCha20-Poly1305 with a key that lives outside the database, so a copy
//! of the database alone does not let anyone forge webhooks. The row's id
//! is bound in as associated data: a sealed secret copied onto another row
//! does not open.
//!
//! The key is 32 random bytes, base64, in the file named by
//! `LIVREUR_KEY_FILE` (created with mode 0600 on first start). Instances
//! sharing a database must share the file's content.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use std::path::Path;

use crate::server::db::{Db, webhooks};
use crate::server::ids::random_bytes;

const VERSION: &str = "v1.";

pub struct Sealer {
    key: LessSafeKey,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(…)")
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the sealed value does not open with this instance's key")]
pub struct Unsealable;

impl Sealer {
    pub fn from_key(bytes: &[u8; 32]) -> Self {
        let key = UnboundKey::new(&CHACHA20_POLY1305, bytes).expect("a 32-byte key");
        Self {
            key: LessSafeKey::new(key),
        }
    }

    /// A key that lives only as long as the process (tests, commands that
    /// never touch sealed values).
    pub fn ephemeral() -> Self {
        let mut key = [0u8; 32];
        random_bytes(&mut key);
        Self::from_key(&key)
    }

    /// Reads the key file, creating it (readable by its owner only) when
    /// it does not exist yet.
    pub fn load_or_create(path: &Path) -> Result<Self, String> {
        let shown = path.display();
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let raw = STANDARD
                    .decode(text.trim())
                    .map_err(|_| format!("the key file {shown} is not base64"))?;
                let key: [u8; 32] = raw
                    .try_into()
                    .map_err(|_| format!("the key file {shown} must hold 32 bytes"))?;
                Ok(Self::from_key(&key))
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir)
                        .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                }
                let mut key = [0u8; 32];
                random_bytes(&mut key);
                write_private(path, STANDARD.encode(key).as_bytes())
                    .map_err(|e| format!("cannot create the key file {shown}: {e}"))?;
                tracing::info!(file = %shown, "created the key that seals stored secrets; back it up with the database");
                Ok(Self::from_key(&key))
            }
            Err(err) => Err(format!("cannot read the key file {shown}: {err}")),
        }
    }

    /// True for a value [`Sealer::seal`] made (whichever key).
    pub fn is_sealed(value: &str) -> bool {
        value.starts_with(VERSION)
    }

    pub fn seal(&self, row_id: &str, plain: &str) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        random_bytes(&mut nonce);
        let mut buf = plain.as_bytes().to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(row_id.as_bytes()),
                &mut buf,
            )
            .expect("sealing a short value cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&buf);
        format!("{VERSION}{}", STANDARD.encode(out))
    }

    pub fn open(&self, row_id: &str, sealed: &str) -> Result<String, Unsealable> {
        let raw = sealed
            .strip_prefix(VERSION)
            .and_then(|b| STANDARD.decode(b).ok())
            .ok_or(Unsealable)?;
        if raw.len() < NONCE_LEN {
            return Err(Unsealable);
        }
        let (nonce, rest) = raw.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| Unsealable)?;
        let mut buf = rest.to_vec();
        let plain = self
            .key
            .open_in_place(nonce, Aad::from(row_id.as_bytes()), &mut buf)
            .map_err(|_| Unsealable)?;
        String::from_utf8(plain.to_vec()).map_err(|_| Unsealable)
    }
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

/// The id an endpoint had before ids took the `whk_` prefix (migration
/// 0008): its secrets were sealed with that one.
fn legacy_id(id: &str) -> Option<String> {
    id.strip_prefix("whk_").map(|rest| format!("wh_{rest}"))
}

/// Seals again, under its current id, every secret that opens only under
/// the endpoint's former `wh_` id. Run at start-up, before the worker;
/// endpoints are few, and a secret already sealed right is left alone.
pub async fn reseal_renamed(db: &Db, sealer: &Sealer) -> Result<u64, sqlx::Error> {
    let mut resealed = 0;
    for (id, current, previous) in webhooks::sealed_secrets(db).await? {
        let Some(old) = legacy_id(&id) else { continue };
        let again = |sealed: &str| match sealer.open(&id, sealed) {
            Ok(_) => None,
            Err(_) => sealer
                .open(&old, sealed)
                .ok()
                .map(|secret| sealer.seal(&id, &secret)),
        };
        let (new_current, new_previous) = (again(&current), previous.as_deref().and_then(again));
        if new_current.is_some() || new_previous.is_some() {
            let current = new_current.unwrap_or(current);
            let previous = new_previous.or(previous);
            webhooks::replace_sealed(db, &id, &current, previous.as_deref()).await?;
            resealed += 1;
        }
    }
    Ok(resealed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_what_it_sealed_and_nothing_else() {
        let s = Sealer::ephemeral();
        let sealed = s.seal("wh_1", "whsec_abc");
        assert!(!sealed.contains("whsec_abc"));
        assert_eq!(s.open("wh_1", &sealed).unwrap(), "whsec_abc");
        assert_ne!(sealed, s.seal("wh_1", "whsec_abc"), "fresh nonce each time");
        assert!(s.open("wh_2", &sealed).is_err(), "bound to its row");
        assert!(Sealer::ephemeral().open("wh_1", &sealed).is_err());
        let mut tampered = sealed.clone();
        tampered.pop();
        tampered.push('A');
        assert!(s.open("wh_1", &tampered).is_err());
    }

    #[test]
    fn the_key_file_is_created_once_and_reused() {
        let dir = std::env::temp_dir().join(format!("livreur-key-{}", std::process::id()));
        let path = dir.join("livreur.key");
        let _ = std::fs::remove_dir_all(&dir);
        let first = Sealer::load_or_create(&path).unwrap();
        let sealed = first.seal("wh_1", "x");
        let again = Sealer::load_or_create(&path).unwrap();
        assert_eq!(again.open("wh_1", &sealed).unwrap(), "x");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(&path, "short").unwrap();
        assert!(Sealer::load_or_create(&path).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
