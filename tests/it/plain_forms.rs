//! The core forms without JavaScript (docs/architecture.md, Forms without
//! JavaScript): a plain POST to the form's page saves through the same
//! service and answers 303 to where the enhanced form goes, or renders the
//! page again with what was typed and the errors, translated.

use crate::common::world::*;
use crate::common::*;
use axum::http::header;
use livreur::server::services::{locations, merchants};

fn pairs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
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

async fn a_user_form_without_javascript(t: &TestDb) {
    use livreur::server::services::merchant_users;
    let w = world(t).await;
    let app = router(&w.state);
    let admin = sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let page = format!("/organization/merchants/{}/users/new", w.merchant_id);
    let users = || async {
        merchant_users::list(&w.state, &w.admin, &w.merchant_id)
            .await
            .unwrap()
    };

    // Level 2 chosen in a form shown for Level 1: the form comes back with
    // the API access switch, nothing saved, the password not echoed.
    let secret = "a long password indeed";
    let mut fields = vec![
        ("shown_role", "merchant_l1"),
        ("email", "sam@fleurs.example"),
        ("display_name", "Sam"),
        ("role", "merchant_l2"),
        ("password", secret),
    ];
    let r = send(&app, form_post(&page, &fields, Some(&admin))).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains(r#"data-testid="api-access-toggle""#));
    assert!(r.body.contains(r#"<option value="merchant_l2" selected"#));
    assert!(r.body.contains(r#"value="sam@fleurs.example""#));
    assert!(!r.body.contains(secret), "the password is never sent back");
    assert!(!r.body.contains(r#"data-testid="form-error""#));
    assert!(users().await.is_empty());

    // A refused one: the error in place, the password still not echoed.
    let short = [
        ("shown_role", "merchant_l2"),
        ("email", "sam@fleurs.example"),
        ("display_name", "Sam"),
        ("role", "merchant_l2"),
        ("password", "short"),
    ];
    let r = send(&app, form_post(&page, &short, Some(&admin))).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("at least"), "{}", r.body);
    assert!(!r.body.contains(r#"value="short""#));

    // Sent again from the Level 2 form, access ticked: saved with access.
    fields[0] = ("shown_role", "merchant_l2");
    fields.push(("api_access", "on"));
    let r = send(&app, form_post(&page, &fields, Some(&admin))).await;
    let back = format!("/organization/merchants/{}", w.merchant_id);
    assert_eq!((r.status, r.header("location")), (303, Some(back.as_str())));
    let sam = users()
        .await
        .into_iter()
        .find(|u| u.email == "sam@fleurs.example")
        .unwrap();
    assert!(sam.api_access);

    // Demoted on the edit page with the (now hidden) switch still ticked:
    // access goes off, as in the enhanced form.
    let edit = [
        ("shown_role", "merchant_l2"),
        ("display_name", "Sam R."),
        ("role", "merchant_l1"),
        ("active", "on"),
        ("api_access", "on"),
    ];
    let r = send(
        &app,
        form_post(&format!("{back}/users/{}", sam.id), &edit, Some(&admin)),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let sam = merchant_users::get(&w.state, &w.admin, &sam.id)
        .await
        .unwrap();
    assert_eq!(
        (sam.display_name.as_str(), sam.api_access),
        ("Sam R.", false)
    );
    assert!(sam.active);
}
db_test!(a_user_form_without_javascript);

async fn a_webhook_form_without_javascript(t: &TestDb) {
    use crate::common::hooks::{hooks_world, receiver};
    use livreur::server::services::webhooks;
    let w = hooks_world(t, "0,5", 5, 120).await;
    let (_, base) = receiver().await;
    let app = router(&w.state);
    let admin = sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let page = "/integrations/api/webhooks/new";

    // Refused: the events ticked are kept.
    let bad = [
        ("url", "ftp://example.com/hook"),
        ("location_id", ""),
        ("events", "job.created"),
        ("events", "job.deleted"),
        ("description", "ERP"),
    ];
    let r = send(&app, form_post(page, &bad, Some(&admin))).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains(r#"value="ftp://example.com/hook""#));
    assert!(
        r.body.contains(r#"value="job.deleted" checked"#),
        "ticked kept"
    );
    assert!(!r.body.contains(r#"value="job.updated" checked"#));
    assert!(webhooks::list(&w.state, &w.admin).await.unwrap().is_empty());

    // Created: the answer is the page with the secret, once, not cached.
    let url = format!("{base}/hook");
    let good = [
        ("url", url.as_str()),
        ("location_id", w.location_id.as_str()),
        ("events", "*"),
        ("events", "job.created"),
        ("description", "ERP"),
    ];
    let r = send(&app, form_post(page, &good, Some(&admin))).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let made = webhooks::list(&w.state, &w.admin).await.unwrap();
    assert_eq!(made.len(), 1);
    assert_eq!(made[0].events, ["*"], "All events wins over single ones");
    assert_eq!(made[0].location_id.as_deref(), Some(w.location_id.as_str()));
    assert!(r.body.contains("whsec_"), "the secret is shown");
    assert!(r.body.contains(r#"data-testid="go-to-webhook""#));
}
db_test!(a_webhook_form_without_javascript);

async fn a_job_form_without_javascript(t: &TestDb) {
    use livreur::server::services::jobs;
    let w = world(t).await;
    let app = router(&w.state);
    let merchant = w.user("l2@example.com", "merchant_l2", false).await;
    let token = sign_in(&app, "l2@example.com", "a long password").await;
    let mut fields = vec![
        ("type", "pickup"),
        ("date", "2026-12-01"),
        ("time_window.start", "09:00"),
        ("time_window.end", "12:00"),
        ("location_id", w.location_id.as_str()),
        ("reference_id", "NOJS-1"),
        ("customer.first_name", "Ana"),
        ("customer.phone", "not a phone"),
        ("address.line1", "100 Rue Saint-Paul"),
        ("comment", "Back door, ring twice"),
        ("barcodes", "A1\nB2"),
        ("action.description", "Box"),
        ("action.sku", "SKU-1"),
        ("action.quantity", "x"),
        ("action.unit", "box"),
    ];
    // Refused: every field kept, errors on their
    // fields, the action line's too.
    let r = send(&app, form_post("/jobs/new", &fields, Some(&token))).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains(r#"value="not a phone""#));
    assert!(
        r.body.contains(">Back door, ring twice</textarea>"),
        "the comment kept"
    );
    assert!(r.body.contains(r#"<option value="pickup" selected"#));
    assert!(
        r.body.contains(r#"name="action.sku" value="SKU-1""#),
        "{}",
        r.body
    );
    assert!(r.body.contains(r#"id="customer.phone-error""#));

    // Fixed: created as the merchant, on to its page.
    fields[7] = ("customer.phone", "+1 514 555 0100");
    fields[13] = ("action.quantity", "2");
    let r = send(&app, form_post("/jobs/new", &fields, Some(&token))).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let id = r
        .header("location")
        .unwrap()
        .strip_prefix("/jobs/")
        .unwrap()
        .to_owned();
    let job = jobs::get(&w.state, &merchant, &id).await.unwrap();
    assert_eq!(job.fields.reference_id.as_deref(), Some("NOJS-1"));
    assert_eq!(job.fields.barcodes, ["A1", "B2"]);
    assert_eq!((job.actions.len(), job.actions[0].quantity), (1, 2));

    // Edited at the version shown; a stale version is refused and nothing
    // changes. The blank action line of a form is no action.
    let edit = |version: i64, comment: &str| -> Vec<(String, String)> {
        let mut f: Vec<(String, String)> = fields
            .iter()
            .filter(|(k, _)| !k.starts_with("action.") && *k != "comment")
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        f.push(("version".into(), version.to_string()));
        f.push(("comment".into(), comment.to_owned()));
        f
    };
    let page = format!("/jobs/{id}/edit");
    let fresh = edit(job.version, "Front door");
    let r = send(&app, form_post(&page, &pairs(&fresh), Some(&token))).await;
    let to = format!("/jobs/{id}");
    assert_eq!((r.status, r.header("location")), (303, Some(to.as_str())));
    let stale = edit(job.version, "Side door");
    let r = send(&app, form_post(&page, &pairs(&stale), Some(&token))).await;
    assert_eq!(r.status, 412, "{}", r.body);
    let job = jobs::get(&w.state, &merchant, &id).await.unwrap();
    assert_eq!(job.fields.comment.as_deref(), Some("Front door"));

    let blank = [
        ("type", "delivery"),
        ("date", "2026-12-02"),
        ("location_id", w.location_id.as_str()),
        ("customer.first_name", "Bo"),
        ("customer.phone", "5145550101"),
        ("address.line1", "1 Rue"),
        ("action.description", ""),
        ("action.sku", ""),
        ("action.quantity", "1"),
        ("action.unit", ""),
    ];
    let r = send(&app, form_post("/jobs/new", &blank, Some(&token))).await;
    assert_eq!(r.status, 303, "{}", r.body);
}
db_test!(a_job_form_without_javascript);

/// The buttons without JavaScript (`model::forms::ButtonPost`): each posts
/// `button=<name>` to its page, runs the same service as its server
/// function, and the page comes back saying what happened, in place.
async fn buttons_without_javascript(t: &TestDb) {
    use crate::common::hooks::{hooks_world, receiver};
    use livreur::server::ids::token_hash;
    use livreur::server::services::{merchant_users, sessions, webhooks};
    let w = hooks_world(t, "0,5", 5, 120).await;
    let app = router(&w.state);
    let merchant = w.user("buttons@example.com", "merchant_l1", false).await;
    let password = "a long password";
    let here = sign_in(&app, "buttons@example.com", password).await;
    let there = sign_in(&app, "buttons@example.com", password).await;
    let elsewhere = sign_in(&app, "buttons@example.com", password).await;
    let others = || async {
        sessions::mine(&w.state, &merchant, &token_hash(&here))
            .await
            .unwrap()
            .into_iter()
            .filter(|s| !s.current)
            .collect::<Vec<_>>()
    };
    assert_eq!(others().await.len(), 2);

    // "Sign out" on one other session: the profile again, without it.
    let one = others().await[0].id.clone();
    let r = send(
        &app,
        form_post(
            "/profile",
            &[("button", "end_session"), ("id", &one)],
            Some(&here),
        ),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert!(r.body.contains(r#"data-testid="sessions-table""#));
    assert_eq!(others().await.len(), 1);
    // "Sign out everywhere else".
    let r = send(
        &app,
        form_post("/profile", &[("button", "end_other_sessions")], Some(&here)),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(others().await.is_empty());
    for gone in [&there, &elsewhere] {
        let r = send(&app, get("/jobs", Some(gone))).await;
        assert_eq!(r.status, 302, "signed out");
    }
    // Another user's session cannot be named: nothing happens to it.
    let admin = sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let r = send(
        &app,
        form_post(
            "/profile",
            &[("button", "end_session"), ("id", &one)],
            Some(&admin),
        ),
    )
    .await;
    assert_eq!(r.status, 404, "{}", r.body);
    // An unknown button is not found; a merchant's button on an
    // administrator's page is refused.
    let r = send(
        &app,
        form_post("/profile", &[("button", "nope")], Some(&here)),
    )
    .await;
    assert_eq!(r.status, 404);
    let page = format!(
        "/organization/merchants/{}/users/{}",
        w.merchant_id, merchant.user.id
    );
    let r = send(
        &app,
        form_post(&page, &[("button", "end_user_sessions")], Some(&here)),
    )
    .await;
    assert_eq!(r.status, 403, "{}", r.body);
    let r = send(&app, get("/jobs", Some(&here))).await;
    assert_eq!(r.status, 200, "a refused button ends nothing");

    // An administrator's "Sign out everywhere" on the user's page.
    let r = send(
        &app,
        form_post(&page, &[("button", "end_user_sessions")], Some(&admin)),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("Sessions ended: 1."), "{}", r.body);
    let r = send(&app, get("/jobs", Some(&here))).await;
    assert_eq!(r.status, 302, "signed out everywhere");

    // "New invitation link" shows the new link once, in place, and the
    // user's form keeps the user's own values.
    let invited = merchant_users::create(
        &w.state,
        &w.admin,
        &w.merchant_id,
        &livreur::model::org::MerchantUserIn {
            email: "invited-buttons@example.com".into(),
            display_name: "Inès".into(),
            role: "merchant_l1".into(),
            password: String::new(),
            api_access: false,
        },
    )
    .await
    .unwrap();
    let first = invited.invitation.unwrap().url;
    let page = format!(
        "/organization/merchants/{}/users/{}",
        w.merchant_id, invited.id
    );
    let r = send(
        &app,
        form_post(&page, &[("button", "reinvite")], Some(&admin)),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert!(
        r.body.contains("set-password?token="),
        "the new link is shown"
    );
    assert!(!r.body.contains(&first), "not the old one");
    assert!(r.body.contains(r#"value="Inès""#), "the form is the user's");

    // "Confirm it's you" before a webhook, once the proof is old: a wrong
    // password shows the prompt with the error, the right one sends the
    // browser back to the page, where the form now goes through.
    let (_, base) = receiver().await;
    w.state.clock.advance(601_000);
    let hooks = "/integrations/api/webhooks/new";
    let url = format!("{base}/hook");
    let hook = [("url", url.as_str()), ("location_id", ""), ("events", "*")];
    let r = send(&app, form_post(hooks, &hook, Some(&admin))).await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains(r#"data-testid="reauth""#));
    assert!(r.body.contains(r#"name="password""#));
    let wrong = [
        ("button", "confirm_identity"),
        ("password", "not it"),
        ("code", ""),
    ];
    let r = send(&app, form_post(hooks, &wrong, Some(&admin))).await;
    assert_eq!(r.status, 401, "{}", r.body);
    assert!(
        r.body.contains(r#"data-testid="reauth""#),
        "the prompt again"
    );
    assert!(!r.body.contains("not it"), "the password is not sent back");
    let right = [
        ("button", "confirm_identity"),
        ("password", ADMIN_PASSWORD),
        ("code", ""),
    ];
    let r = send(&app, form_post(hooks, &right, Some(&admin))).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.header("location"), Some(hooks));
    let r = send(&app, form_post(hooks, &hook, Some(&admin))).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("whsec_"));
    assert_eq!(webhooks::list(&w.state, &w.admin).await.unwrap().len(), 1);
}
db_test!(buttons_without_javascript);
