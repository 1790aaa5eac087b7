//! Outgoing mail (docs/mail.md): where it goes (`LIVREUR_SMTP_URL`,
//! `LIVREUR_MAIL_FROM`), and the worker that sends the queue in
//! `mail_outbox` through lettre's SMTP client.
//!
//! Messages are queued in the same transaction as the change that calls
//! for them and sent afterwards, so a crash between the two loses nothing;
//! a message is sent at least once (a crash after the server accepted it
//! and before the row is marked sends it again).

use std::sync::Arc;
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::sync::{Notify, watch};

use super::AppState;
use super::clock::Millis;
use super::config::{Settings, redact_url};
use super::db::mail::{self as queue, Outcome};
use super::ids;

/// How the connection is secured, from the URL's scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// `smtp://`: no TLS (a relay on loopback or a trusted network).
    Plain,
    /// `smtps://`: TLS from the first byte (port 465 by default).
    Tls,
    /// `smtp+starttls://`: STARTTLS, required (port 587 by default).
    StartTls,
}

/// `LIVREUR_SMTP_URL` and `LIVREUR_MAIL_FROM`, checked.
#[derive(Clone, PartialEq, Eq)]
pub struct MailSettings {
    pub security: Security,
    pub host: String,
    pub port: u16,
    pub credentials: Option<(String, String)>,
    pub from: Mailbox,
}

impl std::fmt::Debug for MailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the password.
        f.debug_struct("MailSettings")
            .field("security", &self.security)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.credentials.as_ref().map(|(u, _)| u))
            .field("from", &self.from.to_string())
            .finish()
    }
}

impl MailSettings {
    /// `None` when mail is not configured; an error names the setting at
    /// fault (the URL is shown without its password).
    pub fn from_settings(s: &Settings) -> Result<Option<Self>, String> {
        let Some(raw) = s.smtp_url.as_deref().filter(|u| !u.trim().is_empty()) else {
            return Ok(None);
        };
        let bad = |why: &str| format!("LIVREUR_SMTP_URL {:?}: {why}", redact_url(raw));
        let url = url::Url::parse(raw.trim()).map_err(|_| bad("not a URL"))?;
        let (security, default_port) = match url.scheme() {
            "smtp" => (Security::Plain, 25),
            "smtps" => (Security::Tls, 465),
            "smtp+starttls" => (Security::StartTls, 587),
            _ => return Err(bad("the scheme must be smtp, smtps or smtp+starttls")),
        };
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| bad("a host is required"))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let decode = |part: &str| {
            percent_decode(part).ok_or_else(|| bad("the user or password is not valid UTF-8"))
        };
        let credentials = if url.username().is_empty() {
            None
        } else {
            Some((
                decode(url.username())?,
                decode(url.password().unwrap_or_default())?,
            ))
        };
        let from = s
            .mail_from
            .as_deref()
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .ok_or("LIVREUR_MAIL_FROM is required with LIVREUR_SMTP_URL")?
            .parse::<Mailbox>()
            .map_err(
                |_| "LIVREUR_MAIL_FROM must be an address, e.g. Livreur <noreply@example.com>",
            )?;
        Ok(Some(MailSettings {
            security,
            host,
            port: url.port().unwrap_or(default_port),
            credentials,
            from,
        }))
    }
}

fn percent_decode(s: &str) -> Option<String> {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(|c| c.into_owned())
}

/// The configured sender: a transport (no connection is held between
/// messages) and the worker's wake-up bell.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    wake: Notify,
}

/// How long one SMTP conversation may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(20);
/// How long a worker holds a message it is sending.
const LEASE_MS: Millis = 5 * 60_000;
/// Waits before attempts 2, 3, …; after the last, the message is given up.
const RETRY_AFTER_SECS: &[i64] = &[60, 300, 1_800, 7_200, 21_600, 43_200];

impl Mailer {
    pub fn new(m: &MailSettings) -> Result<Self, String> {
        let builder = match m.security {
            Security::Plain => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&m.host),
            Security::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&m.host)
                .map_err(|e| format!("LIVREUR_SMTP_URL: {e}"))?,
            Security::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&m.host)
                .map_err(|e| format!("LIVREUR_SMTP_URL: {e}"))?,
        };
        let mut builder = builder.port(m.port).timeout(Some(SMTP_TIMEOUT));
        if let Some((user, password)) = &m.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Mailer {
            transport: builder.build(),
            from: m.from.clone(),
            wake: Notify::new(),
        })
    }

    /// Tells the worker a message was queued (call after the commit).
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

