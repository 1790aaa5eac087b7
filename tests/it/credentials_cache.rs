//! The credentials cache (docs/api-keys.md, "Authentication and the
//! cache"), on SQLite and PostgreSQL: a key is served from memory once
//! known, and every change that refuses it refuses the very next request;
//! on PostgreSQL a change committed by another instance empties the cache
//! through `LISTEN/NOTIFY`, and without the listener the cache is not used.

use crate::common::world::*;
use crate::common::*;
use livreur::model::api::{KeyChoice, KeyLifetime, RollGrace};
use livreur::model::org::MerchantUserPatch;
use livreur::server::db::Db;
use livreur::server::services::{api_keys, merchant_users as users};
use livreur::server::{credentials, keys};
use std::time::{Duration, Instant};

async fn ping(app: &axum::Router, account: &str, key: &str) -> u16 {
    let auth = basic(account, key);
    send(app, api("GET", "/ping", Some(&auth), None))
        .await
        .status
}

/// On PostgreSQL, starts the listener and waits until the cache is used.
async fn listening(w: &World) -> Option<tokio::sync::watch::Sender<bool>> {
    let Db::Postgres(pool, ..) = &w.state.db else {
        assert!(w.state.credentials.trusted(), "SQLite: used from the start");
        return None;
    };
    assert!(!w.state.credentials.trusted(), "not before the listener");
    let (stop, stop_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(credentials::listen(
        pool.clone(),
        w.state.credentials.clone(),
        stop_rx,
    ));
    let end = Instant::now() + Duration::from_secs(10);
    while !w.state.credentials.trusted() {
        assert!(Instant::now() < end, "the listener did not start");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Some(stop)
}

/// True when the key is answered from memory.
fn cached(w: &World, key: &str) -> bool {
    let now = w.state.clock.now();
    w.state.credentials.get(&keys::hash(key), now).is_ok()
}

/// Pings with the key until it is answered from memory. On PostgreSQL a
/// change's own notification arrives a moment after its commit and
/// empties the cache once more, so the first answer may not be kept.
async fn known(w: &World, app: &axum::Router, account: &str, key: &str) {
    for _ in 0..100 {
        assert_eq!(ping(app, account, key).await, 200);
        if cached(w, key) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("never kept after a success");
}

/// Round after round, a key is known, served from memory, then refused by
/// one change: revoked, rolled at once, API access off, demoted,
/// deactivated, or expired. The request right after the change is refused
/// every time, and the new key of a roll works at once.
async fn every_change_refuses_the_very_next_request(t: &TestDb) {
    let w = world(t).await;
    let _stop = listening(&w).await;
    let app = router(&w.state);
    for round in 0..24 {
        let email = format!("cache{round}@example.com");
        let user = w.user(&email, "merchant_l2", true).await;
        let lifetime = match round % 6 {
            5 => KeyLifetime::Days30,
            _ => KeyLifetime::Never,
        };
        let choice = KeyChoice {
            lifetime,
            ..Default::default()
        };
        let issued = api_keys::generate(&w.state, &user, &choice).await.unwrap();
        let (account, key) = (issued.account_id.clone(), issued.key.clone());
        known(&w, &app, &account, &key).await;
        assert_eq!(ping(&app, &account, &key).await, 200, "from memory");
        match round % 6 {
            0 => api_keys::revoke(&w.state, &user, &issued.key_id)
                .await
                .unwrap(),
            1 => {
                let new = api_keys::roll(&w.state, &user, &issued.key_id, RollGrace::Now, &choice)
                    .await
                    .unwrap();
                assert_eq!(ping(&app, &new.account_id, &new.key).await, 200);
            }
            2 => {
                users::set_api_access(&w.state, &w.admin, &user.user.id, false)
                    .await
                    .unwrap();
            }
            3 => {
                let demote = MerchantUserPatch {
                    role: Some("merchant_l1".into()),
                    ..Default::default()
                };
                users::update(&w.state, &w.admin, &user.user.id, &demote)
                    .await
                    .unwrap();
            }
            4 => {
                let deactivate = MerchantUserPatch {
                    active: Some(false),
                    ..Default::default()
                };
                users::update(&w.state, &w.admin, &user.user.id, &deactivate)
                    .await
                    .unwrap();
            }
            _ => w.state.clock.advance(30 * 86_400_000 + 1),
        }
        assert_eq!(
            ping(&app, &account, &key).await,
            401,
            "round {round}: the very next request"
        );
        assert!(
            !cached(&w, &key),
            "round {round}: a refused key is not kept"
        );
    }
}
db_test!(every_change_refuses_the_very_next_request);

/// PostgreSQL: a revocation committed by another instance (here, SQL on
/// the pool, which this process's cache does not see) empties the cache
/// through the trigger's `NOTIFY`, well within the documented bound of one
/// second. With the listener stopped, the cache is not used at all.
async fn other_instances_changes_arrive_by_notify(t: &TestDb) {
    let w = world(t).await;
    let Db::Postgres(pool, ..) = &w.state.db else {
        return;
    };
    let stop = listening(&w).await.unwrap();
    let app = router(&w.state);
    let (user, account, key) = w.api_user("notify@example.com").await;
    let mut windows = Vec::new();
    for round in 0..5 {
        let issued = if round == 0 {
            None
        } else {
            Some(
                api_keys::generate(&w.state, &user, &KeyChoice::default())
                    .await
                    .unwrap(),
            )
        };
        let (account, key) = issued
            .as_ref()
            .map(|i| (i.account_id.clone(), i.key.clone()))
            .unwrap_or((account.clone(), key.clone()));
        known(&w, &app, &account, &key).await;
        sqlx::query("UPDATE api_keys SET revoked_at = 1 WHERE key_hash = $1")
            .bind(keys::hash(&key))
            .execute(pool)
            .await
            .unwrap();
        let committed = Instant::now();
        while cached(&w, &key) {
            assert!(
                committed.elapsed() < Duration::from_secs(1),
                "round {round}: not emptied within a second"
            );
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
        windows.push(committed.elapsed());
        assert_eq!(ping(&app, &account, &key).await, 401);
    }
    eprintln!("credentials: another instance's change emptied the cache after {windows:?}");
    // Listener stopped: every request asks the database.
    stop.send(true).unwrap();
    let end = Instant::now() + Duration::from_secs(5);
    while w.state.credentials.trusted() {
        assert!(Instant::now() < end);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let issued = api_keys::generate(&w.state, &user, &KeyChoice::default())
        .await
        .unwrap();
    assert_eq!(ping(&app, &issued.account_id, &issued.key).await, 200);
    assert!(!cached(&w, &issued.key) && w.state.credentials.is_empty());
}
db_test!(other_instances_changes_arrive_by_notify);
