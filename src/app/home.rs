//! The overview: where each role starts.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::app::layout::use_user;
use crate::i18n::*;
use crate::model::Role;
use leptos_i18n::I18nContext;

#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let user = use_user();
    let name = user.display_name.clone();
    let cards = match user.role {
        Role::Admin => view! {
            <Card href="/organization/merchants" title=Key::Merchants body=Key::CardMerchants />
            <Card href="/organization/locations" title=Key::Locations body=Key::CardLocations />
            <Card href="/integrations/api" title=Key::Api body=Key::CardApi />
            <Card href="/jobs" title=Key::Jobs body=Key::CardJobs />
            <Card href="/audit" title=Key::Audit body=Key::CardAudit />
        }
        .into_any(),
        role => view! {
            <Card href="/jobs" title=Key::Jobs body=Key::CardMyJobs />
            {(role == Role::MerchantL2)
                .then(|| {
                    view! { <Card href="/integrations/api" title=Key::Api body=Key::CardMyApi /> }
                })}
            <Card href="/profile" title=Key::Profile body=Key::CardProfile />
        }
        .into_any(),
    };
    let intro = move || match user.role {
        Role::Admin => t_string!(i18n, home.admin_intro),
        _ => t_string!(i18n, home.merchant_intro),
    };
    view! {
        <Title text=move || t_string!(i18n, home.page_title) />
        <div class="page-header">
            <h1 data-testid="welcome">{t!(i18n, home.welcome, name = move || name.clone())}</h1>
        </div>
        <p class="lead">{intro}</p>
        {(user.role == Role::Admin)
            .then(|| view! { <crate::app::overview::AdminOverviewPanels /> })}
        <div class="card-grid">{cards}</div>
    }
}

/// Translation keys the cards use, so a card names its texts by key.
#[derive(Clone, Copy)]
enum Key {
    Merchants,
    Locations,
    Api,
    Jobs,
    Audit,
    Profile,
    CardMerchants,
    CardLocations,
    CardApi,
    CardJobs,
    CardAudit,
    CardMyJobs,
    CardMyApi,
    CardProfile,
}

fn text(i18n: I18nContext<Locale>, key: Key) -> &'static str {
    match key {
        Key::Merchants => t_string!(i18n, nav.merchants),
        Key::Locations => t_string!(i18n, nav.locations),
        Key::Api => t_string!(i18n, nav.api),
        Key::Jobs => t_string!(i18n, nav.jobs),
        Key::Audit => t_string!(i18n, nav.audit),
        Key::Profile => t_string!(i18n, nav.profile),
        Key::CardMerchants => t_string!(i18n, home.card_merchants),
        Key::CardLocations => t_string!(i18n, home.card_locations),
        Key::CardApi => t_string!(i18n, home.card_api),
        Key::CardJobs => t_string!(i18n, home.card_jobs),
        Key::CardAudit => t_string!(i18n, home.card_audit),
        Key::CardMyJobs => t_string!(i18n, home.card_my_jobs),
        Key::CardMyApi => t_string!(i18n, home.card_my_api),
        Key::CardProfile => t_string!(i18n, home.card_profile),
    }
}

#[component]
fn Card(href: &'static str, title: Key, body: Key) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <A href=href attr:class="card card-link">
            <h2 class="card-title">{move || text(i18n, title)}</h2>
            <p class="card-body">{move || text(i18n, body)}</p>
        </A>
    }
}
