//! One merchant: details, users with their API access, deactivation.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::app::widgets::forms::{ActiveBadge, ConfirmDialog, FormAlert, last_error, role_name};
use crate::app::widgets::loaded::Loaded;
use crate::i18n::*;
use crate::serverfns::organization::{
    MerchantDetail, SetApiAccess, SetMerchantActive, get_merchant,
};

#[component]
pub fn MerchantPage() -> impl IntoView {
    let params = use_params_map();
    let set_active = ServerAction::<SetMerchantActive>::new();
    let set_access = ServerAction::<SetApiAccess>::new();
    // Reload after either action so the page shows what the server did
    // (deactivation also turns API access off).
    let detail = Resource::new(
        move || {
            (
                params.read().get("id").unwrap_or_default(),
                set_active.version().get(),
                set_access.version().get(),
            )
        },
        |(id, _, _)| get_merchant(id),
    );
    let load = move || async move { detail.await };
    let show = move |detail: MerchantDetail| {
        view! { <MerchantView detail set_active set_access /> }
    };
    view! { <Loaded load show /> }
}

#[component]
fn MerchantView(
    detail: MerchantDetail,
    set_active: ServerAction<SetMerchantActive>,
    set_access: ServerAction<SetApiAccess>,
) -> impl IntoView {
    let i18n = use_i18n();
    let m = detail.merchant;
    let id = m.id.clone();
    let name_of = |lid: &str| {
        detail
            .locations
            .iter()
            .find(|l| l.id == lid)
            .map_or_else(|| lid.to_owned(), |l| format!("{} ({})", l.name, l.ref_no))
    };
    let assigned = m
        .location_ids
        .iter()
        .map(|l| name_of(l))
        .collect::<Vec<_>>()
        .join(", ");
    let default_location = name_of(&m.default_location_id);
    let confirming = RwSignal::new(false);
    // The user whose API access is about to be turned off, asking first.
    let turning_off = RwSignal::new(None::<String>);
    let action_error = last_error(set_active);
    let access_error = last_error(set_access);
    let active = m.active;
    view! {
        <Title text=m.business_name.clone() />
        <div class="page-header">
            <h1>{m.business_name.clone()}</h1>
            <ActiveBadge active=m.active />
        </div>
        <FormAlert error=action_error />
        <FormAlert error=access_error />
        <section class="panel">
            <h2>{t!(i18n, merchants.details)}</h2>
            <dl class="details">
                <dt>{t!(i18n, merchants.contact_email)}</dt>
                <dd>{m.contact_email.clone()}</dd>
                <dt>{t!(i18n, merchants.address)}</dt>
                <dd>{m.address.clone().unwrap_or_else(|| "—".into())}</dd>
                <dt>{t!(i18n, merchants.locations)}</dt>
                <dd>{assigned}</dd>
                <dt>{t!(i18n, merchants.default_location)}</dt>
                <dd data-testid="merchant-default-location">{default_location}</dd>
            </dl>
            <div class="form-actions">
                <A
                    href=format!("/organization/merchants/{id}/edit")
                    attr:class="button button-secondary"
                >
                    {t!(i18n, common.edit)}
                </A>
                {if active {
                    view! {
                        <button
                            type="button"
                            class="button button-danger"
                            on:click=move |_| confirming.set(true)
                            data-testid="deactivate-merchant"
                        >
                            {t!(i18n, common.deactivate)}
                        </button>
                    }
                        .into_any()
                } else {
                    let id = id.clone();
                    view! {
                        <button
                            type="button"
                            class="button button-secondary"
                            on:click=move |_| {
                                set_active
                                    .dispatch(SetMerchantActive {
                                        id: id.clone(),
                                        active: true,
                                    });
                            }
                        >
                            {t!(i18n, common.activate)}
                        </button>
                    }
                        .into_any()
                }}
            </div>
            {
                let id = id.clone();
                move || {
                    let id = id.clone();
                    confirming
                        .get()
                        .then(|| {
                            let id = StoredValue::new(id);
                            view! {
                                <ConfirmDialog
                                    title=Signal::derive(move || {
                                        t_string!(i18n, merchants.deactivate_title)
                                    })
                                    body=Signal::derive(move || {
                                        t_string!(i18n, merchants.deactivate_body)
                                    })
                                    confirm=Signal::derive(move || {
                                        t_string!(i18n, common.deactivate)
                                    })
                                    confirm_testid="confirm-deactivate"
                                    on_confirm=Callback::new(move |()| {
                                        confirming.set(false);
                                        set_active
                                            .dispatch(SetMerchantActive {
                                                id: id.get_value(),
                                                active: false,
                                            });
                                    })
                                    on_cancel=Callback::new(move |()| confirming.set(false))
                                />
                            }
                        })
                }
            }
        </section>
        <section class="panel">
            <div class="page-header">
                <h2>{t!(i18n, users.title)}</h2>
                <A
                    href=format!("/organization/merchants/{id}/users/new")
                    attr:class="button button-primary button-small"
                >
                    {t!(i18n, users.add)}
                </A>
            </div>
            <p class="hint">{t!(i18n, users.revoked_note)}</p>
            {move || {
                turning_off
                    .get()
                    .map(|user_id| {
                        let user_id = StoredValue::new(user_id);
                        view! {
                            <ConfirmDialog
                                title=Signal::derive(move || t_string!(i18n, api.deactivate_title))
                                body=Signal::derive(move || t_string!(i18n, api.deactivate_body))
                                confirm=Signal::derive(move || t_string!(i18n, users.turn_off))
                                confirm_testid="confirm-turn-off-access"
                                on_confirm=Callback::new(move |()| {
                                    turning_off.set(None);
                                    set_access
                                        .dispatch(SetApiAccess {
                                            user_id: user_id.get_value(),
                                            enabled: false,
                                        });
                                })
                                on_cancel=Callback::new(move |()| turning_off.set(None))
                            />
                        }
                    })
            }}
            {if detail.users.is_empty() {
                view! { <p class="table-empty">{t!(i18n, users.empty)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="table" data-testid="users-table">
                            <thead>
                                <tr>
                                    <th scope="col">{t!(i18n, users.display_name)}</th>
                                    <th scope="col">{t!(i18n, users.email)}</th>
                                    <th scope="col">{t!(i18n, users.role)}</th>
                                    <th scope="col">{t!(i18n, common.status)}</th>
                                    <th scope="col">{t!(i18n, users.api_access)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {detail
                                    .users
                                    .into_iter()
                                    .map(|u| {
                                        let role = u.role;
                                        let uid = u.id.clone();
                                        let row_id = format!("user-{}", u.email);
                                        view! {
                                            <tr data-testid=row_id>
                                                <td>
                                                    <A href=format!(
                                                        "/organization/merchants/{}/users/{}",
                                                        u.merchant_id,
                                                        u.id,
                                                    )>{u.display_name}</A>
                                                </td>
                                                <td>{u.email}</td>
                                                <td>{move || role_name(i18n, role)}</td>
                                                <td>
                                                    <ActiveBadge active=u.active />
                                                </td>
                                                <td>
                                                    {if u.api_access {
                                                        view! {
                                                            <span class="badge badge-info" data-testid="api-on">
                                                                {t!(i18n, users.api_on)}
                                                            </span>
                                                            " "
                                                            <button
                                                                type="button"
                                                                class="button button-ghost button-small"
                                                                data-testid="turn-off-access"
                                                                on:click=move |_| { turning_off.set(Some(uid.clone())) }
                                                            >
                                                                {t!(i18n, users.turn_off)}
                                                            </button>
                                                        }
                                                            .into_any()
                                                    } else {
                                                        view! {
                                                            <span class="badge badge-neutral" data-testid="api-off">
                                                                {t!(i18n, users.api_off)}
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
                    .into_any()
            }}
        </section>
    }
}
