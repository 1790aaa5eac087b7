//! The rules of the product. Server functions, REST handlers and the command
//! line call these; these call the `db` module. Each service function does
//! its authorization and validation, opens the transaction, and writes the
//! audit entry alongside the change.

pub mod admins;
pub mod api_keys;
pub mod audit;
pub mod auth;
pub mod jobs;
pub mod locations;
pub mod merchant_users;
pub mod merchants;
pub mod organization;
pub mod webhooks;

use crate::error::AppError;
use crate::model::SessionUser;
use crate::server::db::audit::Actor;

/// Every organization service starts here: only administrators pass.
pub(crate) fn require_admin(actor: &SessionUser) -> Result<(), AppError> {
    if actor.is_admin() {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The audit log's view of a signed-in user acting from `ip`.
pub(crate) fn actor_of(user: &SessionUser, ip: Option<String>) -> Actor {
    Actor {
        user_id: Some(user.id.clone()),
        label: user.email.clone(),
        ip,
    }
}
