//! An endpoint's deliveries, newest first: each message's state, attempts
//! and the receiver's last answer (as text: Leptos escapes text nodes, and
//! nothing here is ever parsed as HTML), with "Resend" per message,
//! "Refresh", and "Load more" by cursor.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::app::layout::use_zone;
use crate::app::status::Loading;
use crate::app::webhooks::detail::Controls;
use crate::app::webhooks::parts::event_label;
use crate::app::widgets::forms::{FormAlert, LoadError};
use crate::app::widgets::table::EmptyRow;
use crate::error::AppError;
use crate::i18n::*;
use crate::model::webhook::{Delivery, DeliveryPage, Webhook};
use crate::serverfns::webhooks::{ResendWebhookDelivery, WebhookDeliveries, webhook_deliveries};

/// Pages loaded with "Load more", after the first one.
#[derive(Clone, Copy)]
struct MorePages {
    rows: RwSignal<Vec<Delivery>>,
    /// The cursor after the last page loaded; `None` until one is.
    cursor: RwSignal<Option<Option<String>>>,
    load: ServerAction<WebhookDeliveries>,
}

#[component]
pub fn Deliveries(
    id: Memo<String>,
    webhook: Resource<Result<Webhook, AppError>>,
    ctl: Controls,
) -> impl IntoView {
    let first = Resource::new(
        move || (id.get(), ctl.refresh.get(), ctl.resend.version().get()),
        |(id, ..)| webhook_deliveries(id, None),
    );
    let more = MorePages {
        rows: RwSignal::new(Vec::new()),
        cursor: RwSignal::new(None),
        load: ServerAction::new(),
    };
    Effect::new(move |_| {
        if let Some(Ok(page)) = more.load.value().get() {
            more.rows.update(|rows| rows.extend(page.data));
            more.cursor.set(Some(page.next_cursor));
        }
    });
    // A fresh first page starts the list again: what was on the following
    // pages has moved.
    Effect::watch(
        move || (ctl.refresh.get(), ctl.resend.version().get()),
        move |_, _, _| {
            more.rows.set(Vec::new());
            more.cursor.set(None);
        },
        false,
    );
    view! {
        <Transition fallback=|| {
            view! { <Loading /> }
        }>
            {move || Suspend::new(async move {
                let found = webhook.await.is_ok();
                let page = first.await;
                if !found {
                    return ().into_any();
                }
                match page {
                    Ok(page) => view! { <DeliveriesPanel id page more ctl /> }.into_any(),
                    Err(err) => view! { <LoadError error=err /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn DeliveriesPanel(
    id: Memo<String>,
    page: DeliveryPage,
    more: MorePages,
    ctl: Controls,
) -> impl IntoView {
    let i18n = use_i18n();
    let empty = page.data.is_empty();
    let first_cursor = page.next_cursor.clone();
    let next_cursor = move || more.cursor.get().unwrap_or_else(|| first_cursor.clone());
    let has_more = {
        let next = next_cursor.clone();
        move || next().is_some()
    };
    let error = Signal::derive(move || {
        let resend = ctl.resend.value().get().and_then(Result::err);
        resend.or_else(|| more.load.value().get().and_then(Result::err))
    });
    let resent = move || ctl.resend.value().with(|v| matches!(v, Some(Ok(()))));
    view! {
        <section class="panel" data-testid="deliveries">
            <div class="page-header">
                <h2>{t!(i18n, webhooks.deliveries)}</h2>
                <button
                    type="button"
                    class="button button-secondary button-small"
                    data-testid="refresh-deliveries"
                    on:click=move |_| {
                        ctl.refresh.update(|n| *n += 1);
                        ctl.changed.update(|n| *n += 1);
                    }
                >
                    {t!(i18n, webhooks.refresh)}
                </button>
            </div>
            <p class="hint">{t!(i18n, webhooks.deliveries_hint)}</p>
            <FormAlert error />
            {move || {
                resent()
                    .then(|| {
                        view! {
                            <div class="alert alert-success" role="status">
                                {t!(i18n, webhooks.resent)}
                            </div>
                        }
                    })
            }}
            <div class="table-wrap">
                <table class="table deliveries-table" data-testid="deliveries-table">
                    <thead>
                        <tr>
                            <th scope="col">{t!(i18n, webhooks.time)}</th>
                            <th scope="col">{t!(i18n, webhooks.event)}</th>
                            <th scope="col">{t!(i18n, webhooks.state)}</th>
                            <th scope="col" class="num">
                                {t!(i18n, webhooks.attempts)}
                            </th>
                            <th scope="col" class="num">
                                {t!(i18n, webhooks.http_status)}
                            </th>
                            <th scope="col">{t!(i18n, webhooks.response)}</th>
                            <th scope="col">
                                <span class="visually-hidden">{t!(i18n, common.actions)}</span>
                            </th>
                        </tr>
                    </thead>
                    <tbody>
                        {empty
                            .then(|| {
                                view! {
                                    <EmptyRow columns=7>
                                        {t!(i18n, webhooks.deliveries_empty)}
                                    </EmptyRow>
                                }
                            })}
                        {page
                            .data
                            .into_iter()
                            .map(|d| view! { <DeliveryRow d id ctl /> })
                            .collect_view()}
                        {move || {
                            more.rows
                                .get()
                                .into_iter()
                                .map(|d| view! { <DeliveryRow d id ctl /> })
                                .collect_view()
                        }}
                    </tbody>
                </table>
            </div>
            {move || {
                has_more()
                    .then(|| {
                        let next = next_cursor.clone();
                        view! {
                            <div class="form-actions">
                                <button
                                    type="button"
                                    class="button button-secondary"
                                    data-testid="load-more-deliveries"
                                    disabled=move || more.load.pending().get()
                                    on:click=move |_| {
                                        more.load
                                            .dispatch(WebhookDeliveries {
                                                id: id.get_untracked(),
                                                cursor: untrack(&next),
                                            });
                                    }
                                >
                                    {t!(i18n, webhooks.load_more)}
                                </button>
                            </div>
                        }
                    })
            }}
        </section>
    }
    .into_any()
}

#[component]
fn DeliveryRow(d: Delivery, id: Memo<String>, ctl: Controls) -> impl IntoView {
    let i18n = use_i18n();
    let zone = use_zone();
    let state = d.state.clone();
    let next_attempt = (state == "pending")
        .then_some(d.next_attempt_at)
        .flatten()
        .map(|at| {
            view! {
                <div class="field-hint nowrap">
                    {t!(i18n, webhooks.next_attempt)} " " {zone.date_and_seconds(at).1}
                </div>
            }
        });
    let event = d.event_type.clone();
    let message_id = StoredValue::new(d.message_id.clone());
    let dash = || view! { <span aria-hidden="true">"—"</span> }.into_any();
    let response = d.last_response.clone().filter(|r| !r.is_empty());
    let failure = d.last_error.clone().filter(|e| !e.is_empty());
    let nothing = response.is_none() && failure.is_none();
    let (day, time) = zone.date_and_seconds(d.created_at);
    view! {
        <tr
            data-testid="delivery-row"
            data-message-id=d.message_id.clone()
            data-state=state.clone()
        >
            <td title=d.message_id.clone()>
                <span class="nowrap">{day}</span>
                " "
                <span class="nowrap">{time}</span>
            </td>
            <td>
                <code>{d.event_type.clone()}</code>
                {event_label(i18n, &event)
                    .is_some()
                    .then(|| {
                        view! {
                            <div class="field-hint">
                                {move || event_label(i18n, &event).unwrap_or_default()}
                            </div>
                        }
                    })}
            </td>
            <td>
                <StateBadge state=state.clone() />
                {next_attempt}
            </td>
            <td class="num">{d.attempts}</td>
            <td class="num">
                {match d.last_status {
                    Some(s) => view! { <span data-testid="delivery-status">{s}</span> }.into_any(),
                    None => dash(),
                }}
                {d
                    .last_duration_ms
                    .map(|ms| {
                        view! {
                            <div class="field-hint" data-testid="delivery-duration">
                                {format!("{ms} ms")}
                            </div>
                        }
                    })}
            </td>
            <td>
                {response
                    .map(|r| {
                        view! {
                            <div class="response-excerpt" data-testid="delivery-response">
                                {r}
                            </div>
                        }
                    })}
                {failure
                    .map(|e| {
                        view! {
                            <div class="delivery-error" data-testid="delivery-error">
                                {e}
                            </div>
                        }
                    })} {nothing.then(dash)}
            </td>
            <td class="row-actions">
                <A
                    href=format!(
                        "/integrations/api/webhooks/{}/messages/{}",
                        id.get_untracked(),
                        message_id.get_value(),
                    )
                    attr:class="button button-secondary button-small"
                    attr:data-testid="delivery-history"
                >
                    {t!(i18n, webhooks.history)}
                </A>
                <button
                    type="button"
                    class="button button-secondary button-small"
                    data-testid="resend-delivery"
                    disabled=move || ctl.resend.pending().get()
                    on:click=move |_| {
                        ctl.resend
                            .dispatch(ResendWebhookDelivery {
                                id: id.get_untracked(),
                                message_id: message_id.get_value(),
                            });
                    }
                >
                    {t!(i18n, webhooks.resend)}
                </button>
            </td>
        </tr>
    }
    .into_any()
}

/// A message's state: pending, delivered or failed.
#[component]
pub(super) fn StateBadge(state: String) -> impl IntoView {
    let i18n = use_i18n();
    let badge = match state.as_str() {
        "succeeded" => "badge badge-success",
        "failed" => "badge badge-danger",
        _ => "badge badge-info",
    };
    let label = move || match state.as_str() {
        "succeeded" => t_string!(i18n, webhooks.state_succeeded),
        "failed" => t_string!(i18n, webhooks.state_failed),
        _ => t_string!(i18n, webhooks.state_pending),
    };
    view! {
        <span class=badge data-testid="delivery-state">
            {label}
        </span>
    }
}
