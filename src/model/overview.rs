//! The administrator's overview (docs/webhooks.md, Overview): what needs
//! attention, at a glance, each part linking to where it is handled.

use serde::{Deserialize, Serialize};

use super::webhook::Webhook;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminOverview {
    /// Endpoints failing or disabled, with their alert if any.
    pub endpoints: Vec<Webhook>,
    /// API keys expiring within 7 days, soonest first.
    pub expiring_keys: Vec<ExpiringKey>,
    /// Merchant users with API access: how many, and the first few.
    pub api_users_total: i64,
    pub api_users: Vec<ApiUser>,
    /// Today (`YYYY-MM-DD`, in the organization's time zone) and its jobs
    /// by status, in the order of the statuses.
    pub today: String,
    pub jobs_today: Vec<(String, i64)>,
}

/// A key about to stop working, and whose it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpiringKey {
    pub hint: String,
    pub expires_at: i64,
    pub user_id: String,
    pub display_name: String,
    /// `None` for an administrator's own key.
    pub merchant_id: Option<String>,
    pub merchant_name: Option<String>,
}

/// A merchant user who may call the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiUser {
    pub user_id: String,
    pub display_name: String,
    pub email: String,
    pub merchant_id: String,
    pub merchant_name: String,
}
