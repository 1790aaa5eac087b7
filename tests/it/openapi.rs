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

/// Every `"default"` under `node`, by JSON pointer.
fn defaults(node: &Value, at: String, out: &mut Vec<String>) {
    match node {
        Value::Object(map) => {
            if let Some(Value::Object(props)) = map.get("properties") {
                for (name, prop) in props {
                    if prop.get("default").is_some() {
                        out.push(format!("{at}/properties/{name}"));
                    }
                }
            }
            for (k, v) in map {
                defaults(v, format!("{at}/{k}"), out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                defaults(v, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// What client generators need from the document (docs/api.md, The
/// OpenAPI document): required members declared, no defaults that fail
/// their own schema, merge-patch bodies with nothing required, and links
/// from each create to the operations on what it made. The suites also
/// validate it and generate clients from it (end2end/api-clients.sh).
async fn the_document_serves_client_generators(t: &TestDb) {
    let w = world(t).await;
    let doc = send(&router(&w.state), api("GET", "/openapi.json", None, None))
        .await
        .json();
    let schemas = &doc["components"]["schemas"];
    let required = |name: &str| -> Vec<String> {
        schemas[name]["required"]
            .as_array()
            .map(|r| r.iter().map(|v| v.as_str().unwrap().to_owned()).collect())
            .unwrap_or_default()
    };
    assert_eq!(
        required("JobIn"),
        ["type", "date", "customer", "address", "location_id"]
    );
    assert_eq!(required("Customer"), ["first_name", "phone"]);
    assert_eq!(required("Address"), ["line1"]);
    assert_eq!(required("ActionIn"), ["description"]);
    assert_eq!(required("LocationIn"), ["name", "kind", "ref_no"]);
    assert_eq!(
        required("MerchantIn"),
        [
            "business_name",
            "contact_email",
            "location_ids",
            "default_location_id"
        ]
    );
    assert_eq!(required("UserIn"), ["email", "display_name", "role"]);
    // String enums carry their wire names.
    assert_eq!(
        schemas["Role"]["enum"],
        serde_json::json!(["admin", "merchant_l1", "merchant_l2"])
    );
    assert_eq!(schemas["JobStatus"]["enum"][1], "in_progress");
    let mut found = Vec::new();
    defaults(schemas, String::new(), &mut found);
    assert!(found.is_empty(), "defaults: {found:?}");

    // PATCH bodies are merge patches: nothing required, `null` clears,
    // nested objects are patches too, and `actions` is not patched here.
    let patch = &doc["paths"]["/jobs/{job_id}"]["patch"]["requestBody"]["content"]["application/json"]
        ["schema"]["$ref"];
    assert_eq!(patch, "#/components/schemas/JobPatch");
    let job_patch = &schemas["JobPatch"];
    assert!(job_patch.get("required").is_none());
    assert!(job_patch["properties"].get("actions").is_none());
    let customer = job_patch["properties"]["customer"].to_string();
    assert!(
        customer.contains(r##""$ref":"#/components/schemas/CustomerPatch""##),
        "{customer}"
    );
    assert!(customer.contains(r#"{"type":"null"}"#), "{customer}");
    assert!(schemas["CustomerPatch"].get("required").is_none());
    let action_patch = &doc["paths"]["/jobs/{job_id}/actions/{action_id}"]["patch"]["requestBody"]
        ["content"]["application/json"]["schema"]["$ref"];
    assert_eq!(action_patch, "#/components/schemas/ActionPatch");

    // Links from creates, naming operations that exist.
    let operation_ids: BTreeSet<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .filter_map(|op| op["operationId"].as_str())
        .collect();
    let links = &doc["paths"]["/jobs"]["post"]["responses"]["201"]["links"];
    for (name, op) in [
        ("GetJob", "get_job"),
        ("PatchJob", "patch_job"),
        ("DeleteJob", "delete_job"),
    ] {
        assert_eq!(links[name]["operationId"], op, "{name}");
        assert_eq!(links[name]["parameters"]["job_id"], "$response.body#/id");
    }
    let action_links = &doc["paths"]["/jobs/{job_id}/actions"]["post"]["responses"]["201"]["links"];
    assert_eq!(
        action_links["GetAction"]["parameters"],
        serde_json::json!({"job_id": "$request.path.job_id", "action_id": "$response.body#/id"})
    );
    let mut linked = 0;
    for item in doc["paths"].as_object().unwrap().values() {
        for link in item["post"]["responses"]["201"]["links"]
            .as_object()
            .into_iter()
            .flat_map(|l| l.values())
        {
            assert!(operation_ids.contains(link["operationId"].as_str().unwrap()));
            linked += 1;
        }
    }
    assert!(linked >= 12, "{linked} links");
}
db_test!(the_document_serves_client_generators);
