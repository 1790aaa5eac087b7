//! One job: what, when, who and where; its actions (added, changed and
//! removed here while the job is not finished); its history; and the moves
//! the viewer may make: edit, cancel or delete a new job, and for
//! administrators the next statuses of the lifecycle.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::app::jobs::actions::ActionsPanel;
use crate::app::jobs::labels::{StatusBadge, status_label, type_label};
use crate::app::layout::use_user;
use crate::app::layout::use_zone;
use crate::app::widgets::forms::{ConfirmDialog, FormAlert};
use crate::app::widgets::loaded::Loaded;
use crate::i18n::*;
use crate::model::job::JobDetail;
use crate::model::job::{CreationSource, Job, JobEvent, JobStatus};
use crate::serverfns::jobs::{CancelJob, DeleteJob, MoveJob, get_job};

#[component]
pub fn JobPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    // Bumped after every change made on the page, to load the job again.
    let changed = RwSignal::new(0u32);
    let detail = Resource::new(move || (id(), changed.get()), |(id, _)| get_job(id));
    let load = move || async move { detail.await };
    let show = move |detail: JobDetail| view! { <JobView detail changed /> };
    view! { <Loaded load show /> }
}

#[component]
fn JobView(detail: JobDetail, changed: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let is_admin = use_user().is_admin();
    let job = detail.job;
    let status = job.status;
    let title = job
        .fields
        .reference_id
        .clone()
        .unwrap_or_else(|| job.id.clone());
    let page_title = title.clone();
    let finished = status.is_finished();
    let location = detail
        .location_name
        .unwrap_or(job.fields.location_id.clone());
    let job_id = job.id.clone();

    let cancel = ServerAction::<CancelJob>::new();
    let delete = ServerAction::<DeleteJob>::new();
    let moved = ServerAction::<MoveJob>::new();
    let asking = RwSignal::new(None::<&'static str>);
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            navigate("/jobs", Default::default());
        }
    });
    Effect::new(move |_| {
        let done = cancel.value().with(|v| matches!(v, Some(Ok(_))))
            || moved.value().with(|v| matches!(v, Some(Ok(_))));
        if done {
            asking.set(None);
            changed.update(|n| *n += 1);
        }
    });
    let error = Signal::derive(move || {
        [cancel.value().get(), moved.value().get()]
            .into_iter()
            .flatten()
            .find_map(Result::err)
            .or_else(|| delete.value().get().and_then(Result::err))
    });
    let (id_for_cancel, id_for_delete, id_for_move) =
        (job.id.clone(), job.id.clone(), job.id.clone());
    let version = job.version;
    let next = if is_admin { status.next() } else { Vec::new() };
    view! {
        <Title text=page_title />
        <div class="page-header">
            <div>
                <p class="breadcrumb">
                    <A href="/jobs">{t!(i18n, nav.jobs)}</A>
                </p>
                <h1>{title}</h1>
            </div>
            <div class="form-actions">
                <StatusBadge status />
                {(!finished)
                    .then(|| {
                        view! {
                            <A
                                href=format!("/jobs/{job_id}/edit")
                                attr:class="button button-secondary"
                            >
                                {t!(i18n, jobs.edit)}
                            </A>
                        }
                    })}
                {(status == JobStatus::New)
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                class="button button-secondary"
                                on:click=move |_| asking.set(Some("cancel"))
                            >
                                {t!(i18n, jobs.cancel_job)}
                            </button>
                            <button
                                type="button"
                                class="button button-danger"
                                on:click=move |_| asking.set(Some("delete"))
                            >
                                {t!(i18n, jobs.delete)}
                            </button>
                        }
                    })}
            </div>
        </div>
        <FormAlert error />
        {move || match asking.get() {
            Some("cancel") => {
                let id = id_for_cancel.clone();
                view! {
                    <ConfirmDialog
                        title=Signal::derive(move || t_string!(i18n, jobs.cancel_title))
                        body=Signal::derive(move || t_string!(i18n, jobs.cancel_body))
                        confirm=Signal::derive(move || t_string!(i18n, jobs.cancel_confirm))
                        confirm_testid="confirm-cancel-job"
                        on_confirm=Callback::new(move |_| {
                            cancel.dispatch(CancelJob { id: id.clone() });
                        })
                        on_cancel=Callback::new(move |_| asking.set(None))
                    />
                }
                    .into_any()
            }
            Some(_) => {
                let id = id_for_delete.clone();
                view! {
                    <ConfirmDialog
                        title=Signal::derive(move || t_string!(i18n, jobs.delete_title))
                        body=Signal::derive(move || t_string!(i18n, jobs.delete_body))
                        confirm=Signal::derive(move || t_string!(i18n, jobs.delete_confirm))
                        confirm_testid="confirm-delete-job"
                        on_confirm=Callback::new(move |_| {
                            delete.dispatch(DeleteJob { id: id.clone() });
                        })
                        on_cancel=Callback::new(move |_| asking.set(None))
                    />
                }
                    .into_any()
            }
            None => ().into_any(),
        }}
        {finished
            .then(|| view! { <div class="alert alert-info">{t!(i18n, jobs.finished_note)}</div> })}
        {(!next.is_empty())
            .then(|| view! { <StatusMoves id=id_for_move.clone() version next moved /> })}
        <JobFacts job=job.clone() location />
        <ActionsPanel job=job.clone() changed />
        <History events=detail.history />
    }
    .into_any()
}

