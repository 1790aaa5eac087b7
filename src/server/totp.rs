//! The second factor's arithmetic (docs/people.md): TOTP codes (RFC 6238,
//! SHA-1, 6 digits, 30-second steps, as authenticator apps expect) from
//! totp-rs, the QR code of the `otpauth://` address from qrcode, and
//! single-use recovery codes. Nothing here touches the database.

use subtle::ConstantTimeEq;
use totp_rs::{Algorithm, Builder, Secret, Totp};

use super::clock::Millis;
use super::ids;

/// Seconds per code.
pub const STEP_SECS: u64 = 30;
/// Codes of the step before and after the current one are accepted too
/// (clocks drift, people type slowly).
const SKEW_STEPS: u64 = 1;
pub const RECOVERY_CODES: usize = 10;
const ISSUER: &str = "Livreur";

/// A fresh secret: 160 random bits, as RFC 4226 recommends.
pub fn new_secret() -> Vec<u8> {
    let mut secret = vec![0u8; 20];
    ids::random_bytes(&mut secret);
    secret
}

fn totp(secret: &[u8], account: &str) -> Option<Totp> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(0)
        .with_step_duration(STEP_SECS)
        .with_secret(secret.to_vec())
        .with_issuer(Some(ISSUER))
        .with_account_name(account.replace(':', ""))
        .build()
        .ok()
}

/// The secret as people type it into an app: base32.
pub fn encoded(secret: &[u8]) -> String {
    Secret::from(secret.to_vec()).to_base32()
}

/// The `otpauth://totp/…` address an authenticator app reads from the QR
/// code.
pub fn otpauth_url(secret: &[u8], account: &str) -> String {
    totp(secret, account)
        .and_then(|t| t.to_url().ok())
        .unwrap_or_default()
}

/// The QR code of `text` as an SVG image (dark modules on white).
pub fn qr_svg(text: &str) -> String {
    match qrcode::QrCode::new(text.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    }
}

/// The code of a step (for tests and for checking).
pub fn code_at_step(secret: &[u8], step: u64) -> String {
    totp(secret, "x")
        .map(|t| t.generate(step * STEP_SECS).to_string())
        .unwrap_or_default()
}

/// The step whose code `code` is, among the current one and its
/// neighbours, if it comes after `last_step` (a code is never accepted
/// twice, nor one older than the last accepted).
pub fn matching_step(secret: &[u8], code: &str, now: Millis, last_step: u64) -> Option<u64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let current = (now.max(0) as u64) / 1000 / STEP_SECS;
    (current.saturating_sub(SKEW_STEPS)..=current + SKEW_STEPS)
        .filter(|step| *step > last_step)
        .find(|step| {
            bool::from(
                code_at_step(secret, *step)
                    .as_bytes()
                    .ct_eq(code.as_bytes()),
            )
        })
}

/// Ten fresh recovery codes, `xxxx-xxxx-xxxx` (60 random bits each, no
/// look-alike characters): shown once, stored as hashes.
pub fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 12];
            ids::random_bytes(&mut bytes);
            let chars: Vec<char> = bytes
                .iter()
                .map(|b| ALPHABET[(*b & 31) as usize] as char)
                .collect();
            chars
                .chunks(4)
                .map(|c| c.iter().collect::<String>())
                .collect::<Vec<_>>()
                .join("-")
        })
        .collect()
}

/// A recovery code as typed, in the form it was hashed in: lower case,
/// without spaces or dashes.
pub fn normalized_recovery_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .take(64)
        .collect()
}

/// The stored form of a recovery code.
pub fn recovery_hash(code: &str) -> String {
    ids::token_hash(&format!("recovery:{}", normalized_recovery_code(code)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rfc_6238_test_vector() {
        // RFC 6238, appendix B: SHA-1, secret "12345678901234567890",
        // T = 59 s gives 94287082 (8 digits); its last 6 are 287082.
        let secret = b"12345678901234567890";
        assert_eq!(code_at_step(secret, 59 / STEP_SECS), "287082");
        assert_eq!(code_at_step(secret, 1111111109 / STEP_SECS), "081804");
    }

    #[test]
    fn codes_match_within_a_step_and_never_twice() {
        let secret = new_secret();
        let now: Millis = 1_800_000_000_000;
        let step = (now as u64) / 1000 / STEP_SECS;
        let code = code_at_step(&secret, step);
        assert_eq!(matching_step(&secret, &code, now, 0), Some(step));
        assert_eq!(
            matching_step(&secret, &format!("{} {}", &code[..3], &code[3..]), now, 0),
            Some(step)
        );
        // Replayed: the step is no longer after the last accepted.
        assert_eq!(matching_step(&secret, &code, now, step), None);
        // The previous and next steps are accepted; two away is not.
        let previous = code_at_step(&secret, step - 1);
        assert_eq!(matching_step(&secret, &previous, now, 0), Some(step - 1));
        let old = code_at_step(&secret, step - 2);
        assert_eq!(matching_step(&secret, &old, now, 0), None);
        for bad in ["", "12345", "1234567", "abcdef"] {
            assert_eq!(matching_step(&secret, bad, now, 0), None);
        }
    }

    #[test]
    fn setup_material_is_what_apps_read() {
        let secret = new_secret();
        let encoded = encoded(&secret);
        assert_eq!(encoded.len(), 32);
        let url = otpauth_url(&secret, "ana@example.com");
        assert!(
            url.starts_with("otpauth://totp/Livreur:ana%40example.com?"),
            "{url}"
        );
        assert!(url.contains(&format!("secret={encoded}")), "{url}");
        let svg = qr_svg(&url);
        assert!(
            svg.starts_with("<?xml") && svg.contains("<svg"),
            "{}",
            &svg[..40]
        );
    }

    #[test]
    fn recovery_codes_are_distinct_and_forgiving_to_type() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), RECOVERY_CODES);
        assert_eq!(codes[0].len(), 14);
        let typed = codes[0].to_uppercase().replace('-', " ");
        assert_eq!(recovery_hash(&typed), recovery_hash(&codes[0]));
        assert_ne!(recovery_hash(&codes[1]), recovery_hash(&codes[0]));
    }
}
