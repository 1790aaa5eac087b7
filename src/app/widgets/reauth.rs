//! "Confirm it's you": shown where a sensitive action was refused because
//! the last proof of identity is too old (docs/people.md). The password,
//! and the code for a user with a second factor; then the action can be
//! done again.

use leptos::prelude::*;

use super::forms::FormAlert;
use crate::error::AppError;
use crate::i18n::*;
use crate::serverfns::sessions::ConfirmIdentity;

/// Whether `error` asks for a fresh proof of identity.
pub fn needs_reauth(error: Option<AppError>) -> bool {
    matches!(error, Some(AppError::Conflict { code }) if code == "reauth_required")
}

#[component]
pub fn ReauthPrompt(
    /// True while the last attempt was refused for an old proof.
    #[prop(into)]
    needed: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let confirm = ServerAction::<ConfirmIdentity>::new();
    let password = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let confirmed = Signal::derive(move || matches!(confirm.value().get(), Some(Ok(()))));
    let error = Signal::derive(move || confirm.value().get().and_then(Result::err));
    view! {
        <Show when=move || needed.get() && !confirmed.get()>
            <section class="alert alert-warning" data-testid="reauth">
                <p>
                    <strong>{t!(i18n, reauth.title)}</strong>
                </p>
                <p>{t!(i18n, reauth.intro)}</p>
                <FormAlert error />
                <form on:submit=move |ev| {
                    ev.prevent_default();
                    confirm
                        .dispatch(ConfirmIdentity {
                            password: password.get_untracked(),
                            code: code.get_untracked(),
                        });
                }>
                    <div class="field">
                        <label for="reauth-password">{t!(i18n, sign_in.password)}</label>
                        <input
                            id="reauth-password"
                            type="password"
                            autocomplete="current-password"
                            maxlength="1024"
                            prop:value=move || password.get()
                            on:input=move |ev| password.set(event_target_value(&ev))
                        />
                    </div>
                    <div class="field">
                        <label for="reauth-code">{t!(i18n, reauth.code)}</label>
                        <input
                            id="reauth-code"
                            type="text"
                            autocomplete="one-time-code"
                            maxlength="64"
                            prop:value=move || code.get()
                            on:input=move |ev| code.set(event_target_value(&ev))
                        />
                    </div>
                    <button
                        type="submit"
                        class="button button-primary"
                        data-testid="reauth-confirm"
                        disabled=move || confirm.pending().get()
                    >
                        {t!(i18n, reauth.confirm)}
                    </button>
                </form>
            </section>
        </Show>
        <Show when=move || needed.get() && confirmed.get()>
            <p class="alert alert-success" role="status" data-testid="reauth-done">
                {t!(i18n, reauth.done)}
            </p>
        </Show>
    }
}
