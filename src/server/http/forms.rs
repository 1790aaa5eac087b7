//! Forms without JavaScript (docs/architecture.md): each core form is also
//! a plain HTML form that posts to its own page. The same service as the
//! server function checks it; on success the browser is sent where the
//! enhanced form would go (303), and on a refusal the same page is rendered
//! again with what was typed and the errors under their fields
//! (`model::forms::PostedForm`), with the error's status.

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use leptos::prelude::*;

use crate::app::shell;
use crate::error::AppError;
use crate::model::Role;
use crate::model::forms::PostedForm;
use crate::model::job::JobIn;
use crate::model::org::{LocationIn, MerchantIn, MerchantUserIn, MerchantUserPatch};
use crate::model::webhook::WebhookIn;
use crate::server::AppState;
use crate::server::auth::{ClientIp, CurrentSession};
use crate::server::services::{
    Caller, jobs, locations, merchant_users, merchants, reauth, webhooks,
};

/// A form body is small; anything larger is refused unread.
const FORM_LIMIT: usize = 64 * 1024;

/// The pages whose forms (and buttons) also work as plain posts.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/organization/locations/new", post(location))
        .route("/organization/locations/{id}", post(location))
        .route("/organization/merchants/new", post(merchant))
        .route("/organization/merchants/{id}/edit", post(merchant))
        .route(
            "/organization/merchants/{id}/users/new",
            post(merchant_user),
        )
        .route(
            "/organization/merchants/{id}/users/{user_id}",
            post(merchant_user),
        )
        .route("/integrations/api/webhooks/new", post(webhook))
        .route("/jobs/new", post(job))
        .route("/jobs/{id}/edit", post(job))
        // Buttons only (model::forms::ButtonPost).
        .route("/profile", post(buttons_only))
}

/// What a plain post leads to.
enum Next {
    /// Saved: on to this page.
    Go(String),
    /// Not saved: the same form again, reshaped by what was chosen.
    Again,
    /// Saved, and shown on the form's page (what the page may show only
    /// once, like a secret): the page's context.
    Show(Arc<dyn Fn() + Send + Sync>),
}

/// The id in `/…/{id}` or `/…/{id}/edit`; `None` on a `/new` page.
pub(super) fn id_in(path: &str) -> Option<String> {
    let mut parts = path.trim_end_matches("/edit").rsplit('/');
    parts.next().filter(|p| *p != "new").map(str::to_owned)
}

/// The merchant of `/organization/merchants/{id}/…`.
fn merchant_in(path: &str) -> String {
    path.split('/').nth(3).unwrap_or_default().to_owned()
}

async fn location(State(state): State<AppState>, req: Request) -> Response {
    plain_post(state, req, |state, caller, form, path| async move {
        let input = LocationIn {
            name: form.text("name"),
            kind: form.text("kind"),
            ref_no: form.text("ref_no"),
            address: Some(form.text("address")),
            timezone: Some(form.text("timezone")),
            active: Some(form.checked("active")),
        };
        match id_in(&path) {
            Some(id) => locations::update(&state, &caller, &id, &input).await?,
            None => locations::create(&state, &caller, &input).await?,
        };
        Ok(Next::Go("/organization/locations".to_owned()))
    })
    .await
}

async fn merchant(State(state): State<AppState>, req: Request) -> Response {
    plain_post(state, req, |state, caller, form, path| async move {
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
        let merchant = match id_in(&path) {
            Some(id) => merchants::update(&state, &caller, &id, &input).await?,
            None => merchants::create(&state, &caller, &input).await?,
        };
        Ok(Next::Go(format!("/organization/merchants/{}", merchant.id)))
    })
    .await
}

