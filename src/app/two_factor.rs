//! The second factor's pages (docs/people.md): the code after the
//! password (`/sign-in/code`, with or without JavaScript), and the setup
//! (`/two-factor`): the QR code and the secret in text, a first code to
//! confirm, then the recovery codes, shown once.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::app::widgets::forms::{FormAlert, field_message};
use crate::app::widgets::standalone::Standalone;
use crate::i18n::*;
use crate::serverfns::two_factor::{ConfirmTwoFactor, VerifySecondFactor, start_two_factor};

#[component]
pub fn SecondFactorPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<VerifySecondFactor>::new();
    let query = use_query_map();
    Effect::new(move |_| {
        if let Some(Ok(signed_in)) = action.value().get() {
            i18n.set_locale(signed_in.language.into());
            let _ = window().location().set_href(&signed_in.next);
        }
    });
    let error = move || {
        let code = match action.value().get() {
            Some(Err(err)) => Some(crate::serverfns::auth::error_code(&err).to_owned()),
            Some(Ok(_)) => None,
            None => query.read().get("error"),
        };
        code.map(|c| match c.as_str() {
            "invalid" => t_string!(i18n, two_factor.invalid),
            "throttled" => t_string!(i18n, sign_in.throttled_later),
            "required" => t_string!(i18n, field.required),
            _ => t_string!(i18n, two_factor.start_again),
        })
    };
    view! {
        <Title text=move || t_string!(i18n, two_factor.code_title) />
        <Standalone>
            <h1>{t!(i18n, two_factor.code_title)}</h1>
            <p class="hint">{t!(i18n, two_factor.code_intro)}</p>
            {move || {
                error()
                    .map(|msg| {
                        view! {
                            <div class="alert alert-error" role="alert" data-testid="code-error">
                                {msg}
                            </div>
                        }
                    })
            }}
            <ActionForm action>
                <div class="field">
                    <label for="code">{t!(i18n, two_factor.code)}</label>
                    <input
                        id="code"
                        name="code"
                        type="text"
                        autocomplete="one-time-code"
                        autocapitalize="none"
                        spellcheck="false"
                        required
                        autofocus
                        maxlength="64"
                        aria-describedby="code-hint"
                    />
                    <p class="field-hint" id="code-hint">
                        {t!(i18n, two_factor.code_hint)}
                    </p>
                </div>
                <button
                    type="submit"
                    class="button button-primary button-block"
                    disabled=move || action.pending().get()
                >
                    {t!(i18n, two_factor.verify)}
                </button>
            </ActionForm>
            <p class="hint">
                <a href="/sign-in">{t!(i18n, links.back_to_sign_in)}</a>
            </p>
        </Standalone>
    }
}

