//! The buttons of the pages posted without JavaScript
//! (docs/architecture.md, Forms without JavaScript): `forms::plain_post`
//! hands a post naming a `button` here, which runs the same service as the
//! button's server function and renders the page again with a
//! `model::forms::ButtonPost`.

use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use leptos::prelude::provide_context;

use super::forms::{id_in, render_again, status_of};
use crate::error::AppError;
use crate::model::forms::{ButtonPost, Done, PostedForm, buttons};
use crate::server::AppState;
use crate::server::auth::CurrentSession;
use crate::server::services::{Caller, reauth, sessions, user_links};

/// A page's button posted without JavaScript (`model::forms::ButtonPost`):
/// the submit button's `button` field names it. It runs, and the page is
/// rendered again with the result for the button's panel to show, with
/// the error's status when it failed; "Confirm it's you" sends the browser
/// back to the page instead, to try again what needed the proof.
pub(super) async fn press(
    state: AppState,
    parts: Parts,
    session: CurrentSession,
    caller: Caller,
    form: PostedForm,
    button: String,
) -> Response {
    let path = parts.uri.path().to_owned();
    let user_id = || id_in(&path).ok_or(AppError::NotFound);
    let result = match button.as_str() {
        buttons::END_SESSION => sessions::end_mine(&state, &caller, &form.text("id"))
            .await
            .map(|()| Done::Nothing),
        buttons::END_OTHER_SESSIONS => sessions::end_others(&state, &caller, &session.token_hash)
            .await
            .map(Done::Count),
        buttons::END_USER_SESSIONS => match user_id() {
            Ok(id) => sessions::end_all_of_user(&state, &caller, &id).await,
            Err(error) => Err(error),
        }
        .map(Done::Count),
        buttons::REINVITE => match user_id() {
            Ok(id) => user_links::reinvite(&state, &caller, &id).await,
            Err(error) => Err(error),
        }
        .map(Done::Invitation),
        buttons::CONFIRM_IDENTITY => {
            let proved = reauth::confirm(
                &state,
                &caller,
                &session.token_hash,
                &form.text("password"),
                &form.text("code"),
            )
            .await;
            match proved {
                Ok(()) => return Redirect::to(&path).into_response(),
                Err(error) => Err(error),
            }
        }
        _ => Err(AppError::NotFound),
    };
    let status = result.as_ref().err().map_or(StatusCode::OK, status_of);
    let post = ButtonPost { button, result };
    render_again(state, parts, status, move || provide_context(post.clone())).await
}
