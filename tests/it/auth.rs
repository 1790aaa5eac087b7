//! Sign-in, sessions, cookies and the cross-site guard, through the real
//! router, on SQLite and PostgreSQL (throttling is in `sign_in_throttles`).

use crate::common::*;
use axum::body::Body;
use axum::http::{Request, header};
use livreur::server::db::audit;

async fn sign_in_sets_a_strict_http_only_cookie(t: &TestDb) {
    let state = state(t);
    create_admin(&state).await;
    let app = router(&state);
    let reply = send(
        &app,
        server_fn(
            "sign_in",
            &[("email", "Admin@Example.com"), ("password", ADMIN_PASSWORD)],
            None,
        ),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["language"], "en");
    let cookie = reply
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("livreur_session="))
        .expect("session cookie");
    assert!(cookie.contains("; HttpOnly"), "{cookie}");
    assert!(cookie.contains("; SameSite=Strict"), "{cookie}");
    assert!(cookie.contains("; Path=/"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "plain http must not mark it Secure: {cookie}"
    );
    let token = reply.cookie("livreur_session").unwrap();
    assert!(token.len() >= 43);

    // The cookie identifies the user.
    let me = send(&app, server_fn("current_user", &[], Some(&token))).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["user"]["email"], ADMIN_EMAIL);
    assert_eq!(me.json()["user"]["role"], "admin");
}
db_test!(sign_in_sets_a_strict_http_only_cookie);

async fn cookie_is_secure_behind_https(t: &TestDb) {
    let mut settings = settings();
    settings.public_url = Some("https://livreur.example.com".into());
    let state = state_with(t, settings);
    create_admin(&state).await;
    let app = router(&state);
    let mut req = server_fn(
        "sign_in",
        &[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)],
        None,
    );
    req.headers_mut().remove("sec-fetch-site");
    req.headers_mut().insert(
        header::ORIGIN,
        "https://livreur.example.com".parse().unwrap(),
    );
    let reply = send(&app, req).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let cookie = reply
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("__Host-livreur_session="))
        .unwrap();
    assert!(
        cookie.ends_with("; Path=/; HttpOnly; SameSite=Strict; Secure"),
        "{cookie}"
    );
    assert!(!cookie.contains("Domain"), "{cookie}");
    assert_eq!(
        reply.header("strict-transport-security"),
        Some("max-age=31536000")
    );
    // The session is found under that name, and only under it.
    let token = cookie
        .trim_start_matches("__Host-livreur_session=")
        .split(';')
        .next()
        .unwrap();
    let me = |name: &str| {
        let mut req = get("/", None);
        req.headers_mut()
            .insert(header::COOKIE, format!("{name}={token}").parse().unwrap());
        req
    };
    assert_eq!(send(&app, me("__Host-livreur_session")).await.status, 200);
    assert_eq!(send(&app, me("livreur_session")).await.status, 302);
}
db_test!(cookie_is_secure_behind_https);

async fn wrong_password_and_unknown_email_look_the_same(t: &TestDb) {
    let state = state(t);
    create_admin(&state).await;
    let app = router(&state);
    let wrong = send(
        &app,
        server_fn(
            "sign_in",
            &[("email", ADMIN_EMAIL), ("password", "not the password")],
            None,
        ),
    )
    .await;
    let unknown = send(
        &app,
        server_fn(
            "sign_in",
            &[
                ("email", "nobody@example.com"),
                ("password", "not the password"),
            ],
            None,
        ),
    )
    .await;
    assert_eq!(wrong.status, 401);
    assert_eq!(unknown.status, 401);
    assert_eq!(wrong.body, unknown.body);
    assert_eq!(wrong.json()["kind"], "invalid_credentials");
    assert!(wrong.cookie("livreur_session").is_none());

    // Both failures are in the audit log, with the address tried.
    let events = audit::list_recent(&state.db, Some("auth.sign_in_failed"), 10)
        .await
        .unwrap();
    assert_eq!(events.len(), 2);
    assert!(events.iter().any(|e| e.actor_label == "nobody@example.com"));
    assert!(events.iter().all(|e| e.actor_user_id.is_none()));
}
db_test!(wrong_password_and_unknown_email_look_the_same);

async fn sign_out_ends_the_session(t: &TestDb) {
    let state = state(t);
    create_admin(&state).await;
    let app = router(&state);
    let token = sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let out = send(&app, server_fn("sign_out", &[], Some(&token))).await;
    assert_eq!(out.status, 200, "{}", out.body);
    assert!(
        out.set_cookies()
            .iter()
            .any(|c| c.starts_with("livreur_session=;") && c.contains("Max-Age=0"))
    );
    let me = send(&app, server_fn("current_user", &[], Some(&token))).await;
    assert_eq!(me.body, "null");
}
db_test!(sign_out_ends_the_session);

async fn sessions_expire_when_idle_and_at_the_deadline(t: &TestDb) {
    let state = state(t);
    create_admin(&state).await;
    let app = router(&state);
    let idle = state.settings.session_idle_ms();

    let token = sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    state.clock.advance(idle - 60_000);
    // Activity within the idle window keeps it alive…
    assert_ne!(
        send(&app, server_fn("current_user", &[], Some(&token)))
            .await
            .body,
        "null"
    );
    state.clock.advance(idle - 60_000);
    assert_ne!(
        send(&app, server_fn("current_user", &[], Some(&token)))
            .await
            .body,
        "null"
    );
    // …and silence ends it.
    state.clock.advance(idle + 1);
    assert_eq!(
        send(&app, server_fn("current_user", &[], Some(&token)))
            .await
            .body,
        "null"
    );

    // However active, a session ends at its absolute deadline.
    let token = sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let max = state.settings.session_max_ms();
    let mut elapsed = 0;
    while elapsed + idle / 2 < max {
        state.clock.advance(idle / 2);
        elapsed += idle / 2;
        assert_ne!(
            send(&app, server_fn("current_user", &[], Some(&token)))
                .await
                .body,
            "null"
        );
    }
    state.clock.advance(max - elapsed);
    assert_eq!(
        send(&app, server_fn("current_user", &[], Some(&token)))
            .await
            .body,
        "null"
    );
}
db_test!(sessions_expire_when_idle_and_at_the_deadline);

