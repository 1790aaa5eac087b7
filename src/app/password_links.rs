//! "Forgot your password?" and the page an invitation or reset link opens
//! (docs/people.md). Both work without JavaScript (plain form posts; the
//! server redirects back with a code) and, with it, in place.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::app::widgets::standalone::Standalone;
use crate::i18n::*;
use crate::serverfns::auth::{RequestPasswordReset, SetPassword, link_error_code, password_link};
use leptos_i18n::I18nContext;

fn message(i18n: I18nContext<Locale>, code: &str) -> &'static str {
    match code {
        "expired" => t_string!(i18n, links.expired),
        "throttled" => t_string!(i18n, sign_in.throttled_later),
        "passwords_differ" => t_string!(i18n, links.passwords_differ),
        "password_too_short" => t_string!(i18n, field.password_too_short),
        "required" => t_string!(i18n, field.required),
        "invalid_email" => t_string!(i18n, field.invalid_email),
        _ => t_string!(i18n, sign_in.unavailable),
    }
}

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<RequestPasswordReset>::new();
    let query = use_query_map();
    // This page's own submission, or a plain post's `?error=`.
    let error = move || match action.value().get() {
        Some(Err(err)) => Some(message(i18n, link_error_code(&err))),
        Some(Ok(_)) => None,
        None => query.read().get("error").map(|code| message(i18n, &code)),
    };
    let sent = move || {
        matches!(action.value().get(), Some(Ok(())))
            || (action.value().with(Option::is_none) && query.read().get("sent").is_some())
    };
    view! {
        <Title text=move || t_string!(i18n, links.forgot_title) />
        <Standalone>
            <h1>{t!(i18n, links.forgot_title)}</h1>
            {move || {
                if sent() {
                    view! {
                        <div class="alert alert-success" role="status" data-testid="reset-sent">
                            {t!(i18n, links.reset_sent)}
                        </div>
                    }
                        .into_any()
                } else {
                    view! {
                        <p class="hint">{t!(i18n, links.forgot_intro)}</p>
                        {move || {
                            error()
                                .map(|msg| {
                                    view! {
                                        <div class="alert alert-error" role="alert">
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
                                    maxlength="254"
                                />
                            </div>
                            <button
                                type="submit"
                                class="button button-primary button-block"
                                disabled=move || action.pending().get()
                            >
                                {t!(i18n, links.send_link)}
                            </button>
                        </ActionForm>
                    }
                        .into_any()
                }
            }}
            <p class="hint">
                <A href="/sign-in">{t!(i18n, links.back_to_sign_in)}</A>
            </p>
        </Standalone>
    }
}

#[component]
pub fn SetPasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let link = Resource::new_blocking(token, password_link);
    let action = ServerAction::<SetPassword>::new();
    let error = move || match action.value().get() {
        Some(Err(err)) => Some(message(i18n, link_error_code(&err))),
        Some(Ok(_)) => None,
        None => query.read().get("error").map(|code| message(i18n, &code)),
    };
    Effect::new(move |_| {
        if let Some(Ok(signed_in)) = action.value().get() {
            i18n.set_locale(signed_in.language.into());
            let _ = window().location().set_href(&signed_in.next);
        }
    });
    view! {
        <Title text=move || t_string!(i18n, links.set_title) />
        <Standalone>
            <Suspense>
                {move || Suspend::new(async move {
                    match link.await {
                        Ok(Some(info)) => {
                            let invite = info.purpose == "invite";
                            view! {
                                <h1>
                                    {move || {
                                        if invite {
                                            t_string!(i18n, links.welcome_title)
                                        } else {
                                            t_string!(i18n, links.set_title)
                                        }
                                    }}
                                </h1>
                                <p class="hint">
                                    {move || {
                                        td_string!(
                                            i18n.get_locale(), links.set_intro, email = info.email.clone()
                                        )
                                            .to_string()
                                    }}
                                </p>
                                {move || {
                                    error()
                                        .map(|msg| {
                                            view! {
                                                <div
                                                    class="alert alert-error"
                                                    role="alert"
                                                    data-testid="set-password-error"
                                                >
                                                    {msg}
                                                </div>
                                            }
                                        })
                                }}
                                <ActionForm action>
                                    <input type="hidden" name="token" value=token() />
                                    <div class="field">
                                        <label for="password">{t!(i18n, links.new_password)}</label>
                                        <input
                                            id="password"
                                            name="password"
                                            type="password"
                                            autocomplete="new-password"
                                            required
                                            minlength="10"
                                            maxlength="256"
                                            aria-describedby="password-hint"
                                        />
                                        <p class="field-hint" id="password-hint">
                                            {t!(i18n, links.password_hint)}
                                        </p>
                                    </div>
                                    <div class="field">
                                        <label for="confirm">
                                            {t!(i18n, links.confirm_password)}
                                        </label>
                                        <input
                                            id="confirm"
                                            name="confirm"
                                            type="password"
                                            autocomplete="new-password"
                                            required
                                            maxlength="256"
                                        />
                                    </div>
                                    <button
                                        type="submit"
                                        class="button button-primary button-block"
                                        disabled=move || action.pending().get()
                                    >
                                        {t!(i18n, links.set_submit)}
                                    </button>
                                </ActionForm>
                            }
                                .into_any()
                        }
                        _ => {
                            view! {
                                <h1>{t!(i18n, links.expired_title)}</h1>
                                <p data-testid="link-expired">{t!(i18n, links.expired)}</p>
                                <p>
                                    <A href="/forgot-password">{t!(i18n, links.ask_again)}</A>
                                </p>
                            }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        </Standalone>
    }
}
