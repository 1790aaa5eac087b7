//! The pieces the webhook pages share: where the list lives, the health
//! badge, location and event names, the signing secret shown once.

use leptos::prelude::*;
use leptos_i18n::I18nContext;

use crate::app::layout::use_zone;
use crate::app::widgets::forms::CopyButton;
use crate::i18n::*;
use crate::model::org::Location;
use crate::model::webhook::{Health, Webhook, disabled_reason};

pub const LIST_PATH: &str = "/integrations/api/webhooks";

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
    let zone = use_zone();
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
        .map(|t| zone.minutes(t));
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
