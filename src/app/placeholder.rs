//! Sections of the product that are not built yet say so plainly, and are
//! guarded by role like the real pages will be.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::layout::use_user;
use super::status::Forbidden;
use crate::i18n::*;
use crate::model::Role;

/// Renders `page` for administrators and the access-denied page for
/// anyone else. The server functions behind the page refuse non-admins on
/// their own; this spares a merchant a page full of errors.
#[component]
pub fn AdminOnly<F, V>(page: F) -> impl IntoView
where
    F: Fn() -> V + 'static,
    V: IntoView + 'static,
{
    if use_user().is_admin() {
        page().into_any()
    } else {
        view! { <Forbidden /> }.into_any()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Jobs,
}

impl Section {
    /// Who may open the section (SPEC section 1 and 3).
    pub fn allows(self, role: Role) -> bool {
        match self {
            Section::Jobs => matches!(role, Role::Admin | Role::MerchantL1 | Role::MerchantL2),
        }
    }
}

#[component]
pub fn ComingSoon(section: Section) -> impl IntoView {
    let i18n = use_i18n();
    if !section.allows(use_user().role) {
        return view! { <Forbidden /> }.into_any();
    }
    let title = move || match section {
        Section::Jobs => t_string!(i18n, nav.jobs),
    };
    view! {
        <Title text=title />
        <div class="page-header">
            <h1>{title}</h1>
            <span class="badge badge-info">{t!(i18n, coming_soon.badge)}</span>
        </div>
        <section class="panel" data-testid="coming-soon">
            <p>{t!(i18n, coming_soon.body)}</p>
            <A href="/" attr:class="button button-secondary">
                {t!(i18n, coming_soon.back)}
            </A>
        </section>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_has_jobs() {
        assert!(Section::Jobs.allows(Role::Admin));
        assert!(Section::Jobs.allows(Role::MerchantL1));
        assert!(Section::Jobs.allows(Role::MerchantL2));
    }
}
