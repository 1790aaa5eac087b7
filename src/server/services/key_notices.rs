//! Expiry notices (docs/api-keys.md): with mail configured, the owner of a
//! key that expires gets one e-mail 7 days before and one 1 day before, in
//! their language, with the time in the organization's time zone.

use crate::error::AppError;
use crate::i18n::{Locale, td_string};
use crate::server::AppState;
use crate::server::db::key_notices::{self as due_notices, ExpiryNotice};
use crate::server::db::mail::{self, NewMail};
use crate::server::db::organization;
use crate::server::{ids, zones};

/// Queues the notices that are due; run every minute. Each notice is
/// claimed and queued in one transaction, so several instances send it
/// once.
pub async fn send_expiry_notices(state: &AppState) -> Result<usize, AppError> {
    let Some(mailer) = state.mailer.as_deref() else {
        return Ok(0);
    };
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let due = due_notices::claim(&mut tx, now).await?;
    if due.is_empty() {
        tx.commit().await?;
        return Ok(0);
    }
    let org = organization::get_in(&mut tx).await?;
    let link = state
        .settings
        .public_origin()
        .map(|origin| format!("{origin}/integrations/api"));
    for notice in &due {
        let when = zones::format_minutes(&org.timezone, notice.expires_at);
        let (subject, body) = text(notice, &when, link.as_deref(), &org.name);
        mail::enqueue(
            &mut tx,
            state.sealer(),
            &NewMail {
                id: &ids::new_id("mail", now),
                recipient: &notice.email,
                subject: &subject,
                body: &body,
                kind: "api_key.expiring",
            },
            now,
        )
        .await?;
    }
    tx.commit().await?;
    mailer.wake();
    Ok(due.len())
}

/// The subject and body of a notice, in the owner's language.
fn text(n: &ExpiryNotice, when: &str, link: Option<&str>, org: &str) -> (String, String) {
    let locale = Locale::from(n.language);
    let hint = format!("lvr_…{}", n.hint);
    let subject = if n.last_day {
        td_string!(locale, mail.key_expiring_day_subject, hint = hint.clone()).to_string()
    } else {
        td_string!(locale, mail.key_expiring_week_subject, hint = hint.clone()).to_string()
    };
    let where_ = match link {
        Some(link) => link.to_owned(),
        None => td_string!(locale, mail.api_settings_place).to_string(),
    };
    let body = td_string!(
        locale,
        mail.key_expiring_body,
        name = n.display_name.clone(),
        hint = hint,
        account_id = n.account_id.clone(),
        when = when.to_owned(),
        place = where_,
        organization = org.to_owned()
    )
    .to_string();
    (subject, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Lang;

    fn notice(language: Lang, last_day: bool) -> ExpiryNotice {
        ExpiryNotice {
            key_id: "key_1".into(),
            hint: "ab12".into(),
            account_id: "acct_1".into(),
            expires_at: 0,
            last_day,
            email: "m@example.com".into(),
            display_name: "Mia".into(),
            language,
        }
    }

    #[test]
    fn notices_read_in_the_owners_language() {
        let (subject, body) = text(
            &notice(Lang::En, false),
            "2027-01-05 09:00 EST",
            Some("https://livreur.example.com/integrations/api"),
            "Acme Delivery",
        );
        assert!(
            subject.contains("lvr_…ab12") && subject.contains("7 days"),
            "{subject}"
        );
        for part in [
            "Mia",
            "acct_1",
            "2027-01-05 09:00 EST",
            "https://livreur.example.com/integrations/api",
            "Acme Delivery",
        ] {
            assert!(body.contains(part), "{part} missing from {body}");
        }
        let (subject, body) = text(
            &notice(Lang::Fr, true),
            "2027-01-05 09:00 EST",
            None,
            "Acme",
        );
        assert!(subject.contains("demain"), "{subject}");
        assert!(body.contains("Paramètres API"), "{body}");
    }
}
