//! Jobs: every job for administrators, "My jobs" for merchant users (the
//! server narrows them to their own). The filters and the page live in the
//! URL: a plain GET form, bookmarkable, working without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Form};
use leptos_router::hooks::use_query_map;
use leptos_router::params::ParamsMap;

use super::labels::{StatusBadge, status_label, type_label};
use crate::app::layout::use_user;
use crate::app::status::Loading;
use crate::app::widgets::forms::LoadError;
use crate::app::widgets::query::urlencode;
use crate::app::widgets::table::EmptyRow;
use crate::i18n::*;
use crate::model::job::{Job, JobPage, JobQuery, JobStatus, JobType};
use crate::model::org::Location;
use crate::model::time::parse_date;
use crate::serverfns::jobs::{job_locations, search_jobs};

/// The filters of the URL; values that do not parse are ignored rather
/// than failing the page.
fn query_from(params: &ParamsMap) -> JobQuery {
    let text = |name: &str| {
        params
            .get(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let date = |name: &str| text(name).filter(|d| parse_date(d).is_some());
    JobQuery {
        q: text("q"),
        status: text("status").and_then(|s| s.parse().ok()),
        kind: text("type").and_then(|s| s.parse().ok()),
        date_from: date("date_from"),
        date_to: date("date_to"),
        location_id: text("location"),
        reference_id: None,
        updated_since: None,
        limit: Some(25),
        cursor: text("cursor"),
    }
}

/// The list URL for `query` from `cursor` (`None`: the first page).
fn page_href(query: &JobQuery, cursor: Option<&str>) -> String {
    let mut parts = Vec::new();
    let mut add = |name: &str, value: Option<&str>| {
        if let Some(v) = value {
            parts.push(format!("{name}={}", urlencode(v)));
        }
    };
    add("q", query.q.as_deref());
    add("status", query.status.map(JobStatus::as_str));
    add("type", query.kind.map(JobType::as_str));
    add("date_from", query.date_from.as_deref());
    add("date_to", query.date_to.as_deref());
    add("location", query.location_id.as_deref());
    add("cursor", cursor);
    if parts.is_empty() {
        "/jobs".to_owned()
    } else {
        format!("/jobs?{}", parts.join("&"))
    }
}

#[component]
pub fn JobsPage() -> impl IntoView {
    let i18n = use_i18n();
    let is_admin = use_user().is_admin();
    let params = use_query_map();
    let query = Memo::new(move |_| query_from(&params.read()));
    // One server function per resource: a second call after an `.await`
    // would run on the server without the request's context.
    let results = Resource::new(move || query.get(), search_jobs);
    let locations = Resource::new(|| (), |_| job_locations());
    let title = move || {
        if is_admin {
            t_string!(i18n, jobs.title_admin)
        } else {
            t_string!(i18n, jobs.title_merchant)
        }
    };
    view! {
        <Title text=title />
        <div class="page-header">
            <h1>{title}</h1>
            <A href="/jobs/new" attr:class="button button-primary">
                {t!(i18n, jobs.create)}
            </A>
        </div>
        <Transition fallback=|| {
            view! { <Loading /> }
        }>
            {move || Suspend::new(async move {
                match (results.await, locations.await) {
                    (Ok(page), Ok(locations)) => {
                        let q = query.get_untracked();
                        view! {
                            <JobFilters query=q.clone() locations=locations.clone() />
                            <JobTable page query=q locations />
                        }
                            .into_any()
                    }
                    (Err(err), _) | (_, Err(err)) => view! { <LoadError error=err /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn JobFilters(query: JobQuery, locations: Vec<Location>) -> impl IntoView {
    let i18n = use_i18n();
    let status = query.status;
    let kind = query.kind;
    let location = query.location_id.clone();
    view! {
        <Form method="GET" action="/jobs" attr:class="toolbar" attr:role="search">
            <div class="field field-wide">
                <label for="q">{t!(i18n, common.search)}</label>
                <input
                    id="q"
                    name="q"
                    type="search"
                    maxlength="200"
                    placeholder=move || t_string!(i18n, jobs.search_placeholder)
                    value=query.q.clone().unwrap_or_default()
                />
            </div>
            <div class="field">
                <label for="status">{t!(i18n, jobs.status)}</label>
                <select id="status" name="status">
                    <option value="" selected=status.is_none()>
                        {t!(i18n, jobs.any)}
                    </option>
                    {JobStatus::ALL
                        .iter()
                        .map(|s| {
                            let s = *s;
                            view! {
                                <option value=s.as_str() selected=status == Some(s)>
                                    {move || status_label(i18n, s)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="type">{t!(i18n, jobs.kind)}</label>
                <select id="type" name="type">
                    <option value="" selected=kind.is_none()>
                        {t!(i18n, jobs.any)}
                    </option>
                    {JobType::ALL
                        .iter()
                        .map(|t| {
                            let t = *t;
                            view! {
                                <option value=t.as_str() selected=kind == Some(t)>
                                    {move || type_label(i18n, t)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="location">{t!(i18n, jobs.location)}</label>
                <select id="location" name="location">
                    <option value="" selected=location.is_none()>
                        {t!(i18n, jobs.any)}
                    </option>
                    {locations
                        .into_iter()
                        .map(|l| {
                            let selected = location.as_deref() == Some(l.id.as_str());
                            view! {
                                <option value=l.id selected=selected>
                                    {l.name}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="date_from">{t!(i18n, jobs.date_from)}</label>
                <input
                    id="date_from"
                    name="date_from"
                    type="date"
                    value=query.date_from.clone().unwrap_or_default()
                />
            </div>
            <div class="field">
                <label for="date_to">{t!(i18n, jobs.date_to)}</label>
                <input
                    id="date_to"
                    name="date_to"
                    type="date"
                    value=query.date_to.clone().unwrap_or_default()
                />
            </div>
            <button type="submit" class="button button-secondary">
                {t!(i18n, common.search)}
            </button>
        </Form>
    }
    .into_any()
}

#[component]
fn JobTable(page: JobPage, query: JobQuery, locations: Vec<Location>) -> impl IntoView {
    let i18n = use_i18n();
    let filtered = query.q.is_some()
        || query.status.is_some()
        || query.kind.is_some()
        || query.location_id.is_some()
        || query.date_from.is_some()
        || query.date_to.is_some();
    let empty = page.data.is_empty();
    let first = query.cursor.is_none();
    let next = page.next_cursor.clone();
    let names: std::collections::HashMap<String, String> =
        locations.into_iter().map(|l| (l.id, l.name)).collect();
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="jobs-table">
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, jobs.reference)}</th>
                        <th scope="col">{t!(i18n, jobs.customer)}</th>
                        <th scope="col">{t!(i18n, jobs.address)}</th>
                        <th scope="col">{t!(i18n, jobs.date)}</th>
                        <th scope="col">{t!(i18n, jobs.kind)}</th>
                        <th scope="col">{t!(i18n, jobs.location)}</th>
                        <th scope="col">{t!(i18n, jobs.status)}</th>
                    </tr>
                </thead>
                <tbody>
                    {empty
                        .then(|| {
                            view! {
                                <EmptyRow columns=7>
                                    {move || {
                                        if filtered {
                                            t_string!(i18n, jobs.empty)
                                        } else {
                                            t_string!(i18n, jobs.empty_first)
                                        }
                                    }}
                                </EmptyRow>
                            }
                        })}
                    {page
                        .data
                        .into_iter()
                        .map(|job| {
                            let location = names.get(&job.fields.location_id).cloned();
                            view! { <JobRow job location /> }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        <nav class="pagination" aria-label="pagination">
            <span></span>
            <span class="form-actions">
                {(!first)
                    .then(|| {
                        view! {
                            <A
                                href=page_href(&query, None)
                                attr:class="button button-secondary button-small"
                            >
                                {t!(i18n, jobs.newest)}
                            </A>
                        }
                    })}
                {next
                    .map(|cursor| {
                        view! {
                            <A
                                href=page_href(&query, Some(&cursor))
                                attr:class="button button-secondary button-small"
                            >
                                {t!(i18n, jobs.older)}
                            </A>
                        }
                    })}
            </span>
        </nav>
    }
    .into_any()
}

#[component]
fn JobRow(job: Job, location: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let kind = job.fields.kind;
    let customer = match &job.fields.customer.last_name {
        Some(last) => format!("{} {last}", job.fields.customer.first_name),
        None => job.fields.customer.first_name.clone(),
    };
    let reference = job
        .fields
        .reference_id
        .clone()
        .unwrap_or_else(|| job.id.clone());
    // An empty text node would not survive to hydration: `None` instead.
    let window = job
        .fields
        .time_window
        .as_ref()
        .map(|w| format!(" {}–{}", w.start, w.end));
    view! {
        <tr>
            <td>
                <A href=format!("/jobs/{}", job.id)>{reference}</A>
            </td>
            <td>{customer} <div class="field-hint">{job.fields.customer.phone.clone()}</div></td>
            <td>{job.fields.address.line1.clone()}</td>
            <td>{job.fields.date.clone()} {window}</td>
            <td>{move || type_label(i18n, kind)}</td>
            <td>{location.unwrap_or(job.fields.location_id)}</td>
            <td>
                <StatusBadge status=job.status />
            </td>
        </tr>
    }
    .into_any()
}
