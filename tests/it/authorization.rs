//! The authorization sweep: every registered server function, called by a
//! merchant user and by an anonymous visitor with well-formed arguments.
//! Only the few meant for everyone may answer; every other one must refuse
//! (403 / 401) before doing anything. A server function added without a
//! sample here fails the test, so none escapes the sweep.

use crate::common::*;
use axum::body::Body;
use axum::http::{Request, header};
use serde_json::json;

/// Server functions anyone may call (they act only on the caller's own
/// session or preferences, or with a password link's token:
/// tests/it/people.rs).
const PUBLIC: [&str; 11] = [
    "sign_in",
    "sign_out",
    "current_user",
    "setup_status",
    "set_language",
    "password_link",
    "request_password_reset",
    "set_password",
    // A session part-way through signing in (tests/it/two_factor.rs).
    "verify_second_factor",
    "start_two_factor",
    "confirm_two_factor",
];

/// Server functions for those who may hold API credentials: administrators
/// and Merchant Level 2 users (docs/rules.md, API access rule 4), each acting only on
/// their own account. Level 1 users and anonymous callers are refused.
fn key_holder_body(name: &str) -> Option<serde_json::Value> {
    Some(match name {
        "my_api_access" => json!({}),
        "generate_api_key" => {
            json!({"choice": {"scope": "read_only", "lifetime": "30", "allowed_nets": ""}})
        }
        "roll_api_key" => json!({"key_id": "key_x", "grace": "one_hour",
            "choice": {"scope": "read_write", "lifetime": "never", "allowed_nets": ""}}),
        "set_api_key_nets" => json!({"key_id": "key_x", "allowed_nets": "203.0.113.0/24"}),
        "revoke_api_key" => json!({"key_id": "key_x"}),
        _ => return None,
    })
}

/// Server functions for every signed-in role: jobs, which the service
/// narrows to the caller's own for merchant users (tests/jobs_access.rs),
/// the API reference, and the caller's own sessions (tests/people.rs).
fn signed_in_body(name: &str) -> Option<serde_json::Value> {
    let job = json!({"type": "delivery", "date": "2026-12-01", "location_id": "loc_x",
                     "customer": {"first_name": "A", "phone": "5145550100"},
                     "address": {"line1": "1 Rue"}});
    Some(match name {
        "search_jobs" => json!({"query": {}}),
        "get_job" | "cancel_job" | "delete_job" => json!({"id": "job_x"}),
        "job_locations"
        | "api_reference"
        | "my_sessions"
        | "end_other_sessions"
        | "second_factor_status" => json!({}),
        "disable_two_factor" => json!({"code": "000000"}),
        "confirm_identity" => json!({"password": ADMIN_PASSWORD, "code": ""}),
        "end_session" => json!({"id": "0000000000000000"}),
        "save_job" => json!({"id": null, "version": null, "input": job}),
        "save_job_action" => json!({"job_id": "job_x", "action_id": null, "version": 1,
                                    "input": {"description": "Box"}}),
        "delete_job_action" => json!({"job_id": "job_x", "action_id": "act_x", "version": 1}),
        _ => return None,
    })
}

/// A well-formed JSON body for each administrator-only server function.
fn sample_body(name: &str) -> Option<serde_json::Value> {
    let location = json!({"name": "X", "kind": "branch", "ref_no": "X-1"});
    let merchant = json!({"business_name": "X", "contact_email": "x@example.com",
                          "location_ids": ["loc_x"], "default_location_id": "loc_x"});
    let user = json!({"email": "n@example.com", "display_name": "N", "role": "merchant_l2",
                      "password": "a long password", "api_access": true});
    Some(match name {
        "list_locations" | "get_organization" => json!({}),
        "save_organization" => json!({"patch": {"name": "X"}}),
        "get_location" => json!({"id": "loc_x"}),
        "save_location" => json!({"id": null, "input": location}),
        "search_merchants" => json!({"query": {"q": null, "active": null, "sort": "name",
                                                "descending": false, "page": 1, "per_page": 10}}),
        "get_merchant" => json!({"id": "mer_x"}),
        "save_merchant" => json!({"id": null, "input": merchant}),
        "set_merchant_active" => json!({"id": "mer_x", "active": false}),
        "get_merchant_user" => json!({"id": "usr_x"}),
        "reinvite_user" | "end_user_sessions" => json!({"user_id": "usr_x"}),
        "create_merchant_user" => json!({"merchant_id": "mer_x", "input": user}),
        "update_merchant_user" => json!({"id": "usr_x", "patch": {"api_access": true}}),
        "set_api_access" => json!({"user_id": "usr_x", "enabled": true}),
        "list_api_accounts" => json!({}),
        "search_audit" => json!({"query": {"action": null, "actor": null, "cursor": null}}),
        "audit_actions" => json!({}),
        "move_job" => json!({"id": "job_x", "version": 1, "status": "in_progress"}),
        "list_webhooks" => json!({}),
        "get_webhook" => json!({"id": "whk_x"}),
        "webhook_message" => json!({"id": "whk_x", "message_id": "msg_x"}),
        "save_webhook" => json!({"id": null, "input": {"url": "https://example.com/h",
                                  "location_id": null, "events": ["*"]}}),
        "set_webhook_enabled" => json!({"id": "wh_x", "enabled": false}),
        "delete_webhook" => json!({"id": "wh_x"}),
        "rotate_webhook_secret" => json!({"id": "wh_x"}),
        "send_webhook_test" => json!({"id": "wh_x"}),
        "webhook_deliveries" => json!({"id": "wh_x", "cursor": null}),
        "resend_webhook_delivery" => json!({"id": "wh_x", "message_id": "msg_x"}),
        "recover_webhook" => json!({"id": "whk_x", "since": "2026-12-01T09:00", "until": ""}),
        "webhook_recoveries" | "acknowledge_webhook_alert" => json!({"id": "whk_x"}),
        "webhook_alerts" | "overview_for_admin" => json!({}),
        _ => return None,
    })
}

