//! Forms without JavaScript (docs/architecture.md): each core form is also
//! a plain HTML form that posts to its own page. The same service as the
//! server function checks it; on success the browser is sent where the
//! enhanced form would go (303), and on a refusal the same page is rendered
//! again with what was typed and the errors under their fields
//! (`model::forms::PostedForm`), with the error's status.

use std::future::Future;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use leptos::prelude::*;

use crate::app::shell;
use crate::error::AppError;
use crate::model::forms::PostedForm;
use crate::model::org::{LocationIn, MerchantIn};
use crate::server::AppState;
use crate::server::auth::{ClientIp, CurrentSession};
use crate::server::services::{Caller, locations, merchants};

/// A form body is small; anything larger is refused unread.
const FORM_LIMIT: usize = 64 * 1024;

/// The pages whose forms also work as plain posts.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/organization/locations/new", post(location))
        .route("/organization/locations/{id}", post(location))
        .route("/organization/merchants/new", post(merchant))
        .route("/organization/merchants/{id}/edit", post(merchant))
}

/// The id in `/…/{id}` or `/…/{id}/edit`; `None` on a `/new` page.
fn id_in(path: &str) -> Option<String> {
    let mut parts = path.trim_end_matches("/edit").rsplit('/');
    parts.next().filter(|p| *p != "new").map(str::to_owned)
}

async fn location(State(state): State<AppState>, req: Request) -> Response {
    plain_post(state, req, |state, caller, form, id| async move {
        let input = LocationIn {
            name: form.text("name"),
            kind: form.text("kind"),
            ref_no: form.text("ref_no"),
            address: Some(form.text("address")),
            timezone: Some(form.text("timezone")),
            active: Some(form.checked("active")),
        };
        match id {
            Some(id) => locations::update(&state, &caller, &id, &input).await?,
            None => locations::create(&state, &caller, &input).await?,
        };
        Ok("/organization/locations".to_owned())
    })
    .await
}

async fn merchant(State(state): State<AppState>, req: Request) -> Response {
    plain_post(state, req, |state, caller, form, id| async move {
        let location_ids = form.values("location_ids");
        // As in the enhanced form: the first location ticked is the
        // default until another one is chosen among those ticked.
        let default_location_id = form
            .value("default_location_id")
            .filter(|d| location_ids.iter().any(|l| l == d))
            .map(str::to_owned)
            .or_else(|| location_ids.first().cloned())
            .unwrap_or_default();
        let input = MerchantIn {
            business_name: form.text("business_name"),
            contact_email: form.text("contact_email"),
            address: Some(form.text("address")),
            location_ids,
            default_location_id,
            active: None,
        };
        let merchant = match id {
            Some(id) => merchants::update(&state, &caller, &id, &input).await?,
            None => merchants::create(&state, &caller, &input).await?,
        };
        Ok(format!("/organization/merchants/{}", merchant.id))
    })
    .await
}

/// Runs `save` for a signed-in user with the posted fields and the page's
/// id; answers with a redirect to where it says, or the page again with
/// the error. Anonymous visitors are sent to sign in.
async fn plain_post<F, Fut>(state: AppState, req: Request, save: F) -> Response
where
    F: FnOnce(AppState, Caller, PostedForm, Option<String>) -> Fut,
    Fut: Future<Output = Result<String, AppError>>,
{
    let (mut parts, body) = req.into_parts();
    let Some(session) = parts.extensions.get::<CurrentSession>().cloned() else {
        return Redirect::to("/sign-in").into_response();
    };
    let Ok(bytes) = to_bytes(body, FORM_LIMIT).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let fields: Vec<(String, String)> = url::form_urlencoded::parse(&bytes).into_owned().collect();
    let ip = parts
        .extensions
        .get::<ClientIp>()
        .map(|ClientIp(ip)| ip.clone());
    let caller = Caller::browser(session.user, ip);
    let id = id_in(parts.uri.path());
    let form = PostedForm {
        fields,
        error: AppError::Internal,
    };
    match save(state.clone(), caller, form.clone(), id).await {
        Ok(to) => Redirect::to(&to).into_response(),
        Err(error) => {
            let status =
                StatusCode::from_u16(error.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            let posted = PostedForm { error, ..form };
            // The page as a GET would render it, with the refused form.
            parts.method = Method::GET;
            let options = state.leptos_options.clone();
            let render = leptos_axum::render_app_async_with_context(
                move || {
                    provide_context(state.clone());
                    provide_context(posted.clone());
                },
                move || shell(LeptosOptions::clone(&options)),
            );
            let mut res = render(Request::from_parts(parts, Body::empty())).await;
            if res.status().is_success() {
                *res.status_mut() = status;
            }
            res
        }
    }
}

#[cfg(test)]
mod tests {
    use super::id_in;

    #[test]
    fn the_page_names_the_object() {
        assert_eq!(id_in("/organization/locations/new"), None);
        assert_eq!(id_in("/organization/locations/loc_1"), Some("loc_1".into()));
        assert_eq!(
            id_in("/organization/merchants/mer_1/edit"),
            Some("mer_1".into())
        );
        assert_eq!(id_in("/organization/merchants/new"), None);
    }
}
