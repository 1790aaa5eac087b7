//! Command line and settings (README, Commands). Every setting can come from a flag
//! or from the environment; [`Settings::validate`] checks them all at
//! start-up so a bad value fails fast with a message saying what to fix,
//! instead of surfacing later as a confusing runtime error.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;

#[derive(Debug, Parser)]
#[command(
    name = "livreur",
    version,
    about = "Livreur: last-mile delivery back office"
)]
pub struct Cli {
    #[command(flatten)]
    pub settings: Settings,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web app and the API (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Create an administrator, or reset the password of an existing one.
    CreateAdmin(CreateAdminArgs),
    /// API keys, for automation and first set-up.
    #[command(subcommand)]
    ApiKey(ApiKeyCommand),
}

#[derive(Debug, Subcommand)]
pub enum ApiKeyCommand {
    /// Issue an API key for an administrator, or for a Merchant Level 2
    /// user whose API access is on, and print its Account ID and key once.
    Create(ApiKeyCreateArgs),
}

#[derive(Debug, Args)]
pub struct ApiKeyCreateArgs {
    /// The e-mail address of the user the key is for.
    #[arg(long)]
    pub email: String,
}

#[derive(Debug, Args)]
pub struct CreateAdminArgs {
    /// The administrator's e-mail address (their sign-in name).
    #[arg(long)]
    pub email: String,
    /// Display name; defaults to the part of the e-mail before the @.
    #[arg(long)]
    pub name: Option<String>,
    /// Read the password from standard input instead of prompting.
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Address to listen on.
    #[arg(
        long,
        env = "LIVREUR_LISTEN",
        default_value = "127.0.0.1:3000",
        global = true
    )]
    pub listen: SocketAddr,

    /// `sqlite://path` (default, created on first start) or `postgres://…`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://./data/livreur.db",
        global = true
    )]
    pub database_url: String,

    /// Connections in the pool (PostgreSQL; SQLite readers).
    #[arg(
        long,
        env = "LIVREUR_DB_POOL_SIZE",
        default_value_t = 10,
        global = true
    )]
    pub db_pool_size: u32,

    /// The address users reach the app at, e.g. `https://livreur.example.com`.
    /// With `https`, cookies are marked `Secure`; it is also the origin that
    /// state-changing browser requests must come from.
    #[arg(long, env = "LIVREUR_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// Trust `X-Forwarded-For` / `X-Forwarded-Proto` from a reverse proxy.
    /// Only turn on when a proxy you control always sets them.
    #[arg(
        long,
        env = "LIVREUR_TRUST_PROXY",
        default_value_t = false,
        global = true
    )]
    pub trust_proxy: bool,

    /// With `LIVREUR_TRUST_PROXY`: the proxies (CIDR, comma separated) whose
    /// `X-Forwarded-For` hops are skipped from the right; the client is the
    /// right-most address that is not one of them.
    #[arg(
        long,
        env = "LIVREUR_TRUSTED_PROXIES",
        default_value = "127.0.0.0/8,::1/128",
        global = true
    )]
    pub trusted_proxies: String,

    /// A session ends after this many minutes without a request.
    #[arg(
        long,
        env = "LIVREUR_SESSION_IDLE_MINUTES",
        default_value_t = 120,
        global = true
    )]
    pub session_idle_minutes: u32,

    /// A session ends this many hours after sign-in, however active.
    #[arg(
        long,
        env = "LIVREUR_SESSION_MAX_HOURS",
        default_value_t = 12,
        global = true
    )]
    pub session_max_hours: u32,

    /// API requests per second per credential; bursts of twice that are
    /// allowed. Counted per instance.
    #[arg(long, env = "LIVREUR_RATE_LIMIT", default_value_t = 20, global = true)]
    pub rate_limit: u32,

    /// The file holding the key that seals stored secrets (webhook signing
    /// secrets); created on first start. Instances sharing a database must
    /// share its content; back it up with the database.
    #[arg(
        long,
        env = "LIVREUR_KEY_FILE",
        default_value = "./data/livreur.key",
        global = true
    )]
    pub key_file: std::path::PathBuf,

    /// Private networks (CIDR, comma separated) webhook URLs may target;
    /// plain `http` is accepted only inside them.
    #[arg(
        long,
        env = "LIVREUR_WEBHOOK_ALLOWED_NETS",
        default_value = "",
        global = true
    )]
    pub webhook_allowed_nets: String,

    /// Seconds before each webhook attempt, comma separated (default
    /// 0,5,300,1800,7200,18000,36000,36000).
    #[arg(long, env = "LIVREUR_WEBHOOK_RETRY_SCHEDULE", global = true)]
    pub webhook_retry_schedule: Option<String>,

    /// Seconds a webhook receiver has to answer.
    #[arg(
        long,
        env = "LIVREUR_WEBHOOK_TIMEOUT_SECONDS",
        default_value_t = 10,
        global = true
    )]
    pub webhook_timeout_seconds: u64,

    /// Webhook requests in flight at once, per instance.
    #[arg(
        long,
        env = "LIVREUR_WEBHOOK_CONCURRENCY",
        default_value_t = 32,
        global = true
    )]
    pub webhook_concurrency: usize,

    /// An endpoint whose every attempt fails for this many hours is
    /// disabled and flagged.
    #[arg(
        long,
        env = "LIVREUR_WEBHOOK_DISABLE_AFTER_HOURS",
        default_value_t = 120,
        global = true
    )]
    pub webhook_disable_after_hours: u64,

    /// The same period in seconds, when set (tests shrink it); wins over
    /// the hours.
    #[arg(long, env = "LIVREUR_WEBHOOK_DISABLE_AFTER_SECONDS", global = true)]
    pub webhook_disable_after_seconds: Option<u64>,

    /// Administrators must set up a second factor (TOTP) at their next
    /// sign-in before anything else (docs/people.md).
    #[arg(
        long,
        env = "LIVREUR_REQUIRE_2FA_FOR_ADMINS",
        default_value_t = true,
        action = clap::ArgAction::Set,
        global = true
    )]
    pub require_2fa_for_admins: bool,

    /// Seconds a proof of identity (password, code) lasts before the most
    /// sensitive actions (API keys, webhook secrets) ask for it again.
    #[arg(
        long,
        env = "LIVREUR_REAUTH_SECONDS",
        default_value_t = 600,
        global = true
    )]
    pub reauth_seconds: u32,

    /// The longest lifetime, in days, an API key may have; with it set,
    /// "never expires" is not offered and a key asked for without a
    /// lifetime gets this one (docs/api-keys.md). Unset: no cap.
    #[arg(long, env = "LIVREUR_API_KEY_MAX_DAYS", global = true)]
    pub api_key_max_days: Option<u32>,

    /// Where mail is sent: `smtp://`, `smtps://` or
    /// `smtp+starttls://[user:password@]host[:port]`. Unset: nothing is
    /// e-mailed (docs/mail.md).
    #[arg(long, env = "LIVREUR_SMTP_URL", global = true)]
    pub smtp_url: Option<String>,

    /// The sender of Livreur's mail, e.g. `Livreur <noreply@example.com>`;
    /// required with `LIVREUR_SMTP_URL`.
    #[arg(long, env = "LIVREUR_MAIL_FROM", global = true)]
    pub mail_from: Option<String>,

    /// Where the built front end (`pkg/`, favicon) is served from.
    #[arg(
        long,
        env = "LEPTOS_SITE_ROOT",
        default_value = "target/site",
        global = true
    )]
    pub site_root: String,

    /// Log lines as human text or as JSON objects.
    #[arg(
        long,
        env = "LIVREUR_LOG_FORMAT",
        value_enum,
        default_value = "text",
        global = true
    )]
    pub log_format: LogFormat,
}

