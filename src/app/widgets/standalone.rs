//! The frame of the pages seen before signing in (sign-in, password
//! links): the language switch, then a narrow panel with the brand.

use leptos::prelude::*;

use crate::app::language::LanguageSwitch;
use crate::i18n::*;

#[component]
pub fn Standalone(
    /// What goes under the panel (the sign-in page's first-run hint).
    #[prop(optional)]
    below: Option<Children>,
    children: Children,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="standalone">
            <div class="standalone-top">
                <LanguageSwitch />
            </div>
            <section class="panel panel-narrow sign-in">
                <div class="brand brand-large">
                    <span class="brand-mark" aria-hidden="true">
                        "L"
                    </span>
                    <span class="brand-name">{t!(i18n, app_name)}</span>
                </div>
                {children()}
            </section>
            {below.map(|b| b())}
        </div>
    }
}
