//! The webhook workers' leases on SQLite and PostgreSQL: a dead worker's
//! claims come back, a restarted SQLite server takes back every lease at
//! once, one process per SQLite file, and several workers share one queue
//! without sending twice.

use crate::common::hooks::*;
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
    let (claimed, events) = d::fan_out(
        &w.state.db,
        std::slice::from_ref(&hook),
        now,
        now + lease,
        "wkr_dead",
        10,
    )
    .await
    .unwrap();
    assert_eq!((claimed.len(), events), (1, 1));
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
    let (claimed, _) = d::fan_out(
        &w.state.db,
        std::slice::from_ref(&hook),
        now,
        now + lease,
        "wkr_dead",
        10,
    )
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
