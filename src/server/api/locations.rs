//! `/locations` (docs/api.md, Administrator endpoints): administrators
//! only; the service refuses anyone else (403).

use axum::Extension;
use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::json;

use super::problem::ApiJson;
use super::reply::{ApiResult, created, ok};
use super::wire::LocationOut;
use crate::model::org::LocationIn;
use crate::server::AppState;
use crate::server::services::Caller;
use crate::server::services::locations;

#[utoipa::path(get, path = "/locations", tag = "Locations", responses((status = 200, description = "`{data: [locations]}`", body = Object)))]
pub async fn list_locations(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> ApiResult {
    let list = locations::list(&state, &caller).await?;
    let data: Vec<LocationOut> = list.into_iter().map(Into::into).collect();
    Ok(ok(json!({ "data": data })))
}

#[utoipa::path(post, path = "/locations", tag = "Locations", request_body = LocationIn, responses((status = 201, description = "Created", body = LocationOut)))]
pub async fn create_location(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(input): ApiJson<LocationIn>,
) -> ApiResult {
    let location = locations::create(&state, &caller, &input).await?;
    Ok(created(LocationOut::from(location)))
}

#[utoipa::path(get, path = "/locations/{location_id}", tag = "Locations", params(("location_id" = String, Path)), responses((status = 200, description = "The location", body = LocationOut)))]
pub async fn get_location(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult {
    let location = locations::get(&state, &caller, &id).await?;
    Ok(ok(LocationOut::from(location)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocationPatch {
    name: Option<String>,
    kind: Option<String>,
    ref_no: Option<String>,
    address: Option<String>,
    timezone: Option<String>,
    active: Option<bool>,
}

#[utoipa::path(patch, path = "/locations/{location_id}", tag = "Locations", params(("location_id" = String, Path)), request_body = LocationPatch, responses((status = 200, description = "The changed location", body = LocationOut)))]
pub async fn patch_location(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<LocationPatch>,
) -> ApiResult {
    let existing = locations::get(&state, &caller, &id).await?;
    let input = LocationIn {
        name: patch.name.unwrap_or(existing.name),
        kind: patch
            .kind
            .unwrap_or_else(|| existing.kind.as_str().to_owned()),
        ref_no: patch.ref_no.unwrap_or(existing.ref_no),
        address: patch.address.or(existing.address),
        timezone: patch.timezone.or(existing.timezone),
        active: Some(patch.active.unwrap_or(existing.active)),
    };
    let location = locations::update(&state, &caller, &id, &input).await?;
    Ok(ok(LocationOut::from(location)))
}
