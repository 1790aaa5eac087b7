//! The administrator's overview (docs/webhooks.md, Overview): what needs
//! attention now, each part linking to where it is handled.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::app::jobs::labels::status_label;
use crate::app::layout::use_zone;
use crate::app::status::Loading;
use crate::app::webhooks::parts::{HealthBadge, LIST_PATH};
use crate::app::widgets::forms::LoadError;
use crate::i18n::*;
use crate::model::job::JobStatus;
use crate::model::overview::AdminOverview;
use crate::serverfns::webhook_ops::overview_for_admin;

#[component]
pub fn AdminOverviewPanels() -> impl IntoView {
    let overview = Resource::new(|| (), |_| overview_for_admin());
    view! {
        <Transition fallback=|| {
            view! { <Loading /> }
        }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(o) => view! { <Panels o /> }.into_any(),
                    Err(error) => view! { <LoadError error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Panels(o: AdminOverview) -> impl IntoView {
    let i18n = use_i18n();
    let zone = use_zone();
    let today = o.today.clone();
    let endpoints = if o.endpoints.is_empty() {
        view! {
            <p class="hint" data-testid="endpoints-ok">
                {t!(i18n, overview.endpoints_ok)}
            </p>
        }
        .into_any()
    } else {
        view! {
            <ul class="overview-list">
                {o
                    .endpoints
                    .into_iter()
                    .map(|w| {
                        let href = format!("{LIST_PATH}/{}", w.id);
                        let url = w.url.clone();
                        view! {
                            <li data-testid="overview-endpoint">
                                <A href=href>{url}</A>
                                " "
                                <HealthBadge webhook=w />
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };
    let keys = if o.expiring_keys.is_empty() {
        view! { <p class="hint">{t!(i18n, overview.keys_none)}</p> }.into_any()
    } else {
        view! {
            <ul class="overview-list">
                {o
                    .expiring_keys
                    .into_iter()
                    .map(|k| {
                        let href = match &k.merchant_id {
                            Some(m) => format!("/organization/merchants/{m}/users/{}", k.user_id),
                            None => "/integrations/api".to_owned(),
                        };
                        let who = match &k.merchant_name {
                            Some(m) => format!("{} ({m})", k.display_name),
                            None => k.display_name.clone(),
                        };
                        let when = zone.minutes(k.expires_at);
                        view! {
                            <li data-testid="overview-key">
                                <code>{format!("lvr_…{}", k.hint)}</code>
                                " · "
                                <A href=href>{who}</A>
                                " · "
                                {move || {
                                    td_string!(
                                        i18n.get_locale(), overview.expires, when = when.clone()
                                    )
                                        .to_string()
                                }}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };
    let total = o.api_users_total;
    let more = total - o.api_users.len() as i64;
    let users = view! {
        <p data-testid="api-users-total" class=(total == 0).then_some("hint")>
            {move || {
                if total == 0 {
                    t_string!(i18n, overview.api_users_none).to_owned()
                } else {
                    td_string!(i18n.get_locale(), overview.api_users_count, count = total)
                        .to_string()
                }
            }}
        </p>
        <ul class="overview-list">
            {o
                .api_users
                .into_iter()
                .map(|u| {
                    view! {
                        <li data-testid="overview-api-user">
                            <A href=format!(
                                "/organization/merchants/{}/users/{}",
                                u.merchant_id,
                                u.user_id,
                            )>{u.display_name}</A>
                            " · "
                            {u.merchant_name}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
        {(more > 0)
            .then(|| {
                view! {
                    <A href="/integrations/api">
                        {move || {
                            td_string!(i18n.get_locale(), overview.api_users_more, count = more)
                                .to_string()
                        }}
                    </A>
                }
            })}
    };
    let jobs = o
        .jobs_today
        .into_iter()
        .filter_map(|(status, n)| status.parse::<JobStatus>().ok().map(|s| (s, n)))
        .map(|(s, n)| {
            let href = format!(
                "/jobs?status={}&date_from={today}&date_to={today}",
                s.as_str()
            );
            view! {
                <li>
                    <A
                        href=href
                        attr:class="stat"
                        attr:data-testid=format!("jobs-today-{}", s.as_str())
                    >
                        <span class="stat-value">{n}</span>
                        <span class="stat-label">{move || status_label(i18n, s)}</span>
                    </A>
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="overview-grid">
            <section class="panel" data-testid="overview-endpoints">
                <h2>{t!(i18n, overview.endpoints_title)}</h2>
                {endpoints}
            </section>
            <section class="panel" data-testid="overview-keys">
                <h2>{t!(i18n, overview.keys_title)}</h2>
                {keys}
            </section>
            <section class="panel" data-testid="overview-api-users">
                <h2>{t!(i18n, overview.api_users_title)}</h2>
                {users}
            </section>
            <section class="panel" data-testid="overview-jobs">
                <h2>{t!(i18n, overview.jobs_title)}</h2>
                <ul class="stat-list">{jobs}</ul>
            </section>
        </div>
    }
}
