//! The second factor as the screens see it (docs/people.md).

use serde::{Deserialize, Serialize};

/// What an authenticator app needs: the QR code, and the secret in text
/// for typing in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolment {
    /// Base32, as apps take it typed.
    pub secret: String,
    pub otpauth_url: String,
    /// The QR code of `otpauth_url`, an SVG image.
    pub qr_svg: String,
    /// The recovery codes that come into force with it: shown on the setup
    /// page until it is turned on, never after.
    pub recovery_codes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorStatus {
    pub enabled: bool,
    /// Administrators may not turn it off when it is required.
    pub required: bool,
    pub recovery_codes_left: i64,
}
