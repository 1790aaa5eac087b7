//! Invitations and password resets (docs/people.md): single-use links,
//! stored as hashes, e-mailed through a real SMTP server, that set a
//! password, end the user's other sessions and sign them in.

use serde_json::json;

use crate::common::smtp::Sink;
use crate::common::world::{api, basic, world};
use crate::common::{TestDb, router, send, settings, sign_in, state_with};
use livreur::error::AppError;
use livreur::server::db::{audit, mail};
use livreur::server::services::auth::Origin;
use livreur::server::services::user_links;

/// The token of a link.
fn token_of(url: &str) -> String {
    url.split_once("token=").unwrap().1.to_owned()
}

/// The token of the link in the `n`th message the sink received.
fn mailed_token(sink: &Sink, n: usize) -> String {
    sink.messages()[n]
        .body
        .split_whitespace()
        .find(|w| w.contains("token="))
        .map(token_of)
        .unwrap()
}

/// Sends what the mail queue holds, when it holds `n` messages (the reset
/// link is prepared after the answer).
async fn deliver(w: &crate::common::world::World, n: i64) {
    for _ in 0..100 {
        if mail::waiting(&w.state.db).await.unwrap() >= n {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    livreur::server::mail::send_due(&w.state).await.unwrap();
}

/// An administrator creates a user without a password: the user is invited,
/// the answer carries the link (once), the link is e-mailed, and the user
/// sets a password with it, once.
async fn an_invited_user_sets_a_password_with_the_link(t: &TestDb) {
    let sink = Sink::start();
    let mut s = settings();
    s.smtp_url = Some(sink.url.clone());
    s.mail_from = Some("Livreur <noreply@example.com>".into());
    let mut w = world(t).await;
    w.state = state_with(t, s);
    let app = router(&w.state);
    let (account, key) = w.admin_key().await;
    let auth = basic(&account, &key);
    let path = format!("/merchants/{}/users", w.merchant_id);
    let r = send(
        &app,
        api(
            "POST",
            &path,
            Some(&auth),
            Some(json!({"email": "new@example.com",
            "display_name": "Nouvelle", "role": "merchant_l1", "password": ""})),
        ),
    )
    .await;
    assert_eq!(
        r.status, 422,
        "an empty password is not an invitation: {}",
        r.body
    );
    let r = send(
        &app,
        api(
            "POST",
            &path,
            Some(&auth),
            Some(json!({"email": "new@example.com",
            "display_name": "Nouvelle", "role": "merchant_l1"})),
        ),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["invited"], true);
    let url = r.json()["invitation_url"].as_str().unwrap().to_owned();
    assert!(
        url.starts_with("http://127.0.0.1:3000/set-password?token="),
        "{url}"
    );
    let user_id = r.json()["id"].as_str().unwrap().to_owned();
    // Shown once: reading the user again does not show it.
    let again = send(
        &app,
        api("GET", &format!("/users/{user_id}"), Some(&auth), None),
    )
    .await;
    assert!(
        again.json().get("invitation_url").is_none(),
        "{}",
        again.body
    );
    // Nothing signs in before the password is set.
    let tried = livreur::server::services::auth::sign_in(
        &w.state,
        "new@example.com",
        "!invited",
        &Origin::default(),
    )
    .await;
    assert_eq!(tried.err(), Some(AppError::InvalidCredentials));

    // Queued, the message is sealed: the link is not in the table.
    let token = token_of(&url);
    let queued: Vec<String> = match &w.state.db {
        livreur::server::db::Db::Sqlite { read, .. } => {
            sqlx::query_scalar("SELECT body FROM mail_outbox")
                .fetch_all(read)
                .await
                .unwrap()
        }
        livreur::server::db::Db::Postgres(pool, ..) => {
            sqlx::query_scalar("SELECT body FROM mail_outbox")
                .fetch_all(pool)
                .await
                .unwrap()
        }
    };
    assert_eq!(queued.len(), 1);
    assert!(!queued[0].contains(&token) && !queued[0].contains("Nouvelle"));
    deliver(&w, 1).await;
    let mails = sink.messages();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].rcpt_tos, vec!["new@example.com"]);
    assert!(mails[0].body.contains(&url), "{}", mails[0].body);

    let (purpose, email) = user_links::status(&w.state, &token).await.unwrap().unwrap();
    assert_eq!(
        (purpose, email.as_str()),
        (user_links::Purpose::Invite, "new@example.com")
    );
    let err = user_links::set_password(&w.state, &token, "short", "short", &Origin::default())
        .await
        .err()
        .unwrap();
    assert_eq!(err.field_code("password"), Some("password_too_short"));
    let err = user_links::set_password(
        &w.state,
        &token,
        "a long password",
        "a long passwork",
        &Origin::default(),
    )
    .await
    .err()
    .unwrap();
    assert_eq!(err.field_code("confirm"), Some("passwords_differ"));
    let signed = user_links::set_password(
        &w.state,
        &token,
        "a long password",
        "a long password",
        &Origin::default(),
    )
    .await
    .unwrap();
    assert_eq!(signed.user.email, "new@example.com");
    sign_in(&app, "new@example.com", "a long password").await;
    // Single use.
    assert_eq!(user_links::status(&w.state, &token).await.unwrap(), None);
    let err = user_links::set_password(
        &w.state,
        &token,
        "another long one",
        "another long one",
        &Origin::default(),
    )
    .await
    .err()
    .unwrap();
    assert_eq!(err, AppError::NotFound);
    let accepted = audit::list_recent(&w.state.db, Some("user.invitation_accepted"), 5)
        .await
        .unwrap();
    assert_eq!(accepted.len(), 1);
    // The link never rests in clear: not in the audit log, not in the
    // queue once sent.
    let all = audit::list_recent(&w.state.db, None, 100).await.unwrap();
    assert!(all.iter().all(|e| !e.details.contains(&token)));
    assert_eq!(mail::kept_bodies(&w.state.db).await.unwrap(), 0);
}
db_test!(an_invited_user_sets_a_password_with_the_link);

