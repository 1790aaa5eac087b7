//! Pages guarded by role: a signed-in user who may not see a page gets the
//! access-denied page rather than a page full of errors.

use leptos::prelude::*;

use super::layout::use_user;
use super::status::Forbidden;

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
