//! The keys behind the REST API (docs/rules.md, API access rules 2 to 4),
//! on SQLite and PostgreSQL: rolling, revocation on the next request, and
//! keys issued from the command line.

use crate::common::world::*;
use crate::common::*;
use livreur::error::AppError;
use livreur::model::Role;
use livreur::model::api::RollGrace;
use livreur::server::db::audit;
use livreur::server::services::api_keys;
use serde_json::{Value, json};

use crate::api::ping;

async fn rolling_keeps_the_old_key_until_its_expiry(t: &TestDb) {
    let w = world(t).await;
    let (user, account, first) = w.api_user("l2@example.com").await;
    let keys = api_keys::my_access(&w.state, &user).await.unwrap().keys;
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].hint, first[first.len() - 4..]);

    // A second "generate" is allowed (two keys at most); a third is not.
    let second = api_keys::generate(&w.state, &user, &Default::default())
        .await
        .unwrap();
    let err = api_keys::generate(&w.state, &user, &Default::default())
        .await
        .unwrap_err();
    assert_eq!(err, AppError::conflict("too_many_keys"));
    api_keys::revoke(&w.state, &user, &second.key_id)
        .await
        .unwrap();
    assert_eq!(
        ping(&w.state, &basic(&account, &second.key)).await.status,
        401
    );

    let old_id = keys[0].id.clone();
    let rolled = api_keys::roll(
        &w.state,
        &user,
        &old_id,
        RollGrace::OneHour,
        &Default::default(),
    )
    .await
    .unwrap();
    assert_eq!(rolled.account_id, account);
    assert_ne!(rolled.key, first);
    // Both work during the grace period...
    w.state.clock.advance(59 * 60_000);
    assert_eq!(ping(&w.state, &basic(&account, &first)).await.status, 200);
    assert_eq!(
        ping(&w.state, &basic(&account, &rolled.key)).await.status,
        200
    );
    // ...rolling again now would make three: refused, and nothing changes.
    let err = api_keys::roll(
        &w.state,
        &user,
        &rolled.key_id,
        RollGrace::OneDay,
        &Default::default(),
    )
    .await
    .unwrap_err();
    assert_eq!(err, AppError::conflict("too_many_keys"));
    assert_eq!(
        ping(&w.state, &basic(&account, &rolled.key)).await.status,
        200
    );
    // ...and on the minute after the expiry the old key stops.
    w.state.clock.advance(60_000);
    assert_eq!(ping(&w.state, &basic(&account, &first)).await.status, 401);
    assert_eq!(
        ping(&w.state, &basic(&account, &rolled.key)).await.status,
        200
    );

    // The expiry is audited once, however often the sweep runs.
    assert_eq!(api_keys::record_expiries(&w.state).await.unwrap(), 1);
    assert_eq!(api_keys::record_expiries(&w.state).await.unwrap(), 0);
    let expired = audit::list_recent(&w.state.db, Some("api_key.expired"), 10)
        .await
        .unwrap();
    assert_eq!(expired.len(), 1);
    assert!(expired[0].details.contains(&old_id));
    for action in ["api_key.created", "api_key.rolled", "api_key.revoked"] {
        let events = audit::list_recent(&w.state.db, Some(action), 10)
            .await
            .unwrap();
        assert!(!events.is_empty(), "{action} audited");
        assert!(
            events.iter().all(|e| !e.details.contains("lvr_")),
            "a key leaked into the audit log: {events:?}"
        );
    }

    // Rolling with "now" replaces the key at once; unknown keys are 404.
    let again = api_keys::roll(
        &w.state,
        &user,
        &rolled.key_id,
        RollGrace::Now,
        &Default::default(),
    )
    .await
    .unwrap();
    assert_eq!(
        ping(&w.state, &basic(&account, &rolled.key)).await.status,
        401
    );
    assert_eq!(
        ping(&w.state, &basic(&account, &again.key)).await.status,
        200
    );
    let err = api_keys::roll(
        &w.state,
        &user,
        "key_nope",
        RollGrace::Now,
        &Default::default(),
    )
    .await
    .unwrap_err();
    assert_eq!(err, AppError::NotFound);
}
db_test!(rolling_keeps_the_old_key_until_its_expiry);

