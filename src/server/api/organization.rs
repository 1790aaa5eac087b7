//! `/organization` (docs/api.md, Administrator endpoints): the name, the
//! default language of new users and the time zone. Administrators only.

use axum::Extension;
use axum::extract::State;
use serde::Serialize;

use super::ApiCaller;
use super::problem::ApiJson;
use super::reply::{ApiResult, ip, ok};
use crate::model::organization::{Organization, OrganizationPatch};
use crate::server::AppState;
use crate::server::auth::ClientIp;
use crate::server::services::organization;

/// The organization.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct OrganizationOut {
    name: String,
    /// `en` or `fr`: the language new users start in.
    default_language: String,
    /// An IANA time zone name.
    timezone: String,
}

impl From<Organization> for OrganizationOut {
    fn from(o: Organization) -> Self {
        OrganizationOut {
            name: o.name,
            default_language: o.default_language.as_str().to_owned(),
            timezone: o.timezone,
        }
    }
}

#[utoipa::path(get, path = "/organization", tag = "Organization",
    responses((status = 200, description = "The organization", body = OrganizationOut)))]
pub async fn get_organization(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
) -> ApiResult {
    let org = organization::get(&state, &caller.user).await?;
    Ok(ok(OrganizationOut::from(org)))
}

#[utoipa::path(patch, path = "/organization", tag = "Organization", request_body = OrganizationPatch,
    responses((status = 200, description = "The changed organization", body = OrganizationOut)))]
pub async fn patch_organization(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    client: Option<Extension<ClientIp>>,
    ApiJson(patch): ApiJson<OrganizationPatch>,
) -> ApiResult {
    let org = organization::update(&state, &caller.user, ip(&client), &patch).await?;
    Ok(ok(OrganizationOut::from(org)))
}
