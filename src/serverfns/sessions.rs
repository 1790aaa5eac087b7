//! The signed-in user's sessions (profile), and an administrator ending a
//! merchant user's sessions.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::sessions::SessionInfo;

#[cfg(feature = "ssr")]
use super::{as_admin, as_role};
#[cfg(feature = "ssr")]
use crate::model::Role;

/// Every role has sessions of their own.
#[cfg(feature = "ssr")]
const EVERYONE: &[Role] = &[Role::Admin, Role::MerchantL1, Role::MerchantL2];

/// The hash of the caller's own session, read before any `.await`.
#[cfg(feature = "ssr")]
fn current_hash() -> String {
    crate::server::auth::current_session()
        .map(|s| s.token_hash)
        .unwrap_or_default()
}

#[server(prefix = "/_fn", endpoint = "my_sessions", input = Json)]
pub async fn my_sessions() -> Result<Vec<SessionInfo>, AppError> {
    use crate::server::services::sessions;
    let current = current_hash();
    as_role(EVERYONE, |state, caller| async move {
        sessions::mine(&state, &caller, &current).await
    })
    .await
}

#[server(prefix = "/_fn", endpoint = "end_session", input = Json)]
pub async fn end_session(id: String) -> Result<(), AppError> {
    use crate::server::services::sessions;
    as_role(EVERYONE, |state, caller| async move {
        sessions::end_mine(&state, &caller, &id).await
    })
    .await
}

#[server(prefix = "/_fn", endpoint = "end_other_sessions", input = Json)]
pub async fn end_other_sessions() -> Result<u64, AppError> {
    use crate::server::services::sessions;
    let current = current_hash();
    as_role(EVERYONE, |state, caller| async move {
        sessions::end_others(&state, &caller, &current).await
    })
    .await
}

#[server(prefix = "/_fn", endpoint = "end_user_sessions", input = Json)]
pub async fn end_user_sessions(user_id: String) -> Result<u64, AppError> {
    use crate::server::services::sessions;
    as_admin(
        |state, caller| async move { sessions::end_all_of_user(&state, &caller, &user_id).await },
    )
    .await
}

/// "Confirm it's you": the password (and a code, with a second factor)
/// before a sensitive action, when the last proof is too old.
#[server(prefix = "/_fn", endpoint = "confirm_identity", input = Json)]
pub async fn confirm_identity(password: String, code: String) -> Result<(), AppError> {
    use crate::server::services::reauth;
    let current = current_hash();
    as_role(EVERYONE, |state, caller| async move {
        reauth::confirm(&state, &caller, &current, &password, &code).await
    })
    .await
}
