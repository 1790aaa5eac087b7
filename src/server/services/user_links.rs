//! Invitations and password resets (docs/people.md): single-use links that
//! let a person set their password, stored as hashes, e-mailed when mail is
//! configured and otherwise shown once to the administrator who made them.
//!
//! - An invitation is valid 72 hours; a new one replaces the unused ones.
//! - A reset is asked for on the sign-in page with an e-mail address; the
//!   answer and its timing are the same whether or not the address exists
//!   (the work happens after the answer). It is valid 1 hour.
//! - Using a link sets the password (the usual rules), ends every other
//!   session of the user, signs them in, and is audited.

use serde_json::json;

use super::Caller;
use super::auth::{Origin, SignedIn};
use crate::error::{AppError, FieldError};
use crate::i18n::{Locale, td_string};
use crate::model::Lang;
use crate::model::org::Invitation;
use crate::server::AppState;
use crate::server::clock::Millis;
use crate::server::db::audit::{self, Actor, Entry};
use crate::server::db::mail::{self, NewMail};
use crate::server::db::{Tx, merchant_users, organization, sessions, user_links, users};
use crate::server::{ids, password};

pub const INVITE_MS: Millis = 72 * 3_600_000;
pub const RESET_MS: Millis = 3_600_000;
/// Reset requests from one address before each further one must wait.
const FREE_RESET_REQUESTS: i64 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Invite,
    Reset,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Invite => "invite",
            Purpose::Reset => "reset",
        }
    }

    fn lifetime(self) -> Millis {
        match self {
            Purpose::Invite => INVITE_MS,
            Purpose::Reset => RESET_MS,
        }
    }
}

/// Where links point: the public URL, or the address served on.
fn link(state: &AppState, token: &str) -> String {
    let base = state
        .settings
        .public_origin()
        .unwrap_or_else(|| format!("http://{}", state.settings.listen));
    format!("{base}/set-password?token={token}")
}

