//! Group commit against a real SQLite file.

use super::*;
use crate::server::db::Db;
use std::time::Duration;

/// A fresh database file with one table, and its group.
async fn group(name: &str) -> (Arc<Group>, SqlitePool, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("livreur-group-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let url = format!("sqlite://{}/t.db", dir.display());
    let Db::Sqlite {
        read, write, group, ..
    } = Db::connect(&url, 2).await.unwrap()
    else {
        unreachable!()
    };
    sqlx::query("CREATE TABLE t (v TEXT PRIMARY KEY)")
        .execute(&write)
        .await
        .unwrap();
    (group, read, dir)
}

async fn insert(m: &mut Member, v: &str) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO t (v) VALUES ($1)")
        .bind(v)
        .execute(&mut **m)
        .await
        .map(|_| ())
}

async fn rows(read: &SqlitePool) -> Vec<String> {
    sqlx::query_scalar("SELECT v FROM t ORDER BY v")
        .fetch_all(read)
        .await
        .unwrap()
}

/// Waits until `n` members queue behind the one holding the writer.
async fn queued(g: &Group, n: usize) {
    for _ in 0..500 {
        if g.waiting() == n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    panic!("{} members queued, not {n}", g.waiting());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_that_queue_commit_as_one_group() {
    let (g, read, dir) = group("one").await;
    let mut first = g.begin().await.unwrap();
    insert(&mut first, "first").await.unwrap();
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let g = g.clone();
            tokio::spawn(async move {
                let mut m = g.begin().await?;
                insert(&mut m, &format!("m{i:02}")).await?;
                m.commit().await
            })
        })
        .collect();
    queued(&g, 20).await;
    // Nothing is visible before the group's COMMIT.
    assert!(rows(&read).await.is_empty());
    first.commit().await.unwrap();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(rows(&read).await.len(), 21);
    let groups = |g: &Group| g.committed().groups.load(Ordering::Relaxed);
    assert_eq!(groups(&g), 1, "one COMMIT for 21 transactions");
    assert_eq!(g.committed().members.load(Ordering::Relaxed), 21);
    // Alone, a transaction commits at once.
    let mut m = g.begin().await.unwrap();
    insert(&mut m, "alone").await.unwrap();
    m.commit().await.unwrap();
    assert_eq!(groups(&g), 2);
    assert_eq!(g.committed().members.load(Ordering::Relaxed), 22);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_that_fails_undoes_only_its_own_changes() {
    let (g, read, dir) = group("undo").await;
    let mut first = g.begin().await.unwrap();
    insert(&mut first, "a").await.unwrap();
    let spawn = |values: &'static [&'static str], keep: bool| {
        let g = g.clone();
        tokio::spawn(async move {
            let mut m = g.begin().await?;
            for v in values {
                insert(&mut m, v).await?;
            }
            if keep { m.commit().await } else { Ok(()) }
        })
    };
    let kept = spawn(&["b"], true);
    // Fails half way (a duplicate), after writing "c": none of it stays.
    let failed = spawn(&["c", "a"], true);
    // Given up without a commit (an error elsewhere, a dropped request).
    let dropped = spawn(&["d"], false);
    let last = spawn(&["e"], true);
    queued(&g, 4).await;
    first.commit().await.unwrap();
    kept.await.unwrap().unwrap();
    assert!(sqlx_unique(failed.await.unwrap()));
    dropped.await.unwrap().unwrap();
    last.await.unwrap().unwrap();
    assert_eq!(rows(&read).await, ["a", "b", "e"]);
    // One COMMIT, which made three of the five transactions durable.
    assert_eq!(g.committed().groups.load(Ordering::Relaxed), 1);
    assert_eq!(g.committed().members.load(Ordering::Relaxed), 3);
    let _ = std::fs::remove_dir_all(dir);
}

fn sqlx_unique(r: Result<(), sqlx::Error>) -> bool {
    r.is_err_and(|e| crate::server::db::is_unique_violation(&e))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_handed_back_inside_a_transaction_is_reset() {
    let (g, read, dir) = group("reset").await;
    let mut conn = g.pool.acquire().await.unwrap();
    conn.execute("BEGIN IMMEDIATE").await.unwrap();
    drop(conn);
    let mut m = g.begin().await.unwrap();
    insert(&mut m, "a").await.unwrap();
    m.commit().await.unwrap();
    assert_eq!(rows(&read).await, ["a"]);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_whose_transaction_is_lost_fails_every_member() {
    let (g, read, dir) = group("lost").await;
    let mut first = g.begin().await.unwrap();
    insert(&mut first, "a").await.unwrap();
    let other = {
        let g = g.clone();
        tokio::spawn(async move {
            let mut m = g.begin().await?;
            insert(&mut m, "b").await?;
            m.commit().await
        })
    };
    queued(&g, 1).await;
    // Rolls the whole transaction back, as SQLite does by itself after
    // some errors (a full disk), then ends without committing.
    let breaker = {
        let g = g.clone();
        tokio::spawn(async move {
            let mut m = g.begin().await.unwrap();
            insert(&mut m, "c").await.unwrap();
            (&mut *m).execute("ROLLBACK").await.unwrap();
        })
    };
    queued(&g, 2).await;
    let first = first.commit().await;
    breaker.await.unwrap();
    assert!(first.is_err(), "{first:?}");
    assert!(other.await.unwrap().is_err());
    assert!(rows(&read).await.is_empty());
    // The writer is usable again.
    let mut m = g.begin().await.unwrap();
    insert(&mut m, "d").await.unwrap();
    m.commit().await.unwrap();
    assert_eq!(rows(&read).await, ["d"]);
    let _ = std::fs::remove_dir_all(dir);
}
