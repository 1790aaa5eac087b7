//! The list of webhook endpoints with their health, and the way to it from
//! API settings.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::app::webhooks::alerts::AlertBanner;
use leptos_router::components::A;

use super::parts::{EventsSummary, HealthBadge, LIST_PATH, LocationLabel, location_name};
use crate::app::status::Loading;
use crate::app::widgets::forms::LoadError;
use crate::i18n::*;
use crate::model::org::Location;
use crate::model::webhook::Webhook;
use crate::serverfns::organization::list_locations;
use crate::serverfns::webhooks::list_webhooks;

#[component]
pub fn WebhooksPage() -> impl IntoView {
    let i18n = use_i18n();
    // One server function per resource: a second call after an `.await`
    // would run on the server without the request's context.
    let webhooks = Resource::new(|| (), |_| list_webhooks());
    let locations = Resource::new(|| (), |_| list_locations());
    view! {
        <Title text=move || t_string!(i18n, webhooks.title) />
        <div class="page-header">
            <div>
                <p class="breadcrumb">
                    <A href="/integrations/api">{t!(i18n, api.title)}</A>
                </p>
                <h1>{t!(i18n, webhooks.title)}</h1>
            </div>
            <A
                href=format!("{LIST_PATH}/new")
                attr:class="button button-primary"
                attr:data-testid="new-webhook"
            >
                {t!(i18n, webhooks.create)}
            </A>
        </div>
        <p class="lead">{t!(i18n, webhooks.intro)}</p>
        <AlertBanner />
        <Transition fallback=|| {
            view! { <Loading /> }
        }>
            {move || Suspend::new(async move {
                let list = webhooks.await;
                let locations = locations.await.unwrap_or_default();
                match list {
                    Ok(list) if list.is_empty() => {
                        view! {
                            <section class="panel" data-testid="webhooks-empty">
                                {t!(i18n, webhooks.empty)}
                            </section>
                        }
                            .into_any()
                    }
                    Ok(list) => view! { <WebhookTable list locations /> }.into_any(),
                    Err(err) => view! { <LoadError error=err /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn WebhookTable(list: Vec<Webhook>, locations: Vec<Location>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="webhooks-table">
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, webhooks.url)}</th>
                        <th scope="col">{t!(i18n, webhooks.location)}</th>
                        <th scope="col">{t!(i18n, webhooks.events)}</th>
                        <th scope="col">{t!(i18n, webhooks.health)}</th>
                    </tr>
                </thead>
                <tbody>
                    {list
                        .into_iter()
                        .map(|w| {
                            let location = location_name(&locations, w.location_id.as_deref());
                            let (href, url) = (format!("{LIST_PATH}/{}", w.id), w.url.clone());
                            let description = w.description.clone().filter(|d| !d.is_empty());
                            let id = w.id.clone();
                            view! {
                                <tr data-testid="webhook-row" data-id=id>
                                    <td class="webhook-url">
                                        <A href=href>{url}</A>
                                        {description
                                            .map(|d| view! { <div class="field-hint">{d}</div> })}
                                    </td>
                                    <td>
                                        <LocationLabel name=location />
                                    </td>
                                    <td>
                                        <EventsSummary events=w.events.clone() />
                                    </td>
                                    <td>
                                        <HealthBadge webhook=w />
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
}

/// The way to the webhooks from API settings (administrators).
#[component]
pub fn WebhooksPanel() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="panel webhooks-panel" data-testid="webhooks-panel">
            <div>
                <h2>{t!(i18n, webhooks.title)}</h2>
                <p class="hint">{t!(i18n, webhooks.manage_hint)}</p>
            </div>
            <A
                href=LIST_PATH
                attr:class="button button-secondary"
                attr:data-testid="manage-webhooks"
            >
                {t!(i18n, webhooks.manage)}
            </A>
        </section>
    }
}
