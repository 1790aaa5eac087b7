//! "Confirm it's you": shown where a sensitive action was refused because
//! the last proof of identity is too old (docs/people.md). The password,
//! and the code for a user with a second factor; then the action can be
//! done again. Without JavaScript the prompt posts to its own page, which
//! the server sends the browser back to once the proof is taken.

use leptos::prelude::*;

use super::buttons::button_error;
use super::forms::FormAlert;
use crate::error::AppError;
use crate::i18n::*;
use crate::model::forms::{ButtonPost, buttons};
use crate::serverfns::sessions::ConfirmIdentity;

/// Whether `error` asks for a fresh proof of identity.
pub fn needs_reauth(error: Option<AppError>) -> bool {
    matches!(error, Some(AppError::Conflict { code }) if code == "reauth_required")
}

/// `error`, except a request for a fresh proof: the prompt says that one,
/// so the alert beside it does not say it again.
pub fn besides_prompt(error: Signal<Option<AppError>>) -> Signal<Option<AppError>> {
    Signal::derive(move || error.get().filter(|e| !needs_reauth(Some(e.clone()))))
}

#[component]
pub fn ReauthPrompt(
    /// True while the last attempt was refused for an old proof.
    #[prop(into)]
    needed: Signal<bool>,
) -> impl IntoView {
    let confirm = ServerAction::<ConfirmIdentity>::new();
    let password = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let confirmed = Signal::derive(move || matches!(confirm.value().get(), Some(Ok(()))));
    // Read as it is, not through a resource: the prompt is often made
    // after its page's data has loaded, where a resource made on the
    // server is not the one the browser would wait for. Only a page
    // rendered for a plain post (without JavaScript) has one.
    let pressed = use_context::<ButtonPost>();
    let refused = ButtonPost::of(pressed.as_ref(), buttons::CONFIRM_IDENTITY).is_some();
    let error = button_error(confirm, pressed.as_ref(), buttons::CONFIRM_IDENTITY);
    let needed = Signal::derive(move || needed.get() || refused);
    view! { <Prompt needed confirmed error confirm password code /> }
}

#[component]
fn Prompt(
    needed: Signal<bool>,
    confirmed: Signal<bool>,
    error: Signal<Option<AppError>>,
    confirm: ServerAction<ConfirmIdentity>,
    password: RwSignal<String>,
    code: RwSignal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Show when=move || needed.get() && !confirmed.get()>
            <section class="alert alert-warning" data-testid="reauth">
                <p>
                    <strong>{t!(i18n, reauth.title)}</strong>
                </p>
                <p>{t!(i18n, reauth.intro)}</p>
                <FormAlert error />
                <form
                    method="post"
                    on:submit=move |ev| {
                        ev.prevent_default();
                        confirm
                            .dispatch(ConfirmIdentity {
                                password: password.get_untracked(),
                                code: code.get_untracked(),
                            });
                    }
                >
                    <div class="field">
                        <label for="reauth-password">{t!(i18n, sign_in.password)}</label>
                        <input
                            id="reauth-password"
                            name="password"
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
                            name="code"
                            type="text"
                            autocomplete="one-time-code"
                            maxlength="64"
                            prop:value=move || code.get()
                            on:input=move |ev| code.set(event_target_value(&ev))
                        />
                    </div>
                    <button
                        type="submit"
                        name="button"
                        value=buttons::CONFIRM_IDENTITY
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