/// Makes a link for the user (replacing the unused ones of its purpose)
/// and queues its e-mail when mail is configured, inside `tx`.
pub(super) async fn issue_in(
    tx: &mut Tx,
    state: &AppState,
    user_id: &str,
    purpose: Purpose,
    now: Millis,
) -> Result<Invitation, AppError> {
    let token = ids::new_token();
    let expires_at = now + purpose.lifetime();
    user_links::replace(
        tx,
        &ids::token_hash(&token),
        user_id,
        purpose.as_str(),
        now,
        expires_at,
    )
    .await?;
    let url = link(state, &token);
    let mailed = state.mailer.is_some();
    if mailed {
        let (email, name, lang) = users::contact(tx, user_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let org = organization::get_in(tx).await?;
        let (subject, body) = text(purpose, lang, &name, &url, &org.name);
        mail::enqueue(
            tx,
            state.sealer(),
            &NewMail {
                id: &ids::new_id("mail", now),
                recipient: &email,
                subject: &subject,
                body: &body,
                kind: match purpose {
                    Purpose::Invite => "user.invitation",
                    Purpose::Reset => "user.password_reset",
                },
            },
            now,
        )
        .await?;
    }
    Ok(Invitation {
        url,
        mailed,
        expires_at,
    })
}

/// The subject and body of a link's e-mail, in the recipient's language.
fn text(purpose: Purpose, lang: Lang, name: &str, url: &str, org: &str) -> (String, String) {
    let locale = Locale::from(lang);
    let (name, url, org) = (name.to_owned(), url.to_owned(), org.to_owned());
    match purpose {
        Purpose::Invite => (
            td_string!(locale, mail.invitation_subject, organization = org.clone()).to_string(),
            td_string!(
                locale,
                mail.invitation_body,
                name = name,
                url = url,
                organization = org
            )
            .to_string(),
        ),
        Purpose::Reset => (
            td_string!(locale, mail.reset_subject).to_string(),
            td_string!(
                locale,
                mail.reset_body,
                name = name,
                url = url,
                organization = org
            )
            .to_string(),
        ),
    }
}

/// Wakes the mail worker after a commit that queued mail.
fn wake(state: &AppState) {
    if let Some(mailer) = &state.mailer {
        mailer.wake();
    }
}

/// "New invitation link" on a merchant user's page: replaces the previous
/// link. Only for a user who has not set a password yet.
pub async fn reinvite(
    state: &AppState,
    caller: &Caller,
    user_id: &str,
) -> Result<Invitation, AppError> {
    caller.require_admin()?;
    let user = merchant_users::get(&state.db, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !user.invited {
        return Err(AppError::conflict("not_invited"));
    }
    if !user.active {
        return Err(AppError::conflict("user_inactive"));
    }
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let invitation = issue_in(&mut tx, state, user_id, Purpose::Invite, now).await?;
    audit::record(
        &mut tx,
        &caller.audit(),
        Entry::about(
            "user.invited",
            "user",
            user_id,
            json!({ "email": user.email, "mailed": invitation.mailed, "again": true }),
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    wake(state);
    Ok(invitation)
}

/// "Forgot your password?": queues a reset link for the address if it
/// belongs to an active user, after the answer, so the answer and its time
/// say nothing. Throttled per client address.
pub async fn request_reset(state: &AppState, email: &str, origin: &Origin) -> Result<(), AppError> {
    let email = email.trim().to_lowercase();
    if email.is_empty() {
        return Err(AppError::field("email", "required"));
    }
    if email.len() > 254 {
        return Err(AppError::field("email", "invalid_email"));
    }
    let key = format!("reset:{}", origin.ip.as_deref().unwrap_or("unknown"));
    super::auth::claim_attempt(state, &key, |n| {
        super::auth::delay_after(n + 3 - FREE_RESET_REQUESTS)
    })
    .await?;
    let state = state.clone();
    let ip = origin.ip.clone();
    tokio::spawn(async move {
        if let Err(err) = reset_for(&state, &email, ip).await {
            tracing::warn!(error = ?err, "could not prepare a password reset");
        }
    });
    Ok(())
}

async fn reset_for(state: &AppState, email: &str, ip: Option<String>) -> Result<(), AppError> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let Some((user_id, _)) = users::find_id_by_email(&mut tx, email).await? else {
        return Ok(());
    };
    let usable = users::get_in(&mut tx, &user_id)
        .await?
        .is_some_and(|(_, usable)| usable);
    if !usable || state.mailer.is_none() {
        return Ok(());
    }
    issue_in(&mut tx, state, &user_id, Purpose::Reset, now).await?;
    let actor = Actor {
        user_id: None,
        label: email.to_owned(),
        ip,
    };
    audit::record(
        &mut tx,
        &actor,
        Entry::about("user.password_reset_requested", "user", &user_id, json!({})),
        now,
    )
    .await?;
    tx.commit().await?;
    wake(state);
    Ok(())
}

/// What the link page shows: the purpose and e-mail of a link that still
/// works, or `None`.
pub async fn status(state: &AppState, token: &str) -> Result<Option<(Purpose, String)>, AppError> {
    if token.is_empty() || token.len() > 100 {
        return Ok(None);
    }
    let found = user_links::peek(&state.db, &ids::token_hash(token), state.clock.now()).await?;
    Ok(found.map(|(_, purpose, email)| {
        let purpose = if purpose == "reset" {
            Purpose::Reset
        } else {
            Purpose::Invite
        };
        (purpose, email)
    }))
}

/// Uses a link: sets the password, ends every session of the user, signs
/// them in afresh. A used, expired or unknown link is `NotFound`.
pub async fn set_password(
    state: &AppState,
    token: &str,
    new_password: &str,
    confirm: &str,
    origin: &Origin,
) -> Result<SignedIn, AppError> {
    if token.is_empty() || token.len() > 100 {
        return Err(AppError::NotFound);
    }
    let mut errors = Vec::new();
    if let Err(code) = password::check_strength(new_password) {
        errors.push(FieldError::new("password", code));
    } else if new_password != confirm {
        errors.push(FieldError::new("confirm", "passwords_differ"));
    }
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let hash = password::hash(new_password.to_owned())
        .await
        .map_err(|_| AppError::Internal)?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let (user_id, purpose) = user_links::take(&mut tx, &ids::token_hash(token), now)
        .await?
        .ok_or(AppError::NotFound)?;
    users::set_password(&mut tx, &user_id, &hash, now).await?;
    let ended = sessions::delete_for_user(&mut tx, &user_id).await?;
    let (user, _) = users::get_in(&mut tx, &user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    // A new password is not a second factor: one that is set is still due.
    let stage = super::auth::stage_after_password(state, &mut tx, &user).await?;
    let token = ids::new_token();
    sessions::insert(
        &mut tx,
        &sessions::NewSession {
            token_hash: &ids::token_hash(&token),
            user_id: &user_id,
            expires_at: now + state.settings.session_max_ms(),
            ip: origin.ip.as_deref(),
            user_agent: origin.user_agent.as_deref(),
            stage: &stage,
        },
        now,
    )
    .await?;
    let actor = Actor {
        user_id: Some(user_id.clone()),
        label: user.email.clone(),
        ip: origin.ip.clone(),
    };
    let action = if purpose == "reset" {
        "user.password_reset"
    } else {
        "user.invitation_accepted"
    };
    audit::record(
        &mut tx,
        &actor,
        Entry::about(action, "user", &user_id, json!({ "sessions_ended": ended })),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(SignedIn { user, token, stage })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_mail_reads_in_the_recipients_language() {
        let url = "https://livreur.example.com/set-password?token=abc";
        let (subject, body) = text(Purpose::Invite, Lang::En, "Mia", url, "Acme");
        assert!(subject.contains("Acme"), "{subject}");
        assert!(
            body.contains("Mia") && body.contains(url) && body.contains("72"),
            "{body}"
        );
        let (subject, body) = text(Purpose::Reset, Lang::Fr, "Mia", url, "Acme");
        assert!(subject.contains("mot de passe"), "{subject}");
        assert!(body.contains(url) && body.contains("1 heure"), "{body}");
    }
}
