//! The core forms without JavaScript (docs/architecture.md, Forms without
//! JavaScript): a plain POST to the form's page saves through the same
//! service and answers 303 to where the enhanced form goes, or renders the
//! page again with what was typed and the errors, translated.

use crate::common::world::*;
use crate::common::*;
use axum::body::Body;
use axum::http::{Request, header};
use livreur::server::services::{locations, merchants};

/// A form post from the app's own page, as a browser without JavaScript
/// sends it.
fn form_post(path: &str, fields: &[(&str, &str)], session: Option<&str>) -> Request<Body> {
    let body = fields
        .iter()
        .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let mut req = Request::post(path)
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::ORIGIN, "http://127.0.0.1:3000")
        .header("sec-fetch-site", "same-origin")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html");
    if let Some(token) = session {
        req = req.header(header::COOKIE, format!("livreur_session={token}"));
    }
    req.body(Body::from(body)).unwrap()
}

async fn a_location_form_without_javascript(t: &TestDb) {
    let w = world(t).await;
    let app = router(&w.state);
    let admin = sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let before = locations::list(&w.state, &w.admin).await.unwrap().len();

    // Refused: the page again, 422, what was typed kept, errors in place.
    let bad = [
        ("name", " "),
        ("kind", "warehouse"),
        ("ref_no", "MTL 9"),
        ("address", "1 Rue"),
        ("timezone", "Mars/Olympus_Mons"),
        ("active", "on"),
    ];
    let r = send(
        &app,
        form_post("/organization/locations/new", &bad, Some(&admin)),
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains(r#"value="MTL 9""#), "typed value kept");
    assert!(r.body.contains(r#"value="Mars/Olympus_Mons""#));
    assert!(r.body.contains("This field is required."));
    assert!(
        r.body
            .contains("Enter a time zone like America/Montreal or UTC.")
    );
    assert!(r.body.contains(r#"aria-invalid="true""#));
    assert!(
        r.body.contains(r#"<option value="warehouse" selected"#),
        "choice kept"
    );
    assert_eq!(
        locations::list(&w.state, &w.admin).await.unwrap().len(),
        before
    );

    // Saved: 303 to the list, as the enhanced form navigates.
    let good = [
        ("name", "Dépôt Sud"),
        ("kind", "warehouse"),
        ("ref_no", "MTL-9"),
        ("address", ""),
        ("timezone", "America/Montreal"),
        ("active", "on"),
    ];
    let r = send(
        &app,
        form_post("/organization/locations/new", &good, Some(&admin)),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.header("location"), Some("/organization/locations"));
    let made = locations::list(&w.state, &w.admin)
        .await
        .unwrap()
        .into_iter()
        .find(|l| l.ref_no == "MTL-9")
        .expect("created");
    assert!(made.active);

    // Edited on its own page; an unticked switch deactivates.
    let edit = [
        ("name", "Dépôt Sud"),
        ("kind", "branch"),
        ("ref_no", "MTL-9"),
        ("address", ""),
        ("timezone", ""),
    ];
    let path = format!("/organization/locations/{}", made.id);
    let r = send(&app, form_post(&path, &edit, Some(&admin))).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let changed = locations::get(&w.state, &w.admin, &made.id).await.unwrap();
    assert!(!changed.active);
    assert_eq!(changed.timezone, None);

    // Anonymous: sign in first; another site's page: refused; a merchant
    // user: the service refuses them, nothing changes.
    let r = send(&app, form_post("/organization/locations/new", &good, None)).await;
    assert_eq!((r.status, r.header("location")), (303, Some("/sign-in")));
    let mut cross = form_post("/organization/locations/new", &good, Some(&admin));
    cross
        .headers_mut()
        .insert("sec-fetch-site", "cross-site".parse().unwrap());
    assert_eq!(send(&app, cross).await.status, 403);
    w.user("l2@example.com", "merchant_l2", false).await;
    let merchant = sign_in(&app, "l2@example.com", "a long password").await;
    let other = [("name", "X"), ("kind", "branch"), ("ref_no", "X-1")];
    let r = send(
        &app,
        form_post("/organization/locations/new", &other, Some(&merchant)),
    )
    .await;
    assert_eq!(r.status, 403);
    assert!(
        !locations::list(&w.state, &w.admin)
            .await
            .unwrap()
            .iter()
            .any(|l| l.ref_no == "X-1")
    );
}
db_test!(a_location_form_without_javascript);

async fn a_merchant_form_without_javascript(t: &TestDb) {
    let w = world(t).await;
    let app = router(&w.state);
    let admin = sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (_, second) = w.other_merchant("Two").await;

    // In French: the errors come back translated.
    let mut bad = form_post(
        "/organization/merchants/new",
        &[
            ("business_name", "Fleurs"),
            ("contact_email", "not an address"),
            ("location_ids", &w.location_id),
        ],
        Some(&admin),
    );
    bad.headers_mut().insert(
        header::COOKIE,
        format!("livreur_session={admin}; i18n_pref_locale=fr")
            .parse()
            .unwrap(),
    );
    let r = send(&app, bad).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains(r#"value="Fleurs""#));
    assert!(
        r.body
            .contains("Certains champs demandent votre attention."),
        "{}",
        r.body
    );
    assert!(
        r.body
            .contains(&format!(r#"value="{}" checked"#, w.location_id)),
        "ticked kept"
    );

    // Two locations ticked, no default chosen: the first one is.
    let fields = [
        ("business_name", "Fleurs Roy"),
        ("contact_email", "roy@fleurs.example"),
        ("address", ""),
        ("location_ids", w.location_id.as_str()),
        ("location_ids", second.as_str()),
    ];
    let r = send(
        &app,
        form_post("/organization/merchants/new", &fields, Some(&admin)),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let to = r.header("location").unwrap().to_owned();
    let id = to.strip_prefix("/organization/merchants/").unwrap();
    let made = merchants::get(&w.state, &w.admin, id).await.unwrap();
    assert_eq!(made.location_ids.len(), 2);
    assert_eq!(made.default_location_id, w.location_id);

    // Its edit page: the default chosen among those ticked is kept.
    let fields = [
        ("business_name", "Fleurs Roy"),
        ("contact_email", "roy@fleurs.example"),
        ("location_ids", w.location_id.as_str()),
        ("location_ids", second.as_str()),
        ("default_location_id", second.as_str()),
    ];
    let r = send(
        &app,
        form_post(&format!("{to}/edit"), &fields, Some(&admin)),
    )
    .await;
    assert_eq!((r.status, r.header("location")), (303, Some(to.as_str())));
    let changed = merchants::get(&w.state, &w.admin, id).await.unwrap();
    assert_eq!(changed.default_location_id, second);
}
db_test!(a_merchant_form_without_javascript);
