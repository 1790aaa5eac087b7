//! One message to an endpoint: what was sent and each attempt, newest
//! first, with its time, status, duration, error and the start of the
//! receiver's answer. Everything the receiver wrote is shown as text
//! (Leptos escapes text nodes; nothing here is parsed as HTML).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::deliveries::StateBadge;
use super::parts::{LIST_PATH, event_label};
use crate::app::layout::use_zone;
use crate::app::widgets::loaded::Loaded;
use crate::app::widgets::table::EmptyRow;
use crate::i18n::*;
use crate::model::webhook::{Attempt, Message};
use crate::serverfns::webhooks::webhook_message;

/// `/integrations/api/webhooks/:id/messages/:message_id`.
#[component]
pub fn WebhookMessagePage() -> impl IntoView {
    let params = use_params_map();
    let message = Resource::new(
        move || {
            let p = params.read();
            (
                p.get("id").unwrap_or_default(),
                p.get("message_id").unwrap_or_default(),
            )
        },
        |(id, message_id)| webhook_message(id, message_id),
    );
    let id = move || params.read().get("id").unwrap_or_default();
    let load = move || async move { message.await };
    let show = move |m: Message| view! { <MessageView m endpoint=id() /> };
    view! { <Loaded load show /> }
}

#[component]
fn MessageView(m: Message, endpoint: String) -> impl IntoView {
    let i18n = use_i18n();
    let d = m.delivery;
    let event = d.event_type.clone();
    let (day, time) = use_zone().date_and_seconds(d.created_at);
    // Pretty-printed when it is JSON, as it was sent otherwise.
    let payload = m.payload.map(|p| {
        serde_json::from_str::<serde_json::Value>(&p)
            .ok()
            .and_then(|v| serde_json::to_string_pretty(&v).ok())
            .unwrap_or(p)
    });
    let empty = m.attempts.is_empty();
    let title = d.message_id.clone();
    view! {
        <Title text=move || format!("{} · {title}", t_string!(i18n, webhooks.message_title)) />
        <div class="page-header">
            <div>
                <p class="breadcrumb">
                    <A href=LIST_PATH>{t!(i18n, webhooks.title)}</A>
                    " › "
                    <A href=format!("{LIST_PATH}/{endpoint}")>{t!(i18n, webhooks.endpoint)}</A>
                </p>
                <h1>{t!(i18n, webhooks.message_title)}</h1>
            </div>
            <StateBadge state=d.state.clone() />
        </div>
        <section class="panel">
            <dl class="details">
                <dt>{t!(i18n, webhooks.message_id)}</dt>
                <dd>
                    <code data-testid="message-id">{d.message_id.clone()}</code>
                </dd>
                <dt>{t!(i18n, webhooks.event)}</dt>
                <dd>
                    <code>{d.event_type.clone()}</code>
                    " "
                    {move || event_label(i18n, &event).unwrap_or_default()}
                </dd>
                <dt>{t!(i18n, webhooks.created)}</dt>
                <dd>{day} " " {time}</dd>
            </dl>
        </section>
        <section class="panel">
            <h2>{t!(i18n, webhooks.attempts_title)}</h2>
            <div class="table-wrap">
                <table class="table deliveries-table" data-testid="attempts">
                    <thead>
                        <tr>
                            <th scope="col">{t!(i18n, webhooks.time)}</th>
                            <th scope="col" class="num">
                                {t!(i18n, webhooks.http_status)}
                            </th>
                            <th scope="col" class="num">
                                {t!(i18n, webhooks.duration)}
                            </th>
                            <th scope="col">{t!(i18n, webhooks.response)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {empty
                            .then(|| {
                                view! {
                                    <EmptyRow columns=4>{t!(i18n, webhooks.no_attempts)}</EmptyRow>
                                }
                            })}
                        {m.attempts.into_iter().map(|a| view! { <AttemptRow a /> }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
        <section class="panel">
            <h2>{t!(i18n, webhooks.payload)}</h2>
            {match payload {
                Some(p) => {
                    view! {
                        <pre class="code payload" data-testid="payload">
                            {p}
                        </pre>
                    }
                        .into_any()
                }
                None => view! { <p class="hint">{t!(i18n, webhooks.payload_gone)}</p> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn AttemptRow(a: Attempt) -> impl IntoView {
    let (day, time) = use_zone().date_and_seconds(a.at);
    let dash = || view! { <span aria-hidden="true">"—"</span> }.into_any();
    let response = a.response.filter(|r| !r.is_empty());
    let error = a.error.filter(|e| !e.is_empty());
    let nothing = response.is_none() && error.is_none();
    view! {
        <tr data-testid="attempt-row">
            <td>
                <span class="nowrap">{day}</span>
                " "
                <span class="nowrap">{time}</span>
            </td>
            <td class="num">
                {match a.status {
                    Some(s) => view! { <span data-testid="attempt-status">{s}</span> }.into_any(),
                    None => dash(),
                }}
            </td>
            <td class="num nowrap">{format!("{} ms", a.duration_ms)}</td>
            <td>
                {response
                    .map(|r| {
                        view! {
                            <div class="response-excerpt" data-testid="attempt-response">
                                {r}
                            </div>
                        }
                    })}
                {error
                    .map(|e| {
                        view! {
                            <div class="delivery-error" data-testid="attempt-error">
                                {e}
                            </div>
                        }
                    })} {nothing.then(dash)}
            </td>
        </tr>
    }
}
