//! Jobs in the browser: the administrators' Jobs screens and the merchant
//! portal. Every signed-in role may call these; the service narrows a
//! merchant user to the jobs they created (another's is "not found"), and
//! only administrators move statuses.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::job::{ActionIn, Job, JobDetail, JobIn, JobPage, JobQuery, JobStatus};
use crate::model::org::Location;

#[cfg(feature = "ssr")]
use super::as_role;
#[cfg(feature = "ssr")]
use crate::model::Role;
#[cfg(feature = "ssr")]
use crate::server::services::jobs as service;

#[cfg(feature = "ssr")]
const ANYONE: &[Role] = &[Role::Admin, Role::MerchantL1, Role::MerchantL2];

#[server(prefix = "/_fn", endpoint = "search_jobs", input = Json)]
pub async fn search_jobs(query: JobQuery) -> Result<JobPage, AppError> {
    as_role(ANYONE, |state, caller| async move {
        service::search(&state, &caller, &query).await
    })
    .await
}

#[server(prefix = "/_fn", endpoint = "get_job", input = Json)]
pub async fn get_job(id: String) -> Result<JobDetail, AppError> {
    as_role(ANYONE, |state, caller| async move {
        service::detail(&state, &caller, &id).await
    })
    .await
}

/// The locations the caller may put jobs at, for the job form.
#[server(prefix = "/_fn", endpoint = "job_locations", input = Json)]
pub async fn job_locations() -> Result<Vec<Location>, AppError> {
    as_role(ANYONE, |state, caller| async move {
        service::usable_locations(&state, &caller).await
    })
    .await
}

/// Creates a job, or changes the one named by `id` if it is still at
/// `version`.
#[server(prefix = "/_fn", endpoint = "save_job", input = Json)]
pub async fn save_job(
    id: Option<String>,
    version: Option<i64>,
    input: JobIn,
) -> Result<Job, AppError> {
    as_role(ANYONE, |state, caller| async move {
        match id {
            Some(id) => service::update(&state, &caller, &id, &input, version).await,
            None => service::create(&state, &caller, &input).await,
        }
    })
    .await
}

#[server(prefix = "/_fn", endpoint = "cancel_job", input = Json)]
pub async fn cancel_job(id: String) -> Result<Job, AppError> {
    as_role(ANYONE, |state, caller| async move {
        service::cancel(&state, &caller, &id).await
    })
    .await
}

#[server(prefix = "/_fn", endpoint = "delete_job", input = Json)]
pub async fn delete_job(id: String) -> Result<(), AppError> {
    as_role(ANYONE, |state, caller| async move {
        service::delete(&state, &caller, &id).await
    })
    .await
}

/// Moves a job along its lifecycle. Administrators only.
#[server(prefix = "/_fn", endpoint = "move_job", input = Json)]
pub async fn move_job(id: String, version: i64, status: JobStatus) -> Result<Job, AppError> {
    super::as_admin(|state, caller| async move {
        service::set_status(&state, &caller, &id, status, Some(version)).await
    })
    .await
}

/// Adds an action, or changes the one named by `action_id`.
#[server(prefix = "/_fn", endpoint = "save_job_action", input = Json)]
pub async fn save_job_action(
    job_id: String,
    action_id: Option<String>,
    version: i64,
    input: ActionIn,
) -> Result<Job, AppError> {
    as_role(ANYONE, |state, caller| async move {
        let (job, _) = match action_id {
            Some(a) => {
                service::update_action(&state, &caller, &job_id, &a, &input, Some(version)).await?
            }
            None => service::add_action(&state, &caller, &job_id, &input, Some(version)).await?,
        };
        Ok(job)
    })
    .await
}

#[server(prefix = "/_fn", endpoint = "delete_job_action", input = Json)]
pub async fn delete_job_action(
    job_id: String,
    action_id: String,
    version: i64,
) -> Result<Job, AppError> {
    as_role(ANYONE, |state, caller| async move {
        service::delete_action(&state, &caller, &job_id, &action_id, Some(version)).await
    })
    .await
}
