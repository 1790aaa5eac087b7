//! Webhook delivery (docs/rules.md, Webhooks) against a real HTTP receiver on
//! loopback, on SQLite and PostgreSQL: signing, the retry and disable
//! rules, redirects, timeouts, rotation, test sends and resends (the
//! workers' leases are in `webhook_workers`). The worker is driven pass by
//! pass (`run_once`) on the manual clock, so retries are exact.

use crate::common::hooks::*;
use crate::common::*;
use livreur::model::webhook::WebhookIn;
use livreur::server::services::webhooks as service;
use livreur::server::webhooks::run_once;

async fn events_reach_the_endpoints_that_want_them_signed(t: &TestDb) {
    let w = hooks_world(t, "0,5", 5, 120).await;
    let (r, base) = receiver().await;
    let (all, secret) = endpoint(&w, &format!("{base}/all"), None, &["*"]).await;
    let (_, other_location) = w.other_merchant("Ailleurs").await;
    endpoint(
        &w,
        &format!("{base}/elsewhere"),
        Some(&other_location),
        &["*"],
    )
    .await;
    endpoint(&w, &format!("{base}/deleted-only"), None, &["job.deleted"]).await;
    let job_id = job(&w, "WH-1").await;

    assert_eq!(run_once(&w.state).await.unwrap(), 1);
    let got = r.got();
    assert_eq!(got.len(), 1, "only the endpoint that wants it");
    let msg = &got[0];
    assert_eq!(msg.path, "/all");
    assert!(msg.header("webhook-id").starts_with("msg_"));
    assert_eq!(msg.header("content-type"), "application/json");
    assert!(verifies(&secret, msg));
    let body = msg.json();
    assert_eq!(body["type"], "job.created");
    assert_eq!(body["data"]["id"], job_id.as_str());
    assert_eq!(body["data"]["actor"]["user_id"], w.admin.user.id.as_str());
    // The webhook-id is the outbox event's id.
    let history = livreur::server::db::outbox::history(&w.state.db, &job_id)
        .await
        .unwrap();
    assert_eq!(history[0].id, msg.header("webhook-id"));

    let list = deliveries(&w, &all.id).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].state, "succeeded");
    assert_eq!(list[0].last_status, Some(200));
    assert_eq!(list[0].last_response.as_deref(), Some("receiver says hi"));
    assert_eq!(run_once(&w.state).await.unwrap(), 0, "nothing twice");
    assert!(current(&w, &all.id).await.last_success_at.is_some());
}
db_test!(events_reach_the_endpoints_that_want_them_signed);

async fn failures_are_retried_on_the_schedule_with_the_same_id(t: &TestDb) {
    let w = hooks_world(t, "0,10,20", 5, 120).await;
    let (r, base) = receiver().await;
    let (hook, secret) = endpoint(&w, &format!("{base}/h"), None, &["*"]).await;
    r.script(&[answer(500), answer(503)]);
    job(&w, "WH-2").await;

    assert_eq!(run_once(&w.state).await.unwrap(), 1);
    assert_eq!(current(&w, &hook.id).await.health().as_str(), "failing");
    assert_eq!(run_once(&w.state).await.unwrap(), 0, "not due yet");
    w.state.clock.advance(7_000);
    assert_eq!(
        run_once(&w.state).await.unwrap(),
        0,
        "jitter stays within 20 %"
    );
    w.state.clock.advance(5_000);
    assert_eq!(run_once(&w.state).await.unwrap(), 1);
    w.state.clock.advance(25_000);
    assert_eq!(run_once(&w.state).await.unwrap(), 1);

    let got = r.got();
    assert_eq!(got.len(), 3);
    let id = got[0].header("webhook-id");
    assert!(got.iter().all(|g| g.header("webhook-id") == id));
    assert_ne!(
        got[0].header("webhook-timestamp"),
        got[1].header("webhook-timestamp")
    );
    assert!(got.iter().all(|g| verifies(&secret, g)));
    let d = &deliveries(&w, &hook.id).await[0];
    assert_eq!((d.state.as_str(), d.attempts), ("succeeded", 3));
    assert_eq!(current(&w, &hook.id).await.health().as_str(), "ok");

    // A message that fails every attempt of the schedule gives up.
    r.script(&[answer(500), answer(500), answer(500)]);
    job(&w, "WH-3").await;
    for _ in 0..3 {
        run_once(&w.state).await.unwrap();
        w.state.clock.advance(30_000);
    }
    assert_eq!(run_once(&w.state).await.unwrap(), 0);
    let d = &deliveries(&w, &hook.id).await[0];
    assert_eq!((d.state.as_str(), d.attempts), ("failed", 3));
    assert_eq!(d.last_status, Some(500));
}
db_test!(failures_are_retried_on_the_schedule_with_the_same_id);

