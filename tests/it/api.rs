//! The REST API's authentication (SPEC section 4) and the credentials
//! behind it (SPEC section 3, rules 2 to 4), through the real router, on
//! SQLite and PostgreSQL.

use crate::common::world::*;
use crate::common::*;
use axum::body::Body;
use axum::http::{Request, header};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use livreur::error::AppError;
use livreur::model::api::RollGrace;
use livreur::model::org::MerchantUserPatch;
use livreur::model::{Role, SessionUser};
use livreur::server::AppState;
use livreur::server::db::audit;
use livreur::server::services::{api_keys, locations, merchant_users, merchants};
use serde_json::{Value, json};

async fn ping(state: &AppState, auth: &str) -> Reply {
    send(&router(state), api("GET", "/ping", Some(auth), None)).await
}

async fn every_authentication_failure_gives_the_same_401(t: &TestDb) {
    let w = world(t).await;
    let (user, account, key) = w.api_user("l2@example.com").await;
    let (other_account, other_key) = w.admin_key().await;
    let app = router(&w.state);

    let ok = ping(&w.state, &basic(&account, &key)).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    let me = ok.json();
    assert_eq!(me["account_id"], account);
    assert_eq!(me["role"], "merchant_l2");
    assert_eq!(me["user_id"], user.id);
    assert_eq!(me["merchant_id"], w.merchant_id);
    assert!(me.get("client_ip").is_some());

    let mut bad_checksum = key.clone().into_bytes();
    let last = bad_checksum.len() - 1;
    bad_checksum[last] = if bad_checksum[last] == b'0' {
        b'1'
    } else {
        b'0'
    };
    let bad_checksum = String::from_utf8(bad_checksum).unwrap();
    let unknown = livreur::server::keys::generate().key;
    let cases: Vec<(&str, Request<Body>)> = vec![
        ("no credentials", api("GET", "/ping", None, None)),
        (
            "bearer scheme",
            api("GET", "/ping", Some(&format!("Bearer {key}")), None),
        ),
        ("not base64", api("GET", "/ping", Some("Basic %%%"), None)),
        (
            "no colon",
            api(
                "GET",
                "/ping",
                Some(&format!("Basic {}", STANDARD.encode(&key))),
                None,
            ),
        ),
        (
            "truncated key",
            api(
                "GET",
                "/ping",
                Some(&basic(&account, &key[..key.len() - 1])),
                None,
            ),
        ),
        (
            "bad checksum",
            api("GET", "/ping", Some(&basic(&account, &bad_checksum)), None),
        ),
        (
            "unknown key",
            api("GET", "/ping", Some(&basic(&account, &unknown)), None),
        ),
        (
            "another account's key",
            api("GET", "/ping", Some(&basic(&account, &other_key)), None),
        ),
        (
            "key of this account, other id",
            api("GET", "/ping", Some(&basic(&other_account, &key)), None),
        ),
        (
            "credentials in the query string",
            api(
                "GET",
                &format!("/ping?account_id={account}&auth_key={key}"),
                None,
                None,
            ),
        ),
        (
            "valid header plus a key in the query",
            api(
                "GET",
                &format!("/ping?auth_key={key}"),
                Some(&basic(&account, &key)),
                None,
            ),
        ),
    ];
    let mut bodies = Vec::new();
    for (case, req) in cases {
        let reply = send(&app, req).await;
        assert_eq!(reply.status, 401, "{case}: {}", reply.body);
        assert_eq!(
            reply.header("content-type"),
            Some("application/problem+json"),
            "{case}"
        );
        assert!(
            reply
                .header("www-authenticate")
                .is_some_and(|v| v.starts_with("Basic ")),
            "{case}"
        );
        bodies.push((case, reply.body));
    }

    // Revoked (access turned off), then the user deactivated, then expired.
    merchant_users::set_api_access(&w.state, &w.admin, None, &user.id, false)
        .await
        .unwrap();
    bodies.push(("revoked", ping(&w.state, &basic(&account, &key)).await.body));
    let (user2, account2, key2) = w.api_user("other@example.com").await;
    merchant_users::update(
        &w.state,
        &w.admin,
        None,
        &user2.id,
        &MerchantUserPatch {
            active: Some(false),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    bodies.push((
        "deactivated user",
        ping(&w.state, &basic(&account2, &key2)).await.body,
    ));
    let expiring = api_keys::issue_for_user(&w.state, &w.admin, None, &w.admin.id, Some(60))
        .await
        .unwrap();
    assert_eq!(
        ping(&w.state, &basic(&expiring.account_id, &expiring.key))
            .await
            .status,
        200
    );
    w.state.clock.advance(60_000);
    bodies.push((
        "expired",
        ping(&w.state, &basic(&expiring.account_id, &expiring.key))
            .await
            .body,
    ));

    let first = bodies[0].1.clone();
    assert!(first.contains("\"status\":401"), "{first}");
    for (case, body) in &bodies {
        assert_eq!(body, &first, "{case} answers differently");
    }
}
db_test!(every_authentication_failure_gives_the_same_401);

async fn rolling_keeps_the_old_key_until_its_expiry(t: &TestDb) {
    let w = world(t).await;
    let (user, account, first) = w.api_user("l2@example.com").await;
    let keys = api_keys::my_access(&w.state, &user).await.unwrap().keys;
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].hint, first[first.len() - 4..]);

    // A second "generate" is allowed (two keys at most); a third is not.
    let second = api_keys::generate(&w.state, &user, None).await.unwrap();
    let err = api_keys::generate(&w.state, &user, None).await.unwrap_err();
    assert_eq!(err, AppError::conflict("too_many_keys"));
    api_keys::revoke(&w.state, &user, None, &second.key_id)
        .await
        .unwrap();
    assert_eq!(
        ping(&w.state, &basic(&account, &second.key)).await.status,
        401
    );

    let old_id = keys[0].id.clone();
    let rolled = api_keys::roll(&w.state, &user, None, &old_id, RollGrace::OneHour)
        .await
        .unwrap();
    assert_eq!(rolled.account_id, account);
    assert_ne!(rolled.key, first);
    // Both work during the grace period...
    w.state.clock.advance(59 * 60_000);
    assert_eq!(ping(&w.state, &basic(&account, &first)).await.status, 200);
    assert_eq!(
        ping(&w.state, &basic(&account, &rolled.key)).await.status,
        200
    );
    // ...rolling again now would make three: refused, and nothing changes.
    let err = api_keys::roll(&w.state, &user, None, &rolled.key_id, RollGrace::OneDay)
        .await
        .unwrap_err();
    assert_eq!(err, AppError::conflict("too_many_keys"));
    assert_eq!(
        ping(&w.state, &basic(&account, &rolled.key)).await.status,
        200
    );
    // ...and on the minute after the expiry the old key stops.
    w.state.clock.advance(60_000);
    assert_eq!(ping(&w.state, &basic(&account, &first)).await.status, 401);
    assert_eq!(
        ping(&w.state, &basic(&account, &rolled.key)).await.status,
        200
    );

    // The expiry is audited once, however often the sweep runs.
    assert_eq!(api_keys::record_expiries(&w.state).await.unwrap(), 1);
    assert_eq!(api_keys::record_expiries(&w.state).await.unwrap(), 0);
    let expired = audit::list_recent(&w.state.db, Some("api_key.expired"), 10)
        .await
        .unwrap();
    assert_eq!(expired.len(), 1);
    assert!(expired[0].details.contains(&old_id));
    for action in ["api_key.created", "api_key.rolled", "api_key.revoked"] {
        let events = audit::list_recent(&w.state.db, Some(action), 10)
            .await
            .unwrap();
        assert!(!events.is_empty(), "{action} audited");
        assert!(
            events.iter().all(|e| !e.details.contains("lvr_")),
            "a key leaked into the audit log: {events:?}"
        );
    }

    // Rolling with "now" replaces the key at once; unknown keys are 404.
    let again = api_keys::roll(&w.state, &user, None, &rolled.key_id, RollGrace::Now)
        .await
        .unwrap();
    assert_eq!(
        ping(&w.state, &basic(&account, &rolled.key)).await.status,
        401
    );
    assert_eq!(
        ping(&w.state, &basic(&account, &again.key)).await.status,
        200
    );
    let err = api_keys::roll(&w.state, &user, None, "key_nope", RollGrace::Now)
        .await
        .unwrap_err();
    assert_eq!(err, AppError::NotFound);
}
db_test!(rolling_keeps_the_old_key_until_its_expiry);