/// The next statuses of the lifecycle, for administrators.
#[component]
fn StatusMoves(
    id: String,
    version: i64,
    next: Vec<JobStatus>,
    moved: ServerAction<MoveJob>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="panel toolbar" data-testid="status-moves">
            <span>{t!(i18n, jobs.move_to)}</span>
            {next
                .into_iter()
                .map(|to| {
                    let id = id.clone();
                    view! {
                        <button
                            type="button"
                            class="button button-secondary button-small"
                            disabled=move || moved.pending().get()
                            on:click=move |_| {
                                moved
                                    .dispatch(MoveJob {
                                        id: id.clone(),
                                        version,
                                        status: to,
                                    });
                            }
                        >
                            {move || status_label(i18n, to)}
                        </button>
                    }
                })
                .collect_view()}
        </div>
    }
    .into_any()
}

/// What, when, who and where.
#[component]
fn JobFacts(job: Job, location: String) -> impl IntoView {
    let zone = use_zone();
    let i18n = use_i18n();
    let kind = job.fields.kind;
    let version = job.version;
    let c = &job.fields.customer;
    let customer = [Some(c.first_name.clone()), c.last_name.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let phones = [Some(c.phone.clone()), c.mobile.clone(), c.email.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ");
    let a = &job.fields.address;
    let address = [
        Some(a.line1.clone()),
        a.apartment.clone(),
        a.city.clone(),
        a.postal_code.clone(),
        a.country.clone(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    let when = match &job.fields.time_window {
        Some(w) => format!("{} · {}–{}", job.fields.date, w.start, w.end),
        None => job.fields.date.clone(),
    };
    let source = job.creation_source;
    let created = crate::model::time::parse_rfc3339(&job.created_at).map(|t| zone.minutes(t));
    let updated = crate::model::time::parse_rfc3339(&job.updated_at).map(|t| zone.minutes(t));
    view! {
        <section class="panel">
            <dl class="details">
                <dt>{t!(i18n, jobs.kind)}</dt>
                <dd>{move || type_label(i18n, kind)}</dd>
                <dt>{t!(i18n, jobs.date)}</dt>
                <dd>{when}</dd>
                <dt>{t!(i18n, jobs.location)}</dt>
                <dd>{location}</dd>
                <dt>{t!(i18n, jobs.customer)}</dt>
                <dd data-testid="job-customer">
                    {customer} <div class="field-hint">{phones}</div>
                </dd>
                <dt>{t!(i18n, jobs.address)}</dt>
                <dd>{address}</dd>
                {job
                    .fields
                    .description
                    .clone()
                    .map(|d| {
                        view! {
                            <dt>{t!(i18n, jobs.description)}</dt>
                            <dd>{d}</dd>
                        }
                    })}
                {job
                    .fields
                    .comment
                    .clone()
                    .map(|d| {
                        view! {
                            <dt>{t!(i18n, jobs.comment)}</dt>
                            <dd class="pre-line">{d}</dd>
                        }
                    })}
                {(!job.fields.barcodes.is_empty())
                    .then(|| {
                        view! {
                            <dt>{t!(i18n, jobs.barcodes)}</dt>
                            <dd>
                                <code>{job.fields.barcodes.join(" · ")}</code>
                            </dd>
                        }
                    })}
                <dt>{t!(i18n, jobs.source)}</dt>
                <dd>
                    {created} " · "
                    {move || match source {
                        CreationSource::Api => t_string!(i18n, jobs.source_api),
                        CreationSource::Portal => t_string!(i18n, jobs.source_portal),
                        CreationSource::Admin => t_string!(i18n, jobs.source_admin),
                    }}
                </dd>
                <dt>{t!(i18n, jobs.updated)}</dt>
                <dd>{updated} " · " {t!(i18n, jobs.version)} " " {version}</dd>
            </dl>
        </section>
    }
    .into_any()
}

#[component]
fn History(events: Vec<JobEvent>) -> impl IntoView {
    let zone = use_zone();
    let i18n = use_i18n();
    let empty = events.is_empty();
    view! {
        <section class="panel" data-testid="job-history">
            <h2>{t!(i18n, jobs.section_history)}</h2>
            {empty.then(|| view! { <p class="field-hint">{t!(i18n, jobs.history_empty)}</p> })}
            <ol class="history">
                {events
                    .into_iter()
                    .map(|e| {
                        let kind = e.kind.clone();
                        let label = move || match kind.as_str() {
                            "job.created" => t_string!(i18n, jobs.event_job_created),
                            "job.updated" => t_string!(i18n, jobs.event_job_updated),
                            "job.status_changed" => t_string!(i18n, jobs.event_job_status_changed),
                            "job.cancelled" => t_string!(i18n, jobs.event_job_cancelled),
                            "job.deleted" => t_string!(i18n, jobs.event_job_deleted),
                            "action.created" => t_string!(i18n, jobs.event_action_created),
                            "action.updated" => t_string!(i18n, jobs.event_action_updated),
                            _ => t_string!(i18n, jobs.event_action_deleted),
                        };
                        let moves = e
                            .statuses
                            .and_then(|(from, to)| Some((from.parse().ok()?, to.parse().ok()?)))
                            .map(|(from, to): (JobStatus, JobStatus)| {
                                view! {
                                    " · "
                                    {move || status_label(i18n, from)}
                                    " → "
                                    {move || status_label(i18n, to)}
                                }
                            });
                        view! {
                            <li>
                                <time>{zone.minutes(e.at)}</time>
                                " "
                                <strong>{label}</strong>
                                {moves}
                                " · "
                                <span class="field-hint">{e.actor}</span>
                            </li>
                        }
                            .into_any()
                    })
                    .collect_view()}
            </ol>
        </section>
    }
    .into_any()
}
