//! The served OpenAPI document against the router and the policy table:
//! every route documented, nothing documented that is not routed.

use crate::common::world::*;
use crate::common::*;
use axum::body::Body;
use axum::http::Request;
use livreur::server::api::policy::POLICIES;
use serde_json::Value;
use std::collections::BTreeSet;

use crate::jobs_access::concrete;

/// (method, path) of every operation in the served OpenAPI document.
fn documented(doc: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            out.insert((method.to_uppercase(), path.clone()));
        }
    }
    out
}

async fn the_openapi_document_matches_the_router(t: &TestDb) {
    let w = world(t).await;
    let app = router(&w.state);
    let r = send(&app, api("GET", "/openapi.json", None, None)).await;
    assert_eq!(r.status, 200, "public, no credentials");
    let doc = r.json();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(
        doc["components"]["securitySchemes"]["basic"]["scheme"],
        "basic"
    );
    assert_eq!(doc["servers"][0]["url"], "/api/v1");
    for schema in ["Job", "JobIn", "Action", "ActionIn", "JobPage", "Problem"] {
        assert!(doc["components"]["schemas"][schema].is_object(), "{schema}");
    }

    // The policy table and the document name the same operations.
    let ops = documented(&doc);
    let mut declared: BTreeSet<(String, String)> = POLICIES
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    declared.insert(("GET".into(), "/openapi.json".into()));
    assert_eq!(ops, declared);

    // Every documented operation is routed (not the 404/405 fallbacks),
    // and a path or method outside the document is not.
    let (_, _, _) = w.api_user("l2@example.com").await;
    for (method, path) in &ops {
        let uri = format!("/api/v1{}", concrete(path, "job_x", "act_x"));
        let req = Request::builder()
            .method(method.as_str())
            .uri(uri)
            .body(Body::empty())
            .unwrap();
        let r = send(&app, req).await;
        assert!(
            r.status != 404 && r.status != 405,
            "{method} {path} is not routed: {}",
            r.status
        );
    }
    for (method, path) in [
        ("PUT", "/jobs"),
        ("GET", "/jobs/job_x/status"),
        ("GET", "/webhook"),
    ] {
        let req = Request::builder()
            .method(method)
            .uri(format!("/api/v1{path}"))
            .body(Body::empty())
            .unwrap();
        let r = send(&app, req).await;
        assert!(
            r.status == 404 || r.status == 405,
            "{method} {path}: {}",
            r.status
        );
    }
}
db_test!(the_openapi_document_matches_the_router);
