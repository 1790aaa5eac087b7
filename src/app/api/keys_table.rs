//! The keys table of API settings: one row per key (access, expiry, last
//! use, allowed addresses, 30 days of requests), with its roll, revoke and
//! address forms under the row.

use leptos::prelude::*;

use super::key_form::{ChoiceState, KeyChoiceFields, NetsForm, scope_name};
use super::usage_chart::{UsageChart, stamp};
use crate::app::layout::use_zone;
use crate::app::widgets::forms::ConfirmDialog;
use crate::i18n::*;
use crate::model::api::{ApiKeyInfo, KeyLifetime, RollGrace};
use crate::serverfns::api::{RevokeApiKey, RollApiKey};

/// What every row needs besides its key.
#[derive(Clone)]
pub struct KeyActions {
    pub roll: ServerAction<RollApiKey>,
    pub revoke: ServerAction<RevokeApiKey>,
    /// Read the keys again (after the addresses of one were saved).
    pub refresh: Callback<()>,
    pub can_roll: bool,
    pub lifetimes: Vec<KeyLifetime>,
    pub max_days: Option<u32>,
}

#[component]
pub(super) fn KeysTable(keys: Vec<ApiKeyInfo>, actions: KeyActions) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="table-wrap">
            <table class="table keys-table" data-testid="keys-table">
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, api.key)}</th>
                        <th scope="col">{t!(i18n, api.expires)}</th>
                        <th scope="col">{t!(i18n, api.last_used)}</th>
                        <th scope="col">{t!(i18n, api.allowed_nets)}</th>
                        <th scope="col">{t!(i18n, api.requests_30d)}</th>
                        <th scope="col">{t!(i18n, common.actions)}</th>
                    </tr>
                </thead>
                <tbody>
                    {keys
                        .into_iter()
                        .map(|k| view! { <KeyRow key=k actions=actions.clone() /> })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// "Expires soon", beside an expiry within 7 days.
#[component]
pub(super) fn ExpiringBadge(soon: bool) -> impl IntoView {
    let i18n = use_i18n();
    soon.then(|| {
        view! {
            " "
            <span class="badge badge-warning" data-testid="expiring-soon">
                {t!(i18n, api.expiring_soon)}
            </span>
        }
    })
}

const COLUMNS: &str = "6";

#[component]
fn KeyRow(key: ApiKeyInfo, actions: KeyActions) -> impl IntoView {
    let zone = use_zone();
    let i18n = use_i18n();
    let KeyActions {
        roll,
        revoke,
        refresh,
        can_roll,
        lifetimes,
        max_days,
    } = actions;
    // Which form is open under the row: none, roll, addresses or revoke.
    let open = RwSignal::new(None::<&'static str>);
    let grace = RwSignal::new(RollGrace::OneDay);
    let choice = ChoiceState::new(key.scope, &lifetimes);
    let id = StoredValue::new(key.id.clone());
    let last_ip = key.last_used_ip.clone();
    let hint = format!("lvr_…{}", key.hint);
    let scope = key.scope;
    let nets = StoredValue::new(key.allowed_nets.clone());
    let short_hint = StoredValue::new(key.hint.clone());
    let roll_error = Signal::derive(move || roll.value().get().and_then(Result::err));
    view! {
        <tr data-testid=format!("key-{}", key.hint)>
            <td>
                <code class="nowrap">{hint}</code>
                <br />
                <span class="badge badge-neutral nowrap" data-testid="key-scope">
                    {move || scope_name(i18n, scope)}
                </span>
                <br />
                <span class="hint small nowrap">
                    {t!(i18n, api.created)} " " {zone.date_and_minutes(key.created_at).0}
                </span>
            </td>
            <td>
                {match key.expires_at {
                    Some(t) => stamp(&zone, t).into_any(),
                    None => view! { {move || t_string!(i18n, api.no_expiry)} }.into_any(),
                }} <ExpiringBadge soon=key.expiring_soon />
            </td>
            <td>
                {match key.last_used_at {
                    Some(t) => stamp(&zone, t).into_any(),
                    None => view! { {move || t_string!(i18n, api.never)} }.into_any(),
                }}
                {last_ip
                    .map(|ip| {
                        view! {
                            <br />
                            <span class="hint small">
                                {move || {
                                    td_string!(i18n.get_locale(), api.last_from, ip = ip.clone())
                                        .to_string()
                                }}
                            </span>
                        }
                    })}
            </td>
            <td data-testid="key-nets">
                {if key.allowed_nets.is_empty() {
                    view! { <span class="hint">{t!(i18n, api.anywhere)}</span> }.into_any()
                } else {
                    view! {
                        <ul class="plain-list">
                            {key
                                .allowed_nets
                                .iter()
                                .map(|n| {
                                    view! {
                                        <li>
                                            <code>{n.clone()}</code>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                        .into_any()
                }}
            </td>
            <td>
                <UsageChart counts=key.requests_30d.clone() />
            </td>
            <td class="row-actions row-actions-stacked">
                <button
                    type="button"
                    class="button button-secondary button-small"
                    data-testid="edit-nets"
                    on:click=move |_| open.set(Some("nets"))
                >
                    {t!(i18n, api.edit_nets)}
                </button>
                " "
                {can_roll
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                class="button button-secondary button-small"
                                data-testid="roll-key"
                                on:click=move |_| open.set(Some("roll"))
                            >
                                {t!(i18n, api.roll)}
                            </button>
                        }
                    })}
                " "
                <button
                    type="button"
                    class="button button-ghost button-small"
                    data-testid="revoke-key"
                    on:click=move |_| open.set(Some("revoke"))
                >
                    {t!(i18n, api.revoke)}
                </button>
            </td>
        </tr>
        {move || match open.get() {
            Some("nets") => {
                view! {
                    <tr class="row-form">
                        <td colspan=COLUMNS>
                            <NetsForm
                                key_id=id.get_value()
                                hint=short_hint.get_value()
                                current=nets.get_value()
                                on_saved=Callback::new(move |()| {
                                    open.set(None);
                                    refresh.run(());
                                })
                                on_cancel=Callback::new(move |()| open.set(None))
                            />
                        </td>
                    </tr>
                }
                    .into_any()
            }
            Some("roll") => {
                let lifetimes = lifetimes.clone();
                view! {
                    <tr class="row-form">
                        <td colspan=COLUMNS>
                            <div class="key-form">
                                <fieldset class="field">
                                    <legend>{t!(i18n, api.roll_question)}</legend>
                                    {RollGrace::ALL
                                        .iter()
                                        .copied()
                                        .map(|g| {
                                            let input_id = format!("grace-{}", g.as_str());
                                            let label_for = input_id.clone();
                                            view! {
                                                <label class="choice" for=label_for>
                                                    <input
                                                        type="radio"
                                                        name="grace"
                                                        id=input_id
                                                        value=g.as_str()
                                                        prop:checked=move || grace.get() == g
                                                        on:change=move |_| grace.set(g)
                                                    />
                                                    {move || grace_label(i18n, g)}
                                                </label>
                                            }
                                        })
                                        .collect_view()}
                                </fieldset>
                                <h4>{t!(i18n, api.roll_new_key)}</h4>
                                <KeyChoiceFields
                                    prefix="roll"
                                    state=choice
                                    lifetimes
                                    max_days
                                    error=roll_error
                                />
                                <div class="form-actions">
                                    <button
                                        type="button"
                                        class="button button-primary"
                                        data-testid="confirm-roll"
                                        on:click=move |_| {
                                            roll.dispatch(RollApiKey {
                                                key_id: id.get_value(),
                                                grace: grace.get_untracked().as_str().to_owned(),
                                                choice: choice.choice(),
                                            });
                                        }
                                    >
                                        {t!(i18n, api.roll)}
                                    </button>
                                    <button
                                        type="button"
                                        class="button button-secondary"
                                        on:click=move |_| open.set(None)
                                    >
                                        {t!(i18n, common.cancel)}
                                    </button>
                                </div>
                            </div>
                        </td>
                    </tr>
                }
                    .into_any()
            }
            Some(_) => {
                view! {
                    <tr class="row-form">
                        <td colspan=COLUMNS>
                            <ConfirmDialog
                                title=Signal::derive(move || t_string!(i18n, api.revoke_title))
                                body=Signal::derive(move || t_string!(i18n, api.revoke_body))
                                confirm=Signal::derive(move || t_string!(i18n, api.revoke))
                                confirm_testid="confirm-revoke"
                                on_confirm=Callback::new(move |()| {
                                    open.set(None);
                                    revoke
                                        .dispatch(RevokeApiKey {
                                            key_id: id.get_value(),
                                        });
                                })
                                on_cancel=Callback::new(move |()| open.set(None))
                            />
                        </td>
                    </tr>
                }
                    .into_any()
            }
            None => ().into_any(),
        }}
    }
    .into_any()
}

fn grace_label(i18n: leptos_i18n::I18nContext<Locale>, g: RollGrace) -> &'static str {
    match g {
        RollGrace::Now => t_string!(i18n, api.grace_now),
        RollGrace::OneHour => t_string!(i18n, api.grace_hour),
        RollGrace::OneDay => t_string!(i18n, api.grace_day),
        RollGrace::SevenDays => t_string!(i18n, api.grace_week),
    }
}