fn call(path: &str, body: &serde_json::Value, session: Option<&str>) -> Request<Body> {
    let mut req = Request::post(path)
        .header(header::HOST, "127.0.0.1:3000")
        .header("sec-fetch-site", "same-origin")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, "application/json");
    if let Some(token) = session {
        req = req.header(header::COOKIE, format!("livreur_session={token}"));
    }
    req.body(Body::from(body.to_string())).unwrap()
}

async fn every_admin_server_function_refuses_merchants(t: &TestDb) {
    let state = state(t);
    create_admin(&state).await;
    insert_merchant_user(&state.db, "l2@example.com", "merchant_l2").await;
    insert_merchant_user(&state.db, "l1@example.com", "merchant_l1").await;
    let app = router(&state);
    let merchant = sign_in(&app, "l2@example.com", ADMIN_PASSWORD).await;
    let level_1 = sign_in(&app, "l1@example.com", ADMIN_PASSWORD).await;
    let admin = sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;

    let mut paths: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .collect();
    paths.sort();
    assert!(
        paths.len() > PUBLIC.len(),
        "server functions are registered: {paths:?}"
    );
    let mut checked = 0;
    let mut key_holder_checked = 0;
    let mut signed_in_checked = 0;
    for path in &paths {
        let name = path
            .strip_prefix("/_fn/")
            .expect("server functions live under /_fn/");
        if PUBLIC.contains(&name) {
            continue;
        }
        if let Some(body) = key_holder_body(name) {
            let as_level_1 = send(&app, call(path, &body, Some(&level_1))).await;
            assert_eq!(
                as_level_1.status, 403,
                "{path} as Level 1: {}",
                as_level_1.body
            );
            let anonymous = send(&app, call(path, &body, None)).await;
            assert_eq!(
                anonymous.status, 401,
                "{path} anonymous: {}",
                anonymous.body
            );
            for (who, session) in [("Level 2", &merchant), ("admin", &admin)] {
                let reply = send(&app, call(path, &body, Some(session))).await;
                assert!(
                    ![400, 401, 403].contains(&reply.status),
                    "{path} as {who} answered {}: {}",
                    reply.status,
                    reply.body
                );
            }
            key_holder_checked += 1;
            continue;
        }
        if let Some(body) = signed_in_body(name) {
            let anonymous = send(&app, call(path, &body, None)).await;
            assert_eq!(
                anonymous.status, 401,
                "{path} anonymous: {}",
                anonymous.body
            );
            for (who, session) in [
                ("Level 1", &level_1),
                ("Level 2", &merchant),
                ("admin", &admin),
            ] {
                let reply = send(&app, call(path, &body, Some(session))).await;
                assert!(
                    ![400, 401, 403].contains(&reply.status),
                    "{path} as {who} answered {}: {}",
                    reply.status,
                    reply.body
                );
            }
            signed_in_checked += 1;
            continue;
        }
        let body = sample_body(name).unwrap_or_else(|| {
            panic!("{path} has no sample body in the authorization sweep: add one")
        });
        for (who, session) in [("Level 2", &merchant), ("Level 1", &level_1)] {
            let reply = send(&app, call(path, &body, Some(session))).await;
            assert_eq!(reply.status, 403, "{path} as {who}: {}", reply.body);
            assert_eq!(reply.json()["kind"], "forbidden");
        }
        let anonymous = send(&app, call(path, &body, None)).await;
        assert_eq!(
            anonymous.status, 401,
            "{path} anonymous: {}",
            anonymous.body
        );
        // The arguments are well-formed: an administrator gets past the
        // guard (to a real answer, or to "not found" for the made-up ids).
        let as_admin = send(&app, call(path, &body, Some(&admin))).await;
        assert!(
            ![400, 401, 403].contains(&as_admin.status),
            "{path} as admin answered {}: {}",
            as_admin.status,
            as_admin.body
        );
        checked += 1;
    }
    assert_eq!(
        key_holder_checked, 5,
        "sweep covered {key_holder_checked} key functions"
    );
    assert_eq!(checked, 34, "sweep covered {checked} functions");
    assert_eq!(
        signed_in_checked, 15,
        "sweep covered {signed_in_checked} functions of every signed-in role"
    );
    // Nothing was created by the refused calls.
    let merchants = send(
        &app,
        call(
            "/_fn/search_merchants",
            &sample_body("search_merchants").unwrap(),
            Some(&admin),
        ),
    )
    .await;
    assert_eq!(
        merchants.json()["total"],
        2,
        "only the fixture merchants: {}",
        merchants.body
    );
}
db_test!(every_admin_server_function_refuses_merchants);
