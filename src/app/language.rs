//! The language switch. Without JavaScript it is a plain form: the server
//! sets the language cookie and sends the browser back to the page. With
//! JavaScript the page switches in place.

use leptos::prelude::*;
use leptos_i18n::context::CookieOptions;
use leptos_use::SameSite;

use crate::i18n::*;
use crate::model::Lang;
use crate::serverfns::preferences::SetLanguage;

/// The language cookie on `/` for the whole app (the browser would otherwise
/// scope it to the current folder, leaving several cookies that disagree).
pub fn cookie_options() -> CookieOptions<Locale> {
    CookieOptions::<Locale>::default()
        .path("/")
        .same_site(SameSite::Lax)
        .max_age(365_i64 * 24 * 3600 * 1000)
}

#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SetLanguage>::new();
    let target = Memo::new(move |_| Lang::from(i18n.get_locale()).other());
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            i18n.set_locale(target.get_untracked().into());
        }
    });
    view! {
        <ActionForm action attr:class="language-switch">
            <input type="hidden" name="lang" value=move || target.get().as_str() />
            <button
                type="submit"
                class="button button-ghost button-small"
                lang=move || target.get().as_str()
                data-testid="language-switch"
            >
                {move || target.get().native_name()}
            </button>
        </ActionForm>
    }
}
