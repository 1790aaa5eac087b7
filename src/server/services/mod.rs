//! The rules of the product. Server functions, REST handlers and the command
//! line call these; these call the `db` module. Each service function does
//! its authorization and validation, opens the transaction, and writes the
//! audit entry alongside the change.

pub mod admins;
pub mod api_keys;
pub mod audit;
pub mod auth;
pub mod jobs;
pub mod key_notices;
pub mod locations;
pub mod merchant_users;
pub mod merchants;
pub mod organization;
pub mod overview;
pub mod reauth;
pub mod sessions;
pub mod two_factor;
pub mod user_links;
pub mod webhook_ops;
pub mod webhooks;

use crate::error::AppError;
use crate::model::SessionUser;
use crate::server::db::audit::Actor;

/// Who is calling a service, and through which door: a signed-in user in
/// the browser, or an API account's key. Every service takes one, checks
/// it first, and names it in the audit log and in webhook payloads.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: SessionUser,
    /// The client's address, for the audit log.
    pub ip: Option<String>,
    /// The API key that made the request; `None` in the browser.
    pub key: Option<KeyRef>,
}

/// The API key behind a request: its account, and the key itself (the
/// rate limit counts per key).
#[derive(Debug, Clone)]
pub struct KeyRef {
    pub account_id: String,
    pub key_id: String,
    /// What the key may do (the route policy applies it).
    pub scope: crate::model::api::KeyScope,
}

impl Caller {
    /// A signed-in user in the browser.
    pub fn browser(user: SessionUser, ip: Option<String>) -> Caller {
        Caller {
            user,
            ip,
            key: None,
        }
    }

    /// The API account whose key made the request.
    pub fn account_id(&self) -> Option<&str> {
        self.key.as_ref().map(|k| k.account_id.as_str())
    }

    pub fn is_admin(&self) -> bool {
        self.user.is_admin()
    }

    /// Every organization service starts here: only administrators pass.
    pub fn require_admin(&self) -> Result<(), AppError> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// How webhook payloads name the caller.
    pub fn payload(&self) -> serde_json::Value {
        serde_json::json!({
            "user_id": self.user.id,
            "role": self.user.role.as_str(),
            "account_id": self.account_id(),
        })
    }

    /// The audit log's view of this caller.
    pub fn audit(&self) -> Actor {
        Actor {
            user_id: Some(self.user.id.clone()),
            label: self.user.email.clone(),
            ip: self.ip.clone(),
        }
    }
}
