//! SQLite's WAL checkpoints, off the commit path (docs/architecture.md,
//! "Database").
//!
//! By default the connection that commits also checkpoints, whenever the
//! WAL passes 1,000 pages: that commit then copies the WAL into the
//! database file and waits for its fsync, and its caller sees a commit
//! many times slower than the others. Here the writer never checkpoints
//! (`wal_autocheckpoint = 0`); a task with a connection of its own runs a
//! `PASSIVE` checkpoint a few times a second instead. A passive checkpoint
//! takes no lock a writer or a reader waits for: it copies what no reader
//! still needs and leaves the rest for the next one. Durability is
//! unchanged: a commit is durable once its WAL frames are synced, which
//! `synchronous = FULL` still does at every commit.

use sqlx::sqlite::{SqliteConnectOptions, SqlitePool};
use sqlx::{ConnectOptions, Connection};
use std::time::Duration;

/// How often the WAL is copied into the database file.
const EVERY: Duration = Duration::from_millis(200);

/// Starts the checkpointer for the database `opts` opens, for as long as
/// `write` (the pool that commits) is open.
pub(super) fn start(opts: SqliteConnectOptions, write: SqlitePool) {
    tokio::spawn(async move {
        let mut conn = match opts.connect().await {
            Ok(c) => c,
            Err(err) => {
                tracing::error!(error = %err, "cannot open the WAL checkpointer's connection; the WAL will grow until the next start");
                return;
            }
        };
        let mut failures = 0u32;
        loop {
            tokio::time::sleep(EVERY).await;
            if write.is_closed() {
                break;
            }
            match sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&mut conn)
                .await
            {
                Ok(_) => failures = 0,
                Err(err) => {
                    failures += 1;
                    // Logged once in a while, not five times a second.
                    if failures % 50 == 1 {
                        tracing::warn!(error = %err, "WAL checkpoint failed; will retry");
                    }
                }
            }
        }
        let _ = conn.close().await;
    });
}
