//! The `livreur` command: serve, migrate, create-admin (README, Commands).

use std::io::BufRead;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use super::clock::Clock;
use super::config::{
    ApiKeyCommand, ApiKeyCreateArgs, Cli, Command, CreateAdminArgs, LogFormat, Settings,
};
use super::db::{Db, deliveries};
use super::services::{admins, api_keys, auth};
use super::{AppState, http};
use crate::error::AppError;

pub async fn run(cli: Cli) -> ExitCode {
    init_tracing(cli.settings.log_format);
    if let Err(msg) = cli.settings.validate() {
        eprintln!("livreur: invalid setting: {msg}");
        return ExitCode::from(2);
    }
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(cli.settings).await,
        Command::Migrate => migrate(&cli.settings).await,
        Command::CreateAdmin(args) => create_admin(&cli.settings, args).await,
        Command::ApiKey(ApiKeyCommand::Create(args)) => create_api_key(cli.settings, args).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("livreur: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("LIVREUR_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,leptos_i18n=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

async fn open(settings: &Settings) -> Result<Db, String> {
    let db = Db::connect(&settings.database_url, settings.db_pool_size)
        .await
        .map_err(|e| e.to_string())?;
    db.migrate().await.map_err(|e| e.to_string())?;
    Ok(db)
}

async fn migrate(settings: &Settings) -> Result<(), String> {
    let db = open(settings).await?;
    db.close().await;
    println!("migrations applied ({})", db.backend());
    Ok(())
}

async fn serve(settings: Settings) -> Result<(), String> {
    // Held until this function returns (SQLite only).
    let single = Db::lock_single_instance(&settings.database_url)?;
    let db = open(&settings).await?;
    if single.is_some() {
        // Whatever was claimed when the last server died is due now.
        match deliveries::release(&db, None, Clock::system().now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                deliveries = n,
                "webhook deliveries claimed by the previous run are due again"
            ),
            Err(e) => return Err(format!("cannot hand back webhook deliveries: {e}")),
        }
    }
    let listen = settings.listen;
    let sealer = crate::server::webhooks::seal::Sealer::load_or_create(&settings.key_file)?;
    let mut state = AppState::new(settings, db.clone(), Clock::system());
    state.webhooks = std::sync::Arc::new(crate::server::webhooks::Webhooks::new(
        &state.settings,
        sealer,
        std::sync::Arc::new(crate::server::webhooks::ssrf::SystemLookup),
    ));
    // Responses kept in clear by a version before they were sealed.
    match crate::server::api::idempotency::seal_stored_responses(&state).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(
            responses = n,
            "sealed the idempotent responses kept in clear"
        ),
        Err(e) => return Err(format!("cannot seal the stored idempotent responses: {e}")),
    }
    // Secrets sealed under an endpoint's id from before the `whk_` prefix.
    match crate::server::webhooks::seal::reseal_renamed(&state.db, &state.webhooks.sealer).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(endpoints = n, "sealed the renamed webhooks' secrets again"),
        Err(e) => {
            return Err(format!(
                "cannot seal the renamed webhooks' secrets again: {e}"
            ));
        }
    }
    let app = http::router(state.clone());
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let worker = tokio::spawn(crate::server::webhooks::run(state.clone(), stop_rx.clone()));
    let mail_worker = tokio::spawn(crate::server::mail::run(state.clone(), stop_rx.clone()));
    let recoveries = tokio::spawn(crate::server::webhooks::recovery::run(
        state.clone(),
        stop_rx.clone(),
    ));
    if let Db::Postgres(pool, ..) = &state.db {
        tokio::spawn(crate::server::credentials::listen(
            pool.clone(),
            state.credentials.clone(),
            stop_rx.clone(),
        ));
    }

    tokio::spawn(purge_sessions_periodically(state.clone()));
    tokio::spawn(flush_usage_periodically(state.clone()));
    tokio::spawn(record_key_expiries_periodically(state.clone()));
    tokio::spawn(purge_idempotency_keys_periodically(state.clone()));
    tokio::spawn(purge_webhook_deliveries_periodically(state.clone()));

    let listener = tokio::net::TcpListener::bind(listen).await.map_err(|e| {
        format!("cannot listen on {listen}: {e} (set LIVREUR_LISTEN to another address)")
    })?;
    tracing::info!(address = %listen, database = db.backend(), "Livreur is listening on http://{listen}");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        // The webhook worker stops taking work now and finishes what is in
        // flight while the last requests are answered.
        let _ = stop_tx.send(true);
    })
    .await
    .map_err(|e| format!("server error: {e}"))?;
    let _ = worker.await;
    let _ = mail_worker.await;
    let _ = recoveries.await;
    if let Err(err) = state.usage.flush(&db).await {
        tracing::warn!(error = %err, "could not write the last API usage counts");
    }
    tracing::info!("shut down cleanly");
    db.close().await;
    Ok(())
}

async fn purge_sessions_periodically(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(600));
    loop {
        tick.tick().await;
        match auth::purge_expired_sessions(&state).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(sessions = n, "expired sessions removed"),
            Err(err) => tracing::warn!(error = %err, "could not remove expired sessions"),
        }
    }
}

