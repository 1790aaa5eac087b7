//! What the job API refuses, on SQLite and PostgreSQL: bad input as a
//! clear 4xx, the screens' search bounded like the API's, and outcomes
//! that only administrators record.

use crate::common::world::*;
use crate::common::*;
use axum::body::Body;
use axum::http::{Request, header};
use serde_json::{Value, json};

use crate::jobs_api::job_body;

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
    use livreur::server::services::jobs::search;
    let w = world(t).await;
    let user = w.user("l1@example.com", "merchant_l1", false).await;
    let huge = JobQuery {
        q: Some("abcdefghij".repeat(200_000)),
        date_from: Some("not a date".into()),
        ..JobQuery::default()
    };
    let err = search(&w.state, &user, &huge).await.unwrap_err();
    assert_eq!(err.field_code("q"), Some("too_long"));
    assert_eq!(err.field_code("date_from"), Some("invalid_date"));
    let fine = JobQuery {
        q: Some("x".repeat(200)),
        ..JobQuery::default()
    };
    let page = search(&w.state, &user, &fine).await;
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
