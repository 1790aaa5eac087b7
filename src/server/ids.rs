//! Identifiers and secrets.
//!
//! Public ids are a type prefix and 26 Crockford base32 characters: 48 bits
//! of milliseconds then 80 random bits, so ids sort by creation time (good
//! for index locality and stable pagination) and cannot be guessed.
//! Secret tokens (session cookies) are 32 random bytes; only their SHA-256
//! is stored, so a database leak does not hand out live sessions.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use std::sync::Mutex;

const CROCKFORD: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// Fills `buf` from the operating system's CSPRNG. There is no sensible way
/// to go on without randomness, so a failure here is fatal.
pub fn random_bytes(buf: &mut [u8]) {
    getrandom::getrandom(buf).expect("the operating system's random generator failed");
}

/// A new id such as `usr_01jd…`, time-ordered. Within one process ids are
/// strictly increasing even inside one millisecond (the random part of the
/// previous id is incremented, as monotonic ULIDs do), so events recorded
/// in quick succession keep their order.
pub fn new_id(prefix: &str, now_ms: i64) -> String {
    static LAST: Mutex<(i64, [u8; 10])> = Mutex::new((i64::MIN, [0; 10]));
    let mut random = [0u8; 10];
    random_bytes(&mut random);
    let (ms, random) = {
        let mut last = LAST.lock().unwrap_or_else(|e| e.into_inner());
        let ms = now_ms.max(last.0);
        if ms == last.0 {
            random = last.1;
            increment(&mut random);
        }
        *last = (ms, random);
        (ms, random)
    };
    encode_id(prefix, ms, random)
}

/// Adds one to a big-endian number, wrapping (2^80 ids in one millisecond
/// will not happen).
fn increment(bytes: &mut [u8; 10]) {
    for b in bytes.iter_mut().rev() {
        let (next, overflow) = b.overflowing_add(1);
        *b = next;
        if !overflow {
            break;
        }
    }
}

fn encode_id(prefix: &str, now_ms: i64, random: [u8; 10]) -> String {
    let mut value: u128 = (now_ms as u128 & 0xFFFF_FFFF_FFFF) << 80;
    for (i, b) in random.iter().enumerate() {
        value |= (*b as u128) << (8 * (9 - i));
    }
    let mut out = String::with_capacity(prefix.len() + 27);
    out.push_str(prefix);
    out.push('_');
    // 128 bits in 26 five-bit digits: the first digit carries 3 bits.
    for i in (0..26).rev() {
        let digit = ((value >> (5 * i)) & 0x1F) as usize;
        out.push(CROCKFORD[digit] as char);
    }
    out
}

/// Whether `text` has the shape of an id with `prefix` (see [`new_id`]).
/// Lookups check it first: anything else cannot exist, and need not reach
/// the database (PostgreSQL refuses NUL characters outright).
pub fn is_id(prefix: &str, text: &str) -> bool {
    text.strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('_'))
        .is_some_and(|body| body.len() == 26 && body.bytes().all(|b| CROCKFORD.contains(&b)))
}

/// A fresh secret token, URL-safe.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    random_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The stored form of a token: hex SHA-256. A fast hash is right here: the
/// token has 256 bits of entropy, so there is nothing to brute-force.
pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    let mut hex = String::with_capacity(64);
    for b in digest {
        hex.push_str(&format!("{b:02x}"));
    }
    hex
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_recognised_by_shape() {
        let id = new_id("job", 1_796_000_000_000);
        assert!(is_id("job", &id));
        assert!(!is_id("act", &id));
        assert!(!is_id("job", "job_x"));
        assert!(!is_id("job", &format!("{id}\u{0}")));
        assert!(!is_id("job", &id.to_uppercase()));
    }

    #[test]
    fn ids_have_prefix_and_fixed_length() {
        let id = new_id("usr", 1_764_000_000_000);
        assert!(id.starts_with("usr_"));
        assert_eq!(id.len(), 4 + 26);
        assert!(id[4..].bytes().all(|c| CROCKFORD.contains(&c)));
    }

    #[test]
    fn ids_sort_by_time() {
        let a = encode_id("job", 1_000, [0xFF; 10]);
        let b = encode_id("job", 1_001, [0x00; 10]);
        assert!(a < b, "{a} should sort before {b}");
    }

    #[test]
    fn ids_increase_within_a_millisecond_and_when_the_clock_steps_back() {
        let mut previous = new_id("aud", 2_000_000);
        for i in 0..1000 {
            // Every 100th id claims an earlier time: order still holds.
            let now = if i % 100 == 0 { 1_000_000 } else { 2_000_000 };
            let id = new_id("aud", now);
            assert!(id > previous, "{id} should sort after {previous}");
            previous = id;
        }
    }

    #[test]
    fn increment_carries() {
        let mut b = [0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xFF];
        increment(&mut b);
        assert_eq!(b, [0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x00]);
    }

    #[test]
    fn ids_differ_by_randomness() {
        assert_ne!(new_id("job", 5), new_id("job", 5));
    }

    #[test]
    fn encoding_is_exact() {
        assert_eq!(encode_id("x", 0, [0; 10]), "x_00000000000000000000000000");
        assert_eq!(
            encode_id("x", 0, [0, 0, 0, 0, 0, 0, 0, 0, 0, 31]),
            "x_0000000000000000000000000z"
        );
    }

    #[test]
    fn tokens_are_long_and_hash_deterministically() {
        let t = new_token();
        assert_eq!(t.len(), 43);
        assert_eq!(token_hash(&t), token_hash(&t));
        assert_ne!(token_hash(&t), token_hash(&new_token()));
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