/// Sends what is due; returns how many messages were handled. A message
/// the server refuses for good, or that failed every attempt, is given up
/// and logged.
pub async fn send_due(state: &AppState) -> Result<usize, sqlx::Error> {
    let Some(mailer) = state.mailer.as_deref() else {
        return Ok(0);
    };
    let now = state.clock.now();
    let token = ids::new_id("mlr", now);
    let claimed = queue::claim(&state.db, now, now + LEASE_MS, &token, 20).await?;
    for m in &claimed {
        let body = state.sealer().open(&queue::sealed_row(&m.id), &m.body);
        let result = match body {
            Ok(body) => send_one(mailer, m, body).await,
            Err(_) => Err((
                "the body cannot be opened with this instance's key".to_owned(),
                true,
            )),
        };
        let now = state.clock.now();
        let attempt = m.attempts as usize;
        let outcome = match &result {
            Ok(()) => Outcome::Sent,
            Err((error, true)) => Outcome::Failed(error),
            Err((error, false)) => match RETRY_AFTER_SECS.get(attempt) {
                Some(secs) => Outcome::Retry(now + secs * 1000, error),
                None => Outcome::Failed(error),
            },
        };
        match &outcome {
            Outcome::Sent => {
                state.metrics.record_mail(true);
                tracing::info!(mail = %m.id, kind = %m.kind, "mail sent");
            }
            Outcome::Retry(_, error) => {
                tracing::warn!(mail = %m.id, kind = %m.kind, error = %error, "mail not sent; will retry");
            }
            Outcome::Failed(error) => {
                state.metrics.record_mail(false);
                tracing::error!(mail = %m.id, kind = %m.kind, error = %error, "mail given up");
            }
        }
        queue::finish(&state.db, &m.id, &token, outcome, now).await?;
    }
    Ok(claimed.len())
}

/// One message over SMTP. `Err((why, permanent))`.
async fn send_one(mailer: &Mailer, m: &queue::Claimed, body: String) -> Result<(), (String, bool)> {
    let to: Mailbox = m
        .recipient
        .parse()
        .map_err(|_| ("the recipient is not a valid address".to_owned(), true))?;
    let message = Message::builder()
        .from(mailer.from.clone())
        .to(to)
        .subject(m.subject.clone())
        .header(ContentType::TEXT_PLAIN)
        .body(body)
        .map_err(|e| (format!("the message could not be built: {e}"), true))?;
    match mailer.transport.send(message).await {
        Ok(_) => Ok(()),
        Err(e) => {
            let mut why = e.to_string();
            why.truncate(500);
            Err((why, e.is_permanent()))
        }
    }
}

/// The mail worker: sends what is due when woken, and every 10 seconds in
/// any case (messages queued by another instance, retries coming due).
pub async fn run(state: AppState, mut stop: watch::Receiver<bool>) {
    let Some(mailer) = state.mailer.clone() else {
        return;
    };
    loop {
        match send_due(&state).await {
            // A full batch: there may be more.
            Ok(20) => continue,
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "could not read the mail queue"),
        }
        tokio::select! {
            _ = mailer.wake.notified() => {}
            _ = tokio::time::sleep(Duration::from_secs(10)) => {}
            _ = stop.changed() => return,
        }
    }
}

/// Builds the mailer from the settings (checked at start-up).
pub fn from_settings(settings: &Settings) -> Option<Arc<Mailer>> {
    let m = MailSettings::from_settings(settings).ok().flatten()?;
    match Mailer::new(&m) {
        Ok(mailer) => Some(Arc::new(mailer)),
        Err(err) => {
            tracing::error!(error = %err, "mail is not available");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn settings(url: &str, from: Option<&str>) -> Settings {
        let mut s = crate::server::config::Cli::parse_from(["livreur"]).settings;
        s.smtp_url = Some(url.to_owned());
        s.mail_from = from.map(str::to_owned);
        s
    }

    #[test]
    fn the_three_schemes_and_their_ports() {
        let from = Some("Livreur <noreply@example.com>");
        let m = MailSettings::from_settings(&settings("smtp://127.0.0.1:2525", from))
            .unwrap()
            .unwrap();
        assert_eq!(
            (m.security, m.port, m.host.as_str()),
            (Security::Plain, 2525, "127.0.0.1")
        );
        assert_eq!(m.credentials, None);
        let m = MailSettings::from_settings(&settings("smtps://mail.example.com", from))
            .unwrap()
            .unwrap();
        assert_eq!((m.security, m.port), (Security::Tls, 465));
        let m = MailSettings::from_settings(&settings(
            "smtp+starttls://ops%40example.com:p%3Ass@mail.example.com",
            from,
        ))
        .unwrap()
        .unwrap();
        assert_eq!((m.security, m.port), (Security::StartTls, 587));
        assert_eq!(
            m.credentials,
            Some(("ops@example.com".to_owned(), "p:ss".to_owned()))
        );
        assert!(!format!("{m:?}").contains("p:ss"));
    }

    #[test]
    fn bad_settings_are_named_without_the_password() {
        let from = Some("noreply@example.com");
        let err = MailSettings::from_settings(&settings("http://u:secret@x", from)).unwrap_err();
        assert!(
            err.contains("LIVREUR_SMTP_URL") && !err.contains("secret"),
            "{err}"
        );
        let err = MailSettings::from_settings(&settings("smtp://x", None)).unwrap_err();
        assert!(err.contains("LIVREUR_MAIL_FROM"), "{err}");
        let err =
            MailSettings::from_settings(&settings("smtp://x", Some("not an address"))).unwrap_err();
        assert!(err.contains("LIVREUR_MAIL_FROM"), "{err}");
        let mut s = settings("", from);
        s.smtp_url = None;
        assert_eq!(MailSettings::from_settings(&s), Ok(None));
    }
}
