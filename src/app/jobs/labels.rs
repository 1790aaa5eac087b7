//! How jobs, their types and their actions' outcomes are named and
//! coloured, in every page that shows them.

use leptos::prelude::*;
use leptos_i18n::I18nContext;

use crate::i18n::*;
use crate::model::job::{ActionStatus, JobStatus, JobType};

pub fn status_label(i18n: I18nContext<Locale>, s: JobStatus) -> &'static str {
    match s {
        JobStatus::New => t_string!(i18n, jobs.status_new),
        JobStatus::InProgress => t_string!(i18n, jobs.status_in_progress),
        JobStatus::Completed => t_string!(i18n, jobs.status_completed),
        JobStatus::Incomplete => t_string!(i18n, jobs.status_incomplete),
        JobStatus::Damaged => t_string!(i18n, jobs.status_damaged),
        JobStatus::Resolved => t_string!(i18n, jobs.status_resolved),
        JobStatus::Cancelled => t_string!(i18n, jobs.status_cancelled),
    }
}

pub fn type_label(i18n: I18nContext<Locale>, t: JobType) -> &'static str {
    match t {
        JobType::Delivery => t_string!(i18n, jobs.type_delivery),
        JobType::Pickup => t_string!(i18n, jobs.type_pickup),
        JobType::Return => t_string!(i18n, jobs.type_return),
        JobType::Exchange => t_string!(i18n, jobs.type_exchange),
        JobType::Service => t_string!(i18n, jobs.type_service),
        JobType::Installation => t_string!(i18n, jobs.type_installation),
    }
}

pub fn outcome_label(i18n: I18nContext<Locale>, s: ActionStatus) -> &'static str {
    match s {
        ActionStatus::Undetermined => t_string!(i18n, jobs.outcome_undetermined),
        ActionStatus::Completed => t_string!(i18n, jobs.outcome_completed),
        ActionStatus::Incomplete => t_string!(i18n, jobs.outcome_incomplete),
        ActionStatus::Damaged => t_string!(i18n, jobs.outcome_damaged),
    }
}

/// The badge colour of a status.
pub fn status_class(s: JobStatus) -> &'static str {
    match s {
        JobStatus::New => "badge badge-info",
        JobStatus::InProgress => "badge badge-warning",
        JobStatus::Completed | JobStatus::Resolved => "badge badge-success",
        JobStatus::Incomplete | JobStatus::Damaged => "badge badge-danger",
        JobStatus::Cancelled => "badge badge-neutral",
    }
}

#[component]
pub fn StatusBadge(status: JobStatus) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <span class=status_class(status) data-testid="job-status">
            {move || status_label(i18n, status)}
        </span>
    }
}
