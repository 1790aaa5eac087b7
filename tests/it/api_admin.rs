//! The administrators' rows of the REST API (docs/api.md, Administrator
//! endpoints) through the real router on SQLite and PostgreSQL: merchant
//! credentials refused, and every row's answers and problems.

use crate::common::world::*;
use crate::common::*;
use axum::body::Body;
use axum::http::{Request, header};
use livreur::server::services::{api_keys, locations, merchants};
use serde_json::{Value, json};

use crate::api::ping;

/// Every administrator route of docs/api.md refuses a merchant credential
/// with 403, and an anonymous caller with 401, before doing anything.
async fn admin_routes_refuse_merchant_credentials(t: &TestDb) {
    let w = world(t).await;
    let (user, account, key) = w.api_user("l2@example.com").await;
    let merchant_auth = basic(&account, &key);
    let app = router(&w.state);
    let u = format!("/users/{}", user.user.id);
    let m = format!("/merchants/{}", w.merchant_id);
    let routes: Vec<(&str, String, Option<Value>)> = vec![
        ("GET", "/locations".into(), None),
        (
            "POST",
            "/locations".into(),
            Some(json!({"name": "X", "kind": "branch", "ref_no": "X"})),
        ),
        ("GET", "/locations/loc_x".into(), None),
        (
            "PATCH",
            "/locations/loc_x".into(),
            Some(json!({"name": "Y"})),
        ),
        ("GET", "/merchants".into(), None),
        (
            "POST",
            "/merchants".into(),
            Some(json!({"business_name": "X"})),
        ),
        ("GET", m.clone(), None),
        ("PATCH", m.clone(), Some(json!({"active": false}))),
        ("GET", format!("{m}/users"), None),
        (
            "POST",
            format!("{m}/users"),
            Some(json!({"email": "x@example.com"})),
        ),
        ("GET", u.clone(), None),
        ("PATCH", u.clone(), Some(json!({"role": "merchant_l2"}))),
        (
            "PUT",
            format!("{u}/api-access"),
            Some(json!({"enabled": true})),
        ),
        ("POST", format!("{u}/api-keys"), Some(json!({}))),
        ("GET", "/api-accounts".into(), None),
        ("GET", "/audit".into(), None),
    ];
    for (method, path, body) in &routes {
        let reply = send(&app, api(method, path, Some(&merchant_auth), body.clone())).await;
        assert_eq!(reply.status, 403, "{method} {path}: {}", reply.body);
        assert_eq!(
            reply.header("content-type"),
            Some("application/problem+json")
        );
        let reply = send(&app, api(method, path, None, body.clone())).await;
        assert_eq!(
            reply.status, 401,
            "{method} {path} anonymous: {}",
            reply.body
        );
    }
    // Nothing changed: the merchant is active, still one location, and the
    // user still has access and one key.
    assert!(
        merchants::get(&w.state, &w.admin, &w.merchant_id)
            .await
            .unwrap()
            .active
    );
    assert_eq!(locations::list(&w.state, &w.admin).await.unwrap().len(), 1);
    let access = api_keys::my_access(&w.state, &user).await.unwrap();
    assert!(access.enabled);
    assert_eq!(access.keys.len(), 1);
    assert_eq!(ping(&w.state, &merchant_auth).await.status, 200);
}
db_test!(admin_routes_refuse_merchant_credentials);

