//! The job API (SPEC sections 2, 3 rule 5 and 4) through the real router on
//! SQLite and PostgreSQL: the contract's shape, the lifecycle, validation,
//! ETags, idempotency, the rate limit and the webhook outbox.

use crate::common::world::*;
use crate::common::*;
use axum::body::Body;
use axum::http::{Request, header};
use livreur::on_read;
use serde_json::{Value, json};

fn job_body(location_id: &str, reference: &str) -> Value {
    json!({
        "reference_id": reference,
        "type": "delivery",
        "date": "2026-12-01",
        "time_window": {"start": "09:00", "end": "12:00"},
        "customer": {"first_name": "Ana", "last_name": "Roy", "phone": "+15145550100"},
        "address": {"line1": "100 Rue Saint-Paul", "city": "Montréal",
                    "postal_code": "H2Y 1Z1", "country": "CA"},
        "location_id": location_id,
        "description": "2 boxes",
        "barcodes": ["BC-0001"],
        "actions": [{"sku": "SKU-1", "description": "Chair", "quantity": 2, "quantity_unit": "box"}]
    })
}

/// A request with extra headers.
fn with_headers(mut req: Request<Body>, headers: &[(&'static str, &str)]) -> Request<Body> {
    for (k, v) in headers {
        req.headers_mut()
            .insert(*k, axum::http::HeaderValue::from_str(v).unwrap());
    }
    req
}

/// The outbox events of one job, oldest first: (type, payload).
async fn events(t: &TestDb, job_id: &str) -> Vec<(String, Value)> {
    let rows: Vec<(String, String)> = on_read!(&t.db, pool => {
        sqlx::query_as("SELECT type, payload FROM outbox WHERE job_id = $1 ORDER BY id")
            .bind(job_id)
            .fetch_all(pool)
            .await
            .unwrap()
    });
    rows.into_iter()
        .map(|(k, p)| (k, serde_json::from_str(&p).unwrap()))
        .collect()
}

async fn a_job_goes_through_its_life_over_the_api(t: &TestDb) {
    let w = world(t).await;
    let (user, account, key) = w.api_user("l2@example.com").await;
    let (admin_account, admin_key) = w.admin_key().await;
    let me = basic(&account, &key);
    let boss = basic(&admin_account, &admin_key);
    let app = router(&w.state);

    let created = send(
        &app,
        api(
            "POST",
            "/jobs",
            Some(&me),
            Some(job_body(&w.location_id, "ORD-1001")),
        ),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let job = created.json();
    let id = job["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("job_"));
    assert_eq!(created.header("etag"), Some("\"1\""));
    assert_eq!(
        created.header("location"),
        Some(format!("/api/v1/jobs/{id}").as_str())
    );
    // The shape of SPEC 4.1, field by field.
    assert_eq!(job["status"], "new");
    assert_eq!(job["type"], "delivery");
    assert_eq!(
        job["time_window"],
        json!({"start": "09:00", "end": "12:00"})
    );
    assert_eq!(
        job["customer"],
        json!({"first_name": "Ana", "last_name": "Roy", "phone": "+15145550100",
               "mobile": null, "email": null})
    );
    assert_eq!(job["address"]["lat"], Value::Null);
    assert_eq!(job["creation_source"], "api");
    assert_eq!(
        job["created_by"],
        json!({"user_id": user.id, "account_id": account})
    );
    assert_eq!(job["version"], 1);
    assert!(job["created_at"].as_str().unwrap().ends_with('Z'));
    let action = &job["actions"][0];
    assert!(action["id"].as_str().unwrap().starts_with("act_"));
    assert_eq!(action["quantity"], 2);
    assert_eq!(action["status"], "undetermined");
    assert_eq!(action["value"], Value::Null);

    // PATCH merges; If-Match guards against lost updates.
    let patch = |etag: &str, body: Value| {
        with_headers(
            api("PATCH", &format!("/jobs/{id}"), Some(&me), Some(body)),
            &[("if-match", etag)],
        )
    };
    let changed = send(
        &app,
        patch(
            "\"1\"",
            json!({"customer": {"mobile": "514 555 0199"}, "comment": "Ring twice"}),
        ),
    )
    .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    let body = changed.json();
    assert_eq!(body["customer"]["mobile"], "514 555 0199");
    assert_eq!(
        body["customer"]["first_name"], "Ana",
        "merge keeps the rest"
    );
    assert_eq!(body["version"], 2);
    assert_eq!(changed.header("etag"), Some("\"2\""));
    let stale = send(&app, patch("\"1\"", json!({"comment": "lost"}))).await;
    assert_eq!(stale.status, 412, "{}", stale.body);
    let cleared = send(&app, patch("\"2\"", json!({"comment": null}))).await;
    assert_eq!(cleared.json()["comment"], Value::Null);

    // Actions one by one.
    let added = send(
        &app,
        api(
            "POST",
            &format!("/jobs/{id}/actions"),
            Some(&me),
            Some(json!({"description": "Lamp"})),
        ),
    )
    .await;
    assert_eq!(added.status, 201, "{}", added.body);
    let act = added.json()["id"].as_str().unwrap().to_owned();
    let listed = send(
        &app,
        api("GET", &format!("/jobs/{id}/actions"), Some(&me), None),
    )
    .await;
    assert_eq!(listed.json()["data"].as_array().unwrap().len(), 2);
    let patched = send(
        &app,
        api(
            "PATCH",
            &format!("/jobs/{id}/actions/{act}"),
            Some(&me),
            Some(json!({"quantity": 3})),
        ),
    )
    .await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    assert_eq!(patched.json()["quantity"], 3);
    assert_eq!(patched.json()["description"], "Lamp");
    // A merchant does not record outcomes.
    let outcome = send(
        &app,
        api(
            "PATCH",
            &format!("/jobs/{id}/actions/{act}"),
            Some(&me),
            Some(json!({"status": "completed"})),
        ),
    )
    .await;
    assert_eq!(outcome.status, 422, "{}", outcome.body);
    assert_eq!(outcome.json()["errors"][0]["field"], "status");
    let gone = send(
        &app,
        api(
            "DELETE",
            &format!("/jobs/{id}/actions/{act}"),
            Some(&me),
            None,
        ),
    )
    .await;
    assert_eq!(gone.status, 204, "{}", gone.body);

    // Statuses: administrators only; merchants may cancel a new job.
    let forbidden = send(
        &app,
        api(
            "POST",
            &format!("/jobs/{id}/status"),
            Some(&me),
            Some(json!({"status": "in_progress"})),
        ),
    )
    .await;
    assert_eq!(forbidden.status, 403);
    let moved = send(
        &app,
        api(
            "POST",
            &format!("/jobs/{id}/status"),
            Some(&boss),
            Some(json!({"status": "in_progress"})),
        ),
    )
    .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    let too_late = send(
        &app,
        api("POST", &format!("/jobs/{id}/cancel"), Some(&me), None),
    )
    .await;
    assert_eq!(too_late.status, 409);
    assert_eq!(too_late.json()["code"], "transition_not_allowed");
    let not_new = send(&app, api("DELETE", &format!("/jobs/{id}"), Some(&me), None)).await;
    assert_eq!(not_new.json()["code"], "job_not_new");
    let skip = send(
        &app,
        api(
            "POST",
            &format!("/jobs/{id}/status"),
            Some(&boss),
            Some(json!({"status": "resolved"})),
        ),
    )
    .await;
    assert_eq!(skip.status, 409);
    let done = send(
        &app,
        api(
            "POST",
            &format!("/jobs/{id}/status"),
            Some(&boss),
            Some(json!({"status": "damaged"})),
        ),
    )
    .await;
    assert_eq!(done.json()["status"], "damaged");
    // Finished: neither the job nor its actions change.
    let frozen = send(
        &app,
        api(
            "POST",
            &format!("/jobs/{id}/actions"),
            Some(&me),
            Some(json!({"description": "x"})),
        ),
    )
    .await;
    assert_eq!(frozen.json()["code"], "job_finished");
    let frozen = send(&app, patch("*", json!({"comment": "x"}))).await;
    assert_eq!(frozen.json()["code"], "job_finished");

    // Every change wrote its event, with the actor and previous status.
    let kinds: Vec<String> = events(t, &id).await.into_iter().map(|(k, _)| k).collect();
    assert_eq!(
        kinds,
        [
            "job.created",
            "job.updated",
            "job.updated",
            "action.created",
            "action.updated",
            "action.deleted",
            "job.status_changed",
            "job.status_changed"
        ]
    );
    let (_, last) = events(t, &id).await.pop().unwrap();
    assert_eq!(last["type"], "job.status_changed");
    assert_eq!(last["data"]["previous_status"], "in_progress");
    assert_eq!(last["data"]["status"], "damaged");
    assert_eq!(last["data"]["actor"]["role"], "admin");

    // A new job can be cancelled, or deleted.
    let second = send(
        &app,
        api(
            "POST",
            "/jobs",
            Some(&me),
            Some(job_body(&w.location_id, "ORD-1002")),
        ),
    )
    .await;
    let second = second.json()["id"].as_str().unwrap().to_owned();
    let cancelled = send(
        &app,
        api("POST", &format!("/jobs/{second}/cancel"), Some(&me), None),
    )
    .await;
    assert_eq!(cancelled.json()["status"], "cancelled");
    let third = send(
        &app,
        api(
            "POST",
            "/jobs",
            Some(&me),
            Some(job_body(&w.location_id, "ORD-1003")),
        ),
    )
    .await;
    let third = third.json()["id"].as_str().unwrap().to_owned();
    let deleted = send(
        &app,
        api("DELETE", &format!("/jobs/{third}"), Some(&me), None),
    )
    .await;
    assert_eq!(deleted.status, 204);
    let after = send(&app, api("GET", &format!("/jobs/{third}"), Some(&me), None)).await;
    assert_eq!(after.status, 404);
    assert_eq!(events(t, &third).await.last().unwrap().0, "job.deleted");
}
db_test!(a_job_goes_through_its_life_over_the_api);

async fn bad_input_is_a_clear_4xx(t: &TestDb) {
    let w = world(t).await;
    let (_, account, key) = w.api_user("l2@example.com").await;
    let me = basic(&account, &key);
    let (_, other_location) = w.other_merchant("Other").await;
    let app = router(&w.state);
    let post = |body: Value| api("POST", "/jobs", Some(&me), Some(body));

    // Server-owned fields and unknown fields: 400.
    for field in [
        "id",
        "status",
        "version",
        "created_by",
        "creation_source",
        "created_at",
        "colour",
    ] {
        let mut body = job_body(&w.location_id, "R-1");
        body[field] = json!("x");
        let r = send(&app, post(body)).await;
        assert_eq!(r.status, 400, "{field}: {}", r.body);
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
    }
    // Wrong JSON types and broken JSON: 400.
    let mut body = job_body(&w.location_id, "R-1");
    body["customer"] = json!("Ana");
    assert_eq!(send(&app, post(body)).await.status, 400);
    let broken = Request::post("/api/v1/jobs")
        .header(header::AUTHORIZATION, &me)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{\"type\": "))
        .unwrap();
    assert_eq!(send(&app, broken).await.status, 400);

    // Field rules: 422 with every problem named.
    let r = send(
        &app,
        post(json!({"type": "drone", "date": "2026-02-30", "customer": {"phone": "call me"}})),
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.body);
    let fields: Vec<String> = r.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    for f in [
        "type",
        "date",
        "customer.first_name",
        "customer.phone",
        "address.line1",
        "location_id",
    ] {
        assert!(
            fields.contains(&f.to_owned()),
            "{f} missing from {fields:?}"
        );
    }
    assert!(r.json()["errors"][0]["message"].as_str().unwrap().len() > 5);

    // At most 200 actions.
    let mut body = job_body(&w.location_id, "R-2");
    body["actions"] = Value::Array(vec![json!({"description": "Box"}); 201]);
    let r = send(&app, post(body.clone())).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["errors"][0]["field"], "actions");
    body["actions"] = Value::Array(vec![json!({"description": "Box"}); 200]);
    assert_eq!(send(&app, post(body)).await.status, 201);

    // Another merchant's location, or none that exists: 422.
    let r = send(&app, post(job_body(&other_location, "R-3"))).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["errors"][0]["code"], "location_not_allowed");
    let r = send(&app, post(job_body("loc_nope", "R-3"))).await;
    assert_eq!(r.json()["errors"][0]["code"], "unknown_location");

    // The same reference twice for one creator.
    assert_eq!(
        send(&app, post(job_body(&w.location_id, "DUP")))
            .await
            .status,
        201
    );
    let r = send(&app, post(job_body(&w.location_id, "DUP"))).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["errors"][0]["code"], "taken");

    // Oversize bodies: 413; not JSON: 415.
    let mut big = job_body(&w.location_id, "R-4");
    big["comment"] = json!("x".repeat(1024 * 1024 + 10));
    assert_eq!(send(&app, post(big)).await.status, 413);
    let text = Request::post("/api/v1/jobs")
        .header(header::AUTHORIZATION, &me)
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from("hello"))
        .unwrap();
    assert_eq!(send(&app, text).await.status, 415);

    // Absurd search parameters: 400, never 500.
    for q in [
        "limit=0",
        "limit=101",
        "limit=abc",
        "limit=-1",
        "cursor=zzz",
        "status=lost",
        "date_from=yesterday",
        "updated_since=now",
        "unknown=1",
        "type=drone",
    ] {
        let r = send(&app, api("GET", &format!("/jobs?{q}"), Some(&me), None)).await;
        assert_eq!(r.status, 400, "{q}: {}", r.body);
    }
    // Search text is bounded: 200 characters search, 201 are refused as
    // too long (a field error), and so are the id-like filters.
    let ok = send(
        &app,
        api(
            "GET",
            &format!("/jobs?q={}", urlencode(&"é".repeat(200))),
            Some(&me),
            None,
        ),
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    for (param, value) in [
        ("q", "é".repeat(201)),
        ("q", "ab".repeat(20_000)),
        ("reference_id", "R".repeat(101)),
        ("location_id", "l".repeat(101)),
    ] {
        let path = format!("/jobs?{param}={}", urlencode(&value));
        let r = send(&app, api("GET", &path, Some(&me), None)).await;
        assert_eq!(r.status, 422, "{param}: {}", r.body);
        assert_eq!(r.json()["errors"][0]["field"], param);
        assert_eq!(r.json()["errors"][0]["code"], "too_long");
    }
    // Odd path ids are simply not found.
    for id in ["job_x", "%00", "job_01jdx7k3m5n8p9q2r4s6t8v0w2'--"] {
        let r = send(&app, api("GET", &format!("/jobs/{id}"), Some(&me), None)).await;
        assert_eq!(r.status, 404, "{id}");
    }
}
db_test!(bad_input_is_a_clear_4xx);

