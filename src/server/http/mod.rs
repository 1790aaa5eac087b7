//! The axum application: the Leptos pages and server functions, the
//! operational endpoints, and the middleware every request passes through.

mod buttons;
pub mod forms;
pub mod middleware;
pub mod ops;

use axum::Router;
use axum::routing::get;
use leptos::prelude::*;
use leptos_axum::{
    AxumRouteListing, LeptosRoutes, file_and_error_handler_with_context, generate_route_list,
};
use std::sync::OnceLock;

use super::AppState;
use crate::app::{App, shell};

/// The app's routes, listed once per process. Listing runs the whole app
/// with resource loading suppressed through a process-wide flag
/// (leptos-rs/leptos#4773): a page rendering on another thread meanwhile
/// would hang for good. Listing once, before any router exists, keeps
/// renders and listing apart (tests build many routers side by side).
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// Builds the whole router. Tests drive it directly with `oneshot`.
pub fn router(state: AppState) -> Router {
    let routes = route_list();
    let context = {
        let state = state.clone();
        move || provide_context(state.clone())
    };
    Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .nest("/api/v1", crate::server::api::router(state.clone()))
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = state.leptos_options.clone();
            move || shell(LeptosOptions::clone(&options))
        })
        .merge(forms::routes())
        .fallback(file_and_error_handler_with_context::<AppState, _>(
            context, shell,
        ))
        // Layers run bottom-up on the way in: observe first, then the
        // security headers, the cross-site check and finally the session.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::session,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::reject_cross_site,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::security_headers,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::observe,
        ))
        .with_state(state)
}
