//! The keys table of API settings: one row per key, with its roll and
//! revoke buttons and their confirmations.

use leptos::prelude::*;

use crate::app::layout::use_zone;
use crate::app::widgets::forms::ConfirmDialog;
use crate::i18n::*;
use crate::model::api::{ApiKeyInfo, RollGrace};
use crate::serverfns::api::{RevokeApiKey, RollApiKey};

#[component]
pub(super) fn KeysTable(
    keys: Vec<ApiKeyInfo>,
    roll: ServerAction<RollApiKey>,
    revoke: ServerAction<RevokeApiKey>,
    can_roll: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="keys-table">
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, api.key)}</th>
                        <th scope="col">{t!(i18n, api.created)}</th>
                        <th scope="col">{t!(i18n, api.last_used)}</th>
                        <th scope="col">{t!(i18n, api.expires)}</th>
                        <th scope="col">{t!(i18n, common.actions)}</th>
                    </tr>
                </thead>
                <tbody>
                    {keys
                        .into_iter()
                        .map(|k| view! { <KeyRow key=k roll revoke can_roll /> })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn KeyRow(
    key: ApiKeyInfo,
    roll: ServerAction<RollApiKey>,
    revoke: ServerAction<RevokeApiKey>,
    can_roll: bool,
) -> impl IntoView {
    let zone = use_zone();
    let i18n = use_i18n();
    // Which form is open under the row: none, roll or revoke.
    let open = RwSignal::new(None::<&'static str>);
    let grace = RwSignal::new(RollGrace::OneDay);
    let id = StoredValue::new(key.id.clone());
    let last_used = key.last_used_at.map(|t| zone.minutes(t));
    let expires = key.expires_at.map(|t| zone.minutes(t));
    let hint = format!("lvr_…{}", key.hint);
    view! {
        <tr data-testid=format!("key-{}", key.hint)>
            <td>
                <code>{hint}</code>
            </td>
            <td>{zone.minutes(key.created_at)}</td>
            <td>
                {move || last_used.clone().unwrap_or_else(|| t_string!(i18n, api.never).to_owned())}
            </td>
            <td>
                {move || {
                    expires.clone().unwrap_or_else(|| t_string!(i18n, api.no_expiry).to_owned())
                }}
            </td>
            <td class="row-actions">
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
                    })} " "
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
            Some("roll") => {
                view! {
                    <tr class="row-form">
                        <td colspan="5">
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
                            <div class="form-actions">
                                <button
                                    type="button"
                                    class="button button-primary"
                                    data-testid="confirm-roll"
                                    on:click=move |_| {
                                        open.set(None);
                                        roll.dispatch(RollApiKey {
                                            key_id: id.get_value(),
                                            grace: grace.get_untracked().as_str().to_owned(),
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
                        </td>
                    </tr>
                }
                    .into_any()
            }
            Some(_) => {
                view! {
                    <tr class="row-form">
                        <td colspan="5">
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
