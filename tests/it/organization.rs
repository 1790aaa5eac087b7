//! Merchants, merchant users and the API access rules (SPEC section 3),
//! through the services, on SQLite and PostgreSQL.

use crate::common::*;
use livreur::error::AppError;
use livreur::model::org::{
    LocationIn, MerchantIn, MerchantQuery, MerchantSort, MerchantUserIn, MerchantUserPatch,
};
use livreur::model::{Role, SessionUser};
use livreur::server::AppState;
use livreur::server::db::audit;
use livreur::server::services::{locations, merchant_users as users, merchants};

async fn location(state: &AppState, admin: &SessionUser, ref_no: &str) -> String {
    locations::create(
        state,
        admin,
        None,
        &LocationIn {
            name: format!("Depot {ref_no}"),
            kind: "branch".into(),
            ref_no: ref_no.into(),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .id
}

fn shop(name: &str, email: &str, locations: &[&str]) -> MerchantIn {
    MerchantIn {
        business_name: name.into(),
        contact_email: email.into(),
        address: None,
        location_ids: locations.iter().map(|l| l.to_string()).collect(),
        default_location_id: locations[0].into(),
        active: None,
    }
}

fn user_in(email: &str, role: &str, api_access: bool) -> MerchantUserIn {
    MerchantUserIn {
        email: email.into(),
        display_name: "Sam Seller".into(),
        role: role.into(),
        password: "a long password".into(),
        api_access,
    }
}

async fn merchants_validate_locations(t: &TestDb) {
    let state = state(t);
    let admin = admin(&create_admin(&state).await);
    let a = location(&state, &admin, "A").await;
    let b = location(&state, &admin, "B").await;

    let mut bad = shop("", "nope", &[&a]);
    bad.default_location_id = b.clone();
    let err = merchants::create(&state, &admin, None, &bad)
        .await
        .unwrap_err();
    assert_eq!(err.field_code("business_name"), Some("required"));
    assert_eq!(err.field_code("contact_email"), Some("invalid_email"));
    assert_eq!(err.field_code("default_location_id"), Some("not_assigned"));

    let err = merchants::create(
        &state,
        &admin,
        None,
        &shop("X", "x@example.com", &["loc_missing"]),
    )
    .await
    .unwrap_err();
    assert_eq!(err.field_code("location_ids"), Some("unknown_location"));
    let mut none = shop("X", "x@example.com", &[&a]);
    none.location_ids.clear();
    assert_eq!(
        merchants::create(&state, &admin, None, &none)
            .await
            .unwrap_err()
            .field_code("location_ids"),
        Some("required")
    );

    let m = merchants::create(
        &state,
        &admin,
        None,
        &shop("Fleurs", "f@example.com", &[&b, &a, &a]),
    )
    .await
    .unwrap();
    assert!(m.id.starts_with("mer_"));
    let mut sorted = vec![a.clone(), b.clone()];
    sorted.sort();
    assert_eq!(m.location_ids, sorted);
    assert_eq!(merchants::get(&state, &admin, &m.id).await.unwrap(), m);
}
db_test!(merchants_validate_locations);

async fn merchant_search_filters_sorts_and_pages(t: &TestDb) {
    let state = state(t);
    let admin = admin(&create_admin(&state).await);
    let a = location(&state, &admin, "A").await;
    for (name, email) in [
        ("Boulangerie Paul", "paul@bakery.example"),
        ("Café 50%_off", "cafe@example.com"),
        ("Atelier Vélo", "velo@example.com"),
        ("Zoo Shop", "zoo@shop.example"),
    ] {
        merchants::create(&state, &admin, None, &shop(name, email, &[&a]))
            .await
            .unwrap();
        state.clock.advance(1000);
    }
    let zoo = merchants::search(
        &state,
        &admin,
        &MerchantQuery {
            q: Some("zoo".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    merchants::set_active(&state, &admin, None, &zoo.items[0].id, false)
        .await
        .unwrap();

    let names = |page: livreur::model::org::Page<livreur::model::org::MerchantRow>| {
        page.items
            .into_iter()
            .map(|m| m.business_name)
            .collect::<Vec<_>>()
    };
    let all = merchants::search(&state, &admin, &MerchantQuery::default())
        .await
        .unwrap();
    assert_eq!(all.total, 4);
    assert_eq!(
        names(all),
        [
            "Atelier Vélo",
            "Boulangerie Paul",
            "Café 50%_off",
            "Zoo Shop"
        ]
    );

    // Search covers name and e-mail, ignores case, and takes % and _ literally.
    let q = |text: &str| MerchantQuery {
        q: Some(text.into()),
        ..Default::default()
    };
    assert_eq!(
        names(
            merchants::search(&state, &admin, &q("BAKERY"))
                .await
                .unwrap()
        ),
        ["Boulangerie Paul"]
    );
    assert_eq!(
        names(merchants::search(&state, &admin, &q("50%_")).await.unwrap()),
        ["Café 50%_off"]
    );
    assert_eq!(
        merchants::search(&state, &admin, &q("%"))
            .await
            .unwrap()
            .total,
        1
    );

    let active = MerchantQuery {
        active: Some(true),
        sort: MerchantSort::Created,
        descending: true,
        ..Default::default()
    };
    assert_eq!(
        names(merchants::search(&state, &admin, &active).await.unwrap()),
        ["Atelier Vélo", "Café 50%_off", "Boulangerie Paul"]
    );
    let inactive = MerchantQuery {
        active: Some(false),
        ..Default::default()
    };
    assert_eq!(
        names(merchants::search(&state, &admin, &inactive).await.unwrap()),
        ["Zoo Shop"]
    );

    let page2 = MerchantQuery {
        page: 2,
        per_page: 3,
        ..Default::default()
    };
    let page = merchants::search(&state, &admin, &page2).await.unwrap();
    assert_eq!((page.total, page.page_count()), (4, 2));
    assert_eq!(names(page), ["Zoo Shop"]);
}
db_test!(merchant_search_filters_sorts_and_pages);

async fn api_access_only_for_level_2(t: &TestDb) {
    let state = state(t);
    let admin = admin(&create_admin(&state).await);
    let a = location(&state, &admin, "A").await;
    let m = merchants::create(&state, &admin, None, &shop("Shop", "s@example.com", &[&a]))
        .await
        .unwrap();

    // Level 1 with the toggle on: refused, and nothing created.
    let err = users::create(
        &state,
        &admin,
        None,
        &m.id,
        &user_in("l1@example.com", "merchant_l1", true),
    )
    .await
    .unwrap_err();
    assert_eq!(err, AppError::conflict("api_access_requires_level_2"));
    assert!(users::list(&state, &admin, &m.id).await.unwrap().is_empty());

    let l1 = users::create(
        &state,
        &admin,
        None,
        &m.id,
        &user_in("l1@example.com", "merchant_l1", false),
    )
    .await
    .unwrap();
    assert!(!l1.api_access);
    assert_eq!(
        users::set_api_access(&state, &admin, None, &l1.id, true)
            .await
            .unwrap_err(),
        AppError::conflict("api_access_requires_level_2")
    );
    // Administrators are not merchant users at all.
    assert_eq!(
        users::set_api_access(&state, &admin, None, &admin.id, true)
            .await
            .unwrap_err(),
        AppError::NotFound
    );

    let l2 = users::create(
        &state,
        &admin,
        None,
        &m.id,
        &user_in("l2@example.com", "merchant_l2", true),
    )
    .await
    .unwrap();
    assert!(l2.api_access);
    let account = l2.account_id.clone().unwrap();
    assert!(account.starts_with("acct_"));

    // Duplicate e-mail, in any case.
    let err = users::create(
        &state,
        &admin,
        None,
        &m.id,
        &user_in("L2@EXAMPLE.com", "merchant_l1", false),
    )
    .await
    .unwrap_err();
    assert_eq!(err, AppError::field("email", "taken"));
    let err = users::create(
        &state,
        &admin,
        None,
        &m.id,
        &user_in(ADMIN_EMAIL, "merchant_l1", false),
    )
    .await
    .unwrap_err();
    assert_eq!(err, AppError::field("email", "taken"));
    let err = users::create(
        &state,
        &admin,
        None,
        &m.id,
        &user_in("x@example.com", "admin", false),
    )
    .await
    .unwrap_err();
    assert_eq!(err.field_code("role"), Some("invalid_choice"));
}
db_test!(api_access_only_for_level_2);

async fn demotion_and_deactivation_revoke_access_for_good(t: &TestDb) {
    let state = state(t);
    let admin = admin(&create_admin(&state).await);
    let a = location(&state, &admin, "A").await;
    let m = merchants::create(&state, &admin, None, &shop("Shop", "s@example.com", &[&a]))
        .await
        .unwrap();
    let u = users::create(
        &state,
        &admin,
        None,
        &m.id,
        &user_in("l2@example.com", "merchant_l2", true),
    )
    .await
    .unwrap();
    let account = u.account_id.clone().unwrap();

    // Demote: access off at once; promote again: still off.
    let demoted = users::update(
        &state,
        &admin,
        None,
        &u.id,
        &MerchantUserPatch {
            role: Some("merchant_l1".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        (demoted.role, demoted.api_access),
        (Role::MerchantL1, false)
    );
    let promoted = users::update(
        &state,
        &admin,
        None,
        &u.id,
        &MerchantUserPatch {
            role: Some("merchant_l2".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        (promoted.role, promoted.api_access),
        (Role::MerchantL2, false)
    );

    // Granting again keeps the same Account ID.
    let again = users::set_api_access(&state, &admin, None, &u.id, true)
        .await
        .unwrap();
    assert_eq!(again.account_id.as_deref(), Some(account.as_str()));
    assert!(again.api_access);

    // Deactivate the user: off.
    let off = users::update(
        &state,
        &admin,
        None,
        &u.id,
        &MerchantUserPatch {
            active: Some(false),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(!off.api_access && !off.active);
    assert_eq!(
        users::set_api_access(&state, &admin, None, &u.id, true)
            .await
            .unwrap_err(),
        AppError::conflict("user_inactive")
    );
    users::update(
        &state,
        &admin,
        None,
        &u.id,
        &MerchantUserPatch {
            active: Some(true),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(
        users::set_api_access(&state, &admin, None, &u.id, true)
            .await
            .unwrap()
            .api_access
    );

    // Deactivate the merchant: off for all its users, and no grant while inactive.
    merchants::set_active(&state, &admin, None, &m.id, false)
        .await
        .unwrap();
    assert!(!users::get(&state, &admin, &u.id).await.unwrap().api_access);
    assert_eq!(
        users::set_api_access(&state, &admin, None, &u.id, true)
            .await
            .unwrap_err(),
        AppError::conflict("merchant_inactive")
    );
    merchants::set_active(&state, &admin, None, &m.id, true)
        .await
        .unwrap();
    assert!(!users::get(&state, &admin, &u.id).await.unwrap().api_access);

    // Every grant and revoke is in the audit log, with its reason.
    let events = audit::list_recent(&state.db, None, 100).await.unwrap();
    let reasons: Vec<String> = events
        .iter()
        .filter(|e| e.action == "api_access.revoked")
        .map(|e| {
            serde_json::from_str::<serde_json::Value>(&e.details).unwrap()["reason"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(reasons, ["merchant_deactivated", "deactivated", "demoted"]);
    assert_eq!(
        events
            .iter()
            .filter(|e| e.action == "api_access.granted")
            .count(),
        3
    );
    assert!(events.iter().any(|e| e.action == "merchant.deactivated"));
    assert!(events.iter().any(|e| e.action == "user.role_changed"));
}
db_test!(demotion_and_deactivation_revoke_access_for_good);

async fn refused_changes_leave_no_trace(t: &TestDb) {
    let state = state(t);
    let admin = admin(&create_admin(&state).await);
    let a = location(&state, &admin, "A").await;
    let m = merchants::create(&state, &admin, None, &shop("Shop", "s@example.com", &[&a]))
        .await
        .unwrap();
    let u = users::create(
        &state,
        &admin,
        None,
        &m.id,
        &user_in("l2@example.com", "merchant_l2", false),
    )
    .await
    .unwrap();
    // Demote and grant in one request: refused as a whole.
    let err = users::update(
        &state,
        &admin,
        None,
        &u.id,
        &MerchantUserPatch {
            role: Some("merchant_l1".into()),
            api_access: Some(true),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(err, AppError::conflict("api_access_requires_level_2"));
    assert_eq!(users::get(&state, &admin, &u.id).await.unwrap(), u);

    // A merchant user is refused every organization service.
    let mut merchant = admin.clone();
    merchant.role = Role::MerchantL2;
    merchant.merchant_id = Some(m.id.clone());
    assert_eq!(
        merchants::search(&state, &merchant, &MerchantQuery::default())
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        merchants::get(&state, &merchant, &m.id).await.unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        merchants::set_active(&state, &merchant, None, &m.id, false)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        users::list(&state, &merchant, &m.id).await.unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        users::set_api_access(&state, &merchant, None, &u.id, true)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        users::create(
            &state,
            &merchant,
            None,
            &m.id,
            &user_in("new@example.com", "merchant_l2", true)
        )
        .await
        .unwrap_err(),
        AppError::Forbidden
    );
    assert!(users::get(&state, &admin, &u.id).await.unwrap() == u);
}
db_test!(refused_changes_leave_no_trace);

/// Deactivating a merchant signs its users out for good: their sessions
/// are deleted, so reactivating the merchant does not bring them back.
async fn deactivating_a_merchant_ends_its_users_sessions(t: &TestDb) {
    let w = crate::common::world::world(t).await;
    w.user("l1@example.com", "merchant_l1", false).await;
    let app = router(&w.state);
    let token = sign_in(&app, "l1@example.com", "a long password").await;
    let me = || server_fn("current_user", &[], Some(&token));
    assert_eq!(send(&app, me()).await.json()["email"], "l1@example.com");

    merchants::set_active(&w.state, &w.admin, None, &w.merchant_id, false)
        .await
        .unwrap();
    merchants::set_active(&w.state, &w.admin, None, &w.merchant_id, true)
        .await
        .unwrap();
    let after = send(&app, me()).await;
    assert_eq!(after.json(), serde_json::Value::Null, "{}", after.body);
}
db_test!(deactivating_a_merchant_ends_its_users_sessions);
