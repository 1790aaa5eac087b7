//! The axum application: the Leptos pages and server functions, the
//! operational endpoints, and the middleware every request passes through.

pub mod middleware;
pub mod ops;

use axum::Router;
use axum::routing::get;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, file_and_error_handler_with_context, generate_route_list};

use super::AppState;
use crate::app::{App, shell};

/// Builds the whole router. Tests drive it directly with `oneshot`.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let context = {
        let state = state.clone();
        move || provide_context(state.clone())
    };
    Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
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
        .layer(axum::middleware::from_fn(middleware::security_headers))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::observe,
        ))
        .with_state(state)
}
