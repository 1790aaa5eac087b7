//! Sign-in throttling (docs/security.md, Password work is bounded and
//! throttled), through the services on SQLite and PostgreSQL: failures slow
//! the guesser down, never the owner of the address.

use crate::common::*;
use livreur::error::AppError;
use livreur::server::db::audit;
use livreur::server::services::auth;

async fn repeated_failures_slow_down(t: &TestDb) {
    let state = state(t);
    create_admin(&state).await;
    let app = router(&state);
    let attempt = |password: &'static str| {
        server_fn(
            "sign_in",
            &[("email", ADMIN_EMAIL), ("password", password)],
            None,
        )
    };
    for _ in 0..3 {
        assert_eq!(send(&app, attempt("bad password 1")).await.status, 401);
    }
    // Now even the right password must wait.
    let throttled = send(&app, attempt(ADMIN_PASSWORD)).await;
    assert_eq!(throttled.status, 429, "{}", throttled.body);
    assert_eq!(throttled.json()["retry_after_secs"], 1);
    state.clock.advance(1_000);
    assert_eq!(send(&app, attempt("bad password 2")).await.status, 401);
    // The fourth failure doubles the wait.
    let throttled = send(&app, attempt(ADMIN_PASSWORD)).await;
    assert_eq!(throttled.json()["retry_after_secs"], 2);
    state.clock.advance(2_000);
    assert_eq!(send(&app, attempt(ADMIN_PASSWORD)).await.status, 200);
    // Success clears the count.
    assert_eq!(send(&app, attempt("bad password 3")).await.status, 401);
    assert_eq!(send(&app, attempt(ADMIN_PASSWORD)).await.status, 200);

    // Unknown addresses are throttled exactly the same way.
    let stranger = || {
        server_fn(
            "sign_in",
            &[("email", "x@example.com"), ("password", "nope nope")],
            None,
        )
    };
    for _ in 0..3 {
        assert_eq!(send(&app, stranger()).await.status, 401);
    }
    assert_eq!(send(&app, stranger()).await.status, 429);
}
db_test!(repeated_failures_slow_down);

fn from(ip: &str) -> auth::Origin {
    auth::Origin {
        ip: Some(ip.into()),
        ..auth::Origin::default()
    }
}

/// Thirty wrong passwords at once from one client: each attempt is counted
/// before its password is checked, so only the free ones are checked (401)
/// and every other one is throttled (429), however they interleave.
async fn parallel_guesses_are_counted_before_any_is_checked(t: &TestDb) {
    let state = state(t);
    create_admin(&state).await;
    let attempts: Vec<_> = (0..30)
        .map(|i| {
            let state = state.clone();
            tokio::spawn(async move {
                let guess = format!("guess number {i}");
                auth::sign_in(&state, ADMIN_EMAIL, &guess, &from("198.51.100.7")).await
            })
        })
        .collect();
    let (mut refused, mut throttled) = (0, 0);
    for a in attempts {
        match a.await.unwrap() {
            Err(AppError::InvalidCredentials) => refused += 1,
            Err(AppError::TooManyAttempts { .. }) => throttled += 1,
            other => panic!("unexpected {:?}", other.map(|s| s.user.email)),
        }
    }
    assert_eq!(
        (refused, throttled),
        (auth::FREE_FAILURES, 30 - auth::FREE_FAILURES)
    );
    let failed = audit::list_recent(&state.db, Some("auth.sign_in_failed"), 100)
        .await
        .unwrap();
    assert_eq!(failed.len() as i64, auth::FREE_FAILURES);
}
db_test!(parallel_guesses_are_counted_before_any_is_checked);

/// Someone failing for a known address from elsewhere slows themselves
/// down, never the owner of the address signing in from their own place.
async fn failures_elsewhere_do_not_lock_a_user_out(t: &TestDb) {
    let state = state(t);
    create_admin(&state).await;
    for i in 0..8 {
        let r = auth::sign_in(&state, ADMIN_EMAIL, "a wrong guess", &from("203.0.113.66")).await;
        let expect_throttled = i >= auth::FREE_FAILURES;
        assert_eq!(
            matches!(r, Err(AppError::TooManyAttempts { .. })),
            expect_throttled,
            "attempt {i}"
        );
    }
    let owner = auth::sign_in(&state, ADMIN_EMAIL, ADMIN_PASSWORD, &from("192.0.2.10")).await;
    assert!(owner.is_ok(), "the owner signs in from their own address");
    // The attacker still waits.
    let again = auth::sign_in(&state, ADMIN_EMAIL, ADMIN_PASSWORD, &from("203.0.113.66")).await;
    assert!(matches!(again, Err(AppError::TooManyAttempts { .. })));
}
db_test!(failures_elsewhere_do_not_lock_a_user_out);

/// One client trying many e-mail addresses is slowed down too, after a
/// more generous allowance; another client is not; counters nobody adds
/// to are purged once they delay nobody.
async fn one_client_trying_many_addresses_is_slowed_down(t: &TestDb) {
    let state = state(t);
    create_admin(&state).await;
    let spray = from("198.51.100.99");
    for i in 0..auth::FREE_ADDRESS_FAILURES {
        let email = format!("user{i}@example.com");
        let r = auth::sign_in(&state, &email, "password123", &spray).await;
        assert!(
            matches!(r, Err(AppError::InvalidCredentials)),
            "attempt {i}"
        );
    }
    let next = auth::sign_in(&state, "fresh@example.com", "password123", &spray).await;
    assert!(matches!(
        next,
        Err(AppError::TooManyAttempts {
            retry_after_secs: 1
        })
    ));
    let other = auth::sign_in(&state, ADMIN_EMAIL, ADMIN_PASSWORD, &from("192.0.2.10")).await;
    assert!(other.is_ok());

    let rows = || async {
        let n: (i64,) = livreur::on_read!(&state.db, pool => {
            sqlx::query_as("SELECT COUNT(*) FROM sign_in_throttles")
                .fetch_one(pool)
                .await
                .unwrap()
        });
        n.0
    };
    assert!(rows().await > 0);
    state.clock.advance(auth::FAILURE_MEMORY_MS + 1);
    auth::purge_expired_sessions(&state).await.unwrap();
    assert_eq!(rows().await, 0, "old counters are purged");
}
db_test!(one_client_trying_many_addresses_is_slowed_down);
