//! A browser session as its owner sees it on the profile page.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    /// Names the session to its owner (not its stored hash).
    pub id: String,
    /// This browser.
    pub current: bool,
    /// "Firefox · Linux", from the browser's own description.
    pub device: String,
    pub ip: Option<String>,
    pub created_at: i64,
    pub last_seen_at: i64,
}
