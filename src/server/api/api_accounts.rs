//! `/api-accounts`: the API settings list of merchant users with API access
//! (docs/api.md, Administrator endpoints). Administrators only.

use axum::Extension;
use axum::extract::State;
use serde_json::json;

use super::reply::{ApiResult, ok};
use crate::model::time::rfc3339;
use crate::server::AppState;
use crate::server::services::Caller;
use crate::server::services::api_keys;

#[utoipa::path(get, path = "/api-accounts", tag = "Users", responses((status = 200, description = "Every merchant user with API access", body = [Object])))]
pub async fn api_accounts(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> ApiResult {
    let rows = api_keys::accounts(&state, &caller).await?;
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
