//! Who reaches which job (docs/rules.md, API access rule 5), on SQLite and
//! PostgreSQL: the BOLA matrix over every job and action route, the
//! merchant sweep over every `/api/v1` route, search scoping and paging.

use crate::common::world::*;
use crate::common::*;
use livreur::server::api::policy::{POLICIES, Policy};
use serde_json::{Value, json};
use std::collections::BTreeSet;

fn job_body(location_id: &str, reference: &str, phone: &str) -> Value {
    json!({
        "reference_id": reference, "type": "delivery", "date": "2026-12-01",
        "customer": {"first_name": "Ana", "phone": phone},
        "address": {"line1": "100 Rue Saint-Paul"},
        "location_id": location_id,
        "barcodes": [format!("BC-{reference}")],
        "actions": [{"description": "Chair"}]
    })
}

async fn create(app: &axum::Router, auth: &str, body: Value) -> Value {
    let r = send(app, api("POST", "/jobs", Some(auth), Some(body))).await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.json()
}

/// Every job and action route, for one job and one of its actions.
fn routes(job: &str, action: &str) -> Vec<(&'static str, String, Option<Value>)> {
    vec![
        ("GET", format!("/jobs/{job}"), None),
        (
            "PATCH",
            format!("/jobs/{job}"),
            Some(json!({"comment": "hijacked"})),
        ),
        ("GET", format!("/jobs/{job}/actions"), None),
        (
            "POST",
            format!("/jobs/{job}/actions"),
            Some(json!({"description": "planted"})),
        ),
        ("GET", format!("/jobs/{job}/actions/{action}"), None),
        (
            "PATCH",
            format!("/jobs/{job}/actions/{action}"),
            Some(json!({"quantity": 9})),
        ),
        ("DELETE", format!("/jobs/{job}/actions/{action}"), None),
        ("POST", format!("/jobs/{job}/cancel"), None),
        ("DELETE", format!("/jobs/{job}"), None),
    ]
}

async fn another_merchants_jobs_do_not_exist_for_you(t: &TestDb) {
    let w = world(t).await;
    let (_, owner_account, owner_key) = w.api_user("owner@example.com").await;
    let (other_merchant, _) = w.other_merchant("Rival").await;
    let (_, rival_account, rival_key) = w.api_user_of(&other_merchant, "rival@example.com").await;
    // A colleague at the same merchant is "another user" too.
    let (_, peer_account, peer_key) = w.api_user("peer@example.com").await;
    let (admin_account, admin_key) = w.admin_key().await;
    let owner = basic(&owner_account, &owner_key);
    let app = router(&w.state);

    let job = create(&app, &owner, job_body(&w.location_id, "MINE", "5145550100")).await;
    let job_id = job["id"].as_str().unwrap().to_owned();
    let action_id = job["actions"][0]["id"].as_str().unwrap().to_owned();
    let snapshot = send(
        &app,
        api("GET", &format!("/jobs/{job_id}"), Some(&owner), None),
    )
    .await;

    // What "does not exist" looks like, route by route.
    let ghost = "job_00000000000000000000000000";
    let ghost_action = "act_00000000000000000000000000";
    let mut missing = Vec::new();
    for (method, path, body) in routes(ghost, ghost_action) {
        missing.push(send(&app, api(method, &path, Some(&owner), body)).await);
    }

    for (who, auth) in [
        ("other merchant", basic(&rival_account, &rival_key)),
        ("colleague", basic(&peer_account, &peer_key)),
    ] {
        for (i, (method, path, body)) in routes(&job_id, &action_id).into_iter().enumerate() {
            let r = send(&app, api(method, &path, Some(&auth), body)).await;
            assert_eq!(r.status, 404, "{who} {method} {path}: {}", r.body);
            assert_eq!(
                r.body, missing[i].body,
                "{who} {method} {path}: same body as a ghost"
            );
            assert_eq!(r.header("content-type"), missing[i].header("content-type"));
        }
        // Their search does not find it either, by any filter.
        for q in ["", "?q=5145550100", "?reference_id=MINE", "?q=bc-mine"] {
            let r = send(&app, api("GET", &format!("/jobs{q}"), Some(&auth), None)).await;
            assert_eq!(r.json()["data"], json!([]), "{who} {q}");
        }
    }
    // Nothing they tried changed the owner's job.
    let after = send(
        &app,
        api("GET", &format!("/jobs/{job_id}"), Some(&owner), None),
    )
    .await;
    assert_eq!(after.body, snapshot.body);

    // Anonymous: 401 everywhere.
    for (method, path, body) in routes(&job_id, &action_id) {
        let r = send(&app, api(method, &path, None, body)).await;
        assert_eq!(r.status, 401, "anonymous {method} {path}");
    }

    // The administrator reaches it; the owner too, to the end.
    let admin = basic(&admin_account, &admin_key);
    let seen = send(
        &app,
        api("GET", &format!("/jobs/{job_id}"), Some(&admin), None),
    )
    .await;
    assert_eq!(seen.status, 200);
    let expected = [200, 200, 200, 201, 200, 200, 204, 200, 409];
    for ((method, path, body), want) in routes(&job_id, &action_id).into_iter().zip(expected) {
        let r = send(&app, api(method, &path, Some(&owner), body)).await;
        assert_eq!(r.status, want, "owner {method} {path}: {}", r.body);
    }
    let admin_job = create(
        &app,
        &admin,
        job_body(&w.location_id, "ADMIN", "5145550101"),
    )
    .await;
    let admin_job_id = admin_job["id"].as_str().unwrap();
    assert_eq!(admin_job["creation_source"], "api");
    let r = send(
        &app,
        api("GET", &format!("/jobs/{admin_job_id}"), Some(&owner), None),
    )
    .await;
    assert_eq!(
        r.status, 404,
        "a merchant does not see the administrator's jobs"
    );
}
db_test!(another_merchants_jobs_do_not_exist_for_you);

