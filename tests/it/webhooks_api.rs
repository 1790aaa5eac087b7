//! Webhook administration through the REST API (docs/api.md), the address
//! rules at save and at send, and the refusal of merchants, on SQLite and
//! PostgreSQL.

use crate::common::hooks::*;
use crate::common::world::*;
use crate::common::*;
use livreur::server::services::webhooks as service;
use livreur::server::webhooks::{Webhooks, run_once};
use serde_json::{Value, json};
use std::sync::Arc;

/// Addresses are checked again at send time: a target that was allowed
/// when saved but is not any more receives nothing.
async fn addresses_are_checked_again_when_sending(t: &TestDb) {
    let mut w = hooks_world(t, "0,5", 5, 120).await;
    let (r, base) = receiver().await;
    let (hook, _) = endpoint(&w, &format!("{base}/h"), None, &["*"]).await;
    w.state.webhooks = Arc::new(Webhooks::ephemeral(&settings()));
    // The key changed with the new instance: seal a secret it can open.
    let rotated = service::rotate_secret(&w.state, &w.admin, &hook.id).await;
    assert!(rotated.is_ok());
    job(&w, "WH-13").await;
    run_once(&w.state).await.unwrap();
    assert!(r.got().is_empty());
    let d = &deliveries(&w, &hook.id).await[0];
    assert!(
        d.last_error.as_deref().unwrap().contains("may not reach"),
        "{d:?}"
    );
}
db_test!(addresses_are_checked_again_when_sending);