impl Settings {
    /// Checks what clap cannot: the shape of URLs and sensible ranges.
    /// `LIVREUR_TRUSTED_PROXIES`, parsed (a bare address is one host).
    pub fn trusted_proxy_nets(&self) -> Result<Vec<ipnet::IpNet>, String> {
        self.trusted_proxies
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<ipnet::IpNet>()
                    .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| format!("LIVREUR_TRUSTED_PROXIES: {s:?} is not a CIDR network"))
            })
            .collect()
    }

    pub fn validate(&self) -> Result<(), String> {
        let url = self.database_url.as_str();
        if !(url.starts_with("sqlite:")
            || url.starts_with("postgres://")
            || url.starts_with("postgresql://"))
        {
            return Err(format!(
                "DATABASE_URL must start with sqlite:, postgres:// or postgresql:// (got {:?})",
                redact_url(url)
            ));
        }
        if self.db_pool_size == 0 || self.db_pool_size > 1000 {
            return Err("LIVREUR_DB_POOL_SIZE must be between 1 and 1000".into());
        }
        if let Some(public) = &self.public_url {
            let ok = (public.starts_with("https://") || public.starts_with("http://"))
                && public
                    .split("://")
                    .nth(1)
                    .is_some_and(|rest| !rest.is_empty());
            if !ok {
                return Err(format!(
                    "LIVREUR_PUBLIC_URL must be an http:// or https:// address (got {public:?})"
                ));
            }
        }
        if self.session_idle_minutes == 0 {
            return Err("LIVREUR_SESSION_IDLE_MINUTES must be at least 1".into());
        }
        if self.session_max_hours == 0 || self.session_max_hours > 24 * 30 {
            return Err("LIVREUR_SESSION_MAX_HOURS must be between 1 and 720".into());
        }
        if self.rate_limit == 0 || self.rate_limit > 1_000_000 {
            return Err("LIVREUR_RATE_LIMIT must be between 1 and 1000000".into());
        }
        self.trusted_proxy_nets()?;
        crate::server::webhooks::ssrf::AllowedNets::parse(&self.webhook_allowed_nets)
            .map_err(|e| format!("LIVREUR_WEBHOOK_ALLOWED_NETS: {e}"))?;
        if let Some(s) = &self.webhook_retry_schedule {
            crate::server::webhooks::schedule::Schedule::parse(s)
                .map_err(|e| format!("LIVREUR_WEBHOOK_RETRY_SCHEDULE: {e}"))?;
        }
        if self.webhook_timeout_seconds == 0 || self.webhook_timeout_seconds > 120 {
            return Err("LIVREUR_WEBHOOK_TIMEOUT_SECONDS must be between 1 and 120".into());
        }
        if self.webhook_concurrency == 0 || self.webhook_concurrency > 1024 {
            return Err("LIVREUR_WEBHOOK_CONCURRENCY must be between 1 and 1024".into());
        }
        if self.webhook_disable_after_seconds == Some(0) {
            return Err("LIVREUR_WEBHOOK_DISABLE_AFTER_SECONDS must be at least 1".into());
        }
        if self.webhook_disable_after_hours == 0 {
            return Err("LIVREUR_WEBHOOK_DISABLE_AFTER_HOURS must be at least 1".into());
        }
        if self
            .api_key_max_days
            .is_some_and(|d| !(1..=3650).contains(&d))
        {
            return Err("LIVREUR_API_KEY_MAX_DAYS must be between 1 and 3650".into());
        }
        crate::server::mail::MailSettings::from_settings(self)?;
        Ok(())
    }

    /// The origin (`scheme://host[:port]`) of the public URL, if set.
    pub fn public_origin(&self) -> Option<String> {
        let url = self.public_url.as_deref()?;
        let (scheme, rest) = url.split_once("://")?;
        let host = rest.split('/').next()?;
        Some(format!("{scheme}://{host}").to_ascii_lowercase())
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }

    pub fn session_idle_ms(&self) -> i64 {
        i64::from(self.session_idle_minutes) * 60_000
    }

    pub fn session_max_ms(&self) -> i64 {
        i64::from(self.session_max_hours) * 3_600_000
    }
}

/// A database URL safe to print: the password, if any, is replaced.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
