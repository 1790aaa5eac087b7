//! Input nobody sends by accident, through the real router, on SQLite and
//! PostgreSQL: each is the caller's error (4xx), never a 500.

use axum::body::Body;
use axum::http::{Request, header};

use crate::common::*;

fn json_call(name: &str, body: &str, session: &str) -> Request<Body> {
    Request::post(format!("/_fn/{name}"))
        .header(header::HOST, "127.0.0.1:3000")
        .header("sec-fetch-site", "same-origin")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, "application/json")
        .header(header::COOKIE, format!("livreur_session={session}"))
        .body(Body::from(body.to_owned()))
        .unwrap()
}

const MERCHANT_QUERY: &str =
    r#""active": null, "sort": "name", "descending": false, "page": 1, "per_page": 10"#;

/// Arguments that do not decode (a lone surrogate escape, broken JSON, a
/// wrong type, a missing field) answer 400; text holding the NUL
/// character, which PostgreSQL cannot store, answers 400 too.
async fn server_functions_refuse_malformed_arguments_with_400(t: &TestDb) {
    let state = state(t);
    create_admin(&state).await;
    let app = router(&state);
    let admin = sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    for body in [
        format!(r#"{{"query": {{"q": "\ud800", {MERCHANT_QUERY}}}}}"#),
        "{".to_owned(),
        r#"{"query": 5}"#.to_owned(),
        "{}".to_owned(),
    ] {
        let r = send(&app, json_call("search_merchants", &body, &admin)).await;
        assert_eq!(r.status, 400, "{body}: {}", r.body);
        assert_eq!(r.json()["kind"], "request", "{}", r.body);
    }
    let nul = format!(r#"{{"query": {{"q": "a\u0000b", {MERCHANT_QUERY}}}}}"#);
    let r = send(&app, json_call("search_merchants", &nul, &admin)).await;
    assert!(matches!(r.status, 200 | 400), "{}: {}", r.status, r.body);
    if t.backend == "postgres" {
        assert_eq!(r.status, 400, "{}", r.body);
    }
    // The well-formed call still works.
    let fine = format!(r#"{{"query": {{"q": "a", {MERCHANT_QUERY}}}}}"#);
    assert_eq!(
        send(&app, json_call("search_merchants", &fine, &admin))
            .await
            .status,
        200
    );
}
db_test!(server_functions_refuse_malformed_arguments_with_400);

/// The administrator's own inputs are bounded too: audit filters, the
/// list of a merchant's locations, a webhook's event list, and ids that
/// cannot exist (never looked up, so never a database error).
async fn admin_inputs_are_bounded(t: &TestDb) {
    use livreur::error::AppError;
    use livreur::model::audit::AuditQuery;
    use livreur::model::org::MerchantIn;
    use livreur::model::webhook::WebhookIn;
    use livreur::server::services::{audit, merchant_users, merchants, webhooks};
    let w = crate::common::world::world(t).await;
    let long = |n: usize| "x".repeat(n);
    for (query, field) in [
        (
            AuditQuery {
                actor: Some(long(255)),
                ..AuditQuery::default()
            },
            "actor",
        ),
        (
            AuditQuery {
                action: Some(long(65)),
                ..AuditQuery::default()
            },
            "action",
        ),
        (
            AuditQuery {
                cursor: Some(long(10_000)),
                ..AuditQuery::default()
            },
            "cursor",
        ),
    ] {
        let err = audit::search(&w.state, &w.admin, &query, 10)
            .await
            .unwrap_err();
        assert!(err.field_code(field).is_some(), "{field}: {err:?}");
    }
    let many = MerchantIn {
        business_name: "Many".into(),
        contact_email: "m@example.com".into(),
        address: None,
        location_ids: vec![w.location_id.clone(); 100_000],
        default_location_id: w.location_id.clone(),
        active: None,
    };
    let err = merchants::create(&w.state, &w.admin, &many)
        .await
        .unwrap_err();
    assert_eq!(err.field_code("location_ids"), Some("too_many"));
    let odd = MerchantIn {
        location_ids: vec!["loc_\u{0}".into()],
        ..many
    };
    let err = merchants::create(&w.state, &w.admin, &odd)
        .await
        .unwrap_err();
    assert_eq!(err.field_code("location_ids"), Some("unknown_location"));

    let hook = WebhookIn {
        url: "http://127.0.0.1:9/in".into(),
        location_id: None,
        events: vec!["job.created".into(); 10_000],
        description: None,
        enabled: None,
    };
    let err = webhooks::create(&w.state, &w.admin, &hook)
        .await
        .unwrap_err();
    assert_eq!(err.field_code("events"), Some("too_many"));

    for id in [long(100_000), "mer_\u{0}".into(), "usr_01jd".into()] {
        assert_eq!(
            merchants::get(&w.state, &w.admin, &id).await.unwrap_err(),
            AppError::NotFound
        );
        assert_eq!(
            merchant_users::get(&w.state, &w.admin, &id)
                .await
                .unwrap_err(),
            AppError::NotFound
        );
    }
}
db_test!(admin_inputs_are_bounded);
