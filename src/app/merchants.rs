//! Organization > Merchants: the searchable list and the merchant form.
//! The list's search, filter, sort and page live in the URL, so a list can
//! be bookmarked and the back button works; the search form is a plain GET
//! form that works without JavaScript too.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Form};
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use leptos_router::params::ParamsMap;

use super::forms::{ActiveBadge, FieldMessage, FormAlert, TextField, error_message, last_error};
use super::status::Loading;
use crate::i18n::*;
use crate::model::org::{
    Location, Merchant, MerchantIn, MerchantQuery, MerchantRow, MerchantSort, Page,
};
use crate::serverfns::organization::{
    SaveMerchant, get_merchant, list_locations, search_merchants,
};

const PER_PAGE: u32 = 20;

fn query_from(params: &ParamsMap) -> MerchantQuery {
    let sort: MerchantSort = params
        .get("sort")
        .and_then(|s| s.parse().ok())
        .unwrap_or_default();
    MerchantQuery {
        q: params.get("q").filter(|q| !q.trim().is_empty()),
        active: match params.get("status").as_deref() {
            Some("active") => Some(true),
            Some("inactive") => Some(false),
            _ => None,
        },
        sort,
        descending: sort == MerchantSort::Created,
        page: params
            .get("page")
            .and_then(|p| p.parse().ok())
            .unwrap_or(1)
            .max(1),
        per_page: PER_PAGE,
    }
}

