//! Group commit for SQLite's one writer.
//!
//! With `synchronous=FULL` every COMMIT waits for the disk to confirm the
//! write-ahead log (about a millisecond here), and SQLite has one writer:
//! one transaction at a time caps writes at about a thousand a second,
//! however idle the CPU. Instead, write transactions that arrive while
//! another runs share one database transaction. Each runs alone, in turn,
//! inside its own SAVEPOINT (so its failure undoes only its own changes),
//! and a single COMMIT makes the whole group durable. No member's
//! `commit()` returns before that COMMIT has, so a change reported saved is
//! on disk exactly as before; a group whose COMMIT fails reports the
//! failure to every member.
//!
//! The COMMIT is issued by a task of its own, once nobody is waiting to
//! join the group (or the group is full), so a request given up half way
//! (a client that disconnects) can never leave a group open.

use sqlx::pool::PoolConnection;
use sqlx::{Executor, Sqlite, SqliteConnection, SqlitePool};
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Weak};
use tokio::sync::{Mutex, Notify, OwnedMutexGuard, oneshot};

/// Members at most in one group, to bound the wait of the first.
const MAX_MEMBERS: usize = 32;

/// What a member's `commit()` learns from the group's COMMIT.
type Outcome = Result<(), String>;

/// The writer: its connection while a group transaction is open, the
/// members waiting for the COMMIT.
#[derive(Default)]
struct Writer {
    conn: Option<PoolConnection<Sqlite>>,
    members: usize,
    pending: Vec<oneshot::Sender<Outcome>>,
    stats: Arc<Committed>,
}

/// What the groups committed so far held, for `/metrics`: how well
/// transactions share a COMMIT under the load of the moment.
#[derive(Debug, Default)]
pub struct Committed {
    /// COMMITs that succeeded.
    pub groups: AtomicU64,
    /// Transactions those COMMITs made durable.
    pub members: AtomicU64,
}

impl Writer {
    /// Ends the open group: COMMIT, or ROLLBACK when `broken`, then tells
    /// every pending member and gives the connection back to the pool.
    async fn end(&mut self, broken: Option<String>) {
        let Some(mut conn) = self.conn.take() else {
            return;
        };
        let outcome = match broken {
            Some(why) => {
                let _ = conn.execute("ROLLBACK").await;
                Err(why)
            }
            None => match conn.execute("COMMIT").await {
                Ok(_) => {
                    self.stats.groups.fetch_add(1, Ordering::Relaxed);
                    let members = self.pending.len() as u64;
                    self.stats.members.fetch_add(members, Ordering::Relaxed);
                    Ok(())
                }
                Err(err) => {
                    // Leave no transaction open behind a failed COMMIT.
                    let _ = conn.execute("ROLLBACK").await;
                    Err(err.to_string())
                }
            },
        };
        self.members = 0;
        for member in self.pending.drain(..) {
            let _ = member.send(outcome.clone());
        }
    }
}

/// The write side of a SQLite database.
pub struct Group {
    pool: SqlitePool,
    writer: Arc<Mutex<Writer>>,
    /// Members waiting for the writer: the COMMIT waits for them.
    waiting: AtomicUsize,
    commit_due: Arc<Notify>,
    stats: Arc<Committed>,
}

impl std::fmt::Debug for Group {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Group").finish_non_exhaustive()
    }
}

impl Group {
    /// The group over `pool` (of one connection), and its committing task.
    pub fn new(pool: SqlitePool) -> Arc<Self> {
        let writer = Writer::default();
        let group = Arc::new(Group {
            pool,
            stats: writer.stats.clone(),
            writer: Arc::new(Mutex::new(writer)),
            waiting: AtomicUsize::new(0),
            commit_due: Arc::new(Notify::new()),
        });
        tokio::spawn(committer(Arc::downgrade(&group), group.commit_due.clone()));
        group
    }

