//! The audit log screen. Administrators only.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::audit::{AuditPage, AuditQuery};

#[cfg(feature = "ssr")]
use super::as_admin;

#[server(prefix = "/_fn", endpoint = "search_audit", input = Json)]
pub async fn search_audit(query: AuditQuery) -> Result<AuditPage, AppError> {
    use crate::server::services::audit;
    as_admin(|state, caller| async move {
        audit::search(&state, &caller, &query, audit::PAGE_SIZE).await
    })
    .await
}

#[server(prefix = "/_fn", endpoint = "audit_actions", input = Json)]
pub async fn audit_actions() -> Result<Vec<String>, AppError> {
    use crate::server::services::audit;
    as_admin(|state, caller| async move { audit::actions(&state, &caller).await }).await
}
