//! Races on an API account's keys, on PostgreSQL (READ COMMITTED, several
//! connections at once; SQLite's single writer cannot interleave them).
//! Every change to an account's keys locks the account's row first, so
//! the two-key limit holds however many requests arrive together.

use livreur::error::AppError;
use livreur::server::AppState;
use livreur::server::clock::Clock;
use livreur::server::db::Db;
use livreur::server::services::api_keys;
use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, Executor, PgConnection};
use std::time::{Duration, Instant};

use crate::common::world::*;
use crate::common::*;

const ISSUERS: usize = 6;

/// Six administrators' issues for one user, made to interleave at the
/// worst moment: a session holding `api_keys` in SHARE mode lets every
/// issue read the account and count its keys, but not insert. Without the
/// account lock all six count none and all six insert; with it they queue
/// on the account and only two keys are ever made.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_issues_never_pass_the_two_key_limit() {
    let Some(t) = postgres().await else {
        return;
    };
    let (url, schema) = t
        .pg_schema()
        .map(|(u, s)| (u.to_owned(), s.to_owned()))
        .unwrap();
    let w = world(&t).await;
    let user = w.user("l2@example.com", "merchant_l2", true).await;
    // Room for every issuer at once (the test pool has four connections).
    let pool = PgPoolOptions::new()
        .max_connections(ISSUERS as u32 + 1)
        .connect_with(pg_options(&url, &schema))
        .await
        .unwrap();
    let state = AppState::new(settings(), Db::postgres(pool.clone()), Clock::manual(START));

    let mut holder = PgConnection::connect_with(&pg_options(&url, &schema))
        .await
        .unwrap();
    holder.execute("BEGIN").await.unwrap();
    holder
        .execute("LOCK TABLE api_keys IN SHARE MODE")
        .await
        .unwrap();

    let issues: Vec<_> = (0..ISSUERS)
        .map(|_| {
            let (state, admin, user_id) = (state.clone(), w.admin.clone(), user.user.id.clone());
            tokio::spawn(async move {
                api_keys::issue_for_user(&state, &admin, &user_id, None, Default::default()).await
            })
        })
        .collect();
    // Every issuer is now waiting on a lock: on the table (to insert) or,
    // with the fix, on the account the first one holds.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (waiting,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM pg_stat_activity \
             WHERE application_name = $1 AND wait_event_type = 'Lock'",
        )
        .bind(&schema)
        .fetch_one(&pool)
        .await
        .unwrap();
        if waiting as usize >= ISSUERS {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "only {waiting} issuers reached a lock"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    holder.execute("ROLLBACK").await.unwrap();

    let (mut made, mut refused) = (0, 0);
    for issue in issues {
        match issue.await.unwrap() {
            Ok(_) => made += 1,
            Err(AppError::Conflict { code }) if code == "too_many_keys" => refused += 1,
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((made, refused), (2, ISSUERS - 2));
    let (active,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM api_keys WHERE revoked_at IS NULL AND expires_at IS NULL",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(active, 2, "two active keys at most");
    pool.close().await;
    t.finish().await;
}
