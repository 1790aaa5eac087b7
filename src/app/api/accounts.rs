//! API settings, the administrators' part: every merchant user with API
//! access (Account ID, keys, last used, a 7-day chart) and "Deactivate";
//! then the way to the webhooks.

use leptos::prelude::*;
use leptos_router::components::A;

use super::key_form::scope_name;
use super::keys_table::ExpiringBadge;
use super::usage_chart::UsageChart;
use crate::app::layout::use_zone;
use crate::app::status::Loading;
use crate::app::webhooks::list::WebhooksPanel;
use crate::app::widgets::forms::{ConfirmDialog, FormAlert, LoadError, last_error};
use crate::i18n::*;
use crate::model::api::ApiAccountRow;
use crate::serverfns::api::list_api_accounts;
use crate::serverfns::organization::SetApiAccess;

#[component]
pub(super) fn ApiAccounts() -> impl IntoView {
    let i18n = use_i18n();
    let set_access = ServerAction::<SetApiAccess>::new();
    let accounts = Resource::new(move || set_access.version().get(), |_| list_api_accounts());
    view! {
        <section class="panel" data-testid="api-accounts">
            <div class="panel-heading">
                <h2>{t!(i18n, api.accounts_title)}</h2>
                <A
                    href="/organization/merchants"
                    attr:class="button button-secondary"
                    attr:data-testid="manage-merchants"
                >
                    {t!(i18n, api.manage_merchants)}
                </A>
            </div>
            <p class="hint">{t!(i18n, api.accounts_intro)}</p>
            <FormAlert error=last_error(set_access) />
            <Transition fallback=|| {
                view! { <Loading /> }
            }>
                {move || Suspend::new(async move {
                    match accounts.await {
                        Ok(rows) => {
                            if rows.is_empty() {
                                view! { <p class="table-empty">{t!(i18n, api.accounts_empty)}</p> }
                                    .into_any()
                            } else {
                                view! { <AccountsTable rows set_access /> }.into_any()
                            }
                        }
                        Err(err) => view! { <LoadError error=err /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
        <WebhooksPanel />
    }
}

#[component]
fn AccountsTable(
    rows: Vec<ApiAccountRow>,
    set_access: ServerAction<SetApiAccess>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="accounts-table">
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, api.merchant_user)}</th>
                        <th scope="col">{t!(i18n, api.account_id)}</th>
                        <th scope="col">{t!(i18n, api.active_keys)}</th>
                        <th scope="col">{t!(i18n, api.last_used)}</th>
                        <th scope="col">{t!(i18n, api.requests_7d)}</th>
                        <th scope="col">{t!(i18n, common.actions)}</th>
                    </tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|row| view! { <AccountRow row set_access /> })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn AccountRow(row: ApiAccountRow, set_access: ServerAction<SetApiAccess>) -> impl IntoView {
    let zone = use_zone();
    let i18n = use_i18n();
    let confirming = RwSignal::new(false);
    let user_id = StoredValue::new(row.user_id.clone());
    let merchant = view! {
        <A href=format!(
            "/organization/merchants/{}",
            row.merchant_id,
        )>{row.business_name.clone()}</A>
    };
    view! {
        <tr data-testid=format!("account-{}", row.email)>
            <td>
                {merchant} <br /> {row.display_name.clone()} " · "
                <span class="hint">{row.email.clone()}</span>
            </td>
            <td>
                <code class="account-id">{row.account_id.clone()}</code>
            </td>
            <td data-testid="account-keys">
                {if row.keys.is_empty() {
                    view! { <span class="hint">"0"</span> }.into_any()
                } else {
                    view! {
                        <ul class="plain-list">
                            {row
                                .keys
                                .iter()
                                .map(|k| {
                                    let scope = k.scope;
                                    let expires = k.expires_at.map(|t| zone.date_and_minutes(t).0);
                                    view! {
                                        <li>
                                            <code class="nowrap">{format!("lvr_…{}", k.hint)}</code>
                                            " · "
                                            <span class="nowrap">
                                                {move || scope_name(i18n, scope)}
                                            </span>
                                            " · "
                                            <span class="nowrap">
                                                {move || {
                                                    expires
                                                        .clone()
                                                        .unwrap_or_else(|| {
                                                            t_string!(i18n, api.no_expiry).to_owned()
                                                        })
                                                }}
                                            </span>
                                            <ExpiringBadge soon=k.expiring_soon />
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                        .into_any()
                }}
            </td>
            <td class="small">
                {match row.last_used_at.map(|t| zone.date_and_minutes(t)) {
                    Some((day, time)) => {
                        view! {
                            <span class="nowrap">{day}</span>
                            " "
                            <span class="nowrap">{time}</span>
                        }
                            .into_any()
                    }
                    None => view! { {move || t_string!(i18n, api.never)} }.into_any(),
                }}
            </td>
            <td>
                <UsageChart counts=row.requests_7d.clone() />
            </td>
            <td>
                <button
                    type="button"
                    class="button button-danger button-small"
                    data-testid="deactivate-access"
                    on:click=move |_| confirming.set(true)
                >
                    {t!(i18n, common.deactivate)}
                </button>
            </td>
        </tr>
        {move || {
            confirming
                .get()
                .then(|| {
                    view! {
                        <tr class="row-form">
                            <td colspan="6">
                                <ConfirmDialog
                                    title=Signal::derive(move || {
                                        t_string!(i18n, api.deactivate_title)
                                    })
                                    body=Signal::derive(move || {
                                        t_string!(i18n, api.deactivate_body)
                                    })
                                    confirm=Signal::derive(move || {
                                        t_string!(i18n, common.deactivate)
                                    })
                                    confirm_testid="confirm-deactivate-access"
                                    on_confirm=Callback::new(move |()| {
                                        confirming.set(false);
                                        set_access
                                            .dispatch(SetApiAccess {
                                                user_id: user_id.get_value(),
                                                enabled: false,
                                            });
                                    })
                                    on_cancel=Callback::new(move |()| confirming.set(false))
                                />
                            </td>
                        </tr>
                    }
                })
        }}
    }
    .into_any()
}