#[component]
pub fn TwoFactorSetupPage() -> impl IntoView {
    let i18n = use_i18n();
    let setup = Resource::new(|| (), |_| start_two_factor());
    let confirm = ServerAction::<ConfirmTwoFactor>::new();
    let query = use_query_map();
    Effect::new(move |_| {
        if let Some(Ok(_)) = confirm.value().get() {
            let _ = window().location().set_href("/");
        }
    });
    // This page's own submission, or a plain post's `?error=`.
    let code_error = move || match confirm.value().get() {
        Some(Err(err)) => Some(if err.field_code("code").is_some() {
            field_message(i18n, "invalid_code")
        } else {
            t_string!(i18n, two_factor.start_again)
        }),
        Some(Ok(_)) => None,
        None => query.read().get("error").map(|c| {
            if c == "invalid_code" {
                field_message(i18n, "invalid_code")
            } else {
                t_string!(i18n, two_factor.start_again)
            }
        }),
    };
    view! {
        <Title text=move || t_string!(i18n, two_factor.setup_title) />
        <Standalone>
            <h1>{t!(i18n, two_factor.setup_title)}</h1>
            <Suspense>
                {move || Suspend::new(async move {
                    match setup.await {
                        Ok(enrolment) => {
                            view! {
                                <p class="hint">{t!(i18n, two_factor.setup_intro)}</p>
                                <div
                                    class="qr"
                                    role="img"
                                    aria-label=move || t_string!(i18n, two_factor.qr_label)
                                    inner_html=enrolment.qr_svg
                                ></div>
                                <p class="hint">{t!(i18n, two_factor.secret_intro)}</p>
                                <p>
                                    <code data-testid="totp-secret">{enrolment.secret}</code>
                                </p>
                                <RecoveryCodes codes=enrolment.recovery_codes />
                                <ActionForm action=confirm>
                                    <div class="field">
                                        <label for="setup-code">
                                            {t!(i18n, two_factor.first_code)}
                                        </label>
                                        <input
                                            id="setup-code"
                                            name="code"
                                            type="text"
                                            inputmode="numeric"
                                            autocomplete="one-time-code"
                                            required
                                            maxlength="10"
                                            aria-invalid=move || code_error().map(|_| "true")
                                            aria-describedby="setup-code-error"
                                        />
                                        {move || {
                                            code_error()
                                                .map(|m| {
                                                    view! {
                                                        <p class="field-error" id="setup-code-error">
                                                            {m}
                                                        </p>
                                                    }
                                                })
                                        }}
                                    </div>
                                    <button
                                        type="submit"
                                        class="button button-primary button-block"
                                        disabled=move || confirm.pending().get()
                                    >
                                        {t!(i18n, two_factor.turn_on)}
                                    </button>
                                </ActionForm>
                            }
                                .into_any()
                        }
                        Err(_) => {
                            view! {
                                <p>{t!(i18n, two_factor.start_again)}</p>
                                <p>
                                    <a href="/sign-in">{t!(i18n, links.back_to_sign_in)}</a>
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

/// The recovery codes that come with the second factor: shown during the
/// setup only.
#[component]
fn RecoveryCodes(codes: Vec<String>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="alert alert-warning" data-testid="recovery-codes">
            <p>
                <strong>{t!(i18n, two_factor.codes_title)}</strong>
            </p>
            <p>{t!(i18n, two_factor.codes_intro)}</p>
            <ul class="plain-list">
                {codes
                    .into_iter()
                    .map(|c| {
                        view! {
                            <li>
                                <code>{c}</code>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </div>
    }
}

/// The profile's part: on or off, recovery codes left, the way to set up.
#[component]
pub fn TwoFactorPanel() -> impl IntoView {
    use crate::serverfns::two_factor::{DisableTwoFactor, second_factor_status};
    let i18n = use_i18n();
    let disable = ServerAction::<DisableTwoFactor>::new();
    let status = Resource::new(move || disable.version().get(), |_| second_factor_status());
    let code = RwSignal::new(String::new());
    let error = Signal::derive(move || disable.value().get().and_then(Result::err));
    view! {
        <section class="panel" data-testid="two-factor">
            <h2>{t!(i18n, two_factor.panel_title)}</h2>
            <Transition>
                {move || Suspend::new(async move {
                    let Ok(s) = status.await else {
                        return ().into_any();
                    };
                    if !s.enabled {
                        return view! {
                            <p>{t!(i18n, two_factor.off)}</p>
                            <A href="/two-factor" attr:class="button button-primary">
                                {t!(i18n, two_factor.set_up)}
                            </A>
                        }
                            .into_any();
                    }
                    view! {
                        <p data-testid="two-factor-on">
                            {move || {
                                td_string!(
                                    i18n.get_locale(), two_factor.on, count = s.recovery_codes_left
                                )
                                    .to_string()
                            }}
                        </p>
                        {(!s.required)
                            .then(|| {
                                view! {
                                    <FormAlert error />
                                    <form
                                        class="inline-form"
                                        on:submit=move |ev| {
                                            ev.prevent_default();
                                            disable
                                                .dispatch(DisableTwoFactor {
                                                    code: code.get_untracked(),
                                                });
                                        }
                                    >
                                        <label for="off-code">{t!(i18n, two_factor.code)}</label>
                                        <input
                                            id="off-code"
                                            type="text"
                                            autocomplete="one-time-code"
                                            maxlength="64"
                                            prop:value=move || code.get()
                                            on:input=move |ev| code.set(event_target_value(&ev))
                                        />
                                        <button type="submit" class="button button-secondary">
                                            {t!(i18n, two_factor.turn_off)}
                                        </button>
                                    </form>
                                }
                            })}
                    }
                        .into_any()
                })}
            </Transition>
        </section>
    }
}
