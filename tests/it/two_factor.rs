//! The second factor (docs/people.md): administrators made to set it up
//! before anything else, the code after the password (never accepted
//! twice), recovery codes used once, the reset by `create-admin`, and a
//! merchant user turning it on and off.

use serde_json::json;

use crate::common::{
    ADMIN_EMAIL, ADMIN_PASSWORD, TestDb, router, send, server_fn, server_fn_json, settings,
    state_with,
};
use livreur::server::services::admins;
use livreur::server::totp;

/// Signs in with the password: (cookie, where the browser goes next).
async fn password_step(app: &axum::Router, email: &str, password: &str) -> (String, String) {
    let r = send(
        app,
        server_fn("sign_in", &[("email", email), ("password", password)], None),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    (
        r.cookie("livreur_session").unwrap(),
        r.json()["next"].as_str().unwrap().to_owned(),
    )
}

async fn signed_in(app: &axum::Router, session: &str) -> bool {
    let me = send(app, server_fn("current_user", &[], Some(session))).await;
    me.status == 200 && me.body != "null"
}

/// The code of the step `ahead` steps from the clock's now.
fn code(state: &livreur::server::AppState, secret: &str, ahead: u64) -> String {
    let raw = totp_rs::Secret::try_from_base32(secret).unwrap();
    let step = (state.clock.now() as u64) / 1000 / totp::STEP_SECS + ahead;
    totp::code_at_step(raw.as_ref(), step)
}

async fn administrators_set_up_then_use_a_second_factor(t: &TestDb) {
    let mut s = settings();
    s.require_2fa_for_admins = true;
    let state = state_with(t, s);
    crate::common::create_admin(&state).await;
    let app = router(&state);

    // The password alone signs no one in: the setup comes first.
    let (enrolling, next) = password_step(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(next, "/two-factor");
    assert!(!signed_in(&app, &enrolling).await);
    let r = send(
        &app,
        server_fn_json("list_locations", json!({}), Some(&enrolling)),
    )
    .await;
    assert_eq!(r.status, 401, "{}", r.body);
    let setup = send(
        &app,
        server_fn_json("start_two_factor", json!({}), Some(&enrolling)),
    )
    .await;
    assert_eq!(setup.status, 200, "{}", setup.body);
    let secret = setup.json()["secret"].as_str().unwrap().to_owned();
    assert!(setup.json()["qr_svg"].as_str().unwrap().contains("<svg"));
    // The same secret until confirmed.
    let again = send(
        &app,
        server_fn_json("start_two_factor", json!({}), Some(&enrolling)),
    )
    .await;
    assert_eq!(again.json()["secret"], secret.as_str());
    let wrong = send(
        &app,
        server_fn(
            "confirm_two_factor",
            &[("code", "000000")],
            Some(&enrolling),
        ),
    )
    .await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    let ok = send(
        &app,
        server_fn(
            "confirm_two_factor",
            &[("code", &code(&state, &secret, 0))],
            Some(&enrolling),
        ),
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    let recovery: Vec<String> = serde_json::from_str(&ok.body).unwrap();
    assert_eq!(recovery.len(), 10);
    // The codes in force are those the setup showed.
    let shown: Vec<String> =
        serde_json::from_value(setup.json()["recovery_codes"].clone()).unwrap();
    assert_eq!(recovery, shown);
    assert!(signed_in(&app, &enrolling).await);

    // Next time: the password, then a code.
    let (pending, next) = password_step(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(next, "/sign-in/code");
    assert!(!signed_in(&app, &pending).await);
    // The code just used for the setup is not accepted again.
    let replay = send(
        &app,
        server_fn(
            "verify_second_factor",
            &[("code", &code(&state, &secret, 0))],
            Some(&pending),
        ),
    )
    .await;
    assert_eq!(replay.status, 401, "{}", replay.body);
    let next_code = code(&state, &secret, 1);
    let r = send(
        &app,
        server_fn(
            "verify_second_factor",
            &[("code", &next_code)],
            Some(&pending),
        ),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(signed_in(&app, &pending).await);

    // A recovery code works once, typed any way.
    let (pending, _) = password_step(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let typed = recovery[0].to_uppercase().replace('-', " ");
    let r = send(
        &app,
        server_fn("verify_second_factor", &[("code", &typed)], Some(&pending)),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let (pending, _) = password_step(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let r = send(
        &app,
        server_fn(
            "verify_second_factor",
            &[("code", &recovery[0])],
            Some(&pending),
        ),
    )
    .await;
    assert_eq!(r.status, 401, "{}", r.body);
    assert!(!signed_in(&app, &pending).await);

    // Wrong codes are throttled per user.
    let mut throttled = false;
    for _ in 0..8 {
        let r = send(
            &app,
            server_fn(
                "verify_second_factor",
                &[("code", "123456")],
                Some(&pending),
            ),
        )
        .await;
        if r.status == 429 {
            throttled = true;
            break;
        }
    }
    assert!(throttled);

    // `create-admin` on the administrator removes the second factor: it is
    // set up again at the next sign-in.
    admins::create_or_reset(&state.db, &state.clock, ADMIN_EMAIL, None, ADMIN_PASSWORD)
        .await
        .unwrap();
    let (_, next) = password_step(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(next, "/two-factor");
    for action in [
        "user.two_factor_enabled",
        "auth.second_factor",
        "auth.second_factor_failed",
    ] {
        let entries = livreur::server::db::audit::list_recent(&state.db, Some(action), 20)
            .await
            .unwrap();
        assert!(!entries.is_empty(), "{action}");
        assert!(entries.iter().all(|e| !e.details.contains(&secret)));
    }
}
db_test!(administrators_set_up_then_use_a_second_factor);

/// Anyone may turn it on from the profile, and off again with a code;
/// administrators may not turn it off while it is required.
async fn merchant_users_choose_and_admins_keep_it(t: &TestDb) {
    let w = crate::common::world::world(t).await;
    let app = router(&w.state);
    w.user("totp@example.com", "merchant_l1", false).await;
    let (session, next) = password_step(&app, "totp@example.com", "a long password").await;
    assert_eq!(next, "/");
    let status = send(
        &app,
        server_fn_json("second_factor_status", json!({}), Some(&session)),
    )
    .await;
    assert_eq!(status.json()["enabled"], false);
    let setup = send(
        &app,
        server_fn_json("start_two_factor", json!({}), Some(&session)),
    )
    .await;
    let secret = setup.json()["secret"].as_str().unwrap().to_owned();
    let ok = send(
        &app,
        server_fn(
            "confirm_two_factor",
            &[("code", &code(&w.state, &secret, 0))],
            Some(&session),
        ),
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    let status = send(
        &app,
        server_fn_json("second_factor_status", json!({}), Some(&session)),
    )
    .await;
    assert_eq!(status.json()["enabled"], true);
    assert_eq!(status.json()["recovery_codes_left"], 10);
    let off = send(
        &app,
        server_fn_json(
            "disable_two_factor",
            json!({"code": "000000"}),
            Some(&session),
        ),
    )
    .await;
    assert_eq!(off.status, 422, "{}", off.body);
    let off = send(
        &app,
        server_fn_json(
            "disable_two_factor",
            json!({"code": code(&w.state, &secret, 1)}),
            Some(&session),
        ),
    )
    .await;
    assert_eq!(off.status, 200, "{}", off.body);
    let (_, next) = password_step(&app, "totp@example.com", "a long password").await;
    assert_eq!(next, "/");

    // An administrator may not turn it off while it is required.
    let mut s = settings();
    s.require_2fa_for_admins = true;
    let state = state_with(t, s);
    let err = livreur::server::services::two_factor::disable(&state, &w.admin, "000000")
        .await
        .unwrap_err();
    assert_eq!(
        err,
        livreur::error::AppError::conflict("two_factor_required")
    );
}
db_test!(merchant_users_choose_and_admins_keep_it);
