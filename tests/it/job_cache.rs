//! The job read cache (docs/architecture.md, "The job read cache"), on
//! SQLite and PostgreSQL through the real router: a job read once is
//! served from memory on SQLite, every change is read back by the very
//! next request, another merchant never sees it, and reads racing with
//! changes never leave an older version behind. PostgreSQL has no cache:
//! the same answers come from the database.

use crate::common::world::*;
use crate::common::*;
use crate::jobs_api::job_body;
use serde_json::{Value, json};

/// `GET /jobs/{id}`: (status, version or null).
async fn read(app: &axum::Router, auth: &str, id: &str) -> (u16, Value) {
    let got = send(app, api("GET", &format!("/jobs/{id}"), Some(auth), None)).await;
    let version = match got.status {
        200 => got.json()["version"].clone(),
        _ => Value::Null,
    };
    (got.status, version)
}

/// `POST /jobs` at the world's location: the created job.
async fn create(app: &axum::Router, auth: &str, w: &World, reference: &str) -> Value {
    let body = job_body(&w.location_id, reference);
    let created = send(app, api("POST", "/jobs", Some(auth), Some(body))).await;
    assert_eq!(created.status, 201, "{}", created.body);
    created.json()
}

/// True when the job cache holds the job (SQLite); PostgreSQL has none.
fn kept(w: &World, id: &str) -> bool {
    w.state.db.job_cache().is_some_and(|c| {
        c.get(id, &livreur::server::db::jobs::Scope::All)
            .is_ok_and(|j| j.is_some())
    })
}

async fn every_change_is_read_by_the_very_next_request(t: &TestDb) {
    let w = world(t).await;
    let (_, account, key) = w.api_user("cache@example.com").await;
    let (other_account, other_key) = {
        let (_, a, k) = w.api_user("other@example.com").await;
        (a, k)
    };
    let (admin_account, admin_key) = w.admin_key().await;
    let me = basic(&account, &key);
    let other = basic(&other_account, &other_key);
    let boss = basic(&admin_account, &admin_key);
    let app = router(&w.state);
    let sqlite = w.state.db.job_cache().is_some();

    let created = create(&app, &me, &w, "CACHE-1").await;
    let id = created["id"].as_str().unwrap().to_owned();
    let action = created["actions"][0]["id"].as_str().unwrap().to_owned();
    assert!(!kept(&w, &id), "a create keeps nothing");
    assert_eq!(read(&app, &me, &id).await, (200, json!(1)));
    assert_eq!(kept(&w, &id), sqlite);
    // Kept or not: another merchant user does not see it, an
    // administrator does.
    assert_eq!(read(&app, &other, &id).await, (404, Value::Null));
    assert_eq!(read(&app, &boss, &id).await, (200, json!(1)));

    // Each change, then at once the read: the change's version, never
    // the kept one.
    let changes: Vec<(&str, String, &str, Option<Value>)> = vec![
        (
            "PATCH",
            format!("/jobs/{id}"),
            "me",
            Some(json!({"comment": "Ring twice"})),
        ),
        (
            "POST",
            format!("/jobs/{id}/actions"),
            "me",
            Some(json!({"description": "Lamp"})),
        ),
        (
            "PATCH",
            format!("/jobs/{id}/actions/{action}"),
            "me",
            Some(json!({"quantity": 7})),
        ),
        ("DELETE", format!("/jobs/{id}/actions/{action}"), "me", None),
        (
            "POST",
            format!("/jobs/{id}/status"),
            "boss",
            Some(json!({"status": "in_progress"})),
        ),
        (
            "POST",
            format!("/jobs/{id}/status"),
            "boss",
            Some(json!({"status": "completed"})),
        ),
    ];
    let mut version = 1;
    for (method, path, who, body) in changes {
        let auth = if who == "me" { &me } else { &boss };
        // Kept before the change (on SQLite), so the change must drop it.
        assert_eq!(read(&app, &me, &id).await, (200, json!(version)));
        assert_eq!(kept(&w, &id), sqlite, "{method} {path}");
        let done = send(&app, api(method, &path, Some(auth), body)).await;
        assert!(done.status < 300, "{method} {path}: {}", done.body);
        version += 1;
        assert!(!kept(&w, &id), "{method} {path}: still kept after it");
        assert_eq!(
            read(&app, &me, &id).await,
            (200, json!(version)),
            "{method} {path}"
        );
    }
    let job = send(&app, api("GET", &format!("/jobs/{id}"), Some(&me), None)).await;
    let job = job.json();
    assert_eq!(job["comment"], "Ring twice");
    assert_eq!(job["status"], "completed");
    assert_eq!(job["actions"].as_array().unwrap().len(), 1);
    assert_eq!(job["actions"][0]["description"], "Lamp");

    // A deleted job is not found by the very next read.
    let second = create(&app, &me, &w, "CACHE-2").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(read(&app, &me, &second).await, (200, json!(1)));
    assert_eq!(kept(&w, &second), sqlite);
    let gone = send(
        &app,
        api("DELETE", &format!("/jobs/{second}"), Some(&me), None),
    )
    .await;
    assert_eq!(gone.status, 204, "{}", gone.body);
    assert_eq!(read(&app, &me, &second).await, (404, Value::Null));
    assert_eq!(read(&app, &boss, &second).await, (404, Value::Null));
}
db_test!(every_change_is_read_by_the_very_next_request);

