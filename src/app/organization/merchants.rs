//! Organization > Merchants: the searchable list.
//! The list's search, filter, sort and page live in the URL, so a list can
//! be bookmarked and the back button works; the search form is a plain GET
//! form that works without JavaScript too.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Form};
use leptos_router::hooks::use_query_map;
use leptos_router::params::ParamsMap;

use crate::app::status::Loading;
use crate::app::widgets::forms::{ActiveBadge, LoadError};
use crate::app::widgets::query::urlencode;
use crate::app::widgets::table::EmptyRow;
use crate::i18n::*;
use crate::model::org::{MerchantQuery, MerchantRow, MerchantSort, Page};
use crate::serverfns::organization::search_merchants;

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
                    Err(err) => view! { <LoadError error=err /> }.into_any(),
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
                            view! { <EmptyRow columns=5>{t!(i18n, merchants.empty)}</EmptyRow> }
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
