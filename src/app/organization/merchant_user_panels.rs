//! What a merchant user's page shows beside the form: the invitation link
//! (once), the pending invitation with "New invitation link", and "Sign out
//! everywhere" (docs/people.md).

use leptos::prelude::*;
use leptos_router::components::A;

use crate::app::widgets::buttons::{ButtonForm, button_error, done};
use crate::app::widgets::forms::{CopyButton, FormAlert};
use crate::i18n::*;
use crate::model::forms::{ButtonPost, Done, buttons};
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
pub(super) fn EndSessions(user_id: String, pressed: Option<ButtonPost>) -> impl IntoView {
    let i18n = use_i18n();
    let end = ServerAction::<EndUserSessions>::new();
    let id = StoredValue::new(user_id);
    let ended_before = done(pressed.as_ref(), buttons::END_USER_SESSIONS).and_then(|d| match d {
        Done::Count(n) => Some(n),
        _ => None,
    });
    let ended = move || match end.value().get() {
        Some(result) => result.ok(),
        None => ended_before,
    };
    view! {
        <section class="panel" data-testid="user-sessions">
            <h2>{t!(i18n, users.sessions_title)}</h2>
            <p class="hint">{t!(i18n, users.sessions_hint)}</p>
            <FormAlert error=button_error(end, pressed.as_ref(), buttons::END_USER_SESSIONS) />
            {move || {
                ended()
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
                <ButtonForm
                    name=buttons::END_USER_SESSIONS
                    class="button button-secondary"
                    testid="end-user-sessions"
                    pending=end.pending()
                    on_press=move || {
                        end.dispatch(EndUserSessions {
                            user_id: id.get_value(),
                        });
                    }
                >
                    {t!(i18n, users.end_sessions)}
                </ButtonForm>
            </div>
        </section>
    }
}

/// A user who has not set a password yet: "New invitation link" makes a
/// new one (the previous stops working) and shows it once.
#[component]
pub(super) fn Reinvite(
    user_id: String,
    email: String,
    pressed: Option<ButtonPost>,
) -> impl IntoView {
    let i18n = use_i18n();
    let reinvite = ServerAction::<ReinviteUser>::new();
    let id = StoredValue::new(user_id);
    let made_before = done(pressed.as_ref(), buttons::REINVITE).and_then(|d| match d {
        Done::Invitation(invitation) => Some(invitation),
        _ => None,
    });
    let made = move || match reinvite.value().get() {
        Some(result) => result.ok(),
        None => made_before.clone(),
    };
    view! {
        <section class="panel" data-testid="invitation-pending">
            <h2>{t!(i18n, users.invitation_pending)}</h2>
            <p class="hint">{t!(i18n, users.invitation_pending_body)}</p>
            <FormAlert error=button_error(reinvite, pressed.as_ref(), buttons::REINVITE) />
            {move || {
                made()
                    .map(|invitation| {
                        view! { <InvitationLink email=email.clone() invitation /> }
                    })
            }}
            <div class="form-actions">
                <ButtonForm
                    name=buttons::REINVITE
                    class="button button-secondary"
                    testid="reinvite"
                    pending=reinvite.pending()
                    on_press=move || {
                        reinvite
                            .dispatch(ReinviteUser {
                                user_id: id.get_value(),
                            });
                    }
                >
                    {t!(i18n, users.reinvite)}
                </ButtonForm>
            </div>
        </section>
    }
}