async fn the_api_manages_webhooks_for_administrators_only(t: &TestDb) {
    let w = hooks_world(t, "0,5", 5, 120).await;
    let (_, base) = receiver().await;
    let (admin_account, admin_key) = w.admin_key().await;
    let boss = basic(&admin_account, &admin_key);
    let (_, account, key) = w.api_user("l2@example.com").await;
    let merchant = basic(&account, &key);
    let app = router(&w.state);

    let made = send(
        &app,
        api(
            "POST",
            "/webhooks",
            Some(&boss),
            Some(json!({
                "url": format!("{base}/hook"), "location_id": w.location_id,
                "events": ["job.created", "job.status_changed"], "description": "ERP"
            })),
        ),
    )
    .await;
    assert_eq!(made.status, 201, "{}", made.body);
    let body = made.json();
    let id = body["id"].as_str().unwrap().to_owned();
    let secret = body["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));
    assert_eq!(body["health"], "ok");
    // IP literals are stored in their plain form.
    let odd = send(&app, api("POST", "/webhooks", Some(&boss), Some(json!({
        "url": format!("http://2130706433:{}/x", base.rsplit(':').next().unwrap()), "events": ["*"]
    })))).await;
    assert_eq!(odd.status, 201, "{}", odd.body);
    assert!(
        odd.json()["url"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:")
    );

    // The secret is never shown again, and not stored in clear.
    let got = send(
        &app,
        api("GET", &format!("/webhooks/{id}"), Some(&boss), None),
    )
    .await;
    assert_eq!(got.status, 200);
    assert!(got.json().get("secret").is_none());
    let stored: (String,) = livreur::on_read!(&w.state.db, pool => {
        sqlx::query_as("SELECT secret_sealed FROM webhook_endpoints WHERE id = $1")
            .bind(&id).fetch_one(pool).await.unwrap()
    });
    assert!(!stored.0.contains(&secret[6..]));

    let patched = send(
        &app,
        api(
            "PATCH",
            &format!("/webhooks/{id}"),
            Some(&boss),
            Some(json!({"location_id": null, "events": ["*"]})),
        ),
    )
    .await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    assert_eq!(patched.json()["location_id"], Value::Null);
    assert_eq!(patched.json()["description"], "ERP");
    let off = send(
        &app,
        api(
            "PATCH",
            &format!("/webhooks/{id}"),
            Some(&boss),
            Some(json!({"enabled": false})),
        ),
    )
    .await;
    assert_eq!(off.json()["disabled_reason"], "manual");
    let test_off = send(
        &app,
        api("POST", &format!("/webhooks/{id}/test"), Some(&boss), None),
    )
    .await;
    assert_eq!(test_off.status, 409);
    send(
        &app,
        api(
            "PATCH",
            &format!("/webhooks/{id}"),
            Some(&boss),
            Some(json!({"enabled": true})),
        ),
    )
    .await;
    let test = send(
        &app,
        api("POST", &format!("/webhooks/{id}/test"), Some(&boss), None),
    )
    .await;
    assert_eq!(test.status, 202);
    let message = test.json()["message_id"].as_str().unwrap().to_owned();
    let list = send(
        &app,
        api(
            "GET",
            &format!("/webhooks/{id}/deliveries"),
            Some(&boss),
            None,
        ),
    )
    .await;
    assert_eq!(list.json()["data"][0]["message_id"], message.as_str());
    let resend = send(
        &app,
        api(
            "POST",
            &format!("/webhooks/{id}/deliveries/{message}/resend"),
            Some(&boss),
            None,
        ),
    )
    .await;
    assert_eq!(resend.status, 202);
    let rotated = send(
        &app,
        api(
            "POST",
            &format!("/webhooks/{id}/rotate-secret"),
            Some(&boss),
            None,
        ),
    )
    .await;
    assert_eq!(rotated.status, 200);
    assert_ne!(rotated.json()["secret"], secret.as_str());

    // Bad input: field errors, never a 500.
    for (body, field, code) in [
        (
            json!({"url": "https://10.0.0.1/x", "events": ["*"]}),
            "url",
            "private_address",
        ),
        (
            json!({"url": "https://167772161/x", "events": ["*"]}),
            "url",
            "private_address",
        ),
        (
            json!({"url": "https://[::ffff:169.254.169.254]/", "events": ["*"]}),
            "url",
            "private_address",
        ),
        (
            json!({"url": "http://8.8.8.8/x", "events": ["*"]}),
            "url",
            "https_required",
        ),
        (
            json!({"url": "ftp://example.com/", "events": ["*"]}),
            "url",
            "invalid_url",
        ),
        (
            json!({"url": format!("{base}/x"), "events": []}),
            "events",
            "required",
        ),
        (
            json!({"url": format!("{base}/x"), "events": ["job.eaten"]}),
            "events",
            "unknown_event",
        ),
        (
            json!({"url": format!("{base}/x"), "events": ["*"], "location_id": "loc_nope"}),
            "location_id",
            "unknown_location",
        ),
    ] {
        let reply = send(
            &app,
            api("POST", "/webhooks", Some(&boss), Some(body.clone())),
        )
        .await;
        assert_eq!(reply.status, 422, "{body}: {}", reply.body);
        let errors = reply.json()["errors"].clone();
        assert!(
            errors
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["field"] == field && e["code"] == code),
            "{body}: {errors}"
        );
    }
    let unknown_field = send(
        &app,
        api(
            "POST",
            "/webhooks",
            Some(&boss),
            Some(json!({"url": "x", "events": [], "secret": "mine"})),
        ),
    )
    .await;
    assert_eq!(unknown_field.status, 400);

    // Merchants: refused everywhere, before anything is read.
    for (method, path) in [
        ("GET", "/webhooks".to_owned()),
        ("POST", "/webhooks".to_owned()),
        ("GET", format!("/webhooks/{id}")),
        ("PATCH", format!("/webhooks/{id}")),
        ("DELETE", format!("/webhooks/{id}")),
        ("POST", format!("/webhooks/{id}/test")),
        ("POST", format!("/webhooks/{id}/rotate-secret")),
        ("GET", format!("/webhooks/{id}/deliveries")),
        (
            "POST",
            format!("/webhooks/{id}/deliveries/{message}/resend"),
        ),
    ] {
        let reply = send(&app, api(method, &path, Some(&merchant), Some(json!({})))).await;
        assert_eq!(reply.status, 403, "{method} {path}");
    }

    // The audit log has every change, never the secret.
    let audit = send(&app, api("GET", "/audit?limit=50", Some(&boss), None)).await;
    let text = audit.body.clone();
    for action in [
        "webhook.created",
        "webhook.disabled",
        "webhook.enabled",
        "webhook.test_sent",
        "webhook.resent",
        "webhook.secret_rotated",
    ] {
        assert!(text.contains(action), "{action} missing from {text}");
    }
    assert!(!text.contains("whsec_"));

    let deleted = send(
        &app,
        api("DELETE", &format!("/webhooks/{id}"), Some(&boss), None),
    )
    .await;
    assert_eq!(deleted.status, 204);
    let gone = send(
        &app,
        api("GET", &format!("/webhooks/{id}"), Some(&boss), None),
    )
    .await;
    assert_eq!(gone.status, 404);
}
db_test!(the_api_manages_webhooks_for_administrators_only);
