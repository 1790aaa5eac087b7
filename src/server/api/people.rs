//! The administrators' rows of SPEC 4.1 about people: merchant users, API
//! access, API keys, API accounts and the audit log. Every handler goes
//! through a service that refuses anyone but an administrator (403).

use axum::Extension;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use serde_json::json;

use super::ApiCaller;
use super::admin::{ApiResult, created, ip, ok};
use super::problem::{ApiJson, ApiJsonOrEmpty, Problem};
use super::wire::UserOut;
use crate::error::AppError;
use crate::model::audit::AuditQuery;
use crate::model::org::{MerchantUserIn, MerchantUserPatch};
use crate::model::time::rfc3339;
use crate::server::AppState;
use crate::server::auth::ClientIp;
use crate::server::services::{api_keys, audit, merchant_users};

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
