//! An endpoint's settings as its page shows them: what it is set to, and
//! how it has been doing.

use leptos::prelude::*;

use crate::app::layout::use_zone;
use crate::app::webhooks::parts::{EventsSummary, HealthBadge, LocationLabel, event_label};
use crate::i18n::*;
use crate::model::webhook::Webhook;

/// What the endpoint is set to, and how it has been doing.
#[component]
pub fn Settings(webhook: Webhook, location: Option<String>) -> impl IntoView {
    let zone = use_zone();
    let i18n = use_i18n();
    let time = {
        let zone = zone.clone();
        move |t: Option<i64>| match t {
            Some(t) => view! { <span>{zone.minutes(t)}</span> }.into_any(),
            None => view! { <span>{move || t_string!(i18n, api.never)}</span> }.into_any(),
        }
    };
    let all_events = webhook.events.iter().any(|e| e == "*");
    let described: Vec<&'static str> = if all_events {
        Vec::new()
    } else {
        crate::model::webhook::EVENT_TYPES
            .iter()
            .copied()
            .filter(|e| webhook.events.iter().any(|x| x == e))
            .collect()
    };
    view! {
        <section class="panel" data-testid="webhook-settings">
            <h2>{t!(i18n, webhooks.settings)}</h2>
            <dl class="details">
                <dt>{t!(i18n, webhooks.url)}</dt>
                <dd class="webhook-url">
                    <code>{webhook.url.clone()}</code>
                </dd>
                <dt>{t!(i18n, webhooks.location)}</dt>
                <dd data-testid="webhook-location">
                    <LocationLabel name=location />
                </dd>
                <dt>{t!(i18n, webhooks.events)}</dt>
                <dd data-testid="webhook-events">
                    {if all_events {
                        view! { <EventsSummary events=webhook.events.clone() /> }.into_any()
                    } else {
                        view! {
                            <ul class="event-list">
                                {described
                                    .into_iter()
                                    .map(|e| {
                                        view! {
                                            <li>
                                                <code>{e}</code>
                                                " "
                                                <span class="field-hint">
                                                    {move || event_label(i18n, e).unwrap_or(e)}
                                                </span>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any()
                    }}
                </dd>
                {webhook
                    .description
                    .clone()
                    .filter(|d| !d.is_empty())
                    .map(|d| {
                        view! {
                            <dt>{t!(i18n, webhooks.description)}</dt>
                            <dd>{d}</dd>
                        }
                    })}
                <dt>{t!(i18n, webhooks.health)}</dt>
                <dd>
                    <HealthBadge webhook=webhook.clone() />
                </dd>
                <dt>{t!(i18n, webhooks.last_success)}</dt>
                <dd data-testid="last-success">{time(webhook.last_success_at)}</dd>
                <dt>{t!(i18n, webhooks.last_failure)}</dt>
                <dd data-testid="last-failure">{time(webhook.last_failure_at)}</dd>
                {webhook
                    .previous_secret_until
                    .map(|until| {
                        view! {
                            <dt>{t!(i18n, webhooks.previous_secret)}</dt>
                            <dd>
                                {t!(i18n, webhooks.previous_secret_until)} " " {zone.minutes(until)}
                            </dd>
                        }
                    })}
                <dt>{t!(i18n, webhooks.created)}</dt>
                <dd>{zone.minutes(webhook.created_at)}</dd>
                <dt>"ID"</dt>
                <dd>
                    <code class="account-id">{webhook.id.clone()}</code>
                </dd>
            </dl>
        </section>
    }
    .into_any()
}
