//! A page's data, loaded: the loader while it comes, the page's view when
//! it has come, the load error (with its HTTP status) when it failed.

use std::future::Future;

use leptos::prelude::*;

use super::forms::LoadError;
use crate::app::status::Loading;
use crate::error::AppError;

/// Renders `show` with what `load` gives. `load` awaits the page's
/// resources (one server function each: a second call after an `.await`
/// would run on the server without the request's context), e.g.
/// `move || async move { Ok::<_, AppError>((initial.await?, locations.await?)) }`.
#[component]
pub fn Loaded<T, Fut, L, F, V>(load: L, show: F) -> impl IntoView
where
    T: Send + 'static,
    Fut: Future<Output = Result<T, AppError>> + Send + 'static,
    L: Fn() -> Fut + Send + Sync + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    view! {
        <Transition fallback=|| {
            view! { <Loading /> }
        }>
            {move || {
                let loading = load();
                let show = show.clone();
                Suspend::new(async move {
                    match loading.await {
                        Ok(value) => show(value).into_any(),
                        Err(error) => view! { <LoadError error /> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}
