//! Organization screens: the organization's settings, locations, merchants,
//! merchant users and their API access. Administrators only: every function refuses anyone else (403)
//! before reading anything. Arguments travel as JSON (nested forms).

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::model::org::{
    Location, LocationIn, Merchant, MerchantIn, MerchantQuery, MerchantRow, MerchantUser,
    MerchantUserIn, MerchantUserPatch, Page,
};
use crate::model::organization::{Organization, OrganizationPatch};

/// A merchant's page: the merchant, its users, and every location (for
/// names and for the edit form).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerchantDetail {
    pub merchant: Merchant,
    pub users: Vec<MerchantUser>,
    pub locations: Vec<Location>,
}

#[cfg(feature = "ssr")]
use super::as_admin;

#[server(prefix = "/_fn", endpoint = "list_locations", input = Json)]
pub async fn list_locations() -> Result<Vec<Location>, AppError> {
    use crate::server::services::locations;
    as_admin(|state, caller| async move { locations::list(&state, &caller).await }).await
}

#[server(prefix = "/_fn", endpoint = "get_location", input = Json)]
pub async fn get_location(id: String) -> Result<Location, AppError> {
    use crate::server::services::locations;
    as_admin(|state, caller| async move { locations::get(&state, &caller, &id).await }).await
}

/// Creates a location, or changes the one named by `id`.
#[server(prefix = "/_fn", endpoint = "save_location", input = Json)]
pub async fn save_location(id: Option<String>, input: LocationIn) -> Result<Location, AppError> {
    use crate::server::services::locations;
    as_admin(|state, caller| async move {
        match id {
            Some(id) => locations::update(&state, &caller, &id, &input).await,
            None => locations::create(&state, &caller, &input).await,
        }
    })
    .await
}

#[server(prefix = "/_fn", endpoint = "search_merchants", input = Json)]
pub async fn search_merchants(query: MerchantQuery) -> Result<Page<MerchantRow>, AppError> {
    use crate::server::services::merchants;
    as_admin(|state, caller| async move { merchants::search(&state, &caller, &query).await }).await
}

#[server(prefix = "/_fn", endpoint = "get_merchant", input = Json)]
pub async fn get_merchant(id: String) -> Result<MerchantDetail, AppError> {
    use crate::server::services::{locations, merchant_users, merchants};
    as_admin(|state, caller| async move {
        Ok(MerchantDetail {
            merchant: merchants::get(&state, &caller, &id).await?,
            users: merchant_users::list(&state, &caller, &id).await?,
            locations: locations::list(&state, &caller).await?,
        })
    })
    .await
}

#[server(prefix = "/_fn", endpoint = "save_merchant", input = Json)]
pub async fn save_merchant(id: Option<String>, input: MerchantIn) -> Result<Merchant, AppError> {
    use crate::server::services::merchants;
    as_admin(|state, caller| async move {
        match id {
            Some(id) => merchants::update(&state, &caller, &id, &input).await,
            None => merchants::create(&state, &caller, &input).await,
        }
    })
    .await
}

#[server(prefix = "/_fn", endpoint = "set_merchant_active", input = Json)]
pub async fn set_merchant_active(id: String, active: bool) -> Result<Merchant, AppError> {
    use crate::server::services::merchants;
    as_admin(
        |state, caller| async move { merchants::set_active(&state, &caller, &id, active).await },
    )
    .await
}

#[server(prefix = "/_fn", endpoint = "get_merchant_user", input = Json)]
pub async fn get_merchant_user(id: String) -> Result<MerchantUser, AppError> {
    use crate::server::services::merchant_users;
    as_admin(|state, caller| async move { merchant_users::get(&state, &caller, &id).await }).await
}

#[server(prefix = "/_fn", endpoint = "create_merchant_user", input = Json)]
pub async fn create_merchant_user(
    merchant_id: String,
    input: MerchantUserIn,
) -> Result<MerchantUser, AppError> {
    use crate::server::services::merchant_users;
    as_admin(|state, caller| async move {
        merchant_users::create(&state, &caller, &merchant_id, &input).await
    })
    .await
}

/// A new invitation link for a user who has not set a password yet; the
/// previous link stops working.
#[server(prefix = "/_fn", endpoint = "reinvite_user", input = Json)]
pub async fn reinvite_user(user_id: String) -> Result<crate::model::org::Invitation, AppError> {
    use crate::server::services::user_links;
    as_admin(|state, caller| async move { user_links::reinvite(&state, &caller, &user_id).await })
        .await
}

#[server(prefix = "/_fn", endpoint = "update_merchant_user", input = Json)]
pub async fn update_merchant_user(
    id: String,
    patch: MerchantUserPatch,
) -> Result<MerchantUser, AppError> {
    use crate::server::services::merchant_users;
    as_admin(
        |state, caller| async move { merchant_users::update(&state, &caller, &id, &patch).await },
    )
    .await
}

#[server(prefix = "/_fn", endpoint = "set_api_access", input = Json)]
pub async fn set_api_access(user_id: String, enabled: bool) -> Result<MerchantUser, AppError> {
    use crate::server::services::merchant_users;
    as_admin(|state, caller| async move {
        merchant_users::set_api_access(&state, &caller, &user_id, enabled).await
    })
    .await
}

/// The organization settings page: the settings, and every time zone name
/// for the field's suggestions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationForm {
    pub organization: Organization,
    pub timezones: Vec<String>,
}

#[server(prefix = "/_fn", endpoint = "get_organization", input = Json)]
pub async fn get_organization() -> Result<OrganizationForm, AppError> {
    use crate::server::{services::organization, zones};
    as_admin(|state, caller| async move {
        Ok(OrganizationForm {
            organization: organization::get(&state, &caller).await?,
            timezones: zones::names().to_vec(),
        })
    })
    .await
}

#[server(prefix = "/_fn", endpoint = "save_organization", input = Json)]
pub async fn save_organization(patch: OrganizationPatch) -> Result<Organization, AppError> {
    use crate::server::services::organization;
    as_admin(|state, caller| async move { organization::update(&state, &caller, &patch).await })
        .await
}
