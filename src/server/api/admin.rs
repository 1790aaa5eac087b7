//! The administrators' rows of SPEC 4.1: locations, merchants, their users,
//! API access, API keys, API accounts and the audit log. Every handler goes
//! through a service that refuses anyone but an administrator (403).

use axum::Extension;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::ApiCaller;
use super::problem::{ApiJson, ApiJsonOrEmpty, Problem};
use super::wire::{LocationOut, MerchantOut, MerchantRowOut, UserOut};
use crate::error::AppError;
use crate::model::audit::AuditQuery;
use crate::model::org::{
    LocationIn, MerchantIn, MerchantQuery, MerchantSort, MerchantUserIn, MerchantUserPatch,
};
use crate::model::time::rfc3339;
use crate::server::AppState;
use crate::server::auth::ClientIp;
use crate::server::services::{api_keys, audit, locations, merchant_users, merchants};

type ApiResult = Result<Response, Problem>;

fn ip(ip: &Option<Extension<ClientIp>>) -> Option<String> {
    ip.as_ref().map(|Extension(ClientIp(ip))| ip.clone())
}

fn created<T: Serialize>(body: T) -> Response {
    (StatusCode::CREATED, Json(body)).into_response()
}

fn ok<T: Serialize>(body: T) -> Response {
    Json(body).into_response()
}

// ---- locations -----------------------------------------------------------

#[utoipa::path(get, path = "/locations", tag = "Locations", responses((status = 200, description = "`{data: [locations]}`", body = Object)))]
pub async fn list_locations(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
) -> ApiResult {
    let list = locations::list(&state, &caller.user).await?;
    let data: Vec<LocationOut> = list.into_iter().map(Into::into).collect();
    Ok(ok(json!({ "data": data })))
}

#[utoipa::path(post, path = "/locations", tag = "Locations", request_body = LocationIn, responses((status = 201, description = "Created", body = LocationOut)))]
pub async fn create_location(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    client: Option<Extension<ClientIp>>,
    ApiJson(input): ApiJson<LocationIn>,
) -> ApiResult {
    let location = locations::create(&state, &caller.user, ip(&client), &input).await?;
    Ok(created(LocationOut::from(location)))
}

#[utoipa::path(get, path = "/locations/{location_id}", tag = "Locations", params(("location_id" = String, Path)), responses((status = 200, description = "The location", body = LocationOut)))]
pub async fn get_location(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    Path(id): Path<String>,
) -> ApiResult {
    let location = locations::get(&state, &caller.user, &id).await?;
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
    Extension(caller): Extension<ApiCaller>,
    client: Option<Extension<ClientIp>>,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<LocationPatch>,
) -> ApiResult {
    let existing = locations::get(&state, &caller.user, &id).await?;
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
    let location = locations::update(&state, &caller.user, ip(&client), &id, &input).await?;
    Ok(ok(LocationOut::from(location)))
}

// ---- merchants -----------------------------------------------------------

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
    Extension(caller): Extension<ApiCaller>,
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
        &caller.user,
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
    Extension(caller): Extension<ApiCaller>,
    client: Option<Extension<ClientIp>>,
    ApiJson(input): ApiJson<MerchantIn>,
) -> ApiResult {
    let merchant = merchants::create(&state, &caller.user, ip(&client), &input).await?;
    Ok(created(MerchantOut::from(merchant)))
}

#[utoipa::path(get, path = "/merchants/{merchant_id}", tag = "Merchants", params(("merchant_id" = String, Path)), responses((status = 200, description = "The merchant", body = MerchantOut)))]
pub async fn get_merchant(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    Path(id): Path<String>,
) -> ApiResult {
    let merchant = merchants::get(&state, &caller.user, &id).await?;
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
    Extension(caller): Extension<ApiCaller>,
    client: Option<Extension<ClientIp>>,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<MerchantPatch>,
) -> ApiResult {
    let existing = merchants::get(&state, &caller.user, &id).await?;
    let only_active = patch.business_name.is_none()
        && patch.contact_email.is_none()
        && patch.address.is_none()
        && patch.location_ids.is_none()
        && patch.default_location_id.is_none();
    let merchant = match (only_active, patch.active) {
        // `{"active": false}` deactivates even a merchant whose other fields
        // would no longer pass today's validation.
        (true, Some(active)) => {
            merchants::set_active(&state, &caller.user, ip(&client), &id, active).await?
        }
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
            merchants::update(&state, &caller.user, ip(&client), &id, &input).await?
        }
    };
    Ok(ok(MerchantOut::from(merchant)))
}

// ---- merchant users ------------------------------------------------------

#[utoipa::path(get, path = "/merchants/{merchant_id}/users", tag = "Merchants", params(("merchant_id" = String, Path)), responses((status = 200, description = "`{data: [users]}`", body = Object)))]
pub async fn list_users(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    Path(merchant_id): Path<String>,
) -> ApiResult {
    let users = merchant_users::list(&state, &caller.user, &merchant_id).await?;
    let data: Vec<UserOut> = users.into_iter().map(Into::into).collect();
    Ok(ok(json!({ "data": data })))
}

/// The contract's body: no `api_access` here, access has its own endpoint.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct UserIn {
    email: String,
    display_name: String,
    role: String,
    password: String,
}

