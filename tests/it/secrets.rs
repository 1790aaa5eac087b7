//! Secrets at rest (docs/security.md): no issued API key and no webhook
//! signing secret sits anywhere in the database in clear, the responses
//! kept for `Idempotency-Key` replays included, on SQLite (the files on
//! disk) and PostgreSQL (every row of every table).

use axum::body::Body;
use axum::http::Request;
use livreur::on_read;
use livreur::server::api::idempotency::seal_stored_responses;
use serde_json::json;

use crate::common::hooks::{hooks_world, receiver};
use crate::common::world::*;
use crate::common::*;

fn with_key(mut req: Request<Body>, key: &str) -> Request<Body> {
    req.headers_mut()
        .insert("idempotency-key", key.parse().unwrap());
    req
}

/// Everything the database holds, as bytes to search: SQLite's file and
/// write-ahead log; on PostgreSQL each row of each table as text, where a
/// `bytea` column reads as hex (searched for too, by the caller).
async fn everything_stored(t: &TestDb) -> Vec<u8> {
    match t.backend {
        "sqlite" => {
            let (_, _, file): (i64, String, String) = on_read!(&t.db, pool => {
                sqlx::query_as("PRAGMA database_list").fetch_one(pool).await.unwrap()
            });
            let mut bytes = std::fs::read(&file).unwrap();
            bytes.extend(std::fs::read(format!("{file}-wal")).unwrap_or_default());
            bytes
        }
        _ => {
            let tables: Vec<(String,)> = on_read!(&t.db, pool => {
                sqlx::query_as(
                    "SELECT table_name::text FROM information_schema.tables \
                     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
                )
                .fetch_all(pool)
                .await
                .unwrap()
            });
            let mut out = Vec::new();
            for (table,) in tables {
                let rows: Vec<(String,)> = on_read!(&t.db, pool => {
                    sqlx::query_as(&format!("SELECT CAST(t AS TEXT) FROM \"{table}\" t"))
                        .fetch_all(pool)
                        .await
                        .unwrap()
                });
                for (row,) in rows {
                    out.extend(row.into_bytes());
                    out.push(b'\n');
                }
            }
            out
        }
    }
}

/// An administrator's `POST /users/{id}/api-keys` under `idempotency_key`.
fn issue_request(admin_auth: &str, user_id: &str, idempotency_key: &str) -> Request<Body> {
    with_key(
        api(
            "POST",
            &format!("/users/{user_id}/api-keys"),
            Some(admin_auth),
            None,
        ),
        idempotency_key,
    )
}

fn holds(haystack: &[u8], needle: &str) -> bool {
    let hex: String = needle.bytes().map(|b| format!("{b:02x}")).collect();
    [needle.as_bytes(), hex.as_bytes()]
        .iter()
        .any(|n| haystack.windows(n.len()).any(|w| w == *n))
}

async fn no_secret_rests_in_clear(t: &TestDb) {
    let w = hooks_world(t, "0,5", 5, 120).await;
    let (_, base) = receiver().await;
    let (admin_account, admin_key) = w.admin_key().await;
    let boss = basic(&admin_account, &admin_key);
    let user = w.user("l2@example.com", "merchant_l2", true).await;
    let app = router(&w.state);

    let issue = || issue_request(&boss, &user.user.id, "issue-1");
    let issued = send(&app, issue()).await;
    assert_eq!(issued.status, 201, "{}", issued.body);
    let key = issued.json()["key"].as_str().unwrap().to_owned();
    // The client that lost the answer gets its key again, byte for byte.
    let again = send(&app, issue()).await;
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.body, issued.body);

    let hook =
        json!({"url": format!("{base}/hook"), "location_id": w.location_id, "events": ["*"]});
    let made = send(
        &app,
        with_key(api("POST", "/webhooks", Some(&boss), Some(hook)), "hook-1"),
    )
    .await;
    assert_eq!(made.status, 201, "{}", made.body);
    let secret = made.json()["secret"].as_str().unwrap().to_owned();

    let stored = everything_stored(t).await;
    assert!(
        holds(&stored, &user.user.id),
        "the search does see the data"
    );
    for (what, value) in [
        ("issued key", key.as_str()),
        ("administrator's key", admin_key.as_str()),
        ("signing secret", secret.as_str()),
        (
            "signing secret's bytes",
            secret.trim_start_matches("whsec_"),
        ),
    ] {
        assert!(!holds(&stored, value), "the {what} is stored in clear");
    }
}
db_test!(no_secret_rests_in_clear);

/// Responses kept in clear by an earlier version are sealed when the
/// server starts, and still replay.
async fn responses_kept_in_clear_are_sealed_at_start(t: &TestDb) {
    use livreur::server::db::idempotency;
    let w = world(t).await;
    let (account, admin_key) = w.admin_key().await;
    let boss = basic(&account, &admin_key);
    let user = w.user("l2@example.com", "merchant_l2", true).await;
    let app = router(&w.state);
    let issue = || issue_request(&boss, &user.user.id, "old-1");
    let first = send(&app, issue()).await;
    assert_eq!(first.status, 201, "{}", first.body);
    let key = first.json()["key"].as_str().unwrap().to_owned();
    // As an earlier version kept it: in clear.
    idempotency::replace_body(&w.state.db, &account, "old-1", first.body.as_bytes())
        .await
        .unwrap();
    // The rows as they are now (the files may keep a freed page's old
    // bytes until SQLite reuses it; the first test covers the files).
    let bodies = || async {
        let rows = idempotency::stored_bodies(&w.state.db, false)
            .await
            .unwrap();
        rows.into_iter().flat_map(|r| r.2).collect::<Vec<u8>>()
    };
    assert!(holds(&bodies().await, &key));
    assert_eq!(seal_stored_responses(&w.state).await.unwrap(), 1);
    assert_eq!(seal_stored_responses(&w.state).await.unwrap(), 0, "once");
    assert!(!holds(&bodies().await, &key));
    let again = send(&app, issue()).await;
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.body, first.body);
}
db_test!(responses_kept_in_clear_are_sealed_at_start);
