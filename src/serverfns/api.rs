//! API settings (Integrations > API): a user's own Account ID and keys,
//! and the administrators' list of API accounts. Keys are made and rolled
//! only by their owner, here; administrators issue keys for others through
//! the REST API or the command line.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::api::{ApiAccountRow, IssuedKey, KeyChoice, OwnApiAccess};

#[cfg(feature = "ssr")]
use super::{as_admin, as_role};
#[cfg(feature = "ssr")]
use crate::model::Role;

/// Those who may hold API credentials. Level 1 users get 403: the page
/// tells them so without calling.
#[cfg(feature = "ssr")]
const KEY_HOLDERS: &[Role] = &[Role::Admin, Role::MerchantL2];

/// When the caller last proved who they are, read before any `.await`
/// (docs/people.md, re-authentication).
#[cfg(feature = "ssr")]
pub(crate) fn proven_at() -> Option<i64> {
    crate::server::auth::current_session().map(|s| s.proven_at)
}

#[server(prefix = "/_fn", endpoint = "my_api_access", input = Json)]
pub async fn my_api_access() -> Result<OwnApiAccess, AppError> {
    use crate::server::services::api_keys;
    // Read from the request before any `.await`: the reactive context that
    // carries it is not reachable once the future has been suspended.
    let host = crate::server::auth::request_parts().ok().and_then(|p| {
        p.headers
            .get(axum::http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| h.len() <= 255 && h.bytes().all(|b| b.is_ascii_graphic()))
            .map(str::to_owned)
    });
    as_role(KEY_HOLDERS, |state, caller| async move {
        let mut access = api_keys::my_access(&state, &caller).await?;
        // Without a configured public URL, the address the browser used is
        // the best guess for the example (shown only to the caller).
        if state.settings.public_origin().is_none()
            && let Some(host) = host
        {
            access.base_url = format!("http://{host}");
        }
        Ok(access)
    })
    .await
}

/// A key for the caller's own account, with the scope, lifetime and
/// allow-list chosen.
#[server(prefix = "/_fn", endpoint = "generate_api_key", input = Json)]
pub async fn generate_api_key(choice: KeyChoice) -> Result<IssuedKey, AppError> {
    use crate::server::services::{api_keys, reauth};
    let proven = proven_at();
    as_role(KEY_HOLDERS, |state, caller| async move {
        reauth::require_recent(&state, proven)?;
        api_keys::generate(&state, &caller, &choice).await
    })
    .await
}

/// `grace`: `now`, `one_hour`, `one_day` or `seven_days`; `choice`: what
/// the new key is to be.
#[server(prefix = "/_fn", endpoint = "roll_api_key", input = Json)]
pub async fn roll_api_key(
    key_id: String,
    grace: String,
    choice: KeyChoice,
) -> Result<IssuedKey, AppError> {
    use crate::model::api::RollGrace;
    use crate::server::services::{api_keys, reauth};
    let proven = proven_at();
    as_role(KEY_HOLDERS, |state, caller| async move {
        reauth::require_recent(&state, proven)?;
        let grace =
            RollGrace::parse(&grace).ok_or_else(|| AppError::field("grace", "invalid_choice"))?;
        api_keys::roll(&state, &caller, &key_id, grace, &choice).await
    })
    .await
}

/// The networks one of the caller's keys may be used from; an empty text
/// lifts the restriction. Returns the list as stored.
#[server(prefix = "/_fn", endpoint = "set_api_key_nets", input = Json)]
pub async fn set_api_key_nets(
    key_id: String,
    allowed_nets: String,
) -> Result<Vec<String>, AppError> {
    use crate::server::services::api_keys;
    as_role(KEY_HOLDERS, |state, caller| async move {
        api_keys::set_allowed_nets(&state, &caller, &key_id, &allowed_nets).await
    })
    .await
}

#[server(prefix = "/_fn", endpoint = "revoke_api_key", input = Json)]
pub async fn revoke_api_key(key_id: String) -> Result<(), AppError> {
    use crate::server::services::{api_keys, reauth};
    let proven = proven_at();
    as_role(KEY_HOLDERS, |state, caller| async move {
        reauth::require_recent(&state, proven)?;
        api_keys::revoke(&state, &caller, &key_id).await
    })
    .await
}

#[server(prefix = "/_fn", endpoint = "list_api_accounts", input = Json)]
pub async fn list_api_accounts() -> Result<Vec<ApiAccountRow>, AppError> {
    use crate::server::services::api_keys;
    as_admin(|state, caller| async move { api_keys::accounts(&state, &caller).await }).await
}

/// The API reference: the OpenAPI document flattened for the reference
/// page. The document itself is public; the page is for signed-in users.
#[server(prefix = "/_fn", endpoint = "api_reference", input = Json)]
pub async fn api_reference() -> Result<crate::model::reference::Reference, AppError> {
    use crate::model::reference::Reference;
    use std::sync::OnceLock;
    static REFERENCE: OnceLock<Reference> = OnceLock::new();
    as_role(
        &[Role::Admin, Role::MerchantL1, Role::MerchantL2],
        |_, _| async move {
            Ok(REFERENCE
                .get_or_init(
                    || crate::server::api::reference::build(crate::server::api::document()),
                )
                .clone())
        },
    )
    .await
}
