//! `livreur create-admin`: the service behind it, on both databases.

use crate::common::*;
use livreur::error::AppError;
use livreur::server::db::audit;
use livreur::server::services::admins::{Outcome, create_or_reset};

async fn creates_then_resets(t: &TestDb) {
    let state = state(t);
    let created = create_or_reset(
        &state.db,
        &state.clock,
        " Boss@Example.com ",
        None,
        "first password!",
    )
    .await;
    let Ok(Outcome::Created { user_id }) = created else {
        panic!("{created:?}")
    };
    assert!(user_id.starts_with("usr_"));
    let app = router(&state);
    let token = sign_in(&app, "boss@example.com", "first password!").await;

    // Same address in another case: the same admin, password reset, sessions ended.
    let reset = create_or_reset(
        &state.db,
        &state.clock,
        "BOSS@example.com",
        None,
        "second password!",
    )
    .await;
    assert_eq!(
        reset,
        Ok(Outcome::PasswordReset {
            user_id: user_id.clone()
        })
    );
    assert_eq!(
        send(&app, server_fn("current_user", &[], Some(&token)))
            .await
            .body,
        "null"
    );
    let wrong = send(
        &app,
        server_fn(
            "sign_in",
            &[
                ("email", "boss@example.com"),
                ("password", "first password!"),
            ],
            None,
        ),
    )
    .await;
    assert_eq!(wrong.status, 401);
    sign_in(&app, "boss@example.com", "second password!").await;

    let me = send(
        &app,
        server_fn(
            "current_user",
            &[],
            Some(&sign_in(&app, "boss@example.com", "second password!").await),
        ),
    )
    .await;
    assert_eq!(me.json()["user"]["display_name"], "Boss");

    let events = audit::list_recent(&state.db, None, 50).await.unwrap();
    let actions: Vec<_> = events.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"admin.created"));
    assert!(actions.contains(&"admin.password_reset"));
    assert!(
        events.iter().all(|e| !e.details.contains("password!")),
        "no password in the audit log"
    );
}
db_test!(creates_then_resets);

async fn refuses_bad_input_and_merchant_addresses(t: &TestDb) {
    let state = state(t);
    let err = create_or_reset(&state.db, &state.clock, "not-an-email", None, "short")
        .await
        .unwrap_err();
    assert_eq!(err.field_code("email"), Some("invalid_email"));
    assert_eq!(err.field_code("password"), Some("password_too_short"));

    insert_merchant_user(&state.db, "shop@example.com", "merchant_l1").await;
    let err = create_or_reset(
        &state.db,
        &state.clock,
        "shop@example.com",
        None,
        "long enough pw",
    )
    .await
    .unwrap_err();
    assert_eq!(err, AppError::field("email", "taken"));
}
db_test!(refuses_bad_input_and_merchant_addresses);