/// Readers hammer a job while it is changed one version at a time: after
/// each change returns, a read shows exactly its version. A reader whose
/// query began before a change and ended after it must not leave the
/// older version in the cache. (Through the services: the router's rate
/// limit would refuse readers this busy.)
async fn reads_racing_with_changes_keep_nothing_stale(t: &TestDb) {
    use livreur::server::services::jobs;
    let w = world(t).await;
    let me = w.user("race@example.com", "merchant_l2", true).await;
    let id = jobs::create(
        &w.state,
        &me,
        &crate::common::hooks::job_input(&w, "RACE-1"),
    )
    .await
    .unwrap()
    .id;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let readers: Vec<_> = (0..3)
        .map(|_| {
            let (state, me, id, stop) = (w.state.clone(), me.clone(), id.clone(), stop.clone());
            tokio::spawn(async move {
                let mut reads = 0u32;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    jobs::get(&state, &me, &id).await.unwrap();
                    reads += 1;
                    tokio::task::yield_now().await;
                }
                reads
            })
        })
        .collect();
    for version in 1..=100 {
        let body = json!({"comment": format!("v{}", version + 1)});
        let changed = jobs::patch(&w.state, &me, &id, &body, Some(version))
            .await
            .unwrap();
        assert_eq!(changed.version, version + 1);
        for _ in 0..3 {
            let read = jobs::get(&w.state, &me, &id).await.unwrap();
            assert_eq!(read.version, version + 1, "after change {version}");
        }
        tokio::task::yield_now().await;
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut reads = 0;
    for r in readers {
        reads += r.await.unwrap();
    }
    assert!(reads > 100, "the readers ran alongside ({reads} reads)");

    // The race above, made to happen: a read misses and queries, a change
    // commits, then the read's answer (the older version) comes to be kept.
    // It must not be, or the next read would serve it.
    if let Some(cache) = w.state.db.job_cache() {
        let scope = livreur::server::db::jobs::Scope::All;
        cache.forget(std::slice::from_ref(&id));
        let Err(ticket) = cache.get(&id, &scope) else {
            panic!("just forgotten")
        };
        let before = jobs::get(&w.state, &me, &id).await.unwrap();
        let body = json!({"comment": "after the race"});
        let after = jobs::patch(&w.state, &me, &id, &body, Some(before.version))
            .await
            .unwrap();
        cache.keep(ticket, &before);
        let read = jobs::get(&w.state, &me, &id).await.unwrap();
        assert_eq!(read.version, after.version, "the raced read was kept");
    }
}
db_test!(reads_racing_with_changes_keep_nothing_stale);
