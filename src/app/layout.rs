//! The frame of every signed-in page: header, navigation, main area. It
//! loads the signed-in user once and shares it with the pages below.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Outlet, Redirect};

use crate::app::language::LanguageSwitch;
use crate::app::status::Loading;
use crate::i18n::*;
use crate::model::time::Zone;
use crate::model::{Role, SessionUser, Viewer};
use crate::serverfns::auth::{SignOut, current_user};

/// The signed-in user, provided to every page under [`AppLayout`].
#[derive(Clone)]
pub struct CurrentUser(pub SessionUser);

pub fn use_user() -> SessionUser {
    expect_context::<CurrentUser>().0
}

/// The organization's time zone, in which every page shows dates and
/// times (`zone.minutes(ms)`).
pub fn use_zone() -> Zone {
    use_context::<Zone>().unwrap_or_default()
}

/// How many webhook endpoints have an alert not seen through yet: the
/// navigation's badge, kept up to date by the alert banner
/// (`webhooks::alerts`).
#[derive(Clone, Copy)]
pub struct WebhookAlertCount(pub RwSignal<u32>);

#[component]
pub fn AppLayout() -> impl IntoView {
    // Blocking, so the server knows who is signed in before it sends
    // anything and can answer with a redirect instead of a page.
    let user = Resource::new_blocking(|| (), |_| current_user());
    view! {
        <Suspense fallback=|| {
            view! { <Loading /> }
        }>
            {move || Suspend::new(async move {
                match user.await {
                    Ok(Some(viewer)) => view! { <SignedInFrame viewer /> }.into_any(),
                    Ok(None) => view! { <Redirect path="/sign-in" /> }.into_any(),
                    Err(_) => view! { <crate::app::status::Unavailable /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SignedInFrame(viewer: Viewer) -> impl IntoView {
    let i18n = use_i18n();
    let Viewer {
        user,
        organization,
        zone,
        webhook_alerts,
    } = viewer;
    provide_context(CurrentUser(user.clone()));
    provide_context(zone);
    let alerts = WebhookAlertCount(RwSignal::new(webhook_alerts));
    provide_context(alerts);
    let role = user.role;
    // Every page's title ends with the organization's name.
    let suffix = organization.clone();
    let formatter = move |page: String| {
        if page.is_empty() {
            suffix.clone()
        } else {
            format!("{page} · {suffix}")
        }
    };
    view! {
        <Title formatter />
        <a class="skip-link" href="#main">
            {t!(i18n, nav.skip)}
        </a>
        <header class="topbar">
            <A href="/" attr:class="brand">
                <span class="brand-mark" aria-hidden="true">
                    "L"
                </span>
                <span class="brand-name" data-testid="organization-name">
                    {organization}
                </span>
            </A>
            <div class="topbar-end">
                <LanguageSwitch />
                <span class="user-chip" data-testid="current-user">
                    <span class="user-name">{user.display_name.clone()}</span>
                    <span class="user-role">{role_label(role)}</span>
                </span>
                <SignOutButton />
            </div>
        </header>
        <div class="frame">
            <nav class="sidenav" aria-label=move || t_string!(i18n, nav.main)>
                <Navigation role alerts />
            </nav>
            <main id="main" class="content" tabindex="-1">
                <Outlet />
            </main>
        </div>
    }
}

/// The navigation for a role: administrators see everything; merchant users
/// see their jobs, the API page when they are Level 2, and their profile.
#[component]
fn Navigation(role: Role, alerts: WebhookAlertCount) -> impl IntoView {
    let i18n = use_i18n();
    match role {
        Role::Admin => view! {
            <ul class="nav-list">
                <li>
                    <A href="/" exact=true>
                        {t!(i18n, nav.overview)}
                    </A>
                </li>
                <li class="nav-group">
                    <span class="nav-group-title">{t!(i18n, nav.organization)}</span>
                    <ul>
                        <li>
                            <A href="/organization/merchants">{t!(i18n, nav.merchants)}</A>
                        </li>
                        <li>
                            <A href="/organization/locations">{t!(i18n, nav.locations)}</A>
                        </li>
                        <li>
                            <A href="/organization/settings">{t!(i18n, nav.settings)}</A>
                        </li>
                    </ul>
                </li>
                <li class="nav-group">
                    <span class="nav-group-title">{t!(i18n, nav.integrations)}</span>
                    <ul>
                        <li>
                            <A href="/integrations/api">{t!(i18n, nav.api)}</A>
                        </li>
                        <li class="nav-sub">
                            <A href="/integrations/api/webhooks">
                                {t!(i18n, nav.webhooks)}
                                {move || {
                                    let n = alerts.0.get();
                                    (n > 0)
                                        .then(|| {
                                            view! {
                                                " "
                                                <span
                                                    class="badge badge-danger nav-badge"
                                                    data-testid="webhook-alert-badge"
                                                    aria-hidden="true"
                                                >
                                                    {n}
                                                </span>
                                                <span class="visually-hidden">
                                                    {move || {
                                                        td_string!(i18n.get_locale(), nav.webhook_alerts, count = n)
                                                            .to_string()
                                                    }}
                                                </span>
                                            }
                                        })
                                }}
                            </A>
                        </li>
                    </ul>
                </li>
                <li>
                    <A href="/jobs">{t!(i18n, nav.jobs)}</A>
                </li>
                <li>
                    <A href="/audit">{t!(i18n, nav.audit)}</A>
                </li>
            </ul>
        }
        .into_any(),
        Role::MerchantL1 | Role::MerchantL2 => view! {
            <ul class="nav-list">
                <li>
                    <A href="/" exact=true>
                        {t!(i18n, nav.overview)}
                    </A>
                </li>
                <li>
                    <A href="/jobs">{t!(i18n, nav.jobs)}</A>
                </li>
                {(role == Role::MerchantL2)
                    .then(|| {
                        view! {
                            <li class="nav-group">
                                <span class="nav-group-title">{t!(i18n, nav.integrations)}</span>
                                <ul>
                                    <li>
                                        <A href="/integrations/api">{t!(i18n, nav.api)}</A>
                                    </li>
                                </ul>
                            </li>
                        }
                    })}
                <li>
                    <A href="/profile">{t!(i18n, nav.profile)}</A>
                </li>
            </ul>
        }
        .into_any(),
    }
}

#[component]
fn SignOutButton() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SignOut>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            // A full load: nothing of the signed-in pages stays in memory.
            let _ = window().location().set_href("/sign-in");
        }
    });
    view! {
        <ActionForm action>
            <button
                type="submit"
                class="button button-secondary button-small"
                data-testid="sign-out"
            >
                {t!(i18n, header.sign_out)}
            </button>
        </ActionForm>
    }
}

pub fn role_label(role: Role) -> impl IntoView {
    let i18n = use_i18n();
    move || match role {
        Role::Admin => t_string!(i18n, roles.admin),
        Role::MerchantL1 => t_string!(i18n, roles.merchant_l1),
        Role::MerchantL2 => t_string!(i18n, roles.merchant_l2),
    }
}
