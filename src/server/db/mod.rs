//! The database: SQLite by default, PostgreSQL when `DATABASE_URL` says so.
//!
//! [`Db`] holds one concrete pool per backend rather than `sqlx::Any` (which
//! cannot decode several column types). Each query is written once and the
//! [`on_read!`] / [`on_tx!`] macros expand it for both backends, so both are
//! type-checked at compile time; where the SQL itself must differ the two
//! texts sit side by side in the function that needs them.
//!
//! Every function in the submodules takes the acting user or owner as an
//! argument where the data belongs to someone, so a query cannot forget
//! whose data it reads.

pub mod api_accounts;
pub mod api_keys;
pub mod audit;
mod checkpoint;
pub mod deliveries;
pub mod delivery_log;
pub mod exec;
pub mod group;
pub mod idempotency;
pub mod jobs;
pub mod key_notices;
pub mod key_usage;
pub mod locations;
pub mod mail;
pub mod merchant_users;
pub mod merchants;
pub mod organization;
pub mod outbox;
pub mod overview;
pub mod recoveries;
pub mod sessions;
pub mod sign_in_throttles;
pub mod two_factor;
mod tx;
pub mod user_links;
pub mod users;
pub mod webhooks;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, PgPool, SqlitePool};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use crate::server::config::redact_url;
pub use tx::{Changes, Touches, Tx};

#[derive(Clone, Debug)]
pub enum Db {
    /// SQLite allows one writer at a time. Writes go through a pool of one
    /// connection so they queue in-process, in order, instead of spinning on
    /// `SQLITE_BUSY`; reads use their own pool and run alongside (WAL).
    Sqlite {
        read: SqlitePool,
        write: SqlitePool,
        /// Write transactions, committed in groups over `write`.
        group: Arc<group::Group>,
        changes: Changes,
        /// Jobs as last read (`jobs::cache`): only SQLite has one.
        jobs: Arc<jobs::JobCache>,
    },
    Postgres(PgPool, Changes),
}

/// Runs `$body` with `$conn` bound to a pool that can read, on either backend.
#[macro_export]
macro_rules! on_read {
    ($db:expr, $conn:ident => $body:expr) => {
        match $db {
            $crate::server::db::Db::Sqlite { read: $conn, .. } => $body,
            $crate::server::db::Db::Postgres($conn, ..) => $body,
        }
    };
}

/// Runs `$body` with `$conn` bound to the transaction's connection.
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx {
            $crate::server::db::Tx::Sqlite(t, _) => {
                let $conn = &mut **t;
                $body
            }
            $crate::server::db::Tx::Postgres(t, _) => {
                let $conn = &mut **t;
                $body
            }
        }
    };
}

pub use on_read;
pub use on_tx;

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("cannot open the database {url}: {source}")]
    Open { url: String, source: sqlx::Error },
    #[error("cannot create the folder for the database {path}: {source}")]
    Folder {
        path: String,
        source: std::io::Error,
    },
    #[error("migrations failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// A pooled PostgreSQL connection idle longer than this is pinged before
/// use.
const IDLE_BEFORE_PING: Duration = Duration::from_secs(30);