async fn flush_usage_periodically(state: AppState) {
    let mut tick = tokio::time::interval(super::usage::FLUSH_EVERY);
    loop {
        tick.tick().await;
        if let Err(err) = state.usage.flush(&state.db).await {
            tracing::warn!(error = %err, "could not write API usage counts; will retry");
        }
    }
}

/// Writes the audit entry of each API key that has reached its expiry
/// (the key itself stops working on the minute without this: expiry is
/// checked on every request), and queues the expiry notices now due.
async fn record_key_expiries_periodically(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    loop {
        tick.tick().await;
        match api_keys::record_expiries(&state).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(keys = n, "API keys expired"),
            Err(err) => tracing::warn!(error = %err, "could not record expired API keys"),
        }
        match crate::server::services::key_notices::send_expiry_notices(&state).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(keys = n, "API key expiry notices queued"),
            Err(err) => tracing::warn!(error = %err, "could not queue API key expiry notices"),
        }
    }
}

/// Forgets API idempotency keys once their 24 hours are over (docs/api.md).
async fn purge_idempotency_keys_periodically(state: AppState) {
    use crate::server::api::idempotency::KEEP_MS;
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tick.tick().await;
        let before = state.clock.now() - KEEP_MS;
        match crate::server::db::idempotency::purge(&state.db, before).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(keys = n, "idempotency keys forgotten"),
            Err(err) => tracing::warn!(error = %err, "could not purge idempotency keys"),
        }
    }
}

/// Forgets finished webhook deliveries (and their attempts) after 30 days.
async fn purge_webhook_deliveries_periodically(state: AppState) {
    use crate::server::db::delivery_log::KEEP_FINISHED_MS as KEEP_MS;
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tick.tick().await;
        let before = state.clock.now() - KEEP_MS;
        match crate::server::db::delivery_log::purge_finished(&state.db, before).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(deliveries = n, "old webhook deliveries forgotten"),
            Err(err) => tracing::warn!(error = %err, "could not purge old webhook deliveries"),
        }
    }
}

/// Resolves on SIGTERM or Ctrl-C: axum then stops accepting connections and
/// lets requests in progress finish.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown signal received, finishing requests in progress");
}

async fn create_admin(settings: &Settings, args: CreateAdminArgs) -> Result<(), String> {
    let password = if args.password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    } else {
        let first = rpassword::prompt_password("Password: ")
            .map_err(|e| format!("cannot prompt for a password ({e}); use --password-stdin"))?;
        let again = rpassword::prompt_password("Password again: ")
            .map_err(|e| format!("cannot prompt for a password ({e}); use --password-stdin"))?;
        if first != again {
            return Err("the two passwords differ".into());
        }
        first
    };
    let db = open(settings).await?;
    let outcome = admins::create_or_reset(
        &db,
        &Clock::system(),
        &args.email,
        args.name.as_deref(),
        &password,
    )
    .await;
    db.close().await;
    match outcome {
        Ok(admins::Outcome::Created { user_id }) => {
            println!("administrator {} created ({user_id})", args.email.trim());
            Ok(())
        }
        Ok(admins::Outcome::PasswordReset { user_id }) => {
            println!(
                "password of administrator {} reset ({user_id}); their sessions were ended",
                args.email.trim()
            );
            Ok(())
        }
        Err(AppError::Validation { fields }) => Err(fields
            .iter()
            .map(|f| match (f.field.as_str(), f.code.as_str()) {
                ("email", "taken") => "this e-mail belongs to a merchant user".to_owned(),
                ("password", "password_too_short") => format!(
                    "the password must have at least {} characters",
                    super::password::MIN_LENGTH
                ),
                (field, code) => format!("{field}: {code}"),
            })
            .collect::<Vec<_>>()
            .join("; ")),
        Err(other) => Err(other.to_string()),
    }
}

async fn create_api_key(settings: Settings, args: ApiKeyCreateArgs) -> Result<(), String> {
    let db = open(&settings).await?;
    let state = AppState::new(settings, db.clone(), Clock::system());
    let outcome = api_keys::issue_for_email(&state, &args.email).await;
    db.close().await;
    match outcome {
        Ok(issued) => {
            // The only time this key is ever shown: it goes to stdout, for
            // the operator or the script, and nowhere else.
            println!("account_id={}", issued.account_id);
            println!("key={}", issued.key);
            eprintln!(
                "Store the key now: it cannot be shown again. Use it with HTTP Basic \
                 authentication, the Account ID as user name and the key as password."
            );
            Ok(())
        }
        Err(AppError::NotFound) => Err(format!("no user has the e-mail {}", args.email.trim())),
        Err(AppError::Conflict { code }) => Err(match code.as_str() {
            "api_access_off" => "this user has no API access: only administrators and \
                 Merchant Level 2 users whose access an administrator turned on can have keys"
                .to_owned(),
            "too_many_keys" => "this user already has two active keys; roll or revoke one \
                 on the API settings page first"
                .to_owned(),
            "user_inactive" => "this user (or their merchant) is inactive".to_owned(),
            other => other.to_owned(),
        }),
        Err(other) => Err(other.to_string()),
    }
}
