//! Keys that do less and live shorter (docs/api-keys.md): read-only scope
//! on every route, expiry at the boundary, the maximum lifetime, IP
//! allow-lists (IPv4, IPv6, behind a proxy), per-key usage, and the expiry
//! notices mailed through a real SMTP server.

use axum::body::Body;
use axum::http::Request;
use serde_json::json;

use crate::common::smtp::Sink;
use crate::common::world::{api, basic, world};
use crate::common::{TestDb, router, send, settings, state_with};
use livreur::error::AppError;
use livreur::model::api::{KeyChoice, KeyLifetime, KeyScope, RollGrace};
use livreur::model::time::DAY_MS;
use livreur::server::api::policy::POLICIES;
use livreur::server::db::audit;
use livreur::server::services::{api_keys, key_notices};

/// A path of the policy table with its parameters filled in.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|part| {
            if part.starts_with('{') {
                "x_00000000000000000000000000".to_owned()
            } else {
                part.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// A read-only key may only read, on every route of the API: every other
/// method is refused before the handler runs, with `key_read_only`.
async fn read_only_keys_may_only_read_on_every_route(t: &TestDb) {
    let w = world(t).await;
    let app = router(&w.state);
    let (account, key) = w.admin_key().await;
    let writer = basic(&account, &key);
    let issued = send(
        &app,
        api(
            "POST",
            &format!("/users/{}/api-keys", w.admin.user.id),
            Some(&writer),
            Some(json!({"scope": "read_only"})),
        ),
    )
    .await;
    assert_eq!(issued.status, 201, "{}", issued.body);
    assert_eq!(issued.json()["scope"], "read_only");
    let reader = basic(&account, issued.json()["key"].as_str().unwrap());
    for (method, path, _) in POLICIES {
        let body = (*method != "GET").then(|| json!({}));
        let r = send(&app, api(method, &concrete(path), Some(&reader), body)).await;
        if *method == "GET" {
            assert!(
                r.status != 401 && r.status != 403,
                "GET {path} with a read-only key: {} {}",
                r.status,
                r.body
            );
        } else {
            assert_eq!(r.status, 403, "{method} {path}: {}", r.body);
            assert_eq!(r.json()["code"], "key_read_only", "{method} {path}");
        }
    }
    let head = send(&app, api("HEAD", "/ping", Some(&reader), None)).await;
    assert_eq!(head.status, 200);
    // Nothing was written: a job asked for with a valid body is refused.
    let job = json!({"type": "delivery", "date": "2026-12-01", "location_id": w.location_id,
        "customer": {"first_name": "Ana", "phone": "+15145550100"},
        "address": {"line1": "100 Rue Saint-Paul"}});
    let r = send(&app, api("POST", "/jobs", Some(&reader), Some(job.clone()))).await;
    assert_eq!(r.status, 403);
    let r = send(&app, api("GET", "/jobs", Some(&reader), None)).await;
    assert_eq!(r.json()["data"], json!([]));
    // The same request with a read-and-write key goes through.
    let r = send(&app, api("POST", "/jobs", Some(&writer), Some(job))).await;
    assert_eq!(r.status, 201, "{}", r.body);
    // An unknown scope is refused like any bad body.
    let r = send(
        &app,
        api(
            "POST",
            &format!("/users/{}/api-keys", w.admin.user.id),
            Some(&writer),
            Some(json!({"scope": "admin"})),
        ),
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.body);
}
db_test!(read_only_keys_may_only_read_on_every_route);

/// A key works until the millisecond before its expiry and not at it; the
/// refusal is the uniform 401, and the audit log says why, once.
async fn expiry_is_checked_at_the_boundary(t: &TestDb) {
    let w = world(t).await;
    let app = router(&w.state);
    let (user, account, _) = w.api_user("api@example.com").await;
    let (admin_account, admin_key) = w.admin_key().await;
    let r = send(
        &app,
        api(
            "POST",
            &format!("/users/{}/api-keys", user.user.id),
            Some(&basic(&admin_account, &admin_key)),
            Some(json!({"expires_in_seconds": 3600})),
        ),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["scope"], "read_write");
    let auth = basic(&account, r.json()["key"].as_str().unwrap());
    w.state.clock.advance(3_600_000 - 1);
    assert_eq!(
        send(&app, api("GET", "/ping", Some(&auth), None))
            .await
            .status,
        200
    );
    w.state.clock.advance(1);
    let expired = send(&app, api("GET", "/ping", Some(&auth), None)).await;
    let unknown = send(
        &app,
        api("GET", "/ping", Some(&basic(&account, "lvr_nope")), None),
    )
    .await;
    assert_eq!(expired.status, 401);
    assert_eq!(expired.body, unknown.body, "one answer for every failure");
    send(&app, api("GET", "/ping", Some(&auth), None)).await;
    let refused = audit::list_recent(&w.state.db, Some("api_key.refused"), 10)
        .await
        .unwrap();
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(
        refused[0].details.contains("\"expired\""),
        "{:?}",
        refused[0]
    );
}
db_test!(expiry_is_checked_at_the_boundary);

/// `LIVREUR_API_KEY_MAX_DAYS` is the default lifetime and the ceiling, in
/// the browser, on the API and on the command line.
async fn the_maximum_lifetime_caps_every_way_to_make_a_key(t: &TestDb) {
    let mut s = settings();
    s.api_key_max_days = Some(30);
    let mut w = world(t).await;
    w.state = state_with(t, s);
    let now = w.state.clock.now();
    let app = router(&w.state);
    let user = w.user("capped@example.com", "merchant_l2", true).await;

    let issued = api_keys::issue_for_user(
        &w.state,
        &w.admin,
        &w.admin.user.id,
        None,
        KeyScope::ReadWrite,
    )
    .await
    .unwrap();
    assert_eq!(issued.expires_at, Some(now + 30 * DAY_MS));
    let err = api_keys::issue_for_user(
        &w.state,
        &w.admin,
        &user.user.id,
        Some(30 * 86_400 + 1),
        KeyScope::ReadWrite,
    )
    .await
    .unwrap_err();
    assert_eq!(
        err.field_code("expires_in_seconds"),
        Some("longer_than_allowed")
    );
    let r = send(
        &app,
        api(
            "POST",
            &format!("/users/{}/api-keys", user.user.id),
            Some(&basic(&issued.account_id, &issued.key)),
            Some(json!({"expires_in_seconds": 31 * 86_400})),
        ),
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(r.json()["errors"][0]["field"], "expires_in_seconds");

    let access = api_keys::my_access(&w.state, &user).await.unwrap();
    assert_eq!(access.lifetimes, vec![KeyLifetime::Days30]);
    assert_eq!(access.max_days, Some(30));
    for lifetime in [
        KeyLifetime::Never,
        KeyLifetime::Days90,
        KeyLifetime::Days365,
    ] {
        let choice = KeyChoice {
            lifetime,
            ..Default::default()
        };
        let err = api_keys::generate(&w.state, &user, &choice)
            .await
            .unwrap_err();
        assert_eq!(
            err.field_code("lifetime"),
            Some("longer_than_allowed"),
            "{lifetime:?}"
        );
    }
    let choice = KeyChoice {
        lifetime: KeyLifetime::Days30,
        ..Default::default()
    };
    let made = api_keys::generate(&w.state, &user, &choice).await.unwrap();
    assert_eq!(made.expires_at, Some(now + 30 * DAY_MS));
    let cli = api_keys::issue_for_email(&w.state, "capped@example.com")
        .await
        .unwrap();
    assert_eq!(cli.expires_at, Some(now + 30 * DAY_MS));
}
db_test!(the_maximum_lifetime_caps_every_way_to_make_a_key);

/// A request from `peer`, forwarded for `xff` when given.
fn from(peer: &str, xff: Option<&str>, auth: &str) -> Request<Body> {
    let mut req = api("GET", "/ping", Some(auth), None);
    if let Some(xff) = xff {
        req.headers_mut()
            .insert("x-forwarded-for", xff.parse().unwrap());
    }
    req.extensions_mut().insert(axum::extract::ConnectInfo(
        peer.parse::<std::net::SocketAddr>().unwrap(),
    ));
    req
}

/// A key with an allow-list answers only requests from its networks, IPv4
/// and IPv6, and behind a trusted proxy only for the right-most address
/// that is not the proxy's: a client cannot forge its way in.
async fn allow_lists_admit_only_their_networks(t: &TestDb) {
    let mut s = settings();
    s.trust_proxy = true;
    s.trusted_proxies = "127.0.0.1".into();
    let mut w = world(t).await;
    w.state = state_with(t, s);
    let app = router(&w.state);
    let (user, account, key) = w.api_user("nets@example.com").await;
    let key_id = api_keys::my_access(&w.state, &user).await.unwrap().keys[0]
        .id
        .clone();
    let auth = basic(&account, &key);

    let err = api_keys::set_allowed_nets(&w.state, &user, &key_id, "203.0.113.0/24 nonsense")
        .await
        .unwrap_err();
    assert_eq!(err.field_code("allowed_nets"), Some("invalid_network"));
    let listed =
        api_keys::set_allowed_nets(&w.state, &user, &key_id, "203.0.113.9/24\n2001:db8::/32")
            .await
            .unwrap();
    assert_eq!(listed, vec!["203.0.113.0/24", "2001:db8::/32"]);

    let cases = [
        ("203.0.113.5:4000", None, 200),
        ("198.51.100.1:4000", None, 401),
        ("[2001:db8::5]:4000", None, 200),
        ("[2001:db9::1]:4000", None, 401),
        ("[::ffff:203.0.113.5]:4000", None, 200),
        ("127.0.0.1:4000", Some("203.0.113.9"), 200),
        ("127.0.0.1:4000", Some("198.51.100.7, 203.0.113.9"), 200),
        // The client put an allowed address first; the proxy saw another.
        ("127.0.0.1:4000", Some("203.0.113.9, 198.51.100.7"), 401),
        // Not a trusted proxy: its header is not believed.
        ("198.51.100.1:4000", Some("203.0.113.9"), 401),
        ("127.0.0.1:4000", Some("2001:db8::7"), 200),
    ];
    for (peer, xff, want) in cases {
        let r = send(&app, from(peer, xff, &auth)).await;
        assert_eq!(r.status, want, "{peer} {xff:?}: {}", r.body);
    }
    let refused = audit::list_recent(&w.state.db, Some("api_key.refused"), 50)
        .await
        .unwrap();
    assert!(
        refused.iter().any(
            |e| e.details.contains("address_not_allowed") && e.details.contains("198.51.100.7")
        ),
        "{refused:?}"
    );
    // Another user's key, or no such key, is not found.
    let (other, _, _) = w.api_user("other@example.com").await;
    assert_eq!(
        api_keys::set_allowed_nets(&w.state, &other, &key_id, "")
            .await
            .unwrap_err(),
        AppError::NotFound
    );
    // An empty list lets the key in from anywhere again.
    assert!(
        api_keys::set_allowed_nets(&w.state, &user, &key_id, " ")
            .await
            .unwrap()
            .is_empty()
    );
    let r = send(&app, from("198.51.100.1:4000", None, &auth)).await;
    assert_eq!(r.status, 200);
    let changed = audit::list_recent(&w.state.db, Some("api_key.allowed_nets_changed"), 10)
        .await
        .unwrap();
    assert_eq!(changed.len(), 2);
}
db_test!(allow_lists_admit_only_their_networks);

/// The owner sees each key's requests per day over 30 days, and where it
/// was last used from; keys near their end are flagged for the owner and
/// in the administrators' list, with their scope.
async fn owners_see_each_keys_usage_and_expiry(t: &TestDb) {
    let w = world(t).await;
    let app = router(&w.state);
    let (user, account, key) = w.api_user("usage@example.com").await;
    for _ in 0..3 {
        let r = send(&app, from("203.0.113.5:4000", None, &basic(&account, &key))).await;
        assert_eq!(r.status, 200);
    }
    w.state.usage.flush(&w.state.db).await.unwrap();
    let keys = api_keys::my_access(&w.state, &user).await.unwrap().keys;
    assert_eq!(keys[0].requests_30d.len(), 30);
    assert_eq!(keys[0].requests_30d[29], 3);
    assert_eq!(keys[0].last_used_ip.as_deref(), Some("203.0.113.5"));
    assert!(!keys[0].expiring_soon);

    // Rolled with a week's grace, the old key is flagged; the new one, read
    // only, is not.
    let choice = KeyChoice {
        scope: KeyScope::ReadOnly,
        lifetime: KeyLifetime::Days90,
        allowed_nets: String::new(),
    };
    api_keys::roll(&w.state, &user, &keys[0].id, RollGrace::SevenDays, &choice)
        .await
        .unwrap();
    let keys = api_keys::my_access(&w.state, &user).await.unwrap().keys;
    assert_eq!(keys.len(), 2);
    assert!(keys[0].expiring_soon);
    assert_eq!(
        (keys[1].scope, keys[1].expiring_soon),
        (KeyScope::ReadOnly, false)
    );
    let rows = api_keys::accounts(&w.state, &w.admin).await.unwrap();
    let row = rows
        .iter()
        .find(|r| r.email == "usage@example.com")
        .unwrap();
    assert_eq!(row.keys.len(), 2);
    assert!(row.keys[0].expiring_soon);
    assert_eq!(row.keys[1].scope, KeyScope::ReadOnly);
    assert_eq!(row.requests_7d[6], 3);
}
db_test!(owners_see_each_keys_usage_and_expiry);

/// With mail configured, a key's owner gets one e-mail 7 days before its
/// expiry and one 1 day before, in their language, through a real SMTP
/// server; a rolled key's chosen end gets none; the sent body is not kept.
async fn expiry_notices_are_mailed_7_and_1_days_before(t: &TestDb) {
    let sink = Sink::start();
    let mut s = settings();
    s.smtp_url = Some(sink.url.clone());
    s.mail_from = Some("Livreur <noreply@example.com>".into());
    let mut w = world(t).await;
    w.state = state_with(t, s);
    let (user, _, _) = w.api_user("notice@example.com").await;
    let mut tx = w.state.db.begin().await.unwrap();
    livreur::server::db::users::set_language(&mut tx, &user.user.id, livreur::model::Lang::Fr, 0)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let first = api_keys::my_access(&w.state, &user).await.unwrap().keys[0]
        .id
        .clone();
    let choice = KeyChoice {
        lifetime: KeyLifetime::Days30,
        ..Default::default()
    };
    // The key made at generation has no expiry; roll it now into a 30-day
    // one, the old one ending at once (no notice for that one).
    api_keys::roll(&w.state, &user, &first, RollGrace::Now, &choice)
        .await
        .unwrap();
    let send_all = || async {
        let queued = key_notices::send_expiry_notices(&w.state).await.unwrap();
        livreur::server::mail::send_due(&w.state).await.unwrap();
        queued
    };
    assert_eq!(send_all().await, 0);
    w.state.clock.advance(23 * DAY_MS - 1);
    assert_eq!(send_all().await, 0, "8 days left");
    w.state.clock.advance(1);
    assert_eq!(send_all().await, 1, "7 days left");
    assert_eq!(send_all().await, 0, "once");
    let mails = sink.messages();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].rcpt_tos, vec!["notice@example.com"]);
    assert!(mails[0].from.contains("noreply@example.com"));
    assert!(mails[0].subject.contains("7 jours"), "{}", mails[0].subject);
    assert!(
        mails[0].body.contains("Paramètres API"),
        "{}",
        mails[0].body
    );
    assert_eq!(mails[0].content_type, "text/plain");

    w.state.clock.advance(6 * DAY_MS);
    assert_eq!(send_all().await, 1, "1 day left");
    w.state.clock.advance(DAY_MS);
    assert_eq!(send_all().await, 0, "expired: nothing more");
    let mails = sink.messages();
    assert_eq!(mails.len(), 2);
    assert!(mails[1].subject.contains("demain"), "{}", mails[1].subject);
    assert!(
        !mails
            .iter()
            .any(|m| m.raw.contains("lvr_") && m.raw.len() > 10_000)
    );
    assert_eq!(
        livreur::server::db::mail::waiting(&w.state.db)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        livreur::server::db::mail::kept_bodies(&w.state.db)
            .await
            .unwrap(),
        0,
        "sent bodies are emptied"
    );
}
db_test!(expiry_notices_are_mailed_7_and_1_days_before);