async fn admin_rows_answer_with_problem_details(t: &TestDb) {
    let w = world(t).await;
    let (admin_account, admin_key) = w.admin_key().await;
    let auth = basic(&admin_account, &admin_key);
    let app = router(&w.state);
    let call = |method: &str, path: &str, body: Option<Value>| {
        send(&app, api(method, path, Some(&auth), body))
    };

    // Locations: create, unknown field, missing fields, bad JSON, type, size.
    let reply = call(
        "POST",
        "/locations",
        Some(json!({"name": "Laval", "kind": "warehouse", "ref_no": "LAV-1", "timezone": "America/Montreal"})),
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let loc = reply.json();
    assert!(loc["id"].as_str().unwrap().starts_with("loc_"));
    assert_eq!(loc["kind"], "warehouse");
    assert!(loc["created_at"].as_str().unwrap().ends_with('Z'));
    let loc_id = loc["id"].as_str().unwrap().to_owned();

    let reply = call(
        "POST",
        "/locations",
        Some(json!({"name": "X", "kind": "branch", "ref_no": "X-1", "id": "loc_mine"})),
    )
    .await;
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert!(
        reply.json()["detail"]
            .as_str()
            .unwrap()
            .contains("unknown field")
    );

    let reply = call("POST", "/locations", Some(json!({"kind": "castle"}))).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    let problem = reply.json();
    assert_eq!(problem["status"], 422);
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"name") && fields.contains(&"kind") && fields.contains(&"ref_no"),
        "{fields:?}"
    );
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .ends_with('.')
    );

    let reply = send(
        &app,
        Request::post("/api/v1/locations")
            .header(header::AUTHORIZATION, &auth)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{\"name\": "))
            .unwrap(),
    )
    .await;
    assert_eq!(reply.status, 400, "{}", reply.body);
    let reply = call(
        "POST",
        "/locations",
        Some(json!({"name": 5, "kind": "branch", "ref_no": "Y"})),
    )
    .await;
    assert_eq!(reply.status, 400, "{}", reply.body);
    let reply = send(
        &app,
        Request::post("/api/v1/locations")
            .header(header::AUTHORIZATION, &auth)
            .header(header::CONTENT_TYPE, "text/plain")
            .body(Body::from("name=x"))
            .unwrap(),
    )
    .await;
    assert_eq!(reply.status, 415, "{}", reply.body);
    let huge = format!("{{\"name\": \"{}\"}}", "x".repeat(1024 * 1024 + 10));
    let reply = send(
        &app,
        Request::post("/api/v1/locations")
            .header(header::AUTHORIZATION, &auth)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(huge))
            .unwrap(),
    )
    .await;
    assert_eq!(reply.status, 413, "{}", reply.body);
    let reply = call(
        "PATCH",
        &format!("/locations/{loc_id}"),
        Some(json!({"name": "Laval Nord"})),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["name"], "Laval Nord");
    assert_eq!(reply.json()["ref_no"], "LAV-1");
    let reply = call("GET", "/locations/loc_nope", None).await;
    assert_eq!(reply.status, 404);
    assert_eq!(
        reply.header("content-type"),
        Some("application/problem+json")
    );
    assert_eq!(call("GET", "/no-such-route", None).await.status, 404);
    let reply = call("DELETE", "/locations", None).await;
    assert_eq!(reply.status, 405, "{}", reply.body);
    assert_eq!(
        reply.header("content-type"),
        Some("application/problem+json")
    );

    // Merchants and users.
    let reply = call(
        "POST",
        "/merchants",
        Some(
            json!({"business_name": "Vélo", "contact_email": "v@example.com",
                    "location_ids": [loc_id], "default_location_id": "loc_other"}),
        ),
    )
    .await;
    assert_eq!(reply.status, 422);
    assert_eq!(reply.json()["errors"][0]["field"], "default_location_id");
    let reply = call(
        "POST",
        "/merchants",
        Some(
            json!({"business_name": "Vélo", "contact_email": "v@example.com",
                    "location_ids": [loc_id], "default_location_id": loc_id}),
        ),
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let mer_id = reply.json()["id"].as_str().unwrap().to_owned();
    let reply = call("GET", "/merchants?q=v%C3%A9lo", None).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["total"], 1);
    assert_eq!(call("GET", "/merchants?page=x", None).await.status, 400);

    let reply = call(
        "POST",
        &format!("/merchants/{mer_id}/users"),
        Some(
            json!({"email": "l1@example.com", "display_name": "Lee", "role": "merchant_l1",
                    "password": "a long password"}),
        ),
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let l1 = reply.json();
    assert_eq!(l1["api_access"], false);
    assert_eq!(l1["role"], "merchant_l1");
    assert_eq!(l1["active"], true);
    let l1_id = l1["id"].as_str().unwrap().to_owned();
    let reply = call(
        "POST",
        &format!("/merchants/{mer_id}/users"),
        Some(
            json!({"email": "L1@example.com", "display_name": "Lee", "role": "merchant_l1",
                    "password": "a long password", "api_access": true}),
        ),
    )
    .await;
    assert_eq!(
        reply.status, 400,
        "api_access is not a field of this body: {}",
        reply.body
    );
    let reply = call(
        "POST",
        &format!("/merchants/{mer_id}/users"),
        Some(
            json!({"email": "L1@example.com", "display_name": "Lee", "role": "merchant_l1",
                    "password": "a long password"}),
        ),
    )
    .await;
    assert_eq!(reply.status, 422);
    assert_eq!(reply.json()["errors"][0]["code"], "taken");

    let reply = call(
        "PUT",
        &format!("/users/{l1_id}/api-access"),
        Some(json!({"enabled": true})),
    )
    .await;
    assert_eq!(reply.status, 409, "{}", reply.body);
    assert_eq!(reply.json()["code"], "api_access_requires_level_2");
    let reply = call("POST", &format!("/users/{l1_id}/api-keys"), Some(json!({}))).await;
    assert_eq!(reply.status, 409, "{}", reply.body);
    let reply = call(
        "POST",
        &format!("/users/{l1_id}/api-keys"),
        Some(json!({"expires_in_seconds": -5})),
    )
    .await;
    assert_eq!(reply.status, 422, "{}", reply.body);

    let reply = call(
        "PATCH",
        &format!("/users/{l1_id}"),
        Some(json!({"role": "merchant_l2"})),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let reply = call(
        "PUT",
        &format!("/users/{l1_id}/api-access"),
        Some(json!({"enabled": true})),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let account_id = reply.json()["account_id"].as_str().unwrap().to_owned();
    assert!(account_id.starts_with("acct_"));
    let reply = call(
        "POST",
        &format!("/users/{l1_id}/api-keys"),
        Some(json!({"expires_in_seconds": 3600})),
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let key = reply.json()["key"].as_str().unwrap().to_owned();
    assert!(reply.json()["expires_at"].as_str().is_some());
    let reply = ping(&w.state, &basic(&account_id, &key)).await;
    assert_eq!(reply.status, 200);

    // API settings list: usage is counted and written in the background.
    w.state.usage.flush(&w.state.db).await.unwrap();
    let reply = call("GET", "/api-accounts", None).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let rows = reply.json();
    let row = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["account_id"] == account_id.as_str())
        .expect("the new account is listed")
        .clone();
    assert_eq!(row["user_id"], l1_id);
    assert_eq!(row["email"], "l1@example.com");
    assert_eq!(row["merchant_id"], mer_id);
    assert_eq!(row["business_name"], "Vélo");
    assert_eq!(row["active_keys"], 1);
    assert!(row["last_used_at"].as_str().is_some(), "{row}");
    // Merchant users only: the administrator's own account (whose key made
    // these calls) is not an API-enabled merchant.
    for r in rows.as_array().unwrap() {
        assert!(r["merchant_id"].as_str().is_some(), "{r}");
        assert_ne!(r["account_id"], admin_account.as_str(), "{r}");
    }
    let accounts = api_keys::accounts(&w.state, &w.admin).await.unwrap();
    let mine = accounts
        .iter()
        .find(|a| a.account_id == account_id)
        .unwrap();
    assert_eq!(mine.requests_7d, vec![0, 0, 0, 0, 0, 0, 1]);

    // The audit log: newest first, filtered, cursor-paged without overlap.
    let reply = call("GET", "/audit?limit=3", None).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let page1 = reply.json();
    assert_eq!(page1["data"].as_array().unwrap().len(), 3);
    assert_eq!(page1["data"][0]["action"], "api_key.created");
    let cursor = page1["next_cursor"].as_str().unwrap().to_owned();
    let reply = call("GET", &format!("/audit?limit=3&cursor={cursor}"), None).await;
    let page2 = reply.json();
    let ids = |p: &Value| -> Vec<String> {
        p["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(ids(&page2).iter().all(|id| !ids(&page1).contains(id)));
    assert!(page1["data"][2]["at"].as_str() >= page2["data"][0]["at"].as_str());
    let reply = call("GET", "/audit?action=api_access.granted", None).await;
    let granted = reply.json();
    assert!(
        granted["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["action"] == "api_access.granted")
    );
    assert_eq!(granted["data"][0]["target_id"], l1_id);
    // Switching access alone writes the access entry, not a "user changed".
    let reply = call("GET", "/audit?action=user.updated", None).await;
    assert_eq!(reply.json()["data"], json!([]), "{}", reply.body);
    let reply = call("GET", "/audit?action=user.role_changed", None).await;
    assert_eq!(reply.json()["data"].as_array().unwrap().len(), 1);
    assert_eq!(call("GET", "/audit?cursor=bogus", None).await.status, 422);
    assert_eq!(call("GET", "/audit?limit=1000", None).await.status, 422);
    assert_eq!(call("GET", "/audit?secret=1", None).await.status, 400);
}
db_test!(admin_rows_answer_with_problem_details);
