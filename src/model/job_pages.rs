//! What reading jobs returns besides a job: a search's checked filters and
//! its page, a job's history, and the job's page in the browser.

use serde::{Deserialize, Serialize};

use super::job::{Job, JobStatus, JobType};

/// Search filters (docs/api.md), already checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobQuery {
    pub q: Option<String>,
    pub status: Option<JobStatus>,
    pub kind: Option<JobType>,
    pub date_from: Option<String>,
    pub date_to: Option<String>,
    pub location_id: Option<String>,
    pub reference_id: Option<String>,
    /// Milliseconds since the Unix epoch.
    pub updated_since: Option<i64>,
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

/// One page of search results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct JobPage {
    pub data: Vec<Job>,
    /// Pass it back as `cursor` for the next page; null on the last one.
    pub next_cursor: Option<String>,
}

/// One entry of a job's history: an event of the webhook outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobEvent {
    pub id: String,
    /// `job.created`, `job.status_changed`, `action.updated`, …
    pub kind: String,
    pub actor: String,
    /// For status changes: (from, to).
    pub statuses: Option<(String, String)>,
    pub at: i64,
}

/// A job's page: the job, its history and its location's name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobDetail {
    pub job: Job,
    pub history: Vec<JobEvent>,
    pub location_name: Option<String>,
}
