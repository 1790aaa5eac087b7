//! The locations service, and the organization's settings, on both
//! databases.

use crate::common::*;
use livreur::error::AppError;
use livreur::model::Role;
use livreur::model::org::{LocationIn, LocationKind};
use livreur::server::db::audit;
use livreur::server::services::locations;

fn depot(ref_no: &str) -> LocationIn {
    LocationIn {
        name: " Dépôt Nord ".into(),
        kind: "warehouse".into(),
        ref_no: ref_no.into(),
        address: Some("1 Rue du Port, Montréal".into()),
        timezone: Some("America/Montreal".into()),
        active: None,
    }
}

async fn create_update_deactivate(t: &TestDb) {
    let state = state(t);
    let admin = admin(&create_admin(&state).await);
    // The audit log keeps the address the change came from.
    let from_office = livreur::server::services::Caller {
        ip: Some("10.0.0.1".into()),
        ..admin.clone()
    };
    let created = locations::create(&state, &from_office, &depot("MTL-N"))
        .await
        .unwrap();
    assert!(created.id.starts_with("loc_"));
    assert_eq!(created.name, "Dépôt Nord");
    assert_eq!(created.kind, LocationKind::Warehouse);
    assert!(created.active);

    let mut change = depot("MTL-N");
    change.kind = "branch".into();
    change.active = Some(false);
    let updated = locations::update(&state, &admin, &created.id, &change)
        .await
        .unwrap();
    assert_eq!(updated.kind, LocationKind::Branch);
    assert!(!updated.active);
    assert_eq!(
        locations::get(&state, &admin, &created.id).await.unwrap(),
        updated
    );
    assert_eq!(
        locations::list(&state, &admin).await.unwrap(),
        vec![updated]
    );

    let actions: Vec<_> = audit::list_recent(&state.db, None, 10)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.target_type.as_deref() == Some("location"))
        .map(|e| (e.action, e.ip))
        .collect();
    assert_eq!(
        actions,
        vec![
            ("location.deactivated".to_owned(), None),
            ("location.created".to_owned(), Some("10.0.0.1".to_owned()))
        ]
    );
}
db_test!(create_update_deactivate);

async fn reference_numbers_are_unique_and_fields_checked(t: &TestDb) {
    let state = state(t);
    let admin = admin(&create_admin(&state).await);
    let first = locations::create(&state, &admin, &depot("A-1"))
        .await
        .unwrap();
    let second = locations::create(&state, &admin, &depot("A-2"))
        .await
        .unwrap();
    let dup = locations::create(&state, &admin, &depot("A-1"))
        .await
        .unwrap_err();
    assert_eq!(dup, AppError::field("ref_no", "taken"));
    let dup = locations::update(&state, &admin, &second.id, &depot("A-1"))
        .await
        .unwrap_err();
    assert_eq!(dup, AppError::field("ref_no", "taken"));

    let bad = LocationIn {
        name: "".into(),
        kind: "depot".into(),
        ref_no: "A 1".into(),
        address: Some("x".repeat(301)),
        timezone: Some("Mars/".into()),
        active: None,
    };
    let err = locations::create(&state, &admin, &bad).await.unwrap_err();
    assert_eq!(err.field_code("name"), Some("required"));
    assert_eq!(err.field_code("kind"), Some("invalid_choice"));
    assert_eq!(err.field_code("ref_no"), Some("invalid_reference"));
    assert_eq!(err.field_code("address"), Some("too_long"));
    assert_eq!(err.field_code("timezone"), Some("invalid_timezone"));

    let missing = locations::update(&state, &admin, "loc_nope", &depot("Z"))
        .await
        .unwrap_err();
    assert_eq!(missing, AppError::NotFound);
    // Nothing was changed by the refused calls.
    assert_eq!(
        locations::get(&state, &admin, &first.id).await.unwrap(),
        first
    );
}
db_test!(reference_numbers_are_unique_and_fields_checked);

