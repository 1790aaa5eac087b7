//! Buttons that work with or without JavaScript (docs/architecture.md,
//! Forms without JavaScript): each is a small form that posts
//! `button=<name>` to its own page. Once the page is live its submit calls
//! the server function instead; without JavaScript the server runs the
//! same service and renders the page again with a `ButtonPost`, which the
//! button's panel reads here.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::forms::{ButtonPost, Done};

/// The button post this page was rendered for: on the server from the
/// request, in the browser from the page's serialized data (so both render
/// the same).
pub fn button_post() -> OnceResource<Option<ButtonPost>> {
    let post = use_context::<ButtonPost>();
    OnceResource::new(async move { post })
}

/// What `button` did in the post the page was rendered for.
pub fn done(post: Option<&ButtonPost>, button: &str) -> Option<Done> {
    ButtonPost::of(post, button).and_then(Result::ok)
}

/// A button's error: its action's last failure, else the refusal of its
/// plain post.
pub fn button_error<I, O>(
    action: ServerAction<I>,
    post: Option<&ButtonPost>,
    button: &str,
) -> Signal<Option<AppError>>
where
    I: leptos::server_fn::ServerFn<Output = O, Error = AppError> + Clone + Send + Sync + 'static,
    O: Clone + Send + Sync + 'static,
{
    let refused = ButtonPost::of(post, button).and_then(Result::err);
    Signal::derive(move || match action.value().get() {
        Some(result) => result.err(),
        None => refused.clone(),
    })
}

/// One button in its own form: posts `button=<name>` and the hidden
/// `fields` to the page without JavaScript, runs `on_press` with it.
#[component]
pub fn ButtonForm(
    /// The button's name (`model::forms::buttons`).
    name: &'static str,
    /// Hidden fields sent with it (the session to end).
    #[prop(optional)]
    fields: Vec<(&'static str, String)>,
    #[prop(into)] class: String,
    testid: &'static str,
    #[prop(into)] pending: Signal<bool>,
    on_press: impl Fn() + 'static,
    children: Children,
) -> impl IntoView {
    view! {
        <form
            method="post"
            class="button-form"
            on:submit=move |ev| {
                ev.prevent_default();
                on_press();
            }
        >
            {fields
                .into_iter()
                .map(|(field, value)| view! { <input type="hidden" name=field value=value /> })
                .collect_view()}
            <button
                type="submit"
                name="button"
                value=name
                class=class
                data-testid=testid
                disabled=move || pending.get()
            >
                {children()}
            </button>
        </form>
    }
}
