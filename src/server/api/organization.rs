//! `/organization` (docs/api.md, Administrator endpoints): the name, the
//! default language of new users and the time zone. Administrators only.

use axum::Extension;
use axum::extract::State;

use super::problem::ApiJson;
use super::reply::{ApiResult, ok};
use crate::model::organization::{Organization, OrganizationPatch};
use crate::server::AppState;
use crate::server::services::Caller;
use crate::server::services::organization;

#[utoipa::path(get, path = "/organization", tag = "Organization",
    responses((status = 200, description = "The organization", body = Organization)))]
pub async fn get_organization(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> ApiResult {
    let org = organization::get(&state, &caller).await?;
    Ok(ok(org))
}

#[utoipa::path(patch, path = "/organization", tag = "Organization", request_body = OrganizationPatch,
    responses((status = 200, description = "The changed organization", body = Organization)))]
pub async fn patch_organization(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(patch): ApiJson<OrganizationPatch>,
) -> ApiResult {
    let org = organization::update(&state, &caller, &patch).await?;
    Ok(ok(org))
}
