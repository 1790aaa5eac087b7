//! "Recover failed messages since…" on an endpoint's page (docs/webhooks.md,
//! Recovering): the window, the offer made when a disabled endpoint is
//! turned on again, and the recoveries with their progress, followed while
//! one runs.

use std::time::Duration;

use leptos::prelude::*;

use crate::app::layout::use_zone;
use crate::app::webhooks::detail::Controls;
use crate::app::widgets::forms::{FormAlert, TextField};
use crate::error::AppError;
use crate::i18n::*;
use crate::model::webhook::{Recovery, Webhook};
use crate::serverfns::webhook_ops::{RecoverWebhook, webhook_recoveries};

/// How often a running recovery's progress is read again.
const FOLLOW: Duration = Duration::from_secs(2);
/// The offer starts this much before the endpoint's messages stopped
/// getting through (`disabled_at` is its first failed attempt; the message
/// that failed was made a moment before). Only messages that did not get
/// through are sent again, so starting earlier costs nothing.
const OFFER_MARGIN_MS: i64 = 60_000;

/// An endpoint's recoveries, newest first.
pub type Recoveries = Resource<Result<Vec<Recovery>, AppError>>;

/// Made with the page, not inside its loaded part: only a resource made
/// there is one the browser takes from the server's answer when it
/// hydrates (one made after an `.await` is not, and its part of the page
/// would stop following the language).
pub fn recoveries(id: Memo<String>, ctl: Controls) -> Recoveries {
    Resource::new(
        move || {
            (
                id.get(),
                ctl.recoveries_changed.get(),
                ctl.recover.version().get(),
            )
        },
        |(id, ..)| webhook_recoveries(id),
    )
}

#[component]
pub fn RecoverPanel(webhook: Webhook, ctl: Controls, list: Recoveries) -> impl IntoView {
    let i18n = use_i18n();
    let zone = use_zone();
    let id = StoredValue::new(webhook.id.clone());
    let recover = ctl.recover;
    let since = RwSignal::new(String::new());
    let until = RwSignal::new(String::new());
    let error = Signal::derive(move || recover.value().get().and_then(Result::err));
    // Just turned on again after being disabled: offer its time off.
    let disabled_at = webhook.disabled_at;
    let offer = {
        let zone = zone.clone();
        move || {
            let turned_on = ctl
                .set_enabled
                .value()
                .with(|v| matches!(v, Some(Ok(w)) if w.enabled));
            let asked = recover.version().get() > 0;
            disabled_at
                .filter(|_| turned_on && !asked)
                .map(|at| (at, zone.minutes(at)))
        }
    };
    let send = move |from: String| {
        recover.dispatch(RecoverWebhook {
            id: id.get_value(),
            since: from,
            until: until.get_untracked(),
        });
    };
    // While one runs, read the progress again (and the deliveries with it).
    Effect::new(move |_| {
        let running = list.with(|l| matches!(l, Some(Ok(rs)) if rs.iter().any(|r| !r.done)));
        if running {
            set_timeout(
                move || {
                    ctl.recoveries_changed.try_update(|n| *n += 1);
                    ctl.refresh.try_update(|n| *n += 1);
                },
                FOLLOW,
            );
        }
    });
    let field_zone = zone.clone();
    view! {
        <section class="panel" data-testid="recover">
            <h2>{t!(i18n, webhooks.recover_title)}</h2>
            <p class="hint">{t!(i18n, webhooks.recover_hint)}</p>
            {move || {
                offer()
                    .map(|(at, shown)| {
                        let from = field_zone.field_value(at - OFFER_MARGIN_MS);
                        view! {
                            <div class="alert alert-info" data-testid="recover-offer">
                                <p>
                                    {move || {
                                        td_string!(
                                            i18n.get_locale(), webhooks.recover_offer, since = shown.clone()
                                        )
                                            .to_string()
                                    }}
                                </p>
                                <button
                                    type="button"
                                    class="button button-primary"
                                    data-testid="recover-since-disabled"
                                    on:click=move |_| send(from.clone())
                                >
                                    {t!(i18n, webhooks.recover_since_disabled)}
                                </button>
                            </div>
                        }
                    })
            }}
            <FormAlert error />
            {move || {
                recover
                    .value()
                    .get()
                    .and_then(Result::ok)
                    .map(|r| {
                        view! {
                            <p
                                class="alert alert-success"
                                role="status"
                                data-testid="recover-started"
                            >
                                {move || {
                                    td_string!(
                                        i18n.get_locale(), webhooks.recover_started, count = r.total
                                    )
                                        .to_string()
                                }}
                            </p>
                        }
                    })
            }}
            <form
                class="form-row recover-form"
                novalidate
                on:submit=move |ev| {
                    ev.prevent_default();
                    send(since.get_untracked());
                }
            >
                <TextField id="since" value=since error kind="datetime-local" required=true>
                    {t!(i18n, webhooks.recover_since)}
                </TextField>
                <TextField id="until" value=until error kind="datetime-local">
                    {t!(i18n, webhooks.recover_until)}
                </TextField>
                <div class="form-actions">
                    <button
                        type="submit"
                        class="button button-secondary"
                        data-testid="recover-submit"
                        disabled=move || recover.pending().get()
                    >
                        {t!(i18n, webhooks.recover_submit)}
                    </button>
                </div>
            </form>
            <Transition>
                {move || Suspend::new(async move {
                    let rows = list.await.unwrap_or_default();
                    (!rows.is_empty()).then(|| view! { <Recoveries rows /> })
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Recoveries(rows: Vec<Recovery>) -> impl IntoView {
    let i18n = use_i18n();
    let zone = use_zone();
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="recoveries">
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, webhooks.recover_window)}</th>
                        <th scope="col">{t!(i18n, webhooks.recover_progress)}</th>
                        <th scope="col">{t!(i18n, webhooks.recover_state)}</th>
                    </tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|r| {
                            let window = format!(
                                "{} → {}",
                                zone.minutes(r.since),
                                zone.minutes(r.until),
                            );
                            let (queued, total) = (r.queued, r.total);
                            view! {
                                <tr data-testid="recovery">
                                    <td>{window}</td>
                                    <td>
                                        <progress
                                            max=total.max(1).to_string()
                                            value=queued.min(total).to_string()
                                            aria-label=move || {
                                                t_string!(i18n, webhooks.recover_progress)
                                            }
                                        ></progress>
                                        " "
                                        {move || {
                                            td_string!(
                                                i18n.get_locale(), webhooks.recover_count, queued = queued, total = total
                                            )
                                                .to_string()
                                        }}
                                    </td>
                                    <td>
                                        {if r.done {
                                            view! {
                                                <span
                                                    class="badge badge-success"
                                                    data-testid="recovery-done"
                                                >
                                                    {t!(i18n, webhooks.recover_done)}
                                                </span>
                                            }
                                                .into_any()
                                        } else {
                                            view! {
                                                <span
                                                    class="badge badge-info"
                                                    data-testid="recovery-running"
                                                >
                                                    {t!(i18n, webhooks.recover_running)}
                                                </span>
                                            }
                                                .into_any()
                                        }}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}
