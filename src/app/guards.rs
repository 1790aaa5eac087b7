//! Pages guarded by role: a signed-in user who may not see a page gets the
//! access-denied page rather than a page full of errors.

use leptos::prelude::*;
use leptos_router::components::Outlet;

use crate::app::layout::use_user;
use crate::app::status::Forbidden;

/// The parent route of every administrator page: its child for
/// administrators, the access-denied page (403) for anyone else. The
/// server functions behind the pages refuse non-admins on their own; this
/// spares a merchant a page full of errors.
#[component]
pub fn AdminArea() -> impl IntoView {
    if use_user().is_admin() {
        view! { <Outlet /> }.into_any()
    } else {
        view! { <Forbidden /> }.into_any()
    }
}
