//! Test harness: a fresh, migrated database per test, on SQLite and on
//! PostgreSQL, and the real router to send requests through.
//!
//! PostgreSQL tests use `TEST_DATABASE_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`), each in a schema of its own
//! that is dropped afterwards. Without a reachable server they are skipped,
//! except when `CI=true`, where a missing PostgreSQL fails the run.
#![allow(dead_code)]

pub mod hooks;
pub mod smtp;
pub mod world;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, header};
use http_body_util::BodyExt;
use livreur::server::AppState;
use livreur::server::clock::Clock;
use livreur::server::config::{Cli, Settings};
use livreur::server::db::Db;
use livreur::server::services::Caller;
use sqlx::Executor;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::str::FromStr;
use tower::ServiceExt;

pub const START: i64 = 1_796_000_000_000; // 2026-11-29, a fixed "now"

pub struct TestDb {
    pub db: Db,
    pub backend: &'static str,
    cleanup: Option<Cleanup>,
    _dir: Option<TempDir>,
}

struct Cleanup {
    admin_url: String,
    schema: String,
}

/// Connections to one test's schema, named after it (`application_name`)
/// so a test can find its own sessions in `pg_stat_activity`.
pub fn pg_options(url: &str, schema: &str) -> PgConnectOptions {
    PgConnectOptions::from_str(url)
        .unwrap()
        .options([("search_path", schema)])
        .application_name(schema)
}

impl TestDb {
    /// PostgreSQL: the server's URL and this test's schema.
    pub fn pg_schema(&self) -> Option<(&str, &str)> {
        self.cleanup
            .as_ref()
            .map(|c| (c.admin_url.as_str(), c.schema.as_str()))
    }

    /// Closes the pools and removes what the test created.
    pub async fn finish(mut self) {
        self.db.close().await;
        if let Some(c) = self.cleanup.take()
            && let Ok(pool) = PgPoolOptions::new()
                .max_connections(1)
                .connect(&c.admin_url)
                .await
        {
            let _ = pool
                .execute(format!("DROP SCHEMA IF EXISTS {} CASCADE", c.schema).as_str())
                .await;
            pool.close().await;
        }
    }
}

/// A temporary folder removed on drop (no extra crate for this).
pub struct TempDir(pub std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "{prefix}_{}_{}_{}",
        std::process::id(),
        nanos % 1_000_000_000,
        N.fetch_add(1, Ordering::SeqCst)
    )
}

pub async fn sqlite() -> TestDb {
    let dir = std::env::temp_dir().join(unique("livreur_test"));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("test.db").display());
    let db = Db::connect(&url, 4).await.expect("open SQLite");
    db.migrate().await.expect("migrate SQLite");
    TestDb {
        db,
        backend: "sqlite",
        cleanup: None,
        _dir: Some(TempDir(dir)),
    }
}

pub async fn postgres() -> Option<TestDb> {
    let url = std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let admin = match PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(std::time::Duration::from_secs(3))
        .connect(&url)
        .await
    {
        Ok(pool) => pool,
        Err(err) => {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("PostgreSQL is required when CI=true, but {url} is unreachable: {err}");
            }
            eprintln!("skipping the PostgreSQL variant: {url} unreachable ({err})");
            return None;
        }
    };
    // Migrations create pg_trgm in `public` if it is missing; doing it here
    // first keeps parallel tests from racing to create it.
    let _ = admin
        .execute("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public")
        .await;
    let schema = unique("t");
    admin
        .execute(format!("CREATE SCHEMA {schema}").as_str())
        .await
        .expect("create test schema");
    admin.close().await;
    let pool = PgPoolOptions::new()
        .max_connections(4)
        .connect_with(pg_options(&url, &schema))
        .await
        .expect("connect to the test schema");
    let db = Db::postgres(pool);
    db.migrate().await.expect("migrate PostgreSQL");
    Some(TestDb {
        db,
        backend: "postgres",
        cleanup: Some(Cleanup {
            admin_url: url,
            schema,
        }),
        _dir: None,
    })
}

/// Runs one async test body against SQLite and PostgreSQL as two tests,
/// `<name>::sqlite` and `<name>::postgres`.
#[macro_export]
macro_rules! db_test {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let t = $crate::common::sqlite().await;
                super::$name(&t).await;
                t.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(t) = $crate::common::postgres().await {
                    super::$name(&t).await;
                    t.finish().await;
                }
            }
        }
    };
}

/// The defaults, with a rate limit no test reaches by accident (the clock
/// stands still, so the bucket never refills); the rate-limit test sets its
/// own.
pub fn settings() -> Settings {
    use clap::Parser;
    let mut settings = Cli::parse_from(["livreur"]).settings;
    settings.rate_limit = 100_000;
    // The second-factor tests turn it on (tests/it/two_factor.rs).
    settings.require_2fa_for_admins = false;
    settings
}

/// The application over `db` with a manual clock at [`START`].
pub fn state(t: &TestDb) -> AppState {
    state_with(t, settings())
}

pub fn state_with(t: &TestDb, settings: Settings) -> AppState {
    AppState::new(settings, t.db.clone(), Clock::manual(START))
}

pub fn router(state: &AppState) -> Router {
    livreur::server::http::router(state.clone())
}

