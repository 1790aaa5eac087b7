//! Endpoint health alerts (docs/webhooks.md, Alerts): when an endpoint
//! starts failing, is disabled by the worker, or recovers, the change is
//! written in the transaction that records the attempt that made it: the
//! alert administrators see (a banner on Integrations > API and a badge in
//! the navigation), an audit entry, and with mail configured one e-mail to
//! each administrator, in their language. One per change, never one per
//! failed attempt: a change is detected once, by the update that makes it.

use serde_json::json;

use crate::i18n::{Locale, td_string};
use crate::model::Lang;
use crate::model::webhook::{HealthChange, Webhook};
use crate::server::AppState;
use crate::server::clock::Millis;
use crate::server::db::audit::{self, Actor, Entry};
use crate::server::db::mail::{self, NewMail};
use crate::server::db::{Tx, organization, users, webhooks as endpoints};
use crate::server::ids;

/// Records `change` of the endpoint `id`, inside the caller's transaction.
/// Returns whether mail was queued (the caller wakes the mailer after the
/// commit).
pub async fn record(
    state: &AppState,
    tx: &mut Tx,
    id: &str,
    change: HealthChange,
    reason: Option<&str>,
    now: Millis,
) -> Result<bool, sqlx::Error> {
    endpoints::set_alert(tx, id, change.alert(), now).await?;
    let Some(webhook) = endpoints::get_in(tx, id).await? else {
        return Ok(false);
    };
    let details = json!({"url": webhook.url, "reason": reason});
    let entry = Entry::about(change.action(), "webhook", id, details);
    audit::record(tx, &Actor::system(), entry, now).await?;
    if state.mailer.is_none() {
        return Ok(false);
    }
    let org = organization::get_in(tx).await?;
    let link = state
        .settings
        .public_origin()
        .map(|origin| format!("{origin}/integrations/api/webhooks/{id}"));
    let admins = users::admin_contacts(tx).await?;
    for (email, name, language) in &admins {
        let (subject, body) = text(
            change,
            &webhook,
            *language,
            name,
            link.as_deref(),
            &org.name,
        );
        let message = NewMail {
            id: &ids::new_id("mail", now),
            recipient: email,
            subject: &subject,
            body: &body,
            kind: change.action(),
        };
        mail::enqueue(tx, state.sealer(), &message, now).await?;
    }
    Ok(!admins.is_empty())
}

/// The subject and body of an alert, in the recipient's language.
fn text(
    change: HealthChange,
    w: &Webhook,
    language: Lang,
    name: &str,
    link: Option<&str>,
    org: &str,
) -> (String, String) {
    let locale = Locale::from(language);
    let url = w.url.clone();
    let subject = match change {
        HealthChange::Failing => {
            td_string!(locale, mail.webhook_failing_subject, url = url).to_string()
        }
        HealthChange::Disabled => {
            td_string!(locale, mail.webhook_disabled_subject, url = url).to_string()
        }
        HealthChange::Recovered => {
            td_string!(locale, mail.webhook_recovered_subject, url = url).to_string()
        }
    };
    let what = match change {
        HealthChange::Failing => td_string!(locale, mail.webhook_failing_body).to_string(),
        HealthChange::Disabled => td_string!(locale, mail.webhook_disabled_body).to_string(),
        HealthChange::Recovered => td_string!(locale, mail.webhook_recovered_body).to_string(),
    };
    let place = match link {
        Some(link) => link.to_owned(),
        None => td_string!(locale, mail.webhooks_place).to_string(),
    };
    let body = td_string!(
        locale,
        mail.webhook_alert_body,
        name = name.to_owned(),
        url = w.url.clone(),
        what = what,
        place = place,
        organization = org.to_owned()
    )
    .to_string();
    (subject, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint() -> Webhook {
        serde_json::from_value(json!({
            "id": "whk_1", "url": "https://hooks.example.com/livreur", "location_id": null,
            "events": ["*"], "description": null, "enabled": false,
            "disabled_reason": "failing", "failing_since": 1, "last_success_at": null,
            "last_failure_at": 2, "previous_secret_until": null, "created_at": 0,
            "updated_at": 2
        }))
        .unwrap()
    }

    #[test]
    fn alerts_read_in_the_recipients_language() {
        let link = "https://livreur.example.com/integrations/api/webhooks/whk_1";
        let (subject, body) = text(
            HealthChange::Disabled,
            &endpoint(),
            Lang::En,
            "Ada",
            Some(link),
            "Acme Delivery",
        );
        assert!(
            subject.contains("https://hooks.example.com/livreur"),
            "{subject}"
        );
        assert!(subject.contains("disabled"), "{subject}");
        for part in ["Ada", link, "Acme Delivery", "recover"] {
            assert!(body.contains(part), "{part} missing from {body}");
        }
        let (subject, body) = text(
            HealthChange::Recovered,
            &endpoint(),
            Lang::Fr,
            "Ada",
            None,
            "Acme Livraison",
        );
        assert!(subject.contains("rétabli"), "{subject}");
        assert!(body.contains("Intégrations > API"), "{body}");
    }
}
