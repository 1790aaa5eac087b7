//! Idempotency-Key replays and the rate limit of the REST API, through
//! the real router on SQLite and PostgreSQL.

use crate::common::world::*;
use crate::common::*;
use serde_json::{Value, json};

use crate::jobs_api::{job_body, with_headers};

async fn idempotency_keys_replay_refuse_and_serialize(t: &TestDb) {
    let w = world(t).await;
    let (_, account, key) = w.api_user("l2@example.com").await;
    let me = basic(&account, &key);
    let app = router(&w.state);
    let post = |body: Value, ikey: &str| {
        with_headers(
            api("POST", "/jobs", Some(&me), Some(body)),
            &[("idempotency-key", ikey)],
        )
    };

    let first = send(&app, post(job_body(&w.location_id, "IDEM-1"), "k-1")).await;
    assert_eq!(first.status, 201, "{}", first.body);
    let again = send(&app, post(job_body(&w.location_id, "IDEM-1"), "k-1")).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.body, first.body, "the first response, byte for byte");
    assert_eq!(again.header("etag"), first.header("etag"));
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    let other = send(&app, post(job_body(&w.location_id, "IDEM-2"), "k-1")).await;
    assert_eq!(other.status, 422);
    assert_eq!(other.json()["code"], "idempotency_key_reused");
    // A failed request gives the key up: the corrected one runs.
    let bad = send(&app, post(json!({"type": "delivery"}), "k-2")).await;
    assert_eq!(bad.status, 422);
    let fixed = send(&app, post(job_body(&w.location_id, "IDEM-3"), "k-2")).await;
    assert_eq!(fixed.status, 201);
    // Kept 24 hours, then forgotten.
    w.state.clock.advance(24 * 3_600_000 + 1);
    let later = send(&app, post(job_body(&w.location_id, "IDEM-2"), "k-1")).await;
    assert_eq!(later.status, 201, "{}", later.body);

    // 50 concurrent creates with one key: exactly one job.
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let app = app.clone();
        let req = post(job_body(&w.location_id, "RACE"), "race");
        tasks.push(tokio::spawn(async move { send(&app, req).await.status }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 409),
        "{statuses:?}"
    );
    assert!(statuses.contains(&201));
    let found = send(&app, api("GET", "/jobs?reference_id=RACE", Some(&me), None)).await;
    assert_eq!(
        found.json()["data"].as_array().unwrap().len(),
        1,
        "{statuses:?}"
    );
}
db_test!(idempotency_keys_replay_refuse_and_serialize);

async fn the_rate_limit_answers_429_with_headers(t: &TestDb) {
    let w = world(t).await;
    let mut settings = settings();
    settings.rate_limit = 2;
    let state = state_with(t, settings);
    let (_, account, key) = w.api_user("l2@example.com").await;
    let (_, other_account, other_key) = w.api_user("other@example.com").await;
    let app = router(&state);
    let me = basic(&account, &key);
    for i in 0..4 {
        let r = send(&app, api("GET", "/ping", Some(&me), None)).await;
        assert_eq!(r.status, 200, "request {i} of a burst of 4");
        assert_eq!(r.header("ratelimit-policy"), Some("\"default\";q=4;w=2"));
    }
    let r = send(&app, api("GET", "/ping", Some(&me), None)).await;
    assert_eq!(r.status, 429);
    assert_eq!(r.header("retry-after"), Some("1"));
    assert!(r.header("ratelimit").unwrap().contains("r=0"));
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    // Per credential: another key is not held back.
    let other = send(
        &app,
        api(
            "GET",
            "/ping",
            Some(&basic(&other_account, &other_key)),
            None,
        ),
    )
    .await;
    assert_eq!(other.status, 200);
    state.clock.advance(1_000);
    assert_eq!(
        send(&app, api("GET", "/ping", Some(&me), None))
            .await
            .status,
        200
    );
}
db_test!(the_rate_limit_answers_429_with_headers);