#[utoipa::path(post, path = "/merchants/{merchant_id}/users", tag = "Merchants", params(("merchant_id" = String, Path)), request_body = UserIn, responses((status = 201, description = "Created", body = UserOut)))]
pub async fn create_user(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    client: Option<Extension<ClientIp>>,
    Path(merchant_id): Path<String>,
    ApiJson(input): ApiJson<UserIn>,
) -> ApiResult {
    let user = merchant_users::create(
        &state,
        &caller.user,
        ip(&client),
        &merchant_id,
        &MerchantUserIn {
            email: input.email,
            display_name: input.display_name,
            role: input.role,
            password: input.password,
            api_access: false,
        },
    )
    .await?;
    Ok(created(UserOut::from(user)))
}

#[utoipa::path(get, path = "/users/{user_id}", tag = "Users", params(("user_id" = String, Path)), responses((status = 200, description = "The user", body = UserOut)))]
pub async fn get_user(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    Path(user_id): Path<String>,
) -> ApiResult {
    let user = merchant_users::get(&state, &caller.user, &user_id).await?;
    Ok(ok(UserOut::from(user)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    role: Option<String>,
    active: Option<bool>,
    display_name: Option<String>,
}

#[utoipa::path(patch, path = "/users/{user_id}", tag = "Users", params(("user_id" = String, Path)), request_body = UserPatch, responses((status = 200, description = "The changed user", body = UserOut)))]
pub async fn patch_user(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    client: Option<Extension<ClientIp>>,
    Path(user_id): Path<String>,
    ApiJson(patch): ApiJson<UserPatch>,
) -> ApiResult {
    let user = merchant_users::update(
        &state,
        &caller.user,
        ip(&client),
        &user_id,
        &MerchantUserPatch {
            display_name: patch.display_name,
            role: patch.role,
            active: patch.active,
            api_access: None,
        },
    )
    .await?;
    Ok(ok(UserOut::from(user)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiAccessIn {
    enabled: bool,
}

#[utoipa::path(put, path = "/users/{user_id}/api-access", tag = "Users", params(("user_id" = String, Path)), request_body = ApiAccessIn, responses((status = 200, description = "`{enabled, account_id}`", body = Object)))]
pub async fn put_api_access(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    client: Option<Extension<ClientIp>>,
    Path(user_id): Path<String>,
    ApiJson(input): ApiJson<ApiAccessIn>,
) -> ApiResult {
    let user =
        merchant_users::set_api_access(&state, &caller.user, ip(&client), &user_id, input.enabled)
            .await?;
    Ok(ok(json!({
        "enabled": user.api_access,
        "account_id": user.account_id,
    })))
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct IssueKeyIn {
    expires_in_seconds: Option<i64>,
}

#[utoipa::path(post, path = "/users/{user_id}/api-keys", tag = "Users", params(("user_id" = String, Path)), request_body(content = Option<IssueKeyIn>, description = "Optional"), responses((status = 201, description = "`{account_id, key_id, key, hint, expires_at}`: the only time `key` is shown", body = Object)))]
pub async fn issue_key(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    client: Option<Extension<ClientIp>>,
    Path(user_id): Path<String>,
    ApiJsonOrEmpty(input): ApiJsonOrEmpty<IssueKeyIn>,
) -> ApiResult {
    let issued = api_keys::issue_for_user(
        &state,
        &caller.user,
        ip(&client),
        &user_id,
        input.expires_in_seconds,
    )
    .await?;
    Ok(created(json!({
        "account_id": issued.account_id,
        "key_id": issued.key_id,
        "key": issued.key,
        "hint": issued.hint,
        "expires_at": issued.expires_at.map(rfc3339),
    })))
}

#[utoipa::path(get, path = "/api-accounts", tag = "Users", responses((status = 200, description = "Every merchant user with API access", body = [Object])))]
pub async fn api_accounts(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
) -> ApiResult {
    let rows = api_keys::accounts(&state, &caller.user).await?;
    let data: Vec<_> = rows
        .into_iter()
        .map(|r| {
            json!({
                "account_id": r.account_id,
                "user_id": r.user_id,
                "email": r.email,
                "merchant_id": r.merchant_id,
                "business_name": r.business_name,
                "active_keys": r.active_keys,
                "last_used_at": r.last_used_at.map(rfc3339),
            })
        })
        .collect();
    Ok(ok(data))
}

// ---- audit ---------------------------------------------------------------

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    action: Option<String>,
    actor: Option<String>,
    cursor: Option<String>,
    limit: Option<i64>,
}

#[utoipa::path(get, path = "/audit", tag = "Audit", params(AuditParams), responses((status = 200, description = "`{data, next_cursor}`, newest first", body = Object)))]
pub async fn audit(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    query: Result<Query<AuditParams>, axum::extract::rejection::QueryRejection>,
) -> ApiResult {
    let Query(p) = query.map_err(|e| Problem::bad_request(e.body_text()))?;
    let limit = p.limit.unwrap_or(audit::PAGE_SIZE);
    if !(1..=100).contains(&limit) {
        return Err(AppError::field("limit", "out_of_range").into());
    }
    let page = audit::search(
        &state,
        &caller.user,
        &AuditQuery {
            action: p.action,
            actor: p.actor,
            cursor: p.cursor,
        },
        limit,
    )
    .await?;
    let data: Vec<_> = page
        .items
        .into_iter()
        .map(|e| {
            json!({
                "id": e.id,
                "at": rfc3339(e.at),
                "actor_user_id": e.actor_user_id,
                "actor": e.actor_label,
                "action": e.action,
                "target_type": e.target_type,
                "target_id": e.target_id,
                "ip": e.ip,
                "details": e.details,
            })
        })
        .collect();
    Ok(ok(json!({ "data": data, "next_cursor": page.next_cursor })))
}
