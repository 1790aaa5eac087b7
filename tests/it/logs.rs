//! What the logs hold (docs/security.md): a whole flow through the real
//! router — signing in, issuing a key, calling the API with it, creating a
//! webhook and delivering to it, signing out — logged at `debug` for
//! Livreur and sqlx, leaves no password, API key, session token or
//! webhook secret in any line.
//!
//! Each backend runs on a current-thread runtime with a subscriber of its
//! own (`set_default`), so the lines captured are this flow's and no other
//! test's.

use std::io::Write;
use std::sync::{Arc, Mutex};

use serde_json::json;

use crate::common::hooks::{hooks_world, receiver};
use crate::common::world::*;
use crate::common::*;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn flow(t: &TestDb) {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter("debug,livreur=trace,hyper=info,h2=info,rustls=info")
        .with_writer({
            let c = captured.clone();
            move || c.clone()
        })
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let w = hooks_world(t, "0,5", 5, 120).await;
    let (receiver, base) = receiver().await;
    let app = router(&w.state);
    let session = sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    // A failed sign-in is logged too: its password must not be.
    let wrong = "a wrong password typed";
    let failed = send(
        &app,
        server_fn(
            "sign_in",
            &[("email", ADMIN_EMAIL), ("password", wrong)],
            None,
        ),
    )
    .await;
    assert_eq!(failed.status, 401);

    let (account, admin_key) = w.admin_key().await;
    let boss = basic(&account, &admin_key);
    let user = w.user("l2@example.com", "merchant_l2", true).await;
    let issued = send(
        &app,
        api(
            "POST",
            &format!("/users/{}/api-keys", user.user.id),
            Some(&boss),
            None,
        ),
    )
    .await;
    assert_eq!(issued.status, 201, "{}", issued.body);
    let merchant_key = issued.json()["key"].as_str().unwrap().to_owned();
    let merchant_account = issued.json()["account_id"].as_str().unwrap().to_owned();

    let made = send(
        &app,
        api(
            "POST",
            "/webhooks",
            Some(&boss),
            Some(json!({"url": format!("{base}/hook"), "location_id": w.location_id, "events": ["*"]})),
        ),
    )
    .await;
    assert_eq!(made.status, 201, "{}", made.body);
    let secret = made.json()["secret"].as_str().unwrap().to_owned();

    let job = json!({"type": "delivery", "date": "2026-12-01", "location_id": w.location_id,
                     "customer": {"first_name": "Ana", "phone": "+15145550100"},
                     "address": {"line1": "1 Rue"}});
    let me = basic(&merchant_account, &merchant_key);
    let created = send(&app, api("POST", "/jobs", Some(&me), Some(job))).await;
    assert_eq!(created.status, 201, "{}", created.body);
    // A key in the query string is refused, and must not be logged either.
    let leaked = send(
        &app,
        api("GET", &format!("/ping?key={merchant_key}"), None, None),
    )
    .await;
    assert_eq!(leaked.status, 401);
    assert!(livreur::server::webhooks::run_once(&w.state).await.unwrap() >= 1);
    assert!(!receiver.got().is_empty());
    let out = send(&app, server_fn("sign_out", &[], Some(&session))).await;
    assert!(out.status < 400, "{}", out.body);

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("/api/v1/jobs"), "the flow was logged: {logs}");
    for (what, value) in [
        ("password", ADMIN_PASSWORD),
        ("wrong password", wrong),
        ("session token", session.as_str()),
        ("administrator's key", admin_key.as_str()),
        ("merchant's key", merchant_key.as_str()),
        ("webhook secret", secret.as_str()),
        (
            "webhook secret's bytes",
            secret.trim_start_matches("whsec_"),
        ),
    ] {
        assert!(!logs.contains(value), "the {what} is in the logs:\n{logs}");
    }
}

#[tokio::test]
async fn no_secret_reaches_the_logs_sqlite() {
    let t = sqlite().await;
    flow(&t).await;
    t.finish().await;
}

#[tokio::test]
async fn no_secret_reaches_the_logs_postgres() {
    if let Some(t) = postgres().await {
        flow(&t).await;
        t.finish().await;
    }
}