impl Db {
    /// Opens the database named by `url`, creating a SQLite file (and its
    /// folder) if it does not exist yet. Does not migrate.
    pub async fn connect(url: &str, pool_size: u32) -> Result<Self, ConnectError> {
        let open_err = |source| ConnectError::Open {
            url: redact_url(url),
            source,
        };
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url).map_err(open_err)?;
            let pool = PgPoolOptions::new()
                .max_connections(pool_size)
                .acquire_timeout(Duration::from_secs(10))
                // sqlx pings every connection it hands out by default: one
                // extra round trip per query. Only a connection left idle
                // for a while can have been cut (a restarted server, a
                // firewall), so only those are checked; one that fails
                // is closed and another taken.
                .test_before_acquire(false)
                .before_acquire(|conn, meta| {
                    Box::pin(async move {
                        Ok(meta.idle_for < IDLE_BEFORE_PING || conn.ping().await.is_ok())
                    })
                })
                .connect_with(opts)
                .await
                .map_err(open_err)?;
            return Ok(Db::postgres(pool));
        }

        let opts = SqliteConnectOptions::from_str(url)
            .map_err(open_err)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a committed change survives a power cut, not just a crash.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            // Another process (a CLI command) may hold the write lock briefly.
            .busy_timeout(Duration::from_secs(10));
        if let Some(parent) = opts.get_filename().parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent).map_err(|source| ConnectError::Folder {
                path: parent.display().to_string(),
                source,
            })?;
        }
        // No ping before handing out a connection (sqlx's default): a
        // SQLite connection is a file handle that cannot be cut, and each
        // ping is a round trip to the connection's worker thread.
        // A file's writer leaves checkpoints to a task of their own
        // (`checkpoint`), so that no commit absorbs one.
        let file = {
            let name = opts.get_filename().as_os_str();
            !name.is_empty() && name != ":memory:"
        };
        let write_opts = match file {
            true => opts.clone().pragma("wal_autocheckpoint", "0"),
            false => opts.clone(),
        };
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .test_before_acquire(false)
            .connect_with(write_opts)
            .await
            .map_err(open_err)?;
        if file {
            checkpoint::start(opts.clone(), write.clone());
        }
        let read = SqlitePoolOptions::new()
            .max_connections(pool_size)
            .acquire_timeout(Duration::from_secs(10))
            .test_before_acquire(false)
            .connect_with(opts.read_only(true))
            .await
            .map_err(open_err)?;
        let group = group::Group::new(write.clone());
        Ok(Db::Sqlite {
            read,
            write,
            group,
            changes: Changes::default(),
            jobs: Arc::default(),
        })
    }

    /// SQLite serves from one process at a time: `serve` holds an exclusive
    /// lock on `<database>.serve.lock` for as long as it runs, and a second
    /// `serve` on the same file stops with a message instead of sharing it.
    /// The lock goes with the process, however it ends (the kernel drops
    /// it), so a crashed server can start again at once. Holding it is what
    /// lets the webhook worker take back, at start-up, every lease a dead
    /// predecessor left (see `deliveries::release`). `None` for
    /// PostgreSQL, where instances share the database, and for an
    /// in-memory SQLite database.
    pub fn lock_single_instance(url: &str) -> Result<Option<std::fs::File>, String> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(None);
        }
        let opts = SqliteConnectOptions::from_str(url).map_err(|e| e.to_string())?;
        let db_file = opts.get_filename();
        if db_file.as_os_str().is_empty() || db_file.as_os_str() == ":memory:" {
            return Ok(None);
        }
        let mut name = db_file.as_os_str().to_owned();
        name.push(".serve.lock");
        let path = std::path::PathBuf::from(name);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| format!("cannot open the lock file {}: {e}", path.display()))?;
        match file.try_lock() {
            Ok(()) => Ok(Some(file)),
            Err(std::fs::TryLockError::WouldBlock) => Err(format!(
                "another `livreur serve` is already serving {}; SQLite is served by one \
                 process at a time (use PostgreSQL for several instances)",
                db_file.display()
            )),
            Err(std::fs::TryLockError::Error(e)) => {
                Err(format!("cannot lock {}: {e}", path.display()))
            }
        }
    }

    pub async fn migrate(&self) -> Result<(), ConnectError> {
        match self {
            Db::Sqlite { write, .. } => sqlx::migrate!("./migrations/sqlite").run(write).await?,
            Db::Postgres(pool, ..) => sqlx::migrate!("./migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    /// Starts a write transaction. On SQLite it begins `IMMEDIATE`, taking
    /// the write lock up front, so it never fails half-way on an upgrade.
    /// Its commit empties the credentials cache.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        self.begin_touching(Some(self.changes().clone())).await
    }

    /// A write transaction that changes no key, account, user or merchant
    /// (a job and its events, webhook deliveries, usage): its commit
    /// leaves the credentials cache as it is.
    pub async fn begin_data(&self) -> Result<Tx, sqlx::Error> {
        self.begin_touching(None).await
    }

    async fn begin_touching(&self, changes: Option<Changes>) -> Result<Tx, sqlx::Error> {
        let touches = Touches::new(changes, self.job_cache().cloned());
        Ok(match self {
            Db::Sqlite { group, .. } => Tx::Sqlite(group.begin().await?, touches),
            Db::Postgres(pool, ..) => Tx::Postgres(pool.begin().await?, touches),
        })
    }

    /// A PostgreSQL database over `pool`.
    pub fn postgres(pool: PgPool) -> Self {
        Db::Postgres(pool, Changes::default())
    }

    /// The job cache: SQLite's only, where this process makes every change
    /// (`jobs::cache`).
    pub fn job_cache(&self) -> Option<&Arc<jobs::JobCache>> {
        match self {
            Db::Sqlite { jobs, .. } => Some(jobs),
            Db::Postgres(..) => None,
        }
    }

    /// The count of this database's changes to credentials.
    pub fn changes(&self) -> &Changes {
        match self {
            Db::Sqlite { changes, .. } | Db::Postgres(_, changes) => changes,
        }
    }

    /// A cheap round trip, for `/readyz`.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        on_read!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Db::Sqlite { .. } => "sqlite",
            Db::Postgres(..) => "postgres",
        }
    }

    /// (connections open, idle) across the pools, for `/metrics`.
    pub fn pool_stats(&self) -> (u32, u32) {
        match self {
            Db::Sqlite { read, write, .. } => (
                read.size() + write.size(),
                (read.num_idle() + write.num_idle()) as u32,
            ),
            Db::Postgres(pool, ..) => (pool.size(), pool.num_idle() as u32),
        }
    }

    /// SQLite: the group COMMITs so far and the transactions they made
    /// durable (none on PostgreSQL, which commits each on its own).
    pub fn group_commits(&self) -> Option<(u64, u64)> {
        match self {
            Db::Sqlite { group, .. } => {
                let c = group.committed();
                Some((
                    c.groups.load(Ordering::Relaxed),
                    c.members.load(Ordering::Relaxed),
                ))
            }
            Db::Postgres(..) => None,
        }
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite { read, write, .. } => {
                read.close().await;
                write.close().await;
            }
            Db::Postgres(pool, ..) => pool.close().await,
        }
    }
}

/// True when `err` is a unique-constraint violation (on either backend), so
/// services can turn it into a field error instead of a 500.
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .is_some_and(|e| e.kind() == sqlx::error::ErrorKind::UniqueViolation)
}
