//! API credentials as the API settings page and the REST API see them.

use serde::{Deserialize, Serialize};

/// One active key. The key itself is never stored; `hint` is its last four
/// characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyInfo {
    pub id: String,
    pub hint: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    /// `None`: valid until rolled or revoked.
    pub expires_at: Option<i64>,
}

/// What the API settings page shows the signed-in user about themselves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnApiAccess {
    /// Administrators always may; Merchant Level 2 users once granted.
    pub enabled: bool,
    /// The Account ID, once there is an account.
    pub account_id: Option<String>,
    pub keys: Vec<ApiKeyInfo>,
    /// Where the API is served, for the ready-to-paste example.
    pub base_url: String,
}

/// A key just made: the only time `key` leaves the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedKey {
    pub account_id: String,
    pub key_id: String,
    pub key: String,
    pub hint: String,
    pub expires_at: Option<i64>,
}

wire_enum!(
    /// How long a rolled key keeps working beside its replacement.
    RollGrace {
        Now = "now",
        OneHour = "one_hour",
        OneDay = "one_day",
        SevenDays = "seven_days",
    }
);

impl RollGrace {
    pub const fn millis(self) -> i64 {
        match self {
            RollGrace::Now => 0,
            RollGrace::OneHour => 3_600_000,
            RollGrace::OneDay => 86_400_000,
            RollGrace::SevenDays => 7 * 86_400_000,
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        s.parse().ok()
    }
}

/// A row of the administrators' API settings table: a merchant user with
/// API access.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiAccountRow {
    pub account_id: String,
    pub user_id: String,
    pub email: String,
    pub display_name: String,
    pub merchant_id: String,
    pub business_name: String,
    pub active_keys: i64,
    pub last_used_at: Option<i64>,
    /// Requests per UTC day, the last 7 days, oldest first (today last).
    pub requests_7d: Vec<i64>,
}