async fn signing_in_again_replaces_the_session(t: &TestDb) {
    let state = state(t);
    create_admin(&state).await;
    let app = router(&state);
    let first = sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let second = send(
        &app,
        server_fn(
            "sign_in",
            &[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)],
            Some(&first),
        ),
    )
    .await;
    let second = second.cookie("livreur_session").unwrap();
    assert_ne!(first, second);
    assert_eq!(
        send(&app, server_fn("current_user", &[], Some(&first)))
            .await
            .body,
        "null"
    );
    assert_ne!(
        send(&app, server_fn("current_user", &[], Some(&second)))
            .await
            .body,
        "null"
    );
}
db_test!(signing_in_again_replaces_the_session);

async fn deactivated_users_lose_their_session(t: &TestDb) {
    let state = state(t);
    let user_id = insert_merchant_user(&state.db, "mo@example.com", "merchant_l2").await;
    let app = router(&state);
    let token = sign_in(&app, "mo@example.com", ADMIN_PASSWORD).await;
    assert_ne!(
        send(&app, server_fn("current_user", &[], Some(&token)))
            .await
            .body,
        "null"
    );
    let mut tx = state.db.begin().await.unwrap();
    livreur::on_tx!(&mut tx, c => {
        sqlx::query("UPDATE users SET active = FALSE WHERE id = $1").bind(&user_id).execute(c).await.map(|_| ()).unwrap()
    });
    tx.commit().await.unwrap();
    assert_eq!(
        send(&app, server_fn("current_user", &[], Some(&token)))
            .await
            .body,
        "null"
    );
    // …and cannot sign in again.
    let again = send(
        &app,
        server_fn(
            "sign_in",
            &[("email", "mo@example.com"), ("password", ADMIN_PASSWORD)],
            None,
        ),
    )
    .await;
    assert_eq!(again.status, 401);
}
db_test!(deactivated_users_lose_their_session);

async fn cross_site_posts_to_server_functions_are_refused(t: &TestDb) {
    let state = state(t);
    create_admin(&state).await;
    let app = router(&state);
    let token = sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;

    // A browser on another site says so in Sec-Fetch-Site…
    let mut req = server_fn("sign_out", &[], Some(&token));
    req.headers_mut()
        .insert("sec-fetch-site", "cross-site".parse().unwrap());
    req.headers_mut()
        .insert(header::ORIGIN, "https://evil.example".parse().unwrap());
    assert_eq!(send(&app, req).await.status, 403);
    // …or, for older browsers, only in Origin.
    let mut req = server_fn("sign_out", &[], Some(&token));
    req.headers_mut().remove("sec-fetch-site");
    req.headers_mut()
        .insert(header::ORIGIN, "https://evil.example".parse().unwrap());
    assert_eq!(send(&app, req).await.status, 403);
    let mut req = server_fn("set_language", &[("lang", "fr")], Some(&token));
    req.headers_mut()
        .insert("sec-fetch-site", "same-site".parse().unwrap());
    assert_eq!(send(&app, req).await.status, 403);

    // The session survived all that.
    let me = send(&app, server_fn("current_user", &[], Some(&token))).await;
    assert_eq!(me.json()["user"]["email"], ADMIN_EMAIL);
}
db_test!(cross_site_posts_to_server_functions_are_refused);

async fn plain_form_sign_in_redirects(t: &TestDb) {
    let state = state(t);
    create_admin(&state).await;
    let app = router(&state);
    let form = |password: &str| {
        Request::post("/_fn/sign_in")
            .header(header::HOST, "127.0.0.1:3000")
            .header(header::ORIGIN, "http://127.0.0.1:3000")
            .header(header::ACCEPT, "text/html,application/xhtml+xml")
            .header(header::REFERER, "http://127.0.0.1:3000/sign-in")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!(
                "email=admin%40example.com&password={}",
                urlencode(password)
            )))
            .unwrap()
    };
    let ok = send(&app, form(ADMIN_PASSWORD)).await;
    assert_eq!(ok.status, 302);
    assert_eq!(ok.header("location"), Some("/"));
    assert!(ok.cookie("livreur_session").is_some());
    let bad = send(&app, form("wrong password")).await;
    assert_eq!(bad.status, 302);
    assert_eq!(bad.header("location"), Some("/sign-in?error=invalid"));
    assert!(bad.cookie("livreur_session").is_none());
}
db_test!(plain_form_sign_in_redirects);

async fn language_is_remembered_per_user(t: &TestDb) {
    let state = state(t);
    create_admin(&state).await;
    let app = router(&state);
    let token = sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let reply = send(
        &app,
        server_fn("set_language", &[("lang", "fr")], Some(&token)),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.cookie("i18n_pref_locale").as_deref(), Some("fr"));
    // A new browser: signing in brings the user's language back.
    let again = send(
        &app,
        server_fn(
            "sign_in",
            &[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)],
            None,
        ),
    )
    .await;
    assert_eq!(again.json()["language"], "fr");
    assert_eq!(again.cookie("i18n_pref_locale").as_deref(), Some("fr"));

    let bad = send(
        &app,
        server_fn("set_language", &[("lang", "de")], Some(&token)),
    )
    .await;
    assert_eq!(bad.status, 422);
}
db_test!(language_is_remembered_per_user);
