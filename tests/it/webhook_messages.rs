//! A message's history through the REST API (docs/api.md, Webhooks): what
//! was sent and every attempt, newest first, on SQLite and PostgreSQL; an
//! unknown or another endpoint's message is a 404, a merchant gets 403.

use crate::common::hooks::*;
use crate::common::world::*;
use crate::common::*;
use livreur::server::services::webhooks as service;
use livreur::server::webhooks::run_once;

async fn a_message_shows_every_attempt_newest_first(t: &TestDb) {
    let w = hooks_world(t, "0,10", 5, 120).await;
    let (r, base) = receiver().await;
    let (hook, _) = endpoint(&w, &format!("{base}/h"), None, &["*"]).await;
    // Another endpoint, for events this test does not make.
    let (other, _) = endpoint(&w, &format!("{base}/other"), None, &["job.deleted"]).await;
    r.script(&[answer(503), answer(200)]);
    job(&w, "WH-HIST").await;
    run_once(&w.state).await.unwrap();
    w.state.clock.advance(15_000);
    run_once(&w.state).await.unwrap();
    let message_id = r.got()[0].header("webhook-id").to_owned();

    let app = router(&w.state);
    let (account, key) = w.admin_key().await;
    let me = basic(&account, &key);
    let path = format!("/webhooks/{}/deliveries/{message_id}", hook.id);
    let reply = send(&app, api("GET", &path, Some(&me), None)).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let m = reply.json();
    assert_eq!(m["message_id"], message_id.as_str());
    assert_eq!(m["event_type"], "job.created");
    assert_eq!(m["status"], "succeeded");
    assert!(m["created_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(m["payload"]["type"], "job.created");
    assert_eq!(m["payload"]["data"]["reference_id"], "WH-HIST");
    let attempts = m["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 2, "{m}");
    assert_eq!(attempts[0]["status_code"], 200, "newest first: {m}");
    assert_eq!(attempts[1]["status_code"], 503);
    assert!(
        attempts[0]["attempted_at"].as_str().unwrap()
            > attempts[1]["attempted_at"].as_str().unwrap()
    );
    for a in attempts {
        assert!(a["duration_ms"].as_i64().unwrap() >= 0);
        assert!(a["error"].is_null());
        assert!(a["response_excerpt"].is_string());
    }

    // A test message went to the other endpoint only: its history is
    // there, and not found under this endpoint.
    let test_id = service::send_test(&w.state, &w.admin, &other.id)
        .await
        .unwrap();
    run_once(&w.state).await.unwrap();
    let theirs = format!("/webhooks/{}/deliveries/{test_id}", other.id);
    let reply = send(&app, api("GET", &theirs, Some(&me), None)).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["payload"]["type"], "webhook.test");
    assert_eq!(reply.json()["attempts"].as_array().unwrap().len(), 1);
    // Not found: another endpoint's message, an unknown one, a malformed
    // id, an unknown endpoint.
    let not_mine = format!("/webhooks/{}/deliveries/{test_id}", hook.id);
    let unknown = format!(
        "/webhooks/{}/deliveries/msg_01jdx7k3m5n8p9q2r4s6t8v0w2",
        hook.id
    );
    let bad = format!("/webhooks/{}/deliveries/nope", hook.id);
    let absent =
        "/webhooks/whk_01jdx7k3m5n8p9q2r4s6t8v0w2/deliveries/msg_01jdx7k3m5n8p9q2r4s6t8v0w2";
    for p in [not_mine.as_str(), unknown.as_str(), bad.as_str(), absent] {
        let reply = send(&app, api("GET", p, Some(&me), None)).await;
        assert_eq!(reply.status, 404, "{p}: {}", reply.body);
    }

    // Merchants are refused before anything is read.
    let (_, account, key) = w.api_user("l2@example.com").await;
    let reply = send(&app, api("GET", &path, Some(&basic(&account, &key)), None)).await;
    assert_eq!(reply.status, 403, "{}", reply.body);
}
db_test!(a_message_shows_every_attempt_newest_first);