/// The user form shows the API access switch only for Level 2: choosing
/// Level 2 in a form shown for Level 1 renders it again with the switch
/// instead of saving, and leaving Level 2 turns access off, as the
/// enhanced form does.
async fn merchant_user(State(state): State<AppState>, req: Request) -> Response {
    plain_post(state, req, |state, caller, form, path| async move {
        let role = form.text("role");
        let level_2 = role == Role::MerchantL2.as_str();
        if level_2 && form.value("shown_role") != Some(role.as_str()) {
            return Ok(Next::Again);
        }
        let api_access = level_2 && form.checked("api_access");
        let merchant_id = merchant_in(&path);
        match id_in(&path) {
            Some(user_id) => {
                let patch = MerchantUserPatch {
                    display_name: Some(form.text("display_name")),
                    role: Some(role),
                    active: Some(form.checked("active")),
                    api_access: Some(api_access),
                };
                merchant_users::update(&state, &caller, &user_id, &patch).await?;
            }
            None => {
                let input = MerchantUserIn {
                    email: form.text("email"),
                    display_name: form.text("display_name"),
                    role,
                    password: form.text("password"),
                    api_access,
                };
                let made = merchant_users::create(&state, &caller, &merchant_id, &input).await?;
                // An invitation link is shown once, on this page.
                if made.invitation.is_some() {
                    return Ok(Next::Show(Arc::new(move || provide_context(made.clone()))));
                }
            }
        }
        Ok(Next::Go(format!("/organization/merchants/{merchant_id}")))
    })
    .await
}

/// A new endpoint: its signing secret can be shown only in this answer, so
/// the form's page shows it in place of the form, as the enhanced form does.
async fn webhook(State(state): State<AppState>, req: Request) -> Response {
    plain_post(state, req, |state, caller, form, _| async move {
        let location = form.text("location_id");
        let ticked = form.values("events");
        let input = WebhookIn {
            url: form.text("url"),
            location_id: (!location.is_empty()).then_some(location),
            events: if ticked.iter().any(|e| e == "*") {
                vec!["*".to_owned()]
            } else {
                ticked
            },
            description: Some(form.text("description")),
            enabled: None,
        };
        let made = webhooks::create(&state, &caller, &input).await?;
        Ok(Next::Show(Arc::new(move || provide_context(made.clone()))))
    })
    .await
}

/// A job, created (with its action lines) or changed at the version the
/// form was shown for; every signed-in role may, the service narrows.
async fn job(State(state): State<AppState>, req: Request) -> Response {
    plain_post(state, req, |state, caller, form, path| async move {
        let input = JobIn::from_fields(&form);
        let saved = match id_in(&path) {
            Some(id) => {
                let version = form.value("version").and_then(|v| v.parse().ok());
                jobs::update(&state, &caller, &id, &input, version).await?
            }
            None => jobs::create(&state, &caller, &input).await?,
        };
        Ok(Next::Go(format!("/jobs/{}", saved.id)))
    })
    .await
}

/// Plain posts that ask for a recent proof of identity first, as their
/// server functions do (docs/people.md).
const NEEDS_PROOF: &[&str] = &["/integrations/api/webhooks/new"];

/// Fields never sent back into a page.
const SECRET_FIELDS: &[&str] = &["password"];

/// Runs `save` for a signed-in user with the posted fields and the page's
/// path; answers with a redirect to where it says, or the page again with
/// what was typed (passwords left out) and the error. Anonymous visitors
/// are sent to sign in. A post naming a `button` is that button's
/// (`press`), not the page's form.
async fn plain_post<F, Fut>(state: AppState, req: Request, save: F) -> Response
where
    F: FnOnce(AppState, Caller, PostedForm, String) -> Fut,
    Fut: Future<Output = Result<Next, AppError>>,
{
    let (parts, session, caller, form) = match read_post(req).await {
        Ok(read) => read,
        Err(answer) => return answer,
    };
    if let Some(button) = form.value("button") {
        let button = button.to_owned();
        return super::buttons::press(state, parts, session, caller, form, button).await;
    }
    let path = parts.uri.path().to_owned();
    let outcome = if NEEDS_PROOF.contains(&path.as_str()) {
        match reauth::require_recent(&state, Some(session.proven_at)) {
            Ok(()) => save(state.clone(), caller, form.clone(), path).await,
            Err(err) => Err(err),
        }
    } else {
        save(state.clone(), caller, form.clone(), path).await
    };
    let (status, error, shown): (_, _, Option<Arc<dyn Fn() + Send + Sync>>) = match outcome {
        Ok(Next::Go(to)) => return Redirect::to(&to).into_response(),
        Ok(Next::Again) => (StatusCode::OK, None, None),
        Ok(Next::Show(context)) => (StatusCode::OK, None, Some(context)),
        Err(error) => (status_of(&error), Some(error), None),
    };
    let mut fields = form.fields;
    fields.retain(|(name, _)| !SECRET_FIELDS.contains(&name.as_str()));
    let posted = PostedForm { fields, error };
    render_again(state, parts, status, move || {
        provide_context(posted.clone());
        if let Some(show) = &shown {
            show();
        }
    })
    .await
}

