//! `/merchants/{merchant_id}/users`, `/users/{user_id}` with its API access
//! and keys (docs/api.md, Administrator endpoints; docs/rules.md, API
//! access): administrators only; the services refuse anyone else (403).

use axum::Extension;
use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::json;

use super::problem::{ApiJson, ApiJsonOrEmpty};
use super::reply::{ApiResult, created, ok};
use super::wire::UserOut;
use crate::error::AppError;
use crate::model::org::{MerchantUserIn, MerchantUserPatch};
use crate::model::time::rfc3339;
use crate::server::AppState;
use crate::server::services::Caller;
use crate::server::services::{api_keys, merchant_users};

// ---- merchant users ------------------------------------------------------

#[utoipa::path(get, path = "/merchants/{merchant_id}/users", tag = "Merchants", params(("merchant_id" = String, Path)), responses((status = 200, description = "`{data: [users]}`", body = Object)))]
pub async fn list_users(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(merchant_id): Path<String>,
) -> ApiResult {
    let users = merchant_users::list(&state, &caller, &merchant_id).await?;
    let data: Vec<UserOut> = users.into_iter().map(Into::into).collect();
    Ok(ok(json!({ "data": data })))
}

/// The contract's body: no `api_access` here, access has its own endpoint.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct UserIn {
    #[schema(required, format = Email, max_length = 254)]
    email: String,
    #[schema(required, min_length = 1, max_length = 120)]
    display_name: String,
    /// `merchant_l1` or `merchant_l2`.
    #[schema(required, example = "merchant_l2")]
    role: String,
    /// At least 10 characters. Left out: the user is invited, and the
    /// answer carries `invitation_url` (valid 72 hours, single-use).
    #[schema(min_length = 10, max_length = 256)]
    password: Option<String>,
}

#[utoipa::path(post, path = "/merchants/{merchant_id}/users", tag = "Merchants", params(("merchant_id" = String, Path)), request_body = UserIn, responses((status = 201, description = "Created", body = UserOut)))]
pub async fn create_user(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(merchant_id): Path<String>,
    ApiJson(input): ApiJson<UserIn>,
) -> ApiResult {
    let user = merchant_users::create(
        &state,
        &caller,
        &merchant_id,
        &MerchantUserIn {
            email: input.email,
            display_name: input.display_name,
            role: input.role,
            // An empty password is not a way to invite: too easy to send
            // by mistake.
            password: match input.password {
                Some(p) if p.is_empty() => {
                    return Err(AppError::field("password", "password_too_short").into());
                }
                Some(p) => p,
                None => String::new(),
            },
            api_access: false,
        },
    )
    .await?;
    Ok(created(UserOut::from(user)))
}

#[utoipa::path(get, path = "/users/{user_id}", tag = "Users", params(("user_id" = String, Path)), responses((status = 200, description = "The user", body = UserOut)))]
pub async fn get_user(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(user_id): Path<String>,
) -> ApiResult {
    let user = merchant_users::get(&state, &caller, &user_id).await?;
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
    Extension(caller): Extension<Caller>,
    Path(user_id): Path<String>,
    ApiJson(patch): ApiJson<UserPatch>,
) -> ApiResult {
    let user = merchant_users::update(
        &state,
        &caller,
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
    Extension(caller): Extension<Caller>,
    Path(user_id): Path<String>,
    ApiJson(input): ApiJson<ApiAccessIn>,
) -> ApiResult {
    let user = merchant_users::set_api_access(&state, &caller, &user_id, input.enabled).await?;
    Ok(ok(json!({
        "enabled": user.api_access,
        "account_id": user.account_id,
    })))
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct IssueKeyIn {
    /// Seconds until the key expires (at least 60). With
    /// `LIVREUR_API_KEY_MAX_DAYS` set, at most that many days, and the
    /// maximum when left out.
    expires_in_seconds: Option<i64>,
    /// `read_write` (the default) or `read_only` (`GET` and `HEAD` only).
    scope: Option<crate::model::api::KeyScope>,
}

#[utoipa::path(post, path = "/users/{user_id}/api-keys", tag = "Users", params(("user_id" = String, Path)), request_body(content = Option<IssueKeyIn>, description = "Optional"), responses((status = 201, description = "`{account_id, key_id, key, hint, scope, expires_at}`: the only time `key` is shown", body = Object)))]
pub async fn issue_key(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(user_id): Path<String>,
    ApiJsonOrEmpty(input): ApiJsonOrEmpty<IssueKeyIn>,
) -> ApiResult {
    let issued = api_keys::issue_for_user(
        &state,
        &caller,
        &user_id,
        input.expires_in_seconds,
        input.scope.unwrap_or_default(),
    )
    .await?;
    Ok(created(json!({
        "account_id": issued.account_id,
        "key_id": issued.key_id,
        "key": issued.key,
        "hint": issued.hint,
        "scope": issued.scope,
        "expires_at": issued.expires_at.map(rfc3339),
    })))
}
