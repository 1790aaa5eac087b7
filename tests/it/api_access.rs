//! The API access rules (docs/rules.md, API access rules 1 and 2) through
//! the services, on SQLite and PostgreSQL: only Level 2, revoked for good
//! by demotion and deactivation, refused changes leave no trace.

use crate::common::*;
use livreur::error::AppError;
use livreur::model::Role;
use livreur::model::org::{MerchantQuery, MerchantUserPatch};
use livreur::server::db::audit;
use livreur::server::services::{merchant_users as users, merchants};

use crate::organization::{location, shop, user_in};

async fn api_access_only_for_level_2(t: &TestDb) {
    let state = state(t);
    let admin = admin(&create_admin(&state).await);
    let a = location(&state, &admin, "A").await;
    let m = merchants::create(&state, &admin, &shop("Shop", "s@example.com", &[&a]))
        .await
        .unwrap();

    // Level 1 with the toggle on: refused, and nothing created.
    let err = users::create(
        &state,
        &admin,
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
        &m.id,
        &user_in("l1@example.com", "merchant_l1", false),
    )
    .await
    .unwrap();
    assert!(!l1.api_access);
    assert_eq!(
        users::set_api_access(&state, &admin, &l1.id, true)
            .await
            .unwrap_err(),
        AppError::conflict("api_access_requires_level_2")
    );
    // Administrators are not merchant users at all.
    assert_eq!(
        users::set_api_access(&state, &admin, &admin.user.id, true)
            .await
            .unwrap_err(),
        AppError::NotFound
    );

    let l2 = users::create(
        &state,
        &admin,
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
        &m.id,
        &user_in("L2@EXAMPLE.com", "merchant_l1", false),
    )
    .await
    .unwrap_err();
    assert_eq!(err, AppError::field("email", "taken"));
    let err = users::create(
        &state,
        &admin,
        &m.id,
        &user_in(ADMIN_EMAIL, "merchant_l1", false),
    )
    .await
    .unwrap_err();
    assert_eq!(err, AppError::field("email", "taken"));
    let err = users::create(
        &state,
        &admin,
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
    let m = merchants::create(&state, &admin, &shop("Shop", "s@example.com", &[&a]))
        .await
        .unwrap();
    let u = users::create(
        &state,
        &admin,
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
    let again = users::set_api_access(&state, &admin, &u.id, true)
        .await
        .unwrap();
    assert_eq!(again.account_id.as_deref(), Some(account.as_str()));
    assert!(again.api_access);

    // Deactivate the user: off.
    let off = users::update(
        &state,
        &admin,
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
        users::set_api_access(&state, &admin, &u.id, true)
            .await
            .unwrap_err(),
        AppError::conflict("user_inactive")
    );
    users::update(
        &state,
        &admin,
        &u.id,
        &MerchantUserPatch {
            active: Some(true),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(
        users::set_api_access(&state, &admin, &u.id, true)
            .await
            .unwrap()
            .api_access
    );

    // Deactivate the merchant: off for all its users, and no grant while inactive.
    merchants::set_active(&state, &admin, &m.id, false)
        .await
        .unwrap();
    assert!(!users::get(&state, &admin, &u.id).await.unwrap().api_access);
    assert_eq!(
        users::set_api_access(&state, &admin, &u.id, true)
            .await
            .unwrap_err(),
        AppError::conflict("merchant_inactive")
    );
    merchants::set_active(&state, &admin, &m.id, true)
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
    let m = merchants::create(&state, &admin, &shop("Shop", "s@example.com", &[&a]))
        .await
        .unwrap();
    let u = users::create(
        &state,
        &admin,
        &m.id,
        &user_in("l2@example.com", "merchant_l2", false),
    )
    .await
    .unwrap();
    // Demote and grant in one request: refused as a whole.
    let err = users::update(
        &state,
        &admin,
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
    merchant.user.role = Role::MerchantL2;
    merchant.user.merchant_id = Some(m.id.clone());
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
        merchants::set_active(&state, &merchant, &m.id, false)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        users::list(&state, &merchant, &m.id).await.unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        users::set_api_access(&state, &merchant, &u.id, true)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        users::create(
            &state,
            &merchant,
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
