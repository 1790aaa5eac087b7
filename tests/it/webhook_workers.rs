//! The webhook workers' leases on SQLite and PostgreSQL: a dead worker's
//! claims come back, a restarted SQLite server takes back every lease at
//! once, one process per SQLite file, and several workers share one queue
//! without sending twice.

use crate::common::hooks::*;
use crate::common::world::World;
use crate::common::*;
use livreur::server::AppState;
use livreur::server::webhooks::run_once;

/// A worker that claimed messages and died: its claims come due again when
/// the lease runs out, and its late results are dropped.
async fn a_dead_workers_claims_come_back(t: &TestDb) {
    use livreur::server::db::deliveries as d;
    let w = hooks_world(t, "0,5", 5, 120).await;
    let (r, base) = receiver().await;
    let (hook, _) = endpoint(&w, &format!("{base}/h"), None, &["*"]).await;
    job(&w, "WH-12").await;
    let now = w.state.clock.now();
    let lease = w.state.webhooks.config.lease_ms;
    let claimed = d::claim_due(&w.state.db, now, now + lease, "wkr_dead", 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(
        run_once(&w.state).await.unwrap(),
        0,
        "held by the dead worker"
    );
    w.state.clock.advance(lease + 1);
    assert_eq!(run_once(&w.state).await.unwrap(), 1, "its lease ran out");
    assert_eq!(r.got().len(), 1);
    // The dead worker's result, arriving late, changes nothing.
    let mut tx = w.state.db.begin().await.unwrap();
    let late = d::Attempted {
        endpoint_id: hook.id.clone(),
        message_id: claimed[0].message_id.clone(),
        token: "wkr_dead".into(),
        at: now,
        status: Some(500),
        duration_ms: 1,
        response: None,
        error: None,
        retry_at: Some(now),
        succeeded: false,
    };
    assert!(!d::record_attempt(&mut tx, &late).await.unwrap());
    tx.commit().await.unwrap();
    assert_eq!(deliveries(&w, &hook.id).await[0].state, "succeeded");
}
db_test!(a_dead_workers_claims_come_back);

/// A SQLite server starting under its single-instance lock takes back
/// every lease at once: the dead process's claims are due now, not when
/// their leases run out, and deliveries already finished are left alone.
async fn leases_handed_back_at_start_are_due_at_once(t: &TestDb) {
    use livreur::server::db::deliveries as d;
    let w = hooks_world(t, "0,5", 5, 120).await;
    let (r, base) = receiver().await;
    let (hook, _) = endpoint(&w, &format!("{base}/h"), None, &["*"]).await;
    job(&w, "WH-13").await;
    assert_eq!(
        run_once(&w.state).await.unwrap(),
        1,
        "one finished delivery"
    );
    job(&w, "WH-14").await;
    job(&w, "WH-15").await;
    let now = w.state.clock.now();
    let lease = w.state.webhooks.config.lease_ms;
    let claimed = d::claim_due(&w.state.db, now, now + lease, "wkr_dead", 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 2);
    assert_eq!(run_once(&w.state).await.unwrap(), 0, "still leased");
    assert_eq!(d::release(&w.state.db, None, now).await.unwrap(), 2);
    assert_eq!(run_once(&w.state).await.unwrap(), 2, "due without waiting");
    assert_eq!(r.got().len(), 3);
    let states: Vec<String> = deliveries(&w, &hook.id)
        .await
        .into_iter()
        .map(|d| d.state)
        .collect();
    assert_eq!(states, ["succeeded"; 3]);
    assert_eq!(d::release(&w.state.db, None, now).await.unwrap(), 0);
}
db_test!(leases_handed_back_at_start_are_due_at_once);

/// One `serve` per SQLite file: a second one is refused while the first
/// holds the lock, and the lock goes with its holder.
#[test]
fn sqlite_is_served_by_one_process() {
    use livreur::server::db::Db;
    let dir = std::env::temp_dir().join(format!("livreur-lock-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/livreur.db", dir.display());
    let first = Db::lock_single_instance(&url).unwrap();
    assert!(first.is_some());
    let second = Db::lock_single_instance(&url).unwrap_err();
    assert!(second.contains("another `livreur serve`"), "{second}");
    drop(first);
    assert!(Db::lock_single_instance(&url).unwrap().is_some());
    let pg = Db::lock_single_instance("postgres://postgres@127.0.0.1/test");
    assert!(
        pg.unwrap().is_none(),
        "PostgreSQL instances share the database"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Three workers on one queue: every message exactly once.
async fn workers_share_the_queue_without_sending_twice(t: &TestDb) {
    let w = hooks_world(t, "0,5", 5, 120).await;
    let (r, base) = receiver().await;
    endpoint(&w, &format!("{base}/h"), None, &["*"]).await;
    for i in 0..120 {
        job(&w, &format!("WH-Q{i}")).await;
    }
    let work = |state: AppState| async move {
        let mut n = 0;
        for _ in 0..200 {
            n += run_once(&state).await.unwrap();
        }
        n
    };
    let (a, b, c) = tokio::join!(
        tokio::spawn(work(w.state.clone())),
        tokio::spawn(work(w.state.clone())),
        tokio::spawn(work(w.state.clone()))
    );
    assert_eq!(a.unwrap() + b.unwrap() + c.unwrap(), 120);
    let mut ids: Vec<String> = r
        .got()
        .iter()
        .map(|g| g.header("webhook-id").to_owned())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!((r.got().len(), ids.len()), (120, 120));
}
db_test!(workers_share_the_queue_without_sending_twice);

/// (endpoint, lease token, due) of every delivery, by message.
async fn leases(w: &World) -> Vec<(String, Option<String>, i64)> {
    livreur::server::db::on_read!(&w.state.db, pool => {
        sqlx::query_as(
            "SELECT endpoint_id, lease_token, next_attempt_at FROM webhook_deliveries \
             ORDER BY message_id, endpoint_id",
        )
        .fetch_all(pool)
        .await
        .unwrap()
    })
}

/// With a worker running, a change fans its event out in its own
/// transaction, to the endpoints that want it only, leased to this
/// process's worker, and hands the deliveries over in memory: sent once,
/// with nothing claimed from the database. A change that fails hands
/// nothing over. Without a worker, the deliveries are due at once for any
/// worker's database pass.
async fn changes_hand_their_deliveries_to_the_worker(t: &TestDb) {
    let w = hooks_world(t, "0,5", 5, 120).await;
    let (r, base) = receiver().await;
    let (hook, secret) = endpoint(&w, &format!("{base}/h"), None, &["job.created"]).await;
    endpoint(&w, &format!("{base}/other"), None, &["job.updated"]).await;
    let hooks = w.state.webhooks.clone();
    hooks.hand_off.set_live(true);
    job(&w, "WH-H1").await;
    assert_eq!(hooks.hand_off.len(), 1, "one endpoint wants it");
    let now = w.state.clock.now();
    let lease = (
        hook.id.clone(),
        Some(hooks.token.clone()),
        now + hooks.config.lease_ms,
    );
    assert_eq!(leases(&w).await, [lease]);
    // A refused change (a reference already taken) hands nothing over.
    let taken =
        livreur::server::services::jobs::create(&w.state, &w.admin, &job_input(&w, "WH-H1")).await;
    assert!(taken.is_err());
    assert_eq!(hooks.hand_off.len(), 1);
    assert_eq!(run_once(&w.state).await.unwrap(), 1);
    assert!(hooks.hand_off.is_empty());
    assert_eq!(
        run_once(&w.state).await.unwrap(),
        0,
        "nothing left to claim"
    );
    let got = r.got();
    assert_eq!(got.len(), 1);
    assert!(verifies(&secret, &got[0]));
    assert_eq!(deliveries(&w, &hook.id).await[0].state, "succeeded");
    // No worker in this process: due now, unleased.
    hooks.hand_off.set_live(false);
    job(&w, "WH-H2").await;
    assert!(hooks.hand_off.is_empty());
    let due = leases(&w).await;
    assert_eq!(due[1], (hook.id.clone(), None, w.state.clock.now()));
    assert_eq!(run_once(&w.state).await.unwrap(), 1);
    assert_eq!(r.got().len(), 2);
}
db_test!(changes_hand_their_deliveries_to_the_worker);

/// A hand-off whose lease is nearly out is not sent from memory (another
/// worker may take it when the lease ends): the database pass takes it
/// once the lease has run out, and it is sent once.
async fn a_stale_hand_off_is_left_to_its_lease(t: &TestDb) {
    let w = hooks_world(t, "0,5", 5, 120).await;
    let (r, base) = receiver().await;
    endpoint(&w, &format!("{base}/h"), None, &["*"]).await;
    let hooks = w.state.webhooks.clone();
    hooks.hand_off.set_live(true);
    job(&w, "WH-H3").await;
    w.state.clock.advance(hooks.config.lease_ms - 1_000);
    assert_eq!(
        run_once(&w.state).await.unwrap(),
        0,
        "too old, still leased"
    );
    assert!(hooks.hand_off.is_empty());
    w.state.clock.advance(1_001);
    assert_eq!(run_once(&w.state).await.unwrap(), 1, "its lease ran out");
    assert_eq!(r.got().len(), 1);
}
db_test!(a_stale_hand_off_is_left_to_its_lease);

/// An event written without a fan-out (by an older version, or straight
/// into the table) is still fanned out by the worker's database pass.
async fn events_written_without_a_fan_out_are_still_sent(t: &TestDb) {
    let w = hooks_world(t, "0,5", 5, 120).await;
    let (r, base) = receiver().await;
    let (hook, _) = endpoint(&w, &format!("{base}/h"), None, &["*"]).await;
    job(&w, "WH-H4").await;
    let mut tx = w.state.db.begin().await.unwrap();
    let undo = [
        "DELETE FROM webhook_deliveries",
        "UPDATE outbox SET dispatched_at = NULL",
    ];
    for sql in undo {
        livreur::server::db::exec::exec(&mut tx, sql, &[])
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    assert!(leases(&w).await.is_empty());
    assert_eq!(run_once(&w.state).await.unwrap(), 1);
    assert_eq!(r.got().len(), 1);
    assert_eq!(deliveries(&w, &hook.id).await[0].state, "succeeded");
}
db_test!(events_written_without_a_fan_out_are_still_sent);

/// Deleting an endpoint while the worker records a batch for it: the
/// worker's batch locks the endpoint before its deliveries
/// (`begin_results`), as the delete does, so the delete waits for the
/// batch instead of deadlocking with it (on PostgreSQL, which would end
/// one of them with an error: a 500 for the administrator).
async fn deleting_an_endpoint_while_its_results_are_written(t: &TestDb) {
    use livreur::server::db::deliveries as d;
    use livreur::server::db::webhooks as endpoints;
    let w = hooks_world(t, "0,5", 5, 120).await;
    let (_r, base) = receiver().await;
    let (hook, _) = endpoint(&w, &format!("{base}/h"), None, &["*"]).await;
    job(&w, "WH-D1").await;
    let now = w.state.clock.now();
    let claimed = d::claim_due(&w.state.db, now, now + 60_000, "wkr_busy", 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    // The worker's batch, as `write` makes it: the endpoint, the attempt…
    let mut tx = livreur::server::webhooks::begin_results(&w.state, &[hook.id.as_str()])
        .await
        .unwrap();
    let attempted = d::Attempted {
        endpoint_id: hook.id.clone(),
        message_id: claimed[0].message_id.clone(),
        token: "wkr_busy".into(),
        at: now,
        status: Some(204),
        duration_ms: 1,
        response: None,
        error: None,
        retry_at: None,
        succeeded: true,
    };
    let held = matches!(tx, livreur::server::db::Tx::Postgres(..));
    if held {
        assert!(d::record_attempt(&mut tx, &attempted).await.unwrap());
    }
    // …meanwhile an administrator deletes the endpoint…
    let state = w.state.clone();
    let (admin, id) = (w.admin.clone(), hook.id.clone());
    let deleting = tokio::spawn(async move {
        livreur::server::services::webhooks::delete(&state, &admin, &id).await
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    // …then the endpoint's health, and the batch commits.
    if held {
        endpoints::record_health(&mut tx, &hook.id, true, false, now, 3_600_000, true)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    deleting.await.unwrap().unwrap();
    assert!(
        livreur::server::services::webhooks::get(&w.state, &w.admin, &hook.id)
            .await
            .is_err()
    );
}
db_test!(deleting_an_endpoint_while_its_results_are_written);
