//! What a merchant user's page shows beside the form: the invitation link
//! (once), the pending invitation with "New invitation link", and "Sign out
//! everywhere" (docs/people.md).

use leptos::prelude::*;
use leptos_router::components::A;

use crate::app::widgets::forms::{CopyButton, FormAlert, last_error};
use crate::i18n::*;
use crate::model::org::Invitation;
use crate::serverfns::organization::ReinviteUser;
use crate::serverfns::sessions::EndUserSessions;

/// An invitation link, where it went, and its copy button.
#[component]
fn InvitationLink(email: String, invitation: Invitation) -> impl IntoView {
    let i18n = use_i18n();
    let url = invitation.url.clone();
    let mailed = invitation.mailed;
    view! {
        <p>
            {move || {
                let email = email.clone();
                if mailed {
                    td_string!(i18n.get_locale(), users.invitation_mailed, email = email)
                        .to_string()
                } else {
                    td_string!(i18n.get_locale(), users.invitation_by_hand, email = email)
                        .to_string()
                }
            }}
        </p>
        <div class="copy-row">
            <code data-testid="invitation-url">{invitation.url}</code>
            <CopyButton
                text=url
                label=t_string!(i18n, users.copy_invitation).to_owned()
                testid="copy-invitation"
            />
        </div>
    }
}

/// The link a new user sets their password with: shown once, in place of
/// the form.
#[component]
pub(super) fn InvitationShown(
    email: String,
    invitation: Invitation,
    back: String,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="panel" role="status" data-testid="invitation">
            <h2>{t!(i18n, users.invitation_title)}</h2>
            <InvitationLink email invitation />
            <p class="hint">{t!(i18n, users.invitation_once)}</p>
            <div class="form-actions">
                <A href=back attr:class="button button-primary">
                    {t!(i18n, users.back_to_merchant)}
                </A>
            </div>
        </section>
    }
}

/// "Sign out everywhere": ends every session of the user at once.
#[component]
pub(super) fn EndSessions(user_id: String) -> impl IntoView {
    let i18n = use_i18n();
    let end = ServerAction::<EndUserSessions>::new();
    let id = StoredValue::new(user_id);
    view! {
        <section class="panel" data-testid="user-sessions">
            <h2>{t!(i18n, users.sessions_title)}</h2>
            <p class="hint">{t!(i18n, users.sessions_hint)}</p>
            <FormAlert error=last_error(end) />
            {move || {
                end.value()
                    .get()
                    .and_then(Result::ok)
                    .map(|n| {
                        view! {
                            <p role="status" data-testid="sessions-ended">
                                {move || {
                                    td_string!(i18n.get_locale(), users.sessions_ended, count = n)
                                        .to_string()
                                }}
                            </p>
                        }
                    })
            }}
            <div class="form-actions">
                <button
                    type="button"
                    class="button button-secondary"
                    data-testid="end-user-sessions"
                    disabled=move || end.pending().get()
                    on:click=move |_| {
                        end.dispatch(EndUserSessions {
                            user_id: id.get_value(),
                        });
                    }
                >
                    {t!(i18n, users.end_sessions)}
                </button>
            </div>
        </section>
    }
}

/// A user who has not set a password yet: "New invitation link" makes a
/// new one (the previous stops working) and shows it once.
#[component]
pub(super) fn Reinvite(user_id: String, email: String) -> impl IntoView {
    let i18n = use_i18n();
    let reinvite = ServerAction::<ReinviteUser>::new();
    let id = StoredValue::new(user_id);
    view! {
        <section class="panel" data-testid="invitation-pending">
            <h2>{t!(i18n, users.invitation_pending)}</h2>
            <p class="hint">{t!(i18n, users.invitation_pending_body)}</p>
            <FormAlert error=last_error(reinvite) />
            {move || {
                reinvite
                    .value()
                    .get()
                    .and_then(Result::ok)
                    .map(|invitation| {
                        view! { <InvitationLink email=email.clone() invitation /> }
                    })
            }}
            <div class="form-actions">
                <button
                    type="button"
                    class="button button-secondary"
                    data-testid="reinvite"
                    disabled=move || reinvite.pending().get()
                    on:click=move |_| {
                        reinvite
                            .dispatch(ReinviteUser {
                                user_id: id.get_value(),
                            });
                    }
                >
                    {t!(i18n, users.reinvite)}
                </button>
            </div>
        </section>
    }
}