async fn demotion_and_deactivation_bite_on_the_next_request(t: &TestDb) {
    let w = world(t).await;
    let (user, account, key) = w.api_user("l2@example.com").await;
    let (admin_account, admin_key) = w.admin_key().await;
    let admin_auth = basic(&admin_account, &admin_key);
    let app = router(&w.state);
    assert_eq!(ping(&w.state, &basic(&account, &key)).await.status, 200);

    // Demoted through the REST API: the very next request is refused.
    let reply = send(
        &app,
        api(
            "PATCH",
            &format!("/users/{}", user.id),
            Some(&admin_auth),
            Some(json!({"role": "merchant_l1"})),
        ),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["api_access"], false);
    assert_eq!(ping(&w.state, &basic(&account, &key)).await.status, 401);

    // Promoting again restores nothing; granting again brings no old key back.
    let reply = send(
        &app,
        api(
            "PATCH",
            &format!("/users/{}", user.id),
            Some(&admin_auth),
            Some(json!({"role": "merchant_l2"})),
        ),
    )
    .await;
    assert_eq!(reply.json()["api_access"], false);
    let reply = send(
        &app,
        api(
            "PUT",
            &format!("/users/{}/api-access", user.id),
            Some(&admin_auth),
            Some(json!({"enabled": true})),
        ),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(
        reply.json(),
        json!({"enabled": true, "account_id": account})
    );
    assert_eq!(ping(&w.state, &basic(&account, &key)).await.status, 401);

    // A key issued by the administrator works, until the merchant is
    // deactivated.
    let reply = send(
        &app,
        api(
            "POST",
            &format!("/users/{}/api-keys", user.id),
            Some(&admin_auth),
            None,
        ),
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let issued = reply.json();
    assert_eq!(issued["account_id"], account);
    assert_eq!(issued["expires_at"], Value::Null);
    let new_key = issued["key"].as_str().unwrap().to_owned();
    assert_eq!(issued["hint"], new_key[new_key.len() - 4..]);
    assert_eq!(ping(&w.state, &basic(&account, &new_key)).await.status, 200);
    let reply = send(
        &app,
        api(
            "PATCH",
            &format!("/merchants/{}", w.merchant_id),
            Some(&admin_auth),
            Some(json!({"active": false})),
        ),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["active"], false);
    assert_eq!(ping(&w.state, &basic(&account, &new_key)).await.status, 401);
    let revoked = audit::list_recent(&w.state.db, Some("api_access.revoked"), 10)
        .await
        .unwrap();
    assert_eq!(revoked.len(), 2, "demotion and deactivation");
    assert!(revoked[0].details.contains("merchant_deactivated"));
}
db_test!(demotion_and_deactivation_bite_on_the_next_request);

/// Every administrator route of SPEC 4.1 refuses a merchant credential
/// with 403, and an anonymous caller with 401, before doing anything.
async fn admin_routes_refuse_merchant_credentials(t: &TestDb) {
    let w = world(t).await;
    let (user, account, key) = w.api_user("l2@example.com").await;
    let merchant_auth = basic(&account, &key);
    let app = router(&w.state);
    let u = format!("/users/{}", user.id);
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

async fn last_used_is_written_at_most_once_a_minute(t: &TestDb) {
    let w = world(t).await;
    let (user, account, key) = w.api_user("l2@example.com").await;
    for _ in 0..5 {
        assert_eq!(ping(&w.state, &basic(&account, &key)).await.status, 200);
    }
    w.state.usage.flush(&w.state.db).await.unwrap();
    let keys = api_keys::my_access(&w.state, &user).await.unwrap().keys;
    assert_eq!(keys[0].last_used_at, Some(START));

    w.state.clock.advance(30_000);
    ping(&w.state, &basic(&account, &key)).await;
    w.state.usage.flush(&w.state.db).await.unwrap();
    let keys = api_keys::my_access(&w.state, &user).await.unwrap().keys;
    assert_eq!(
        keys[0].last_used_at,
        Some(START),
        "not rewritten within the minute"
    );

    w.state.clock.advance(31_000);
    ping(&w.state, &basic(&account, &key)).await;
    w.state.usage.flush(&w.state.db).await.unwrap();
    let keys = api_keys::my_access(&w.state, &user).await.unwrap().keys;
    assert_eq!(keys[0].last_used_at, Some(START + 61_000));

    let rows = api_keys::accounts(&w.state, &w.admin).await.unwrap();
    assert_eq!(rows[0].requests_7d[6], 7);
}
db_test!(last_used_is_written_at_most_once_a_minute);

async fn command_line_keys_follow_the_same_rules(t: &TestDb) {
    let w = world(t).await;
    w.user("l1@example.com", "merchant_l1", false).await;
    w.user("l2off@example.com", "merchant_l2", false).await;
    let (_, account, _) = w.api_user("l2@example.com").await;

    let issued = api_keys::issue_for_email(&w.state, " L2@Example.com ")
        .await
        .unwrap();
    assert_eq!(issued.account_id, account);
    assert_eq!(
        ping(&w.state, &basic(&account, &issued.key)).await.status,
        200
    );
    // Two active keys now: a third is refused.
    assert_eq!(
        api_keys::issue_for_email(&w.state, "l2@example.com")
            .await
            .unwrap_err(),
        AppError::conflict("too_many_keys")
    );
    let admin = api_keys::issue_for_email(&w.state, ADMIN_EMAIL)
        .await
        .unwrap();
    let reply = ping(&w.state, &basic(&admin.account_id, &admin.key)).await;
    assert_eq!(reply.json()["role"], "admin");
    assert_eq!(reply.json()["merchant_id"], Value::Null);
    for email in ["l1@example.com", "l2off@example.com"] {
        assert_eq!(
            api_keys::issue_for_email(&w.state, email)
                .await
                .unwrap_err(),
            AppError::conflict("api_access_off"),
            "{email}"
        );
    }
    assert_eq!(
        api_keys::issue_for_email(&w.state, "nobody@example.com")
            .await
            .unwrap_err(),
        AppError::NotFound
    );
    // Level 1 users cannot hold keys through the page either.
    let l1 = SessionUser {
        role: Role::MerchantL1,
        ..admin_like("l1")
    };
    assert_eq!(
        api_keys::generate(&w.state, &l1, None).await.unwrap_err(),
        AppError::Forbidden
    );
}
db_test!(command_line_keys_follow_the_same_rules);

fn admin_like(id: &str) -> SessionUser {
    SessionUser {
        id: id.into(),
        ..admin(id)
    }
}

/// Behind a proxy (`LIVREUR_TRUST_PROXY`), the address `/ping` reports, and
/// that the rate limit and the audit log use, is the right-most hop that
/// is not a trusted proxy: a client cannot forge it with its own
/// `X-Forwarded-For`.
async fn forwarded_addresses_cannot_be_forged(t: &TestDb) {
    let mut s = settings();
    s.trust_proxy = true;
    let w = world(t).await;
    let state = state_with(t, s);
    let (account, key) = w.admin_key().await;
    let app = router(&state);
    let from_proxy = |xff: &str| {
        let mut req = api("GET", "/ping", Some(&basic(&account, &key)), None);
        req.headers_mut()
            .insert("x-forwarded-for", xff.parse().unwrap());
        req.extensions_mut().insert(axum::extract::ConnectInfo(
            "127.0.0.1:50000".parse::<std::net::SocketAddr>().unwrap(),
        ));
        req
    };
    let r = send(&app, from_proxy("203.0.113.66, 198.51.100.5")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["client_ip"], "198.51.100.5");
    let r = send(&app, from_proxy("203.0.113.66")).await;
    assert_eq!(
        r.json()["client_ip"],
        "203.0.113.66",
        "the proxy's own view"
    );
}
db_test!(forwarded_addresses_cannot_be_forged);