async fn redirects_fail_and_are_not_followed(t: &TestDb) {
    let w = hooks_world(t, "0,10", 5, 120).await;
    let (r, base) = receiver().await;
    let (hook, _) = endpoint(&w, &format!("{base}/h"), None, &["*"]).await;
    r.script(&[Answer {
        status: 308,
        delay_ms: 0,
        headers: vec![("location", format!("{base}/elsewhere"))],
    }]);
    job(&w, "WH-4").await;
    run_once(&w.state).await.unwrap();
    let got = r.got();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].path, "/h", "the redirect was not followed");
    let d = &deliveries(&w, &hook.id).await[0];
    assert_eq!((d.state.as_str(), d.last_status), ("pending", Some(308)));
}
db_test!(redirects_fail_and_are_not_followed);

async fn gone_disables_the_endpoint(t: &TestDb) {
    let w = hooks_world(t, "0,10", 5, 120).await;
    let (r, base) = receiver().await;
    let (hook, _) = endpoint(&w, &format!("{base}/h"), None, &["*"]).await;
    r.script(&[answer(410)]);
    job(&w, "WH-5").await;
    run_once(&w.state).await.unwrap();
    let now = current(&w, &hook.id).await;
    assert!(!now.enabled);
    assert_eq!(now.disabled_reason.as_deref(), Some("gone"));
    assert_eq!(deliveries(&w, &hook.id).await[0].state, "failed");
    // Nothing more goes out to it.
    job(&w, "WH-6").await;
    run_once(&w.state).await.unwrap();
    assert_eq!(r.got().len(), 1);
    // Enabling it again clears the record.
    let input = WebhookIn {
        url: now.url.clone(),
        location_id: None,
        events: vec!["*".into()],
        description: None,
        enabled: Some(true),
    };
    let back = service::update(&w.state, &w.admin, &hook.id, &input)
        .await
        .unwrap();
    assert!(back.enabled && back.disabled_reason.is_none() && back.failing_since.is_none());
}
db_test!(gone_disables_the_endpoint);

async fn retry_after_and_timeouts(t: &TestDb) {
    let w = hooks_world(t, "0,1,1", 1, 120).await;
    let (r, base) = receiver().await;
    let (hook, _) = endpoint(&w, &format!("{base}/h"), None, &["*"]).await;
    r.script(&[Answer {
        status: 429,
        delay_ms: 0,
        headers: vec![("retry-after", "120".into())],
    }]);
    job(&w, "WH-7").await;
    run_once(&w.state).await.unwrap();
    let d = &deliveries(&w, &hook.id).await[0];
    assert_eq!(d.last_status, Some(429));
    assert!(
        d.next_attempt_at.unwrap() >= START + 120_000,
        "Retry-After honoured"
    );
    w.state.clock.advance(60_000);
    assert_eq!(run_once(&w.state).await.unwrap(), 0);

    // A receiver slower than the timeout is a failure without a status.
    w.state.clock.advance(61_000);
    r.script(&[Answer {
        status: 200,
        delay_ms: 2_500,
        headers: vec![],
    }]);
    run_once(&w.state).await.unwrap();
    let d = &deliveries(&w, &hook.id).await[0];
    assert_eq!(d.last_status, None);
    assert_eq!(d.last_error.as_deref(), Some("timed out"));
    assert_eq!(d.state, "pending");
}
db_test!(retry_after_and_timeouts);

