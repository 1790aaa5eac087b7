//! Server-rendered pages, role guards, languages and the operational
//! endpoints, through the real router.

use crate::common::*;
use axum::body::Body;
use axum::http::{Request, header};

async fn anonymous_visitors_are_sent_to_sign_in(t: &TestDb) {
    let state = state(t);
    let app = router(&state);
    let home = send(&app, get("/", None)).await;
    assert_eq!(home.status, 302, "{}", home.body);
    assert_eq!(home.header("location"), Some("/sign-in"));
    let admin_page = send(&app, get("/organization/merchants", None)).await;
    assert_eq!(admin_page.status, 302);

    let page = send(&app, get("/sign-in", None)).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Sign in to Livreur"));
    assert!(page.body.contains(r#"lang="en""#));
    // A fresh installation explains how to create the first administrator.
    assert!(
        page.body.contains("livreur create-admin --email"),
        "{}",
        page.body
    );
    assert!(page.body.contains(r#"action="/_fn/sign_in""#));

    create_admin(&state).await;
    let page = send(&app, get("/sign-in", None)).await;
    assert!(!page.body.contains("livreur create-admin"));
}
db_test!(anonymous_visitors_are_sent_to_sign_in);

/// A page's Content-Security-Policy lets only this origin's scripts and
/// the ones carrying this render's nonce run (every inline script Leptos
/// writes carries it); nothing else may run anything, and no page may be
/// framed. Over plain HTTP there is no HSTS.
async fn pages_carry_a_nonce_policy(t: &TestDb) {
    let state = state(t);
    let app = router(&state);
    let page = send(&app, get("/sign-in", None)).await;
    let csp = page.header("content-security-policy").unwrap().to_owned();
    assert!(
        csp.starts_with("default-src 'self'; script-src 'self' 'nonce-"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap();
    // Every script with something to run (leptos_i18n leaves an empty
    // `<script></script>` as a placeholder, which runs nothing).
    let scripts: Vec<(&str, &str)> = page
        .body
        .split("<script")
        .skip(1)
        .filter_map(|rest| {
            let (tag, after) = rest.split_once('>')?;
            Some((tag, after.split("</script>").next()?))
        })
        .filter(|(tag, text)| !text.trim().is_empty() || tag.contains("src="))
        .collect();
    assert!(!scripts.is_empty(), "the page hydrates from a script");
    for (tag, _) in scripts {
        assert!(tag.contains(&format!("nonce=\"{nonce}\"")), "<script{tag}>");
    }
    let again = send(&app, get("/sign-in", None)).await;
    assert_ne!(
        again.header("content-security-policy"),
        Some(csp.as_str()),
        "a nonce per render"
    );
    assert!(page.header("strict-transport-security").is_none());

    let json = send(&app, get("/healthz", None)).await;
    assert_eq!(
        json.header("content-security-policy"),
        Some("default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
    );
}
db_test!(pages_carry_a_nonce_policy);

async fn french_is_guessed_from_the_browser_and_cookie_wins(t: &TestDb) {
    let state = state(t);
    let app = router(&state);
    let req = Request::get("/sign-in")
        .header(header::ACCEPT_LANGUAGE, "fr-CA,fr;q=0.9,en;q=0.5")
        .body(Body::empty())
        .unwrap();
    let page = send(&app, req).await;
    assert!(
        page.body.contains("Se connecter à Livreur"),
        "{}",
        page.body
    );
    assert!(page.body.contains(r#"lang="fr""#));
    let req = Request::get("/sign-in")
        .header(header::ACCEPT_LANGUAGE, "fr-CA,fr;q=0.9")
        .header(header::COOKIE, "i18n_pref_locale=en")
        .body(Body::empty())
        .unwrap();
    let page = send(&app, req).await;
    assert!(page.body.contains("Sign in to Livreur"));
}
db_test!(french_is_guessed_from_the_browser_and_cookie_wins);

async fn admins_see_every_section(t: &TestDb) {
    let state = state(t);
    create_admin(&state).await;
    let app = router(&state);
    let token = sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let home = send(&app, get("/", Some(&token))).await;
    assert_eq!(home.status, 200);
    assert!(
        home.body
            .contains(r#"<h1 data-testid="welcome">Welcome, <!>Alice Admin"#),
        "{}",
        home.body
    );
    for link in [
        "/organization/merchants",
        "/organization/locations",
        "/integrations/api",
        "/jobs",
        "/audit",
    ] {
        assert!(
            home.body.contains(&format!(r#"href="{link}""#)),
            "nav lacks {link}"
        );
        let page = send(&app, get(link, Some(&token))).await;
        assert_eq!(page.status, 200, "{link}");
    }
    // Every section renders its content on the server.
    let merchants = send(&app, get("/organization/merchants", Some(&token))).await;
    assert!(
        merchants.body.contains("merchants-table"),
        "{}",
        merchants.body
    );
    let locations = send(&app, get("/organization/locations", Some(&token))).await;
    assert!(
        locations.body.contains("No locations yet"),
        "{}",
        locations.body
    );
    let api = send(&app, get("/integrations/api", Some(&token))).await;
    assert!(api.body.contains("api-accounts"), "{}", api.body);
    assert!(api.body.contains("my-credentials"), "{}", api.body);
    let audit = send(&app, get("/audit", Some(&token))).await;
    assert!(audit.body.contains("audit-table"), "{}", audit.body);
    // The admin's own sign-in is the newest event, rendered on the server.
    assert!(audit.body.contains("Signed in"), "{}", audit.body);
    let jobs = send(&app, get("/jobs", Some(&token))).await;
    assert!(jobs.body.contains("jobs-table"), "{}", jobs.body);
    let new_job = send(&app, get("/jobs/new", Some(&token))).await;
    assert!(new_job.body.contains("job-form"), "{}", new_job.body);
    let missing = send(&app, get("/no/such/page", Some(&token))).await;
    assert_eq!(missing.status, 404);
}
db_test!(admins_see_every_section);

async fn merchants_cannot_open_admin_pages(t: &TestDb) {
    let state = state(t);
    insert_merchant_user(&state.db, "l1@example.com", "merchant_l1").await;
    insert_merchant_user(&state.db, "l2@example.com", "merchant_l2").await;
    let app = router(&state);
    let l1 = sign_in(&app, "l1@example.com", ADMIN_PASSWORD).await;
    let l2 = sign_in(&app, "l2@example.com", ADMIN_PASSWORD).await;

    let home = send(&app, get("/", Some(&l1))).await;
    assert_eq!(home.status, 200);
    for admin_only in [
        "/organization/merchants",
        "/organization/locations",
        "/audit",
    ] {
        assert!(
            !home.body.contains(&format!(r#"href="{admin_only}""#)),
            "merchant nav shows {admin_only}"
        );
        for token in [&l1, &l2] {
            let page = send(&app, get(admin_only, Some(token))).await;
            assert_eq!(page.status, 403, "{admin_only}");
            assert!(page.body.contains("Access denied"));
        }
    }
    // The API page is for Level 2 only.
    assert!(!home.body.contains(r#"href="/integrations/api""#));
    assert_eq!(
        send(&app, get("/integrations/api", Some(&l1))).await.status,
        403
    );
    let l2_home = send(&app, get("/", Some(&l2))).await;
    assert!(l2_home.body.contains(r#"href="/integrations/api""#));
    let api = send(&app, get("/integrations/api", Some(&l2))).await;
    assert_eq!(api.status, 200);
    // Without access granted, the page says so and offers no key.
    assert!(api.body.contains("api-access-off"), "{}", api.body);
    assert!(!api.body.contains("generate-key"));
    assert!(!api.body.contains("api-accounts"));
}
db_test!(merchants_cannot_open_admin_pages);

async fn health_readiness_and_metrics(t: &TestDb) {
    let state = state(t);
    let app = router(&state);
    let health = send(&app, get("/healthz", None)).await;
    assert_eq!((health.status, health.body.as_str()), (200, "ok"));
    let ready = send(&app, get("/readyz", None)).await;
    assert_eq!((ready.status, ready.body.as_str()), (200, "ready"));
    assert!(
        ready
            .header("x-request-id")
            .is_some_and(|id| id.starts_with("req_"))
    );
    let metrics = send(&app, get("/metrics", None)).await;
    assert_eq!(metrics.status, 200);
    assert!(
        metrics
            .header("content-type")
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    assert!(
        metrics
            .body
            .contains("livreur_http_requests_total{route=\"ops\",status=\"2xx\"} 2"),
        "{}",
        metrics.body
    );
    assert!(
        metrics
            .body
            .contains(&format!("database=\"{}\"", t.backend))
    );

    // When the database goes away, readiness says so and health does not.
    state.db.close().await;
    assert_eq!(send(&app, get("/readyz", None)).await.status, 503);
    assert_eq!(send(&app, get("/healthz", None)).await.status, 200);
}
db_test!(health_readiness_and_metrics);

async fn responses_carry_security_headers(t: &TestDb) {
    let state = state(t);
    let app = router(&state);
    let page = send(&app, get("/sign-in", None)).await;
    assert_eq!(page.header("x-frame-options"), Some("DENY"));
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert!(
        page.header("content-security-policy")
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    // An inbound request id is kept when it is sane, replaced when not.
    let mut req = get("/healthz", None);
    req.headers_mut()
        .insert("x-request-id", "abc-123".parse().unwrap());
    assert_eq!(
        send(&app, req).await.header("x-request-id"),
        Some("abc-123")
    );
    let mut req = get("/healthz", None);
    req.headers_mut()
        .insert("x-request-id", "bad id\twith spaces".parse().unwrap());
    assert!(
        send(&app, req)
            .await
            .header("x-request-id")
            .unwrap()
            .starts_with("req_")
    );
}
db_test!(responses_carry_security_headers);