/// The screens' search (a server function takes a `JobQuery` as the
/// browser sent it, up to the 2 MiB body limit) is bounded as the API is:
/// a Level 1 merchant's 2 MB needle is refused before any planning.
async fn the_screens_search_is_bounded_too(t: &TestDb) {
    use livreur::model::job::JobQuery;
    use livreur::server::services::jobs::{JobActor, search};
    let w = world(t).await;
    let user = w.user("l1@example.com", "merchant_l1", false).await;
    let huge = JobQuery {
        q: Some("abcdefghij".repeat(200_000)),
        date_from: Some("not a date".into()),
        ..JobQuery::default()
    };
    let err = search(&w.state, JobActor::browser(&user), &huge)
        .await
        .unwrap_err();
    assert_eq!(err.field_code("q"), Some("too_long"));
    assert_eq!(err.field_code("date_from"), Some("invalid_date"));
    let fine = JobQuery {
        q: Some("x".repeat(200)),
        ..JobQuery::default()
    };
    let page = search(&w.state, JobActor::browser(&user), &fine).await;
    assert!(page.unwrap().data.is_empty());
}
db_test!(the_screens_search_is_bounded_too);

/// An outcome the administrator recorded stays: a merchant's PATCH that
/// would reset it (`undetermined`, or `null`, which a merge patch turns
/// into the default) is refused, and so is deleting the action; sending
/// the recorded outcome back with other changes is fine.
async fn merchants_cannot_overwrite_outcomes(t: &TestDb) {
    let w = world(t).await;
    let (_, account, key) = w.api_user("l2@example.com").await;
    let (admin_account, admin_key) = w.admin_key().await;
    let me = basic(&account, &key);
    let boss = basic(&admin_account, &admin_key);
    let app = router(&w.state);
    let created = send(
        &app,
        api(
            "POST",
            "/jobs",
            Some(&me),
            Some(job_body(&w.location_id, "OUT-1")),
        ),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let act = created.json()["actions"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/jobs/{id}/actions/{act}");
    let recorded = send(
        &app,
        api(
            "PATCH",
            &path,
            Some(&boss),
            Some(json!({"status": "damaged"})),
        ),
    )
    .await;
    assert_eq!(recorded.status, 200, "{}", recorded.body);

    for patch in [
        json!({"status": "undetermined"}),
        json!({"status": null}),
        json!({"status": "completed"}),
    ] {
        let r = send(&app, api("PATCH", &path, Some(&me), Some(patch.clone()))).await;
        assert_eq!(r.status, 422, "{patch}: {}", r.body);
        assert_eq!(r.json()["errors"][0]["field"], "status");
        assert_eq!(r.json()["errors"][0]["code"], "read_only");
    }
    let kept = send(
        &app,
        api(
            "PATCH",
            &path,
            Some(&me),
            Some(json!({"quantity": 4, "status": "damaged"})),
        ),
    )
    .await;
    assert_eq!(kept.status, 200, "{}", kept.body);
    let other = send(
        &app,
        api("PATCH", &path, Some(&me), Some(json!({"quantity": 5}))),
    )
    .await;
    assert_eq!(other.status, 200, "{}", other.body);
    let deleted = send(&app, api("DELETE", &path, Some(&me), None)).await;
    assert_eq!(deleted.status, 409, "{}", deleted.body);
    assert_eq!(deleted.json()["code"], "outcome_recorded");

    let read = send(&app, api("GET", &path, Some(&boss), None)).await;
    assert_eq!(read.json()["status"], "damaged");
    assert_eq!(read.json()["quantity"], 5);
}
db_test!(merchants_cannot_overwrite_outcomes);

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

/// A job is read with its actions in one query (a LEFT JOIN): the actions
/// come in order, a job whose actions were all deleted still reads (and
/// changes) with none, and another merchant user's key finds nothing.
async fn a_job_reads_whole_with_its_actions(t: &TestDb) {
    let w = world(t).await;
    let (_, account, key) = w.api_user("l2@example.com").await;
    let (_, other_account, other_key) = w.api_user("other@example.com").await;
    let me = basic(&account, &key);
    let other = basic(&other_account, &other_key);
    let app = router(&w.state);

    let mut body = job_body(&w.location_id, "ORD-2001");
    body["actions"] = json!([
        {"description": "First", "quantity": 1},
        {"description": "Second", "quantity": 2, "value": 0.1},
        {"description": "Third", "quantity": 3, "weight_kg": 12.345678901234567}
    ]);
    let created = send(&app, api("POST", "/jobs", Some(&me), Some(body))).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_owned();

    let read = send(&app, api("GET", &format!("/jobs/{id}"), Some(&me), None)).await;
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(read.json(), created.json());
    let job = read.json();
    let names: Vec<&str> = job["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["description"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["First", "Second", "Third"]);
    assert_eq!(job["actions"][1]["value"], 0.1);
    assert_eq!(job["actions"][2]["weight_kg"], 12.345678901234567);

    let hidden = send(&app, api("GET", &format!("/jobs/{id}"), Some(&other), None)).await;
    assert_eq!(hidden.status, 404, "{}", hidden.body);

    for action in job["actions"].as_array().unwrap() {
        let path = format!("/jobs/{id}/actions/{}", action["id"].as_str().unwrap());
        let gone = send(&app, api("DELETE", &path, Some(&me), None)).await;
        assert_eq!(gone.status, 204, "{}", gone.body);
    }
    let bare = send(&app, api("GET", &format!("/jobs/{id}"), Some(&me), None)).await;
    assert_eq!(bare.status, 200, "{}", bare.body);
    assert_eq!(bare.json()["actions"], json!([]));
    assert_eq!(bare.json()["reference_id"], "ORD-2001");

    let changed = send(
        &app,
        api(
            "PATCH",
            &format!("/jobs/{id}"),
            Some(&me),
            Some(json!({"comment": "gate code 1234"})),
        ),
    )
    .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(changed.json()["comment"], "gate code 1234");
    assert_eq!(changed.json()["actions"], json!([]));
    let hidden = send(&app, api("GET", &format!("/jobs/{id}"), Some(&other), None)).await;
    assert_eq!(hidden.status, 404, "{}", hidden.body);
}
db_test!(a_job_reads_whole_with_its_actions);