async fn only_continuous_failure_disables(t: &TestDb) {
    // One hour of failures without a success disables.
    let w = hooks_world(t, "0,1800,1800,1800,1800", 5, 1).await;
    let (r, base) = receiver().await;
    let (hook, _) = endpoint(&w, &format!("{base}/h"), None, &["*"]).await;
    r.script(&[
        answer(500),
        answer(500),
        answer(200),
        answer(500),
        answer(500),
    ]);
    job(&w, "WH-8").await;
    job(&w, "WH-9").await;
    // t=0: both fail. t=40 min: one succeeds (the record is cleared), one
    // fails. t=80 min: failing for 40 minutes only.
    run_once(&w.state).await.unwrap();
    w.state.clock.advance(40 * 60_000);
    run_once(&w.state).await.unwrap();
    w.state.clock.advance(40 * 60_000);
    r.script(&[answer(500)]);
    run_once(&w.state).await.unwrap();
    let now = current(&w, &hook.id).await;
    assert!(now.enabled, "a receiver that fails now and then stays on");

    // From then on, nothing but failures: after an hour it is off.
    r.script(&vec![answer(500); 6]);
    for _ in 0..3 {
        w.state.clock.advance(40 * 60_000);
        run_once(&w.state).await.unwrap();
    }
    let now = current(&w, &hook.id).await;
    assert!(!now.enabled);
    assert_eq!(now.disabled_reason.as_deref(), Some("failing"));
}
db_test!(only_continuous_failure_disables);

async fn rotation_signs_with_both_secrets_for_a_day(t: &TestDb) {
    let w = hooks_world(t, "0,5", 5, 120).await;
    let (r, base) = receiver().await;
    let (hook, old) = endpoint(&w, &format!("{base}/h"), None, &["*"]).await;
    let rotated = service::rotate_secret(&w.state, &w.admin, &hook.id)
        .await
        .unwrap();
    assert_ne!(rotated.secret, old);
    job(&w, "WH-10").await;
    run_once(&w.state).await.unwrap();
    let got = r.got();
    assert_eq!(got[0].header("webhook-signature").split(' ').count(), 2);
    assert!(verifies(&old, &got[0]) && verifies(&rotated.secret, &got[0]));

    w.state.clock.advance(24 * 3600 * 1000 + 1);
    job(&w, "WH-11").await;
    run_once(&w.state).await.unwrap();
    let got = r.got();
    assert_eq!(got[1].header("webhook-signature").split(' ').count(), 1);
    assert!(verifies(&rotated.secret, &got[1]) && !verifies(&old, &got[1]));
}
db_test!(rotation_signs_with_both_secrets_for_a_day);

async fn test_events_and_resends(t: &TestDb) {
    let w = hooks_world(t, "0,5", 5, 120).await;
    let (r, base) = receiver().await;
    let (hook, secret) = endpoint(&w, &format!("{base}/h"), None, &["job.deleted"]).await;
    let message = service::send_test(&w.state, &w.admin, &hook.id)
        .await
        .unwrap();
    run_once(&w.state).await.unwrap();
    let got = r.got();
    assert_eq!(
        got.len(),
        1,
        "a test reaches the endpoint whatever it subscribes to"
    );
    assert_eq!(got[0].header("webhook-id"), message);
    assert_eq!(got[0].json()["type"], "webhook.test");
    assert!(verifies(&secret, &got[0]));

    service::resend(&w.state, &w.admin, &hook.id, &message)
        .await
        .unwrap();
    run_once(&w.state).await.unwrap();
    let got = r.got();
    assert_eq!(got.len(), 2);
    assert_eq!(got[1].header("webhook-id"), message, "same id on a resend");
    assert_eq!(got[1].body, got[0].body);
    let d = &deliveries(&w, &hook.id).await[0];
    assert_eq!((d.state.as_str(), d.attempts), ("succeeded", 2));
    let unknown = service::resend(
        &w.state,
        &w.admin,
        &hook.id,
        "msg_01jd0000000000000000000000",
    )
    .await;
    assert_eq!(unknown.unwrap_err().status(), 404);
}
db_test!(test_events_and_resends);