/// A plain post's parts, the signed-in session, its caller and the
/// fields; anonymous visitors are sent to sign in, oversized bodies
/// refused unread.
async fn read_post(req: Request) -> Result<(Parts, CurrentSession, Caller, PostedForm), Response> {
    let (parts, body) = req.into_parts();
    let Some(session) = parts.extensions.get::<CurrentSession>().cloned() else {
        return Err(Redirect::to("/sign-in").into_response());
    };
    let Ok(bytes) = to_bytes(body, FORM_LIMIT).await else {
        return Err(StatusCode::PAYLOAD_TOO_LARGE.into_response());
    };
    let fields = url::form_urlencoded::parse(&bytes).into_owned().collect();
    let ip = parts
        .extensions
        .get::<ClientIp>()
        .map(|ClientIp(ip)| ip.clone());
    let caller = Caller::browser(session.user.clone(), ip);
    let form = PostedForm {
        fields,
        error: None,
    };
    Ok((parts, session, caller, form))
}

/// A page with buttons but no form of its own (the profile).
async fn buttons_only(State(state): State<AppState>, req: Request) -> Response {
    plain_post(state, req, |_, _, _, _| async { Err(AppError::NotFound) }).await
}

/// The status a refused post is answered with: the error's own.
pub(super) fn status_of(error: &AppError) -> StatusCode {
    StatusCode::from_u16(error.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY)
}

/// Renders the page posted to as a GET would, with `context` provided,
/// answering with `status`; never cached, since it holds what was typed
/// or shown once.
pub(super) async fn render_again(
    state: AppState,
    mut parts: Parts,
    status: StatusCode,
    context: impl Fn() + Clone + Send + Sync + 'static,
) -> Response {
    parts.method = Method::GET;
    let options = state.leptos_options.clone();
    let render = leptos_axum::render_app_async_with_context(
        move || {
            provide_context(state.clone());
            context();
        },
        move || shell(LeptosOptions::clone(&options)),
    );
    let mut res = render(Request::from_parts(parts, Body::empty())).await;
    if res.status().is_success() {
        *res.status_mut() = status;
    }
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

#[cfg(test)]
mod tests {
    use super::{id_in, merchant_in};

    #[test]
    fn the_page_names_the_object() {
        assert_eq!(id_in("/organization/locations/new"), None);
        assert_eq!(id_in("/organization/locations/loc_1"), Some("loc_1".into()));
        assert_eq!(
            id_in("/organization/merchants/mer_1/edit"),
            Some("mer_1".into())
        );
        assert_eq!(id_in("/organization/merchants/new"), None);
        assert_eq!(id_in("/jobs/job_1/edit"), Some("job_1".into()));
        assert_eq!(id_in("/jobs/new"), None);
        let new_user = "/organization/merchants/mer_1/users/new";
        assert_eq!(
            (merchant_in(new_user), id_in(new_user)),
            ("mer_1".into(), None)
        );
        let user = "/organization/merchants/mer_1/users/usr_2";
        assert_eq!(id_in(user), Some("usr_2".into()));
    }
}
