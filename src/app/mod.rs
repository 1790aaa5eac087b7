//! The interface: the HTML shell, the router and the pages. Components never
//! touch the database; they call server functions.

mod api;
mod audit;
mod guards;
mod home;
mod jobs;
mod language;
mod layout;
mod organization;
mod overview;
mod password_links;
mod profile;
mod sign_in;
mod status;
mod two_factor;
mod webhooks;
mod widgets;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::SsrMode;
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;

use crate::i18n::*;
use guards::AdminArea;
use layout::AppLayout;

pub fn shell(options: LeptosOptions) -> impl IntoView {
    // The page's Content-Security-Policy names this render's nonce.
    #[cfg(feature = "ssr")]
    crate::server::http::middleware::set_page_policy();
    view! {
        <!DOCTYPE html>
        // No `lang` here: the i18n provider sets it to the active language.
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Effects run only in the browser, after hydration: the mark lets tests
    // (and curious people) tell that the WebAssembly is live.
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    view! {
        <I18nContextProvider cookie_options=language::cookie_options()>
            <Stylesheet id="leptos" href="/pkg/livreur.css" />
            <Title formatter=|page: String| {
                if page.is_empty() { "Livreur".to_owned() } else { format!("{page} · Livreur") }
            } />
            // Every page is rendered whole before it is sent (no streamed
            // fallbacks): pages are small, and browsers without JavaScript
            // (and screen readers on slow machines) get complete HTML.
            <Router>
                <Routes fallback=|| view! { <status::NotFound /> }>
                    <Route ssr=SsrMode::Async path=path!("/sign-in") view=sign_in::SignInPage />
                    <Route
                        ssr=SsrMode::Async
                        path=path!("/sign-in/code")
                        view=two_factor::SecondFactorPage
                    />
                    <Route
                        ssr=SsrMode::Async
                        path=path!("/two-factor")
                        view=two_factor::TwoFactorSetupPage
                    />
                    <Route
                        ssr=SsrMode::Async
                        path=path!("/forgot-password")
                        view=password_links::ForgotPasswordPage
                    />
                    <Route
                        ssr=SsrMode::Async
                        path=path!("/set-password")
                        view=password_links::SetPasswordPage
                    />
                    <ParentRoute ssr=SsrMode::Async path=path!("") view=AppLayout>
                        <Route ssr=SsrMode::Async path=path!("") view=home::HomePage />
                        <Route
                            ssr=SsrMode::Async
                            path=path!("/profile")
                            view=profile::ProfilePage
                        />
                        <Route
                            ssr=SsrMode::Async
                            path=path!("/integrations/api")
                            view=api::settings::ApiSettingsPage
                        />
                        <Route
                            ssr=SsrMode::Async
                            path=path!("/integrations/api/reference")
                            view=api::reference::ApiReferencePage
                        />
                        <Route ssr=SsrMode::Async path=path!("/jobs") view=jobs::list::JobsPage />
                        <Route
                            ssr=SsrMode::Async
                            path=path!("/jobs/new")
                            view=jobs::form::JobFormPage
                        />
                        <Route
                            ssr=SsrMode::Async
                            path=path!("/jobs/:id")
                            view=jobs::detail::JobPage
                        />
                        <Route
                            ssr=SsrMode::Async
                            path=path!("/jobs/:id/edit")
                            view=jobs::form::JobFormPage
                        />
                        // Administrators only: the guard is the parent route.
                        <ParentRoute ssr=SsrMode::Async path=path!("") view=AdminArea>
                            <Route
                                ssr=SsrMode::Async
                                path=path!("/organization/settings")
                                view=organization::settings::OrganizationSettingsPage
                            />
                            <Route
                                ssr=SsrMode::Async
                                path=path!("/organization/merchants")
                                view=organization::merchants::MerchantsPage
                            />
                            <Route
                                ssr=SsrMode::Async
                                path=path!("/organization/merchants/new")
                                view=organization::merchant_form::MerchantFormPage
                            />
                            <Route
                                ssr=SsrMode::Async
                                path=path!("/organization/merchants/:id")
                                view=organization::merchant::MerchantPage
                            />
                            <Route
                                ssr=SsrMode::Async
                                path=path!("/organization/merchants/:id/edit")
                                view=organization::merchant_form::MerchantFormPage
                            />
                            <Route
                                ssr=SsrMode::Async
                                path=path!("/organization/merchants/:id/users/new")
                                view=organization::merchant_user::MerchantUserPage
                            />
                            <Route
                                ssr=SsrMode::Async
                                path=path!("/organization/merchants/:id/users/:user_id")
                                view=organization::merchant_user::MerchantUserPage
                            />
                            <Route
                                ssr=SsrMode::Async
                                path=path!("/organization/locations")
                                view=organization::locations::LocationsPage
                            />
                            <Route
                                ssr=SsrMode::Async
                                path=path!("/organization/locations/new")
                                view=organization::locations::LocationFormPage
                            />
                            <Route
                                ssr=SsrMode::Async
                                path=path!("/organization/locations/:id")
                                view=organization::locations::LocationFormPage
                            />
                            <Route
                                ssr=SsrMode::Async
                                path=path!("/integrations/api/webhooks")
                                view=webhooks::list::WebhooksPage
                            />
                            <Route
                                ssr=SsrMode::Async
                                path=path!("/integrations/api/webhooks/new")
                                view=webhooks::form::WebhookFormPage
                            />
                            <Route
                                ssr=SsrMode::Async
                                path=path!("/integrations/api/webhooks/:id")
                                view=webhooks::detail::WebhookPage
                            />
                            <Route
                                ssr=SsrMode::Async
                                path=path!("/integrations/api/webhooks/:id/messages/:message_id")
                                view=webhooks::message::WebhookMessagePage
                            />
                            <Route
                                ssr=SsrMode::Async
                                path=path!("/integrations/api/webhooks/:id/edit")
                                view=webhooks::form::WebhookFormPage
                            />
                            <Route ssr=SsrMode::Async path=path!("/audit") view=audit::AuditPage />
                        </ParentRoute>
                    </ParentRoute>
                </Routes>
            </Router>
        </I18nContextProvider>
    }
}
