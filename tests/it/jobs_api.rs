//! The job API (docs/rules.md, Jobs and API access rule 5; docs/api.md)
//! through the real router on SQLite and PostgreSQL: the contract's shape,
//! the lifecycle, ETags, the webhook outbox, and a job read whole.

use crate::common::world::*;
use crate::common::*;
use axum::body::Body;
use axum::http::Request;
use livreur::on_read;
use serde_json::{Value, json};

pub(crate) fn job_body(location_id: &str, reference: &str) -> Value {
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
pub(crate) fn with_headers(
    mut req: Request<Body>,
    headers: &[(&'static str, &str)],
) -> Request<Body> {
    for (k, v) in headers {
        req.headers_mut()
            .insert(*k, axum::http::HeaderValue::from_str(v).unwrap());
    }
    req
}

/// The outbox events of one job, oldest first: (type, payload).
pub(crate) async fn events(t: &TestDb, job_id: &str) -> Vec<(String, Value)> {
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
    // The shape of docs/api.md, field by field.
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
        json!({"user_id": user.user.id, "account_id": account})
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