    /// How many members wait for the writer.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::SeqCst)
    }

    /// The groups committed so far, and the transactions they held.
    pub fn committed(&self) -> &Committed {
        &self.stats
    }

    /// Starts a write transaction: a member of the open group, or the first
    /// of a new one.
    pub async fn begin(self: &Arc<Self>) -> Result<Member, sqlx::Error> {
        self.waiting.fetch_add(1, Ordering::SeqCst);
        // Counted out once it holds the writer, or if it gives up waiting.
        let leave = Leave(&self.waiting);
        let mut writer = self.writer.clone().lock_owned().await;
        drop(leave);
        if writer.conn.is_none() {
            let mut conn = self.pool.acquire().await?;
            if let Err(err) = conn.execute("BEGIN IMMEDIATE").await {
                // A request given up during this very BEGIN hands the
                // connection back inside an empty transaction: end it.
                if !err.to_string().contains("within a transaction") {
                    return Err(err);
                }
                conn.execute("ROLLBACK").await?;
                conn.execute("BEGIN IMMEDIATE").await?;
            }
            writer.conn = Some(conn);
        }
        writer.members += 1;
        let mut member = Member {
            writer: Some(writer),
            group: self.clone(),
        };
        member.execute("SAVEPOINT member").await?;
        Ok(member)
    }
}

/// Counts a member out of `waiting`.
struct Leave<'a>(&'a AtomicUsize);

impl Drop for Leave<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Commits open groups when asked, once no member waits to join.
async fn committer(group: Weak<Group>, due: Arc<Notify>) {
    loop {
        due.notified().await;
        let Some(group) = group.upgrade() else {
            return;
        };
        loop {
            // Holding the writer, no member is at work: every member of an
            // open group has finished and waits for this COMMIT.
            let mut writer = group.writer.clone().lock_owned().await;
            if writer.conn.is_none() {
                break;
            }
            let joining = group.waiting.load(Ordering::SeqCst) > 0;
            if joining && writer.members < MAX_MEMBERS {
                // Let them in first: the lock is fair, so this task gets
                // it again after them.
                drop(writer);
                tokio::task::yield_now().await;
                continue;
            }
            writer.end(None).await;
            break;
        }
    }
}

/// One write transaction: the writer's connection, inside this member's
/// SAVEPOINT.
pub struct Member {
    writer: Option<OwnedMutexGuard<Writer>>,
    group: Arc<Group>,
}

impl Deref for Member {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        self.writer
            .as_ref()
            .and_then(|w| w.conn.as_deref())
            .expect("a member holds the open connection")
    }
}

impl DerefMut for Member {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        self.writer
            .as_mut()
            .and_then(|w| w.conn.as_deref_mut())
            .expect("a member holds the open connection")
    }
}

impl Member {
    /// Keeps this member's changes and returns once the group's COMMIT
    /// has made them durable.
    pub async fn commit(mut self) -> Result<(), sqlx::Error> {
        // On failure, dropping `self` undoes this member's changes.
        self.execute("RELEASE member").await?;
        let (done, outcome) = oneshot::channel();
        let mut writer = self.writer.take().expect("a member holds the writer");
        writer.pending.push(done);
        drop(writer);
        self.group.commit_due.notify_one();
        match outcome.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(why)) => Err(sqlx::Error::Protocol(format!("group commit failed: {why}"))),
            Err(_) => Err(sqlx::Error::Protocol("group commit abandoned".into())),
        }
    }
}

impl Drop for Member {
    /// A member ended without `commit()` (an error, a request given up):
    /// its changes are undone, the rest of the group goes on. If SQLite
    /// already rolled the whole transaction back (some errors do), the
    /// savepoint is gone and the group fails as one.
    fn drop(&mut self) {
        let Some(mut writer) = self.writer.take() else {
            return;
        };
        let due = self.group.commit_due.clone();
        tokio::spawn(async move {
            let undone = match writer.conn.as_mut() {
                Some(conn) => conn
                    .execute("ROLLBACK TO member; RELEASE member")
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string()),
                None => Ok(()),
            };
            writer.members -= 1;
            if let Err(why) = undone {
                writer.end(Some(why)).await;
            } else if writer.members == 0 {
                // The only member: nothing to keep.
                writer.end(Some("rolled back".into())).await;
            }
            drop(writer);
            due.notify_one();
        });
    }
}

#[cfg(test)]
#[path = "group_tests.rs"]
mod tests;
