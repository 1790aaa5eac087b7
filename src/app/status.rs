//! Pages and panels for states rather than content: loading, not found,
//! access denied, service unavailable.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::i18n::*;

#[component]
pub fn Loading() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="loading" role="status">
            {t!(i18n, errors.loading)}
        </div>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text=move || t_string!(i18n, errors.not_found_title) />
        <div class="standalone">
            <section class="panel panel-narrow">
                <h1>{t!(i18n, errors.not_found_title)}</h1>
                <p>{t!(i18n, errors.not_found_body)}</p>
                <A href="/" attr:class="button button-primary">
                    {t!(i18n, errors.back_home)}
                </A>
            </section>
        </div>
    }
}

/// Shown in place of a page the signed-in user's role does not reach. The
/// server functions behind such pages refuse the call as well; this only
/// spares the user a page of errors.
#[component]
pub fn Forbidden() -> impl IntoView {
    let i18n = use_i18n();
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(axum::http::StatusCode::FORBIDDEN);
    }
    view! {
        <Title text=move || t_string!(i18n, errors.forbidden_title) />
        <section class="panel panel-narrow" data-testid="forbidden">
            <h1>{t!(i18n, errors.forbidden_title)}</h1>
            <p>{t!(i18n, errors.forbidden_body)}</p>
            <A href="/" attr:class="button button-primary">
                {t!(i18n, errors.back_home)}
            </A>
        </section>
    }
}

#[component]
pub fn Unavailable() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="standalone">
            <section class="panel panel-narrow" role="alert">
                <p>{t!(i18n, errors.generic)}</p>
            </section>
        </div>
    }
}
