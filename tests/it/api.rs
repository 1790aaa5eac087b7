//! The REST API's authentication (docs/api.md, Authentication) through
//! the real router on SQLite and PostgreSQL: one 401 for every failure,
//! last use, forwarded addresses.

use crate::common::world::*;
use crate::common::*;
use axum::body::Body;
use axum::http::Request;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use livreur::model::org::MerchantUserPatch;
use livreur::server::AppState;
use livreur::server::services::{api_keys, merchant_users};

pub(crate) async fn ping(state: &AppState, auth: &str) -> Reply {
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
    assert_eq!(me["user_id"], user.user.id);
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
    merchant_users::set_api_access(&w.state, &w.admin, &user.user.id, false)
        .await
        .unwrap();
    bodies.push(("revoked", ping(&w.state, &basic(&account, &key)).await.body));
    let (user2, account2, key2) = w.api_user("other@example.com").await;
    merchant_users::update(
        &w.state,
        &w.admin,
        &user2.user.id,
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
    let expiring = api_keys::issue_for_user(
        &w.state,
        &w.admin,
        &w.admin.user.id,
        Some(60),
        Default::default(),
    )
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