/// A path of the policy table with its parameters filled in.
pub(crate) fn concrete(path: &str, job: &str, action: &str) -> String {
    path.replace("{job_id}", job)
        .replace("{action_id}", action)
        .replace("{location_id}", "loc_x")
        .replace("{merchant_id}", "mer_x")
        .replace("{user_id}", "usr_x")
}

async fn a_merchant_credential_reaches_only_its_jobs_routes(t: &TestDb) {
    let w = world(t).await;
    let (_, account, key) = w.api_user("l2@example.com").await;
    let me = basic(&account, &key);
    let app = router(&w.state);
    let job = create(&app, &me, job_body(&w.location_id, "SWEEP", "5145550100")).await;
    let (job_id, action_id) = (
        job["id"].as_str().unwrap().to_owned(),
        job["actions"][0]["id"].as_str().unwrap().to_owned(),
    );
    for (method, path, policy) in POLICIES {
        let body = (*method != "GET" && *method != "DELETE").then(|| json!({}));
        let r = send(
            &app,
            api(
                method,
                &concrete(path, &job_id, &action_id),
                Some(&me),
                body,
            ),
        )
        .await;
        match policy {
            Policy::Admin => assert_eq!(r.status, 403, "{method} {path}: {}", r.body),
            _ => assert_ne!(r.status, 403, "{method} {path}: {}", r.body),
        }
        assert!(r.status < 500, "{method} {path}: {}", r.body);
    }
}
db_test!(a_merchant_credential_reaches_only_its_jobs_routes);