async fn merchants_are_refused(t: &TestDb) {
    let state = state(t);
    let mut merchant = admin("usr_x");
    merchant.user.role = Role::MerchantL2;
    merchant.user.merchant_id = Some("mer_x".into());
    assert_eq!(
        locations::list(&state, &merchant).await.unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        locations::create(&state, &merchant, &depot("M-1"))
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        locations::update(&state, &merchant, "loc_x", &depot("M-1"))
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
}
db_test!(merchants_are_refused);

/// Organization settings over the API (docs/api.md): administrators read
/// and change them, every problem at once, audited; new users then start
/// in the default language; merchants get 403.
async fn organization_settings_over_the_api(t: &TestDb) {
    use crate::common::world::*;
    use serde_json::json;
    let w = world(t).await;
    let app = router(&w.state);
    let (account, key) = w.admin_key().await;
    let me = basic(&account, &key);
    let read = send(&app, api("GET", "/organization", Some(&me), None)).await;
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(
        read.json(),
        json!({"name": "Livreur", "default_language": "en", "timezone": "UTC"})
    );

    let bad = json!({"name": " ", "default_language": "de", "timezone": "Not a zone!"});
    let refused = send(&app, api("PATCH", "/organization", Some(&me), Some(bad))).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let fields: Vec<String> = refused.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, ["name", "default_language", "timezone"]);
    let unknown = json!({"colour": "blue"});
    let refused = send(
        &app,
        api("PATCH", "/organization", Some(&me), Some(unknown)),
    )
    .await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    let long = json!({"name": "x".repeat(101)});
    let refused = send(&app, api("PATCH", "/organization", Some(&me), Some(long))).await;
    assert_eq!(refused.status, 422, "{}", refused.body);

    let change = json!({"name": "  Livraisons Rapides  ", "default_language": "fr", "timezone": "America/Montreal"});
    let changed = send(&app, api("PATCH", "/organization", Some(&me), Some(change))).await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    let want = json!({"name": "Livraisons Rapides", "default_language": "fr", "timezone": "America/Montreal"});
    assert_eq!(changed.json(), want);
    let again = send(&app, api("GET", "/organization", Some(&me), None)).await;
    assert_eq!(again.json(), want);
    // Every signed-in page gets the name and the zone's offsets with the user.
    let token = sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let viewer = send(&app, server_fn("current_user", &[], Some(&token))).await;
    assert_eq!(viewer.json()["organization"], "Livraisons Rapides");
    assert_eq!(viewer.json()["zone"]["name"], "America/Montreal");
    let spans = viewer.json()["zone"]["spans"].as_array().unwrap().clone();
    assert!(
        spans
            .iter()
            .any(|s| s["abbr"] == "EST" && s["offset_s"] == -5 * 3600)
    );
    assert!(
        spans
            .iter()
            .any(|s| s["abbr"] == "EDT" && s["offset_s"] == -4 * 3600)
    );
    // A well-formed name the time zone database does not know is refused.
    let mars = json!({"timezone": "Mars/Olympus_Mons"});
    let refused = send(&app, api("PATCH", "/organization", Some(&me), Some(mars))).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(refused.json()["errors"][0]["code"], "invalid_timezone");
    // A partial change keeps the rest.
    let partial = json!({"timezone": "UTC"});
    let changed = send(
        &app,
        api("PATCH", "/organization", Some(&me), Some(partial)),
    )
    .await;
    assert_eq!(changed.json()["name"], "Livraisons Rapides");
    assert_eq!(changed.json()["timezone"], "UTC");
    let entries = audit::list_recent(&t.db, Some("organization.updated"), 10)
        .await
        .unwrap();
    assert_eq!(entries.len(), 2, "one entry per saved change");

    // New users start in French now.
    let user = send(
        &app,
        api(
            "POST",
            &format!("/merchants/{}/users", w.merchant_id),
            Some(&me),
            Some(
                json!({"email": "nouveau@example.com", "display_name": "Nouveau",
                        "role": "merchant_l1", "password": "a long password"}),
            ),
        ),
    )
    .await;
    assert_eq!(user.status, 201, "{}", user.body);
    let state = &w.state;
    let session = livreur::server::services::auth::sign_in(
        state,
        "nouveau@example.com",
        "a long password",
        &Default::default(),
    )
    .await
    .unwrap();
    assert_eq!(session.user.language, livreur::model::Lang::Fr);

    // Merchants are refused.
    let (_, account, key) = w.api_user("l2@example.com").await;
    let theirs = basic(&account, &key);
    let r = send(&app, api("GET", "/organization", Some(&theirs), None)).await;
    assert_eq!(r.status, 403);
    let r = send(
        &app,
        api(
            "PATCH",
            "/organization",
            Some(&theirs),
            Some(json!({"name": "X"})),
        ),
    )
    .await;
    assert_eq!(r.status, 403);
}
db_test!(organization_settings_over_the_api);