/// The list URL for `query` on another page.
fn page_href(query: &MerchantQuery, page: u32) -> String {
    let mut parts = vec![format!("page={page}")];
    if let Some(q) = &query.q {
        parts.push(format!("q={}", urlencode(q)));
    }
    match query.active {
        Some(true) => parts.push("status=active".into()),
        Some(false) => parts.push("status=inactive".into()),
        None => {}
    }
    parts.push(format!("sort={}", query.sort.as_str()));
    format!("/organization/merchants?{}", parts.join("&"))
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[component]
pub fn MerchantsPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_query_map();
    let query = Memo::new(move |_| query_from(&params.read()));
    let results = Resource::new(move || query.get(), search_merchants);
    view! {
        <Title text=move || t_string!(i18n, merchants.title) />
        <div class="page-header">
            <h1>{t!(i18n, merchants.title)}</h1>
            <A href="/organization/merchants/new" attr:class="button button-primary">
                {t!(i18n, merchants.create)}
            </A>
        </div>
        <Form method="GET" action="/organization/merchants" attr:class="toolbar" attr:role="search">
            <div class="field">
                <label for="q">{t!(i18n, common.search)}</label>
                <input
                    id="q"
                    name="q"
                    type="search"
                    maxlength="200"
                    placeholder=move || t_string!(i18n, merchants.search_placeholder)
                    prop:value=move || query.get().q.unwrap_or_default()
                />
            </div>
            <div class="field">
                <label for="status">{t!(i18n, merchants.filter_status)}</label>
                <select id="status" name="status">
                    <option value="" selected=move || query.get().active.is_none()>
                        {t!(i18n, common.all)}
                    </option>
                    <option value="active" selected=move || query.get().active == Some(true)>
                        {t!(i18n, common.active)}
                    </option>
                    <option value="inactive" selected=move || query.get().active == Some(false)>
                        {t!(i18n, common.inactive)}
                    </option>
                </select>
            </div>
            <div class="field">
                <label for="sort">{t!(i18n, merchants.sort)}</label>
                <select id="sort" name="sort">
                    <option value="name" selected=move || query.get().sort == MerchantSort::Name>
                        {t!(i18n, merchants.sort_name)}
                    </option>
                    <option value="email" selected=move || query.get().sort == MerchantSort::Email>
                        {t!(i18n, merchants.sort_email)}
                    </option>
                    <option
                        value="created"
                        selected=move || query.get().sort == MerchantSort::Created
                    >
                        {t!(i18n, merchants.sort_created)}
                    </option>
                </select>
            </div>
            <button type="submit" class="button button-secondary">
                {t!(i18n, common.search)}
            </button>
        </Form>
        <Transition fallback=|| {
            view! { <Loading /> }
        }>
            {move || Suspend::new(async move {
                match results.await {
                    Ok(page) => {
                        view! { <MerchantTable page query=query.get_untracked() /> }.into_any()
                    }
                    Err(err) => {
                        view! { <div class="alert alert-error">{error_message(i18n, &err)}</div> }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn MerchantTable(page: Page<MerchantRow>, query: MerchantQuery) -> impl IntoView {
    let i18n = use_i18n();
    let pages = page.page_count();
    let current = page.page;
    let total = page.total;
    let rows = page.items;
    let empty = rows.is_empty();
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="merchants-table">
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, merchants.business_name)}</th>
                        <th scope="col">{t!(i18n, merchants.contact_email)}</th>
                        <th scope="col" class="num">
                            {t!(i18n, merchants.users)}
                        </th>
                        <th scope="col" class="num">
                            {t!(i18n, merchants.api_users)}
                        </th>
                        <th scope="col">{t!(i18n, common.status)}</th>
                    </tr>
                </thead>
                <tbody>
                    {empty
                        .then(|| {
                            view! {
                                <tr>
                                    <td colspan="5" class="table-empty">
                                        {t!(i18n, merchants.empty)}
                                    </td>
                                </tr>
                            }
                        })}
                    {rows
                        .into_iter()
                        .map(|m| {
                            view! {
                                <tr>
                                    <td>
                                        <A href=format!(
                                            "/organization/merchants/{}",
                                            m.id,
                                        )>{m.business_name}</A>
                                    </td>
                                    <td>{m.contact_email}</td>
                                    <td class="num">{m.users}</td>
                                    <td class="num">{m.api_users}</td>
                                    <td>
                                        <ActiveBadge active=m.active />
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        <nav class="pagination" aria-label="pagination">
            <span>
                {move || td_string!(i18n.get_locale(), common.results, count = total).to_string()}
                " · "
                {move || {
                    td_string!(i18n.get_locale(), common.page_of, page = current, pages = pages)
                        .to_string()
                }}
            </span>
            <span class="form-actions">
                {(current > 1)
                    .then(|| {
                        view! {
                            <A
                                href=page_href(&query, current - 1)
                                attr:class="button button-secondary button-small"
                            >
                                {t!(i18n, common.previous)}
                            </A>
                        }
                    })}
                {(current < pages)
                    .then(|| {
                        view! {
                            <A
                                href=page_href(&query, current + 1)
                                attr:class="button button-secondary button-small"
                            >
                                {t!(i18n, common.next)}
                            </A>
                        }
                    })}
            </span>
        </nav>
    }
}

/// `/organization/merchants/new` and `/organization/merchants/:id/edit`.
#[component]
pub fn MerchantFormPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let data = Resource::new(
        move || params.read().get("id"),
        |id| async move {
            let locations = list_locations().await?;
            let merchant = match id {
                Some(id) => Some(get_merchant(id).await?.merchant),
                None => None,
            };
            Ok::<_, crate::error::AppError>((merchant, locations))
        },
    );
    view! {
        <Transition fallback=|| {
            view! { <Loading /> }
        }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((initial, locations)) => {
                        view! { <MerchantForm initial locations /> }.into_any()
                    }
                    Err(err) => {
                        view! { <div class="alert alert-error">{error_message(i18n, &err)}</div> }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn MerchantForm(initial: Option<Merchant>, locations: Vec<Location>) -> impl IntoView {
    let i18n = use_i18n();
    let is_new = initial.is_none();
    let id = initial.as_ref().map(|m| m.id.clone());
    let business_name = RwSignal::new(
        initial
            .as_ref()
            .map(|m| m.business_name.clone())
            .unwrap_or_default(),
    );
    let contact_email = RwSignal::new(
        initial
            .as_ref()
            .map(|m| m.contact_email.clone())
            .unwrap_or_default(),
    );
    let address = RwSignal::new(
        initial
            .as_ref()
            .and_then(|m| m.address.clone())
            .unwrap_or_default(),
    );
    let assigned = RwSignal::new(
        initial
            .as_ref()
            .map(|m| m.location_ids.clone())
            .unwrap_or_default(),
    );
    let default_location = RwSignal::new(
        initial
            .as_ref()
            .map(|m| m.default_location_id.clone())
            .unwrap_or_default(),
    );
    // Offer active locations, plus any inactive one still assigned.
    let offered: Vec<Location> = locations
        .into_iter()
        .filter(|l| l.active || assigned.get_untracked().contains(&l.id))
        .collect();
    let names: Vec<(String, String)> = offered
        .iter()
        .map(|l| (l.id.clone(), format!("{} ({})", l.name, l.ref_no)))
        .collect();

    let action = ServerAction::<SaveMerchant>::new();
    let error = last_error(action);
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(m)) = action.value().get() {
            navigate(
                &format!("/organization/merchants/{}", m.id),
                Default::default(),
            );
        }
    });
    // A newly assigned first location becomes the default.
    Effect::new(move |_| {
        let list = assigned.get();
        if !list.contains(&default_location.get_untracked()) {
            default_location.set(list.first().cloned().unwrap_or_default());
        }
    });
    let cancel_href = id
        .as_ref()
        .map_or("/organization/merchants".to_owned(), |id| {
            format!("/organization/merchants/{id}")
        });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        action.dispatch(SaveMerchant {
            id: id.clone(),
            input: MerchantIn {
                business_name: business_name.get_untracked(),
                contact_email: contact_email.get_untracked(),
                address: Some(address.get_untracked()),
                location_ids: assigned.get_untracked(),
                default_location_id: default_location.get_untracked(),
                active: None,
            },
        });
    };
    let title = move || {
        if is_new {
            t_string!(i18n, merchants.new_title)
        } else {
            t_string!(i18n, merchants.edit_title)
        }
    };
    let no_locations = offered.is_empty();
    view! {
        <Title text=title />
        <div class="page-header">
            <h1>{title}</h1>
        </div>
        {no_locations
            .then(|| {
                view! {
                    <div class="alert alert-info">
                        {t!(i18n, merchants.no_locations)} " "
                        <A href="/organization/locations/new">{t!(i18n, locations.create)}</A>
                    </div>
                }
            })}
        <form class="panel form" on:submit=on_submit novalidate>
            <FormAlert error />
            <TextField id="business_name" value=business_name error required=true maxlength=160>
                {t!(i18n, merchants.business_name)}
            </TextField>
            <TextField
                id="contact_email"
                value=contact_email
                error
                required=true
                kind="email"
                maxlength=254
            >
                {t!(i18n, merchants.contact_email)}
            </TextField>
            <TextField id="address" value=address error maxlength=300>
                {t!(i18n, merchants.address)}
            </TextField>
            <fieldset class="field" aria-describedby="location_ids-hint">
                <legend>{t!(i18n, merchants.locations)}</legend>
                <p class="field-hint" id="location_ids-hint">
                    {t!(i18n, merchants.locations_hint)}
                </p>
                {offered
                    .into_iter()
                    .map(|l| {
                        let lid = l.id.clone();
                        let lid_for_change = l.id.clone();
                        let input_id = format!("loc-{}", l.id);
                        let label_for = input_id.clone();
                        view! {
                            <label class="checkbox" for=label_for>
                                <input
                                    id=input_id
                                    type="checkbox"
                                    prop:checked=move || assigned.read().contains(&lid)
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        assigned
                                            .update(|list| {
                                                list.retain(|x| *x != lid_for_change);
                                                if on {
                                                    list.push(lid_for_change.clone());
                                                }
                                            });
                                    }
                                />
                                {format!("{} ({})", l.name, l.ref_no)}
                            </label>
                        }
                    })
                    .collect_view()}
                <FieldMessage field="location_ids" error />
            </fieldset>
            <div class="field">
                <label for="default_location_id">{t!(i18n, merchants.default_location)}</label>
                <select
                    id="default_location_id"
                    prop:value=move || default_location.get()
                    on:change=move |ev| default_location.set(event_target_value(&ev))
                >
                    {move || {
                        let chosen = assigned.get();
                        names
                            .iter()
                            .filter(|(id, _)| chosen.contains(id))
                            .map(|(id, name)| {
                                let selected = default_location.get_untracked() == *id;
                                view! {
                                    <option value=id.clone() selected=selected>
                                        {name.clone()}
                                    </option>
                                }
                            })
                            .collect_view()
                    }}
                </select>
                <FieldMessage field="default_location_id" error />
            </div>
            <div class="form-actions">
                <button
                    type="submit"
                    class="button button-primary"
                    disabled=move || action.pending().get()
                >
                    {move || {
                        if action.pending().get() {
                            t_string!(i18n, common.saving)
                        } else {
                            t_string!(i18n, common.save)
                        }
                    }}
                </button>
                <A href=cancel_href attr:class="button button-secondary">
                    {t!(i18n, common.cancel)}
                </A>
            </div>
        </form>
    }
}
