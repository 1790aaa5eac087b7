//! The sign-in page. It works without JavaScript (a plain form post; the
//! server redirects back with an error code) and, with it, in place.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;

use crate::app::widgets::standalone::Standalone;
use crate::error::AppError;
use crate::i18n::*;
use crate::serverfns::auth::{SignIn, current_user, setup_status};
use leptos_i18n::I18nContext;

#[component]
pub fn SignInPage() -> impl IntoView {
    let i18n = use_i18n();
    let user = Resource::new_blocking(|| (), |_| current_user());
    let setup = Resource::new(|| (), |_| setup_status());
    let action = ServerAction::<SignIn>::new();
    let query = use_query_map();

    Effect::new(move |_| {
        if let Some(Ok(signed_in)) = action.value().get() {
            i18n.set_locale(signed_in.language.into());
            // A full load renders the signed-in app, in the user's language.
            let _ = window().location().set_href(&signed_in.next);
        }
    });

    // The error to show: from this page's own submission (JavaScript), or
    // from the query string after a plain form post.
    let error = move || match action.value().get() {
        Some(Err(err)) => Some(message(i18n, &err)),
        Some(Ok(_)) => None,
        None => query
            .read()
            .get("error")
            .map(|code| message_for_code(i18n, &code)),
    };

    view! {
        <Title text=move || t_string!(i18n, sign_in.page_title) />
        <Suspense>
            {move || Suspend::new(async move {
                matches!(user.await, Ok(Some(_))).then(|| view! { <Redirect path="/" /> })
            })}
        </Suspense>
        <Standalone below=Box::new(move || {
            view! {
                <Suspense>
                    {move || Suspend::new(async move {
                        matches!(setup.await, Ok(s) if !s.has_admin)
                            .then(|| view! { <NoAdminHint /> })
                    })}
                </Suspense>
            }
                .into_any()
        })>
            <h1>{t!(i18n, sign_in.heading)}</h1>
            <p class="hint">{t!(i18n, sign_in.intro)}</p>
            {move || {
                error()
                    .map(|msg| {
                        view! {
                            <div class="alert alert-error" role="alert" data-testid="sign-in-error">
                                {msg}
                            </div>
                        }
                    })
            }}
            <ActionForm action>
                <div class="field">
                    <label for="email">{t!(i18n, sign_in.email)}</label>
                    <input
                        id="email"
                        name="email"
                        type="email"
                        autocomplete="username"
                        required
                        autofocus
                        maxlength="254"
                    />
                </div>
                <div class="field">
                    <label for="password">{t!(i18n, sign_in.password)}</label>
                    <input
                        id="password"
                        name="password"
                        type="password"
                        autocomplete="current-password"
                        required
                        maxlength="1024"
                    />
                </div>
                <button
                    type="submit"
                    class="button button-primary button-block"
                    disabled=move || action.pending().get()
                >
                    {move || {
                        if action.pending().get() {
                            t_string!(i18n, sign_in.submitting)
                        } else {
                            t_string!(i18n, sign_in.submit)
                        }
                    }}
                </button>
            </ActionForm>
            <p class="hint">
                <a href="/forgot-password" data-testid="forgot-password">
                    {t!(i18n, links.forgot_link)}
                </a>
            </p>
        </Standalone>
    }
}

#[component]
fn NoAdminHint() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="panel panel-narrow panel-notice" data-testid="no-admin-hint">
            <h2>{t!(i18n, sign_in.no_admin_title)}</h2>
            <p>{t!(i18n, sign_in.no_admin_body)}</p>
            <pre class="code">
                <code>"livreur create-admin --email you@example.com"</code>
            </pre>
            <p class="hint">{t!(i18n, sign_in.no_admin_after)}</p>
        </section>
    }
}

fn message(i18n: I18nContext<Locale>, err: &AppError) -> String {
    match err {
        AppError::TooManyAttempts { retry_after_secs } => {
            let seconds = *retry_after_secs;
            td_string!(i18n.get_locale(), sign_in.throttled, seconds).to_string()
        }
        other => message_for_code(i18n, crate::serverfns::auth::error_code(other)),
    }
}

fn message_for_code(i18n: I18nContext<Locale>, code: &str) -> String {
    match code {
        "invalid" => t_string!(i18n, sign_in.invalid),
        "throttled" => t_string!(i18n, sign_in.throttled_later),
        "required" => t_string!(i18n, sign_in.required),
        _ => t_string!(i18n, sign_in.unavailable),
    }
    .to_owned()
}