/// A message the server cannot take now stays queued for a later attempt.
async fn unsent_mail_waits_for_a_retry(t: &TestDb) {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let mut s = settings();
    s.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
    s.mail_from = Some("noreply@example.com".into());
    let mut w = world(t).await;
    w.state = state_with(t, s);
    let (user, _, _) = w.api_user("retry@example.com").await;
    let choice = KeyChoice {
        lifetime: KeyLifetime::Days30,
        ..Default::default()
    };
    let first = api_keys::my_access(&w.state, &user).await.unwrap().keys[0]
        .id
        .clone();
    api_keys::roll(&w.state, &user, &first, RollGrace::Now, &choice)
        .await
        .unwrap();
    w.state.clock.advance(25 * DAY_MS);
    assert_eq!(key_notices::send_expiry_notices(&w.state).await.unwrap(), 1);
    assert_eq!(livreur::server::mail::send_due(&w.state).await.unwrap(), 1);
    assert_eq!(
        livreur::server::db::mail::waiting(&w.state.db)
            .await
            .unwrap(),
        1
    );
    // Not due again at once: the next attempt waits.
    assert_eq!(livreur::server::mail::send_due(&w.state).await.unwrap(), 0);
    w.state.clock.advance(61_000);
    assert_eq!(livreur::server::mail::send_due(&w.state).await.unwrap(), 1);
    assert_eq!(
        livreur::server::db::mail::waiting(&w.state.db)
            .await
            .unwrap(),
        1
    );
}
db_test!(unsent_mail_waits_for_a_retry);