/// A new invitation link replaces the previous one; a user with a password
/// cannot be invited again; an invitation expires after 72 hours.
async fn a_new_invitation_replaces_the_old_one(t: &TestDb) {
    let w = world(t).await;
    let app = router(&w.state);
    let (account, key) = w.admin_key().await;
    let auth = basic(&account, &key);
    let path = format!("/merchants/{}/users", w.merchant_id);
    let r = send(
        &app,
        api(
            "POST",
            &path,
            Some(&auth),
            Some(json!({"email": "again@example.com",
            "display_name": "Encore", "role": "merchant_l2"})),
        ),
    )
    .await;
    let first = token_of(r.json()["invitation_url"].as_str().unwrap());
    let user_id = r.json()["id"].as_str().unwrap().to_owned();
    let second = user_links::reinvite(&w.state, &w.admin, &user_id)
        .await
        .unwrap();
    assert!(!second.mailed, "no mail configured");
    assert_eq!(user_links::status(&w.state, &first).await.unwrap(), None);
    let second = token_of(&second.url);
    assert!(
        user_links::status(&w.state, &second)
            .await
            .unwrap()
            .is_some()
    );
    w.state.clock.advance(user_links::INVITE_MS);
    assert_eq!(user_links::status(&w.state, &second).await.unwrap(), None);
    let third = token_of(
        &user_links::reinvite(&w.state, &w.admin, &user_id)
            .await
            .unwrap()
            .url,
    );
    user_links::set_password(
        &w.state,
        &third,
        "a long password",
        "a long password",
        &Origin::default(),
    )
    .await
    .unwrap();
    assert_eq!(
        user_links::reinvite(&w.state, &w.admin, &user_id)
            .await
            .unwrap_err(),
        AppError::conflict("not_invited")
    );
    // Only administrators invite.
    let merchant = w.user("m@example.com", "merchant_l2", false).await;
    assert_eq!(
        user_links::reinvite(&w.state, &merchant, &user_id)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
}
db_test!(a_new_invitation_replaces_the_old_one);

/// "Forgot your password?": the same answer for any address; an existing
/// one gets a link valid 1 hour that ends the user's other sessions.
async fn a_forgotten_password_is_reset_by_mail(t: &TestDb) {
    let sink = Sink::start();
    let mut s = settings();
    s.smtp_url = Some(sink.url.clone());
    s.mail_from = Some("noreply@example.com".into());
    let mut w = world(t).await;
    w.state = state_with(t, s);
    let app = router(&w.state);
    w.user("forgot@example.com", "merchant_l1", false).await;
    let old_session = sign_in(&app, "forgot@example.com", "a long password").await;
    let origin = Origin {
        ip: Some("192.0.2.10".into()),
        ..Default::default()
    };
    user_links::request_reset(&w.state, "nobody@example.com", &origin)
        .await
        .unwrap();
    user_links::request_reset(&w.state, "Forgot@Example.com ", &origin)
        .await
        .unwrap();
    deliver(&w, 1).await;
    let mails = sink.messages();
    assert_eq!(mails.len(), 1, "only the existing address gets mail");
    assert_eq!(mails[0].rcpt_tos, vec!["forgot@example.com"]);
    let token = mailed_token(&sink, 0);
    assert_eq!(
        user_links::status(&w.state, &token)
            .await
            .unwrap()
            .map(|(p, _)| p),
        Some(user_links::Purpose::Reset)
    );
    user_links::set_password(
        &w.state,
        &token,
        "a new long password",
        "a new long password",
        &origin,
    )
    .await
    .unwrap();
    // The session signed in before the reset is over.
    let page = send(&app, crate::common::get("/", Some(&old_session))).await;
    let me = send(
        &app,
        crate::common::server_fn("current_user", &[], Some(&old_session)),
    )
    .await;
    assert!(
        me.body.contains("null"),
        "old session still signed in: {} / {}",
        me.body,
        page.status
    );
    sign_in(&app, "forgot@example.com", "a new long password").await;
    let reset = audit::list_recent(&w.state.db, Some("user.password_reset"), 5)
        .await
        .unwrap();
    assert_eq!(reset.len(), 1);
    assert!(
        reset[0].details.contains("\"sessions_ended\":1"),
        "{:?}",
        reset[0]
    );

    // A reset link lasts an hour.
    user_links::request_reset(&w.state, "forgot@example.com", &origin)
        .await
        .unwrap();
    deliver(&w, 1).await;
    let token = mailed_token(&sink, 1);
    w.state.clock.advance(user_links::RESET_MS);
    assert_eq!(user_links::status(&w.state, &token).await.unwrap(), None);

    // One address cannot ask without end.
    let mut throttled = false;
    for _ in 0..10 {
        if let Err(AppError::TooManyAttempts { .. }) =
            user_links::request_reset(&w.state, "nobody@example.com", &origin).await
        {
            throttled = true;
            break;
        }
    }
    assert!(throttled, "reset requests are throttled per address");
}
db_test!(a_forgotten_password_is_reset_by_mail);

/// Whether a session cookie still signs someone in.
async fn signed_in(app: &axum::Router, session: &str) -> bool {
    let me = send(
        app,
        crate::common::server_fn("current_user", &[], Some(session)),
    )
    .await;
    me.status == 200 && me.body != "null"
}

/// The profile lists the user's sessions; one can be ended, or every other
/// one; an administrator ends them all.
async fn sessions_are_listed_and_ended(t: &TestDb) {
    let w = world(t).await;
    let app = router(&w.state);
    w.user("two@example.com", "merchant_l1", false).await;
    let a = sign_in(&app, "two@example.com", "a long password").await;
    let b = sign_in(&app, "two@example.com", "a long password").await;
    let c = sign_in(&app, "two@example.com", "a long password").await;
    let list = send(
        &app,
        crate::common::server_fn_json("my_sessions", json!({}), Some(&a)),
    )
    .await;
    assert_eq!(list.status, 200, "{}", list.body);
    let rows = list.json();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows.iter().filter(|r| r["current"] == true).count(), 1);
    assert!(!list.body.contains(&livreur::server::ids::token_hash(&a)));

    // One other session, by its id.
    let other_id = rows.iter().find(|r| r["current"] == false).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = send(
        &app,
        crate::common::server_fn_json("end_session", json!({"id": other_id}), Some(&a)),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        [signed_in(&app, &b).await, signed_in(&app, &c).await]
            .iter()
            .filter(|s| **s)
            .count(),
        1
    );
    // Nobody ends someone else's session by guessing.
    let stranger = sign_in(
        &app,
        crate::common::ADMIN_EMAIL,
        crate::common::ADMIN_PASSWORD,
    )
    .await;
    let r = send(
        &app,
        crate::common::server_fn_json("end_session", json!({"id": other_id}), Some(&stranger)),
    )
    .await;
    assert_eq!(r.status, 404, "{}", r.body);

    // Every other one.
    let r = send(
        &app,
        crate::common::server_fn_json("end_other_sessions", json!({}), Some(&a)),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(signed_in(&app, &a).await);
    assert!(!signed_in(&app, &b).await && !signed_in(&app, &c).await);

    // An administrator signs the user out everywhere.
    let user = w.user("three@example.com", "merchant_l1", false).await;
    let d = sign_in(&app, "three@example.com", "a long password").await;
    assert_eq!(
        livreur::server::services::sessions::end_all_of_user(&w.state, &w.admin, &user.user.id)
            .await
            .unwrap(),
        1
    );
    assert!(!signed_in(&app, &d).await);
    for action in ["session.ended", "session.ended_others", "session.ended_all"] {
        let entries = audit::list_recent(&w.state.db, Some(action), 5)
            .await
            .unwrap();
        assert_eq!(entries.len(), 1, "{action}");
    }
}
db_test!(sessions_are_listed_and_ended);

/// Making an API key (or a webhook, or rotating its secret) asks for the
/// password again once the last proof is over 10 minutes old.
async fn sensitive_actions_ask_again_after_ten_minutes(t: &TestDb) {
    let w = world(t).await;
    let app = router(&w.state);
    w.user("proof@example.com", "merchant_l2", true).await;
    let session = sign_in(&app, "proof@example.com", "a long password").await;
    let generate = || {
        crate::common::server_fn_json(
            "generate_api_key",
            json!({"choice": {"scope": "read_only", "lifetime": "30", "allowed_nets": ""}}),
            Some(&session),
        )
    };
    let r = send(&app, generate()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let key_id = r.json()["key_id"].as_str().unwrap().to_owned();
    w.state.clock.advance(10 * 60_000);
    let r = send(
        &app,
        crate::common::server_fn_json("revoke_api_key", json!({"key_id": key_id}), Some(&session)),
    )
    .await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("reauth_required"), "{}", r.body);
    let wrong = send(
        &app,
        crate::common::server_fn_json(
            "confirm_identity",
            json!({"password": "not the password", "code": ""}),
            Some(&session),
        ),
    )
    .await;
    assert_eq!(wrong.status, 401, "{}", wrong.body);
    let ok = send(
        &app,
        crate::common::server_fn_json(
            "confirm_identity",
            json!({"password": "a long password", "code": ""}),
            Some(&session),
        ),
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    let r = send(
        &app,
        crate::common::server_fn_json("revoke_api_key", json!({"key_id": key_id}), Some(&session)),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let confirmed = audit::list_recent(&w.state.db, Some("auth.reauthenticated"), 5)
        .await
        .unwrap();
    assert_eq!(confirmed.len(), 1);
}
db_test!(sensitive_actions_ask_again_after_ten_minutes);
