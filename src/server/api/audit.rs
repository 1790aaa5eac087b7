//! `/audit`: the audit log, newest first, cursor paged (docs/api.md,
//! Administrator endpoints). Administrators only.

use axum::Extension;
use axum::extract::{Query, State};
use serde::Deserialize;
use serde_json::json;

use super::problem::Problem;
use super::reply::{ApiResult, ok};
use crate::error::AppError;
use crate::model::audit::AuditQuery;
use crate::model::time::rfc3339;
use crate::server::AppState;
use crate::server::services::Caller;
use crate::server::services::audit;

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
    Extension(caller): Extension<Caller>,
    query: Result<Query<AuditParams>, axum::extract::rejection::QueryRejection>,
) -> ApiResult {
    let Query(p) = query.map_err(|e| Problem::bad_request(e.body_text()))?;
    let limit = p.limit.unwrap_or(audit::PAGE_SIZE);
    if !(1..=100).contains(&limit) {
        return Err(AppError::field("limit", "out_of_range").into());
    }
    let page = audit::search(
        &state,
        &caller,
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