async fn search_filters_pages_and_stays_within_your_jobs(t: &TestDb) {
    let w = world(t).await;
    let (_, a_account, a_key) = w.api_user("a@example.com").await;
    let (other, other_loc) = w.other_merchant("B").await;
    let (_, b_account, b_key) = w.api_user_of(&other, "b@example.com").await;
    let (admin_account, admin_key) = w.admin_key().await;
    let (a, b) = (basic(&a_account, &a_key), basic(&b_account, &b_key));
    let admin = basic(&admin_account, &admin_key);
    let app = router(&w.state);

    // A small pseudo-random population over both merchants.
    let mut seed: u64 = 0x5eed;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let types = ["delivery", "pickup", "return"];
    let mut mine = BTreeSet::new();
    for i in 0..40 {
        let r = next();
        let (auth, loc) = if r % 3 == 0 {
            (&b, &other_loc)
        } else {
            (&a, &w.location_id)
        };
        let mut body = job_body(
            loc,
            &format!("R{i:03}"),
            &format!("51455{:05}", r % 100_000),
        );
        body["type"] = json!(types[(r / 3 % 3) as usize]);
        body["date"] = json!(format!("2026-12-{:02}", 1 + r / 9 % 28));
        let job = create(&app, auth, body).await;
        if auth == &a {
            mine.insert(job["id"].as_str().unwrap().to_owned());
        }
    }

    // Paging: every one of A's jobs exactly once, newest first, even with
    // jobs created between pages.
    let mut seen = Vec::new();
    let mut late = None;
    let mut cursor: Option<String> = None;
    loop {
        let q = cursor
            .as_ref()
            .map_or("?limit=7".to_owned(), |c| format!("?limit=7&cursor={c}"));
        let page = send(&app, api("GET", &format!("/jobs{q}"), Some(&a), None))
            .await
            .json();
        for j in page["data"].as_array().unwrap() {
            seen.push(j["id"].as_str().unwrap().to_owned());
            assert_eq!(j["actions"].as_array().unwrap().len(), 1, "full objects");
        }
        if seen.len() == 7 {
            let job = create(&app, &a, job_body(&w.location_id, "LATE", "5145559999")).await;
            late = job["id"].as_str().map(str::to_owned);
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    let unique: BTreeSet<String> = seen.iter().cloned().collect();
    assert_eq!(unique.len(), seen.len(), "no duplicates");
    assert_eq!(unique, mine, "no gaps, nothing of B's");
    let mut sorted = seen.clone();
    sorted.sort_by(|x, y| y.cmp(x));
    assert_eq!(seen, sorted, "newest first");

    // Property: whatever the filters, a merchant's results are their own.
    let mut mine = mine.clone();
    mine.extend(late);
    for _ in 0..25 {
        let r = next();
        let mut params = vec![format!("limit={}", 1 + r % 100)];
        if r % 2 == 0 {
            params.push(format!("type={}", types[(r / 2 % 3) as usize]));
        }
        if r % 5 == 0 {
            params.push(format!("q=51455{}", r % 10));
        }
        if r % 7 < 3 {
            params.push(format!("date_from=2026-12-{:02}", 1 + r % 20));
        }
        let url = format!("/jobs?{}", params.join("&"));
        for (auth, own) in [(&a, true), (&b, false)] {
            let page = send(&app, api("GET", &url, Some(auth), None)).await.json();
            for j in page["data"].as_array().unwrap() {
                let id = j["id"].as_str().unwrap();
                assert_eq!(mine.contains(id), own, "{url}: {id}");
            }
        }
    }

    // Filters.
    let count = |v: &Value| v["data"].as_array().unwrap().len();
    let all = send(&app, api("GET", "/jobs?limit=100", Some(&admin), None))
        .await
        .json();
    assert_eq!(count(&all), 41);
    let by_ref = send(
        &app,
        api("GET", "/jobs?reference_id=R005", Some(&admin), None),
    )
    .await
    .json();
    assert_eq!(count(&by_ref), 1);
    let by_barcode = send(&app, api("GET", "/jobs?q=bc-r005", Some(&admin), None))
        .await
        .json();
    assert_eq!(by_barcode["data"][0]["reference_id"], "R005");
    let wildcard = send(&app, api("GET", "/jobs?q=%25", Some(&admin), None))
        .await
        .json();
    assert_eq!(count(&wildcard), 0, "% is a character, not a wildcard");
    let late = send(&app, api("GET", "/jobs?q=5559999", Some(&a), None))
        .await
        .json();
    assert_eq!(count(&late), 1);
    let pickups = send(
        &app,
        api("GET", "/jobs?type=pickup&limit=100", Some(&admin), None),
    )
    .await
    .json();
    assert!(
        pickups["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|j| j["type"] == "pickup")
    );
    let dated = send(
        &app,
        api(
            "GET",
            "/jobs?date_from=2026-12-10&date_to=2026-12-12&limit=100",
            Some(&admin),
            None,
        ),
    )
    .await
    .json();
    assert!(dated["data"].as_array().unwrap().iter().all(|j| {
        let d = j["date"].as_str().unwrap();
        ("2026-12-10"..="2026-12-12").contains(&d)
    }));
    let at_b = send(
        &app,
        api(
            "GET",
            &format!("/jobs?location_id={other_loc}&limit=100"),
            Some(&admin),
            None,
        ),
    )
    .await
    .json();
    assert_eq!(count(&at_b), 41 - mine.len());
    w.state.clock.advance(60_000);
    let since = livreur::model::time::rfc3339(w.state.clock.now());
    let fresh = create(&app, &a, job_body(&w.location_id, "FRESH", "5145550000")).await;
    let changed = send(
        &app,
        api(
            "GET",
            &format!("/jobs?updated_since={since}"),
            Some(&a),
            None,
        ),
    )
    .await
    .json();
    assert_eq!(count(&changed), 1);
    assert_eq!(changed["data"][0]["id"], fresh["id"]);
}
db_test!(search_filters_pages_and_stays_within_your_jobs);
