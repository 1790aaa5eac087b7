//! API credentials as the API settings page and the REST API see them.

use serde::{Deserialize, Serialize};

wire_enum!(
    /// What a key may do (docs/api-keys.md): everything its owner may, or
    /// only read (`GET` and `HEAD`).
    #[derive(Default)]
    KeyScope {
        #[default]
        ReadWrite = "read_write",
        ReadOnly = "read_only",
    }
);

wire_enum!(
    /// The lifetimes offered when a key is made in the browser.
    #[derive(Default)]
    KeyLifetime {
        #[default]
        Never = "never",
        Days30 = "30",
        Days90 = "90",
        Days365 = "365",
    }
);

impl KeyLifetime {
    /// Days, or `None` for a key that does not expire.
    pub const fn days(self) -> Option<u32> {
        match self {
            KeyLifetime::Never => None,
            KeyLifetime::Days30 => Some(30),
            KeyLifetime::Days90 => Some(90),
            KeyLifetime::Days365 => Some(365),
        }
    }

    /// The choices allowed under `max_days` (`LIVREUR_API_KEY_MAX_DAYS`):
    /// no "never", nothing longer.
    pub fn offered(max_days: Option<u32>) -> Vec<KeyLifetime> {
        KeyLifetime::ALL
            .iter()
            .copied()
            .filter(|l| match (max_days, l.days()) {
                (None, _) => true,
                (Some(_), None) => false,
                (Some(max), Some(d)) => d <= max,
            })
            .collect()
    }
}

/// A key expiring within this many days is flagged on API settings.
pub const EXPIRING_SOON_DAYS: i64 = 7;
/// The most networks one key's allow-list may hold.
pub const MAX_ALLOWED_NETS: usize = 20;
/// The longest allow-list text accepted (before it is checked).
pub const MAX_ALLOWED_NETS_TEXT: usize = 2_000;

/// One active key. The key itself is never stored; `hint` is its last four
/// characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyInfo {
    pub id: String,
    pub hint: String,
    pub scope: KeyScope,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    /// The client address of the last use (written at most once a minute).
    pub last_used_ip: Option<String>,
    /// `None`: valid until rolled or revoked.
    pub expires_at: Option<i64>,
    /// Expires within [`EXPIRING_SOON_DAYS`].
    pub expiring_soon: bool,
    /// The networks it may be used from; empty: anywhere.
    pub allowed_nets: Vec<String>,
    /// Requests per UTC day, the last 30 days, oldest first (today last).
    pub requests_30d: Vec<i64>,
}

/// What is chosen when a key is made in the browser (generate or roll);
/// by default read and write, no expiry, from anywhere.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyChoice {
    pub scope: KeyScope,
    pub lifetime: KeyLifetime,
    /// CIDR networks or single addresses, one per line or comma separated;
    /// empty: anywhere.
    pub allowed_nets: String,
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
    /// The lifetimes a new key may have here.
    pub lifetimes: Vec<KeyLifetime>,
    /// `LIVREUR_API_KEY_MAX_DAYS`, to say so beside the choice.
    pub max_days: Option<u32>,
}

/// A key just made: the only time `key` leaves the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedKey {
    pub account_id: String,
    pub key_id: String,
    pub key: String,
    pub hint: String,
    pub scope: KeyScope,
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
    /// The active keys, oldest first: what the table shows of each.
    pub keys: Vec<KeyBrief>,
    pub last_used_at: Option<i64>,
    /// Requests per UTC day, the last 7 days, oldest first (today last).
    pub requests_7d: Vec<i64>,
}

/// A key as the administrators' list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyBrief {
    pub hint: String,
    pub scope: KeyScope,
    pub expires_at: Option<i64>,
    pub expiring_soon: bool,
}
