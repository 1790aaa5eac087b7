//! Integrations > API > Webhooks (administrators, SPEC sections 3 rule 6
//! and 5): the list of endpoints with their health, and the pieces the
//! form and the endpoint's page share (health badge, location and event
//! names, the signing secret shown once).

use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_meta::Title;
use leptos_router::components::A;

use super::forms::{CopyButton, LoadError};
use super::status::Loading;
use crate::i18n::*;
use crate::model::org::Location;
use crate::model::time::minutes_utc;
use crate::model::webhook::{Health, Webhook, disabled_reason};
use crate::serverfns::organization::list_locations;
use crate::serverfns::webhooks::list_webhooks;

pub const LIST_PATH: &str = "/integrations/api/webhooks";

#[component]
pub fn WebhooksPage() -> impl IntoView {
    let i18n = use_i18n();
    // One server function per resource: a second call after an `.await`
    // would run on the server without the request's context.
    let webhooks = Resource::new(|| (), |_| list_webhooks());
    let locations = Resource::new(|| (), |_| list_locations());
    view! {
        <Title text=move || t_string!(i18n, webhooks.title) />
        <div class="page-header">
            <div>
                <p class="breadcrumb">
                    <A href="/integrations/api">{t!(i18n, api.title)}</A>
                </p>
                <h1>{t!(i18n, webhooks.title)}</h1>
            </div>
            <A
                href=format!("{LIST_PATH}/new")
                attr:class="button button-primary"
                attr:data-testid="new-webhook"
            >
                {t!(i18n, webhooks.create)}
            </A>
        </div>
        <p class="lead">{t!(i18n, webhooks.intro)}</p>
        <Transition fallback=|| {
            view! { <Loading /> }
        }>
            {move || Suspend::new(async move {
                let list = webhooks.await;
                let locations = locations.await.unwrap_or_default();
                match list {
                    Ok(list) if list.is_empty() => {
                        view! {
                            <section class="panel" data-testid="webhooks-empty">
                                {t!(i18n, webhooks.empty)}
                            </section>
                        }
                            .into_any()
                    }
                    Ok(list) => view! { <WebhookTable list locations /> }.into_any(),
                    Err(err) => view! { <LoadError error=err /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn WebhookTable(list: Vec<Webhook>, locations: Vec<Location>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="webhooks-table">
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, webhooks.url)}</th>
                        <th scope="col">{t!(i18n, webhooks.location)}</th>
                        <th scope="col">{t!(i18n, webhooks.events)}</th>
                        <th scope="col">{t!(i18n, webhooks.health)}</th>
                    </tr>
                </thead>
                <tbody>
                    {list
                        .into_iter()
                        .map(|w| {
                            let location = location_name(&locations, w.location_id.as_deref());
                            let (href, url) = (format!("{LIST_PATH}/{}", w.id), w.url.clone());
                            let description = w.description.clone().filter(|d| !d.is_empty());
                            let id = w.id.clone();
                            view! {
                                <tr data-testid="webhook-row" data-id=id>
                                    <td class="webhook-url">
                                        <A href=href>{url}</A>
                                        {description
                                            .map(|d| view! { <div class="field-hint">{d}</div> })}
                                    </td>
                                    <td>
                                        <LocationLabel name=location />
                                    </td>
                                    <td>
                                        <EventsSummary events=w.events.clone() />
                                    </td>
                                    <td>
                                        <HealthBadge webhook=w />
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// "Name (ref)" of the location an endpoint follows; `None` for all of
/// them. An unknown id (a location since removed) shows as it is.
pub fn location_name(locations: &[Location], id: Option<&str>) -> Option<String> {
    let id = id?;
    Some(
        locations
            .iter()
            .find(|l| l.id == id)
            .map_or_else(|| id.to_owned(), |l| format!("{} ({})", l.name, l.ref_no)),
    )
}

/// A location's name, or "All locations".
#[component]
pub fn LocationLabel(name: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    match name {
        Some(name) => view! { <span>{name}</span> }.into_any(),
        None => view! { <span>{t!(i18n, webhooks.all_locations)}</span> }.into_any(),
    }
}

/// "All events", or the subscribed event types as code.
#[component]
pub fn EventsSummary(events: Vec<String>) -> impl IntoView {
    let i18n = use_i18n();
    if events.iter().any(|e| e == "*") {
        return view! { <span>{t!(i18n, webhooks.all_events)}</span> }.into_any();
    }
    view! {
        <ul class="event-list">
            {events
                .into_iter()
                .map(|e| {
                    view! {
                        <li>
                            <code>{e}</code>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

/// What an event type means, in words.
pub fn event_label(i18n: I18nContext<Locale>, event: &str) -> Option<&'static str> {
    Some(match event {
        "job.created" => t_string!(i18n, webhooks.evt_job_created),
        "job.updated" => t_string!(i18n, webhooks.evt_job_updated),
        "job.status_changed" => t_string!(i18n, webhooks.evt_job_status_changed),
        "job.cancelled" => t_string!(i18n, webhooks.evt_job_cancelled),
        "job.deleted" => t_string!(i18n, webhooks.evt_job_deleted),
        "action.created" => t_string!(i18n, webhooks.evt_action_created),
        "action.updated" => t_string!(i18n, webhooks.evt_action_updated),
        "action.deleted" => t_string!(i18n, webhooks.evt_action_deleted),
        "webhook.test" => t_string!(i18n, webhooks.evt_test),
        _ => return None,
    })
}

/// OK, failing since when, or disabled and why.
#[component]
pub fn HealthBadge(webhook: Webhook) -> impl IntoView {
    let i18n = use_i18n();
    let health = webhook.health();
    let reason = webhook.disabled_reason.clone();
    let class = match health {
        Health::Ok => "badge badge-success",
        Health::Failing => "badge badge-warning",
        Health::Disabled if reason.as_deref() == Some(disabled_reason::MANUAL) => {
            "badge badge-neutral"
        }
        // Turned off by the worker, not by a person: worth noticing.
        Health::Disabled => "badge badge-danger",
    };
    let since = (health == Health::Failing)
        .then_some(webhook.failing_since)
        .flatten()
        .map(minutes_utc);
    let label = move || match health {
        Health::Ok => t_string!(i18n, webhooks.health_ok),
        Health::Failing => t_string!(i18n, webhooks.failing_since),
        Health::Disabled => match reason.as_deref() {
            Some(disabled_reason::MANUAL) => t_string!(i18n, webhooks.disabled_manual),
            Some(disabled_reason::GONE) => t_string!(i18n, webhooks.disabled_gone),
            Some(disabled_reason::FAILING) => t_string!(i18n, webhooks.disabled_failing),
            _ => t_string!(i18n, webhooks.disabled),
        },
    };
    view! {
        <span class=class data-testid="webhook-health" data-health=health.as_str()>
            {label}
            {since
                .map(|s| {
                    view! {
                        " "
                        {s}
                    }
                })}
        </span>
    }
    .into_any()
}

/// A signing secret, shown once (after a create or a rotation) with a copy
/// button and how to check signatures.
#[component]
pub fn SecretOnce(secret: String, rotated: bool) -> impl IntoView {
    let i18n = use_i18n();
    let for_copy = secret.clone();
    view! {
        <div class="alert alert-warning new-key" role="status" data-testid="webhook-secret">
            <p>
                <strong>{t!(i18n, webhooks.secret_title)}</strong>
            </p>
            <p>
                {move || {
                    if rotated {
                        t_string!(i18n, webhooks.secret_rotated)
                    } else {
                        t_string!(i18n, webhooks.secret_once)
                    }
                }}
            </p>
            <div class="copy-row">
                <code data-testid="webhook-secret-value">{secret}</code>
                <CopyButton
                    text=for_copy
                    label=t_string!(i18n, webhooks.copy_secret).to_owned()
                    testid="copy-secret"
                />
            </div>
        </div>
        <section class="panel webhook-verify">
            <h2>{t!(i18n, webhooks.verify_title)}</h2>
            <p>{t!(i18n, webhooks.verify_body)}</p>
            <p>
                <a href="https://www.standardwebhooks.com/" rel="noopener noreferrer">
                    {t!(i18n, webhooks.verify_link)}
                </a>
            </p>
        </section>
    }
    .into_any()
}

/// The way to the webhooks from API settings (administrators).
#[component]
pub fn WebhooksPanel() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="panel webhooks-panel" data-testid="webhooks-panel">
            <div>
                <h2>{t!(i18n, webhooks.title)}</h2>
                <p class="hint">{t!(i18n, webhooks.manage_hint)}</p>
            </div>
            <A
                href=LIST_PATH
                attr:class="button button-secondary"
                attr:data-testid="manage-webhooks"
            >
                {t!(i18n, webhooks.manage)}
            </A>
        </section>
    }
}
