//! `/merchants` (docs/api.md, Administrator endpoints): administrators
//! only; the service refuses anyone else (403). Their users are in `users`.

use axum::Extension;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use serde_json::json;

use super::problem::{ApiJson, Problem};
use super::reply::{ApiResult, created, ok};
use super::wire::{MerchantOut, MerchantRowOut};
use crate::error::AppError;
use crate::model::org::{MerchantIn, MerchantQuery, MerchantSort};
use crate::server::AppState;
use crate::server::services::Caller;
use crate::server::services::merchants;

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MerchantListQuery {
    q: Option<String>,
    active: Option<bool>,
    sort: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
}

#[utoipa::path(get, path = "/merchants", tag = "Merchants", params(MerchantListQuery), responses((status = 200, description = "`{data, total, page, per_page}`", body = Object)))]
pub async fn list_merchants(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    query: Result<Query<MerchantListQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult {
    let Query(query) = query.map_err(|e| Problem::bad_request(e.body_text()))?;
    let sort = match query.sort.as_deref() {
        None => MerchantSort::Name,
        Some(s) => s
            .parse()
            .map_err(|_| AppError::field("sort", "invalid_choice"))?,
    };
    let page = merchants::search(
        &state,
        &caller,
        &MerchantQuery {
            q: query.q,
            active: query.active,
            sort,
            descending: sort == MerchantSort::Created,
            page: query.page.unwrap_or(1).max(1),
            per_page: query.per_page.unwrap_or(25).clamp(1, 100),
        },
    )
    .await?;
    let data: Vec<MerchantRowOut> = page.items.into_iter().map(Into::into).collect();
    Ok(ok(json!({
        "data": data,
        "total": page.total,
        "page": page.page,
        "per_page": page.per_page,
    })))
}

#[utoipa::path(post, path = "/merchants", tag = "Merchants", request_body = MerchantIn, responses((status = 201, description = "Created", body = MerchantOut)))]
pub async fn create_merchant(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(input): ApiJson<MerchantIn>,
) -> ApiResult {
    let merchant = merchants::create(&state, &caller, &input).await?;
    Ok(created(MerchantOut::from(merchant)))
}

#[utoipa::path(get, path = "/merchants/{merchant_id}", tag = "Merchants", params(("merchant_id" = String, Path)), responses((status = 200, description = "The merchant", body = MerchantOut)))]
pub async fn get_merchant(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult {
    let merchant = merchants::get(&state, &caller, &id).await?;
    Ok(ok(MerchantOut::from(merchant)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MerchantPatch {
    business_name: Option<String>,
    contact_email: Option<String>,
    address: Option<String>,
    location_ids: Option<Vec<String>>,
    default_location_id: Option<String>,
    active: Option<bool>,
}

#[utoipa::path(patch, path = "/merchants/{merchant_id}", tag = "Merchants", params(("merchant_id" = String, Path)), request_body = MerchantPatch, responses((status = 200, description = "The changed merchant; `{\"active\": false}` deactivates it", body = MerchantOut)))]
pub async fn patch_merchant(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<MerchantPatch>,
) -> ApiResult {
    let existing = merchants::get(&state, &caller, &id).await?;
    let only_active = patch.business_name.is_none()
        && patch.contact_email.is_none()
        && patch.address.is_none()
        && patch.location_ids.is_none()
        && patch.default_location_id.is_none();
    let merchant = match (only_active, patch.active) {
        // `{"active": false}` deactivates even a merchant whose other fields
        // would no longer pass today's validation.
        (true, Some(active)) => merchants::set_active(&state, &caller, &id, active).await?,
        (true, None) => existing,
        (false, _) => {
            let input = MerchantIn {
                business_name: patch.business_name.unwrap_or(existing.business_name),
                contact_email: patch.contact_email.unwrap_or(existing.contact_email),
                address: patch.address.or(existing.address),
                location_ids: patch.location_ids.unwrap_or(existing.location_ids),
                default_location_id: patch
                    .default_location_id
                    .unwrap_or(existing.default_location_id),
                active: Some(patch.active.unwrap_or(existing.active)),
            };
            merchants::update(&state, &caller, &id, &input).await?
        }
    };
    Ok(ok(MerchantOut::from(merchant)))
}
