//! API Auth Keys: their format, checksum and stored hash.
//!
//! A key reads `lvr_` + 52 base32 characters (32 random bytes) + 7 base32
//! characters of checksum. The prefix makes a leaked key easy to recognise
//! (secret scanners, logs); the checksum (the first 32 bits of SHA-256 over
//! prefix and body) lets the server refuse a mistyped or truncated key
//! without touching the database. Only SHA-256 of the whole key is stored:
//! 256 random bits leave nothing to brute-force, so a slow password hash
//! would only cost time on every request.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::ids;

pub const PREFIX: &str = "lvr_";
const BODY_LEN: usize = 52;
const CHECKSUM_LEN: usize = 7;
pub const KEY_LEN: usize = PREFIX.len() + BODY_LEN + CHECKSUM_LEN;
/// Lower-case Crockford base32: no i, l, o, u, so no look-alike characters.
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// A freshly made key: the secret to show once, and what is stored.
pub struct NewKey {
    pub key: String,
    pub hash: String,
    pub hint: String,
}

pub fn generate() -> NewKey {
    let mut bytes = [0u8; 32];
    ids::random_bytes(&mut bytes);
    let mut key = String::with_capacity(KEY_LEN);
    key.push_str(PREFIX);
    key.push_str(&base32(&bytes, BODY_LEN));
    let checksum = checksum(&key);
    key.push_str(&checksum);
    NewKey {
        hash: hash(&key),
        hint: hint(&key),
        key,
    }
}

/// True when `key` has the shape of a key and its checksum matches.
pub fn is_well_formed(key: &str) -> bool {
    if key.len() != KEY_LEN || !key.starts_with(PREFIX) {
        return false;
    }
    if !key[PREFIX.len()..].bytes().all(|b| ALPHABET.contains(&b)) {
        return false;
    }
    let (head, sum) = key.split_at(KEY_LEN - CHECKSUM_LEN);
    // Not secret, but constant time costs nothing here.
    bool::from(checksum(head).as_bytes().ct_eq(sum.as_bytes()))
}

/// The stored form: hex SHA-256 of the whole key.
pub fn hash(key: &str) -> String {
    ids::token_hash(key)
}

/// The last four characters, shown in lists so people can tell keys apart.
pub fn hint(key: &str) -> String {
    key[key.len().saturating_sub(4)..].to_owned()
}

/// Compares two public values (Account IDs) in constant time, so the time
/// an answer takes says nothing about how much of a guess was right.
pub fn same(a: &str, b: &str) -> bool {
    bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

fn checksum(head: &str) -> String {
    let digest = Sha256::digest(head.as_bytes());
    base32(&digest[..4], CHECKSUM_LEN)
}

/// Big-endian base32 of `bytes`, `len` characters (the last one padded
/// with zero bits).
fn base32(bytes: &[u8], len: usize) -> String {
    let mut out = String::with_capacity(len);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for &b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((acc >> bits) & 31) as usize] as char);
        }
        acc &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(ALPHABET[((acc << (5 - bits)) & 31) as usize] as char);
    }
    debug_assert_eq!(out.len(), len);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_are_well_formed_and_distinct() {
        let a = generate();
        let b = generate();
        assert_eq!(a.key.len(), KEY_LEN);
        assert!(a.key.starts_with("lvr_"));
        assert!(is_well_formed(&a.key), "{}", a.key);
        assert_ne!(a.key, b.key);
        assert_eq!(a.hash, hash(&a.key));
        assert_eq!(a.hash.len(), 64);
        assert_eq!(a.hint, a.key[a.key.len() - 4..]);
    }

    #[test]
    fn any_changed_character_fails_the_checksum() {
        let key = generate().key;
        for i in PREFIX.len()..key.len() {
            for &c in ALPHABET {
                let mut bytes = key.clone().into_bytes();
                if bytes[i] == c {
                    continue;
                }
                bytes[i] = c;
                let changed = String::from_utf8(bytes).unwrap();
                assert!(!is_well_formed(&changed), "accepted {changed} (from {key})");
            }
        }
    }

    #[test]
    fn truncated_extended_and_foreign_keys_are_refused() {
        let key = generate().key;
        assert!(!is_well_formed(&key[..key.len() - 1]));
        assert!(!is_well_formed(&format!("{key}0")));
        assert!(!is_well_formed(&key.to_uppercase()));
        assert!(!is_well_formed(&key.replacen("lvr_", "abc_", 1)));
        assert!(!is_well_formed(""));
        // Same length, outside the alphabet (multi-byte characters too).
        let odd: String = key.chars().take(KEY_LEN - 2).chain("é".chars()).collect();
        assert_eq!(odd.len(), KEY_LEN);
        assert!(!is_well_formed(&odd));
    }

    #[test]
    fn swapped_neighbours_fail_the_checksum() {
        let key = generate().key;
        let bytes = key.as_bytes();
        for i in PREFIX.len()..key.len() - 1 {
            if bytes[i] == bytes[i + 1] {
                continue;
            }
            let mut swapped = bytes.to_vec();
            swapped.swap(i, i + 1);
            assert!(!is_well_formed(std::str::from_utf8(&swapped).unwrap()));
        }
    }

    #[test]
    fn base32_is_exact() {
        assert_eq!(base32(&[0; 4], 7), "0000000");
        assert_eq!(base32(&[0xFF; 4], 7), "zzzzzzr");
        assert_eq!(base32(&[0x08, 0x42, 0x10, 0x84], 7), "1111110");
    }

    #[test]
    fn constant_time_comparison_compares() {
        assert!(same("acct_1", "acct_1"));
        assert!(!same("acct_1", "acct_2"));
        assert!(!same("acct_1", "acct_10"));
    }
}