async fn demotion_and_deactivation_bite_on_the_next_request(t: &TestDb) {
    let w = world(t).await;
    let (user, account, key) = w.api_user("l2@example.com").await;
    let (admin_account, admin_key) = w.admin_key().await;
    let admin_auth = basic(&admin_account, &admin_key);
    let app = router(&w.state);
    assert_eq!(ping(&w.state, &basic(&account, &key)).await.status, 200);

    // Demoted through the REST API: the very next request is refused.
    let reply = send(
        &app,
        api(
            "PATCH",
            &format!("/users/{}", user.user.id),
            Some(&admin_auth),
            Some(json!({"role": "merchant_l1"})),
        ),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["api_access"], false);
    assert_eq!(ping(&w.state, &basic(&account, &key)).await.status, 401);

    // Promoting again restores nothing; granting again brings no old key back.
    let reply = send(
        &app,
        api(
            "PATCH",
            &format!("/users/{}", user.user.id),
            Some(&admin_auth),
            Some(json!({"role": "merchant_l2"})),
        ),
    )
    .await;
    assert_eq!(reply.json()["api_access"], false);
    let reply = send(
        &app,
        api(
            "PUT",
            &format!("/users/{}/api-access", user.user.id),
            Some(&admin_auth),
            Some(json!({"enabled": true})),
        ),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(
        reply.json(),
        json!({"enabled": true, "account_id": account})
    );
    assert_eq!(ping(&w.state, &basic(&account, &key)).await.status, 401);

    // A key issued by the administrator works, until the merchant is
    // deactivated.
    let reply = send(
        &app,
        api(
            "POST",
            &format!("/users/{}/api-keys", user.user.id),
            Some(&admin_auth),
            None,
        ),
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let issued = reply.json();
    assert_eq!(issued["account_id"], account);
    assert_eq!(issued["expires_at"], Value::Null);
    let new_key = issued["key"].as_str().unwrap().to_owned();
    assert_eq!(issued["hint"], new_key[new_key.len() - 4..]);
    assert_eq!(ping(&w.state, &basic(&account, &new_key)).await.status, 200);
    let reply = send(
        &app,
        api(
            "PATCH",
            &format!("/merchants/{}", w.merchant_id),
            Some(&admin_auth),
            Some(json!({"active": false})),
        ),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["active"], false);
    assert_eq!(ping(&w.state, &basic(&account, &new_key)).await.status, 401);
    let revoked = audit::list_recent(&w.state.db, Some("api_access.revoked"), 10)
        .await
        .unwrap();
    assert_eq!(revoked.len(), 2, "demotion and deactivation");
    assert!(revoked[0].details.contains("merchant_deactivated"));
}
db_test!(demotion_and_deactivation_bite_on_the_next_request);

async fn command_line_keys_follow_the_same_rules(t: &TestDb) {
    let w = world(t).await;
    w.user("l1@example.com", "merchant_l1", false).await;
    w.user("l2off@example.com", "merchant_l2", false).await;
    let (_, account, _) = w.api_user("l2@example.com").await;

    let issued = api_keys::issue_for_email(&w.state, " L2@Example.com ")
        .await
        .unwrap();
    assert_eq!(issued.account_id, account);
    assert_eq!(
        ping(&w.state, &basic(&account, &issued.key)).await.status,
        200
    );
    // Two active keys now: a third is refused.
    assert_eq!(
        api_keys::issue_for_email(&w.state, "l2@example.com")
            .await
            .unwrap_err(),
        AppError::conflict("too_many_keys")
    );
    let admin = api_keys::issue_for_email(&w.state, ADMIN_EMAIL)
        .await
        .unwrap();
    let reply = ping(&w.state, &basic(&admin.account_id, &admin.key)).await;
    assert_eq!(reply.json()["role"], "admin");
    assert_eq!(reply.json()["merchant_id"], Value::Null);
    for email in ["l1@example.com", "l2off@example.com"] {
        assert_eq!(
            api_keys::issue_for_email(&w.state, email)
                .await
                .unwrap_err(),
            AppError::conflict("api_access_off"),
            "{email}"
        );
    }
    assert_eq!(
        api_keys::issue_for_email(&w.state, "nobody@example.com")
            .await
            .unwrap_err(),
        AppError::NotFound
    );
    // Level 1 users cannot hold keys through the page either.
    let mut l1 = crate::common::admin("l1");
    l1.user.role = Role::MerchantL1;
    assert_eq!(
        api_keys::generate(&w.state, &l1, &Default::default())
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
}
db_test!(command_line_keys_follow_the_same_rules);