pub struct Reply {
    pub status: u16,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }

    /// The value the response sets for cookie `name`.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.set_cookies().iter().find_map(|c| {
            let first = c.split(';').next()?;
            let (k, v) = first.split_once('=')?;
            (k == name).then(|| v.to_owned())
        })
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

pub async fn send(router: &Router, req: Request<Body>) -> Reply {
    let res: Response<Body> = router.clone().oneshot(req).await.unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// A same-origin form post to a server function, as the app's own
/// JavaScript sends it.
pub fn server_fn(name: &str, form: &[(&str, &str)], session: Option<&str>) -> Request<Body> {
    same_site_post(&format!("/_fn/{name}"), form, session, "application/json")
}

/// A same-origin call to a server function that takes JSON.
pub fn server_fn_json(name: &str, body: serde_json::Value, session: Option<&str>) -> Request<Body> {
    let mut req = Request::post(format!("/_fn/{name}"))
        .header(header::HOST, "127.0.0.1:3000")
        .header("sec-fetch-site", "same-origin")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, "application/json");
    if let Some(s) = session {
        req = req.header(header::COOKIE, format!("livreur_session={s}"));
    }
    req.body(Body::from(body.to_string())).unwrap()
}

/// A form posted from the app's own page, as a browser without JavaScript
/// sends it (docs/architecture.md, Forms without JavaScript).
pub fn form_post(path: &str, form: &[(&str, &str)], session: Option<&str>) -> Request<Body> {
    same_site_post(path, form, session, "text/html")
}

fn same_site_post(
    path: &str,
    form: &[(&str, &str)],
    session: Option<&str>,
    accept: &str,
) -> Request<Body> {
    let body = form
        .iter()
        .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let mut req = Request::post(path)
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::ORIGIN, "http://127.0.0.1:3000")
        .header("sec-fetch-site", "same-origin")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, accept);
    if let Some(token) = session {
        req = req.header(header::COOKIE, format!("livreur_session={token}"));
    }
    req.body(Body::from(body)).unwrap()
}

pub fn get(path: &str, session: Option<&str>) -> Request<Body> {
    let mut req = Request::get(path)
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::ACCEPT, "text/html");
    if let Some(token) = session {
        req = req.header(header::COOKIE, format!("livreur_session={token}"));
    }
    req.body(Body::empty()).unwrap()
}

pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

pub const ADMIN_EMAIL: &str = "admin@example.com";
pub const ADMIN_PASSWORD: &str = "correct horse battery";

/// Creates the administrator [`ADMIN_EMAIL`] through the real service.
pub async fn create_admin(state: &AppState) -> String {
    match livreur::server::services::admins::create_or_reset(
        &state.db,
        &state.clock,
        ADMIN_EMAIL,
        Some("Alice Admin"),
        ADMIN_PASSWORD,
    )
    .await
    .unwrap()
    {
        livreur::server::services::admins::Outcome::Created { user_id } => user_id,
        other => panic!("expected a new admin, got {other:?}"),
    }
}

/// Signs in through the server function and returns the session token.
pub async fn sign_in(router: &Router, email: &str, password: &str) -> String {
    let reply = send(
        router,
        server_fn("sign_in", &[("email", email), ("password", password)], None),
    )
    .await;
    assert_eq!(reply.status, 200, "sign-in failed: {}", reply.body);
    reply.cookie("livreur_session").expect("a session cookie")
}

/// Inserts a location, a merchant and a merchant user directly, without
/// the services' rules (a fixture for the authorization sweeps).
pub async fn insert_merchant_user(db: &Db, email: &str, role: &str) -> String {
    use livreur::on_tx;
    let hash = livreur::server::password::hash(ADMIN_PASSWORD.into())
        .await
        .unwrap();
    let new_id = |prefix| livreur::server::ids::new_id(prefix, START);
    let (loc, mer, usr) = (new_id("loc"), new_id("mer"), new_id("usr"));
    let mut tx = db.begin().await.unwrap();
    on_tx!(&mut tx, c => {
        sqlx::query("INSERT INTO locations (id, name, kind, ref_no, active, created_at, updated_at) VALUES ($1, 'Depot', 'branch', $1, TRUE, 0, 0)")
            .bind(&loc).execute(&mut *c).await.unwrap();
        sqlx::query("INSERT INTO merchants (id, business_name, contact_email, default_location_id, active, created_at, updated_at) VALUES ($1, 'Shop', 'shop@example.com', $2, TRUE, 0, 0)")
            .bind(&mer).bind(&loc).execute(&mut *c).await.unwrap();
        sqlx::query("INSERT INTO users (id, email, email_lower, display_name, password_hash, role, merchant_id, language, active, created_at, updated_at) VALUES ($1, $2, $3, 'Mo Merchant', $4, $5, $6, 'en', TRUE, 0, 0)")
            .bind(&usr).bind(email).bind(email.to_lowercase()).bind(&hash).bind(role).bind(&mer)
            .execute(&mut *c).await.unwrap();
    });
    tx.commit().await.unwrap();
    usr
}

/// The administrator [`create_admin`] made, as services see the caller.
pub fn admin(id: &str) -> Caller {
    Caller::browser(
        livreur::model::SessionUser {
            id: id.into(),
            email: ADMIN_EMAIL.into(),
            display_name: "Alice".into(),
            role: livreur::model::Role::Admin,
            merchant_id: None,
            language: livreur::model::Lang::En,
        },
        None,
    )
}
