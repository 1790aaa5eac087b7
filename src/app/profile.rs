//! The signed-in user's own profile.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::app::language::LanguageSwitch;
use crate::app::layout::{role_label, use_user};
use crate::i18n::*;
use crate::model::Lang;

#[component]
pub fn ProfilePage() -> impl IntoView {
    let i18n = use_i18n();
    let user = use_user();
    view! {
        <Title text=move || t_string!(i18n, profile.page_title) />
        <div class="page-header">
            <h1>{t!(i18n, profile.page_title)}</h1>
        </div>
        <section class="panel">
            <dl class="details">
                <dt>{t!(i18n, profile.name)}</dt>
                <dd>{user.display_name.clone()}</dd>
                <dt>{t!(i18n, profile.email)}</dt>
                <dd>{user.email.clone()}</dd>
                <dt>{t!(i18n, profile.role)}</dt>
                <dd>{role_label(user.role)}</dd>
                <dt>{t!(i18n, profile.language)}</dt>
                <dd class="inline">
                    <span>{move || Lang::from(i18n.get_locale()).native_name()}</span>
                    <LanguageSwitch />
                </dd>
            </dl>
            <p class="hint">{t!(i18n, profile.language_hint)}</p>
        </section>
    }
}
