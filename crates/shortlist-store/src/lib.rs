//! `shortlist-store` owns every byte shortlist keeps on disk: polls, the
//! bulletin board's entries and checkpoints, the member roll with its token
//! hashes, credentials, the bookkeeping the server checks before it appends
//! (spec: api §3), the mail queue (api §4.2) and the console's sessions. All
//! SQL lives here.
//!
//! One implementation serves both databases through sqlx's `Any` driver:
//! SQLite (the embedded default: WAL, `synchronous = FULL`) and PostgreSQL
//! (chosen by a `postgres://` URL). Migrations live in the top-level
//! `migrations/sqlite` and `migrations/postgres` folders.
//!
//! Appends to a poll's board are serialized by its row in `heads`: every
//! [`AppendTx`] begins by updating that row, which takes a row lock held to
//! commit on PostgreSQL and the database's write lock on SQLite. Several
//! server instances on one PostgreSQL therefore append in one total order.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]
#![cfg_attr(not(test), deny(clippy::indexing_slicing, clippy::cast_possible_truncation))]

mod admin;
mod append;
mod console;
mod mail;
mod read;

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

pub use admin::{MemberRow, NewNomination, NominationRow, Roll};
pub use append::{AppendTx, Head, NewEntry};
pub use mail::{MailCounts, MailJob, MailOutcome, MailRow};
pub use read::{EntryRow, PollRow};

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database failed or refused a statement.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A migration failed.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The URL names no database shortlist supports.
    #[error("unsupported database URL (use sqlite:// or postgres://): {0}")]
    UnsupportedUrl(String),
    /// A stored value is not what shortlist wrote.
    #[error("corrupt stored value: {0}")]
    Corrupt(&'static str),
    /// The poll does not exist.
    #[error("no such poll")]
    NoSuchPoll,
}

/// The result type of the store.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which database a store runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// A connection pool to the shortlist database.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/postgres");

impl Store {
    /// Opens (creating if needed) the database at `url` and runs its
    /// migrations. `sqlite://PATH` makes the file if it is missing.
    pub async fn open(url: &str) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl(url.split(':').next().unwrap_or("").to_string()));
        };
        if backend == Backend::Sqlite {
            private_sqlite_files(url)?;
        }
        let url = match backend {
            Backend::Sqlite if !url.contains('?') => format!("{url}?mode=rwc"),
            _ => url.to_string(),
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // Durable commits (spec: api §3): WAL with full fsync.
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA synchronous = FULL").await?;
                        conn.execute("PRAGMA busy_timeout = 30000").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        match backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&pool).await?,
        }
        Ok(Self { pool, backend })
    }

    /// The database this store runs on.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes every connection (after the last append has committed).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// The file a `sqlite:` URL names, if it names one (not `:memory:`).
fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or("");
    (!path.is_empty() && !path.starts_with(":memory:")).then(|| std::path::PathBuf::from(path))
}

/// The database holds the roll (names, emails) and token hashes: its file
/// and SQLite's `-wal` and `-shm` beside it are readable by their owner
/// only. The file is made 0600 before SQLite opens it (SQLite gives the
/// `-wal` and `-shm` files the database file's mode), and files left
/// readable by others by an earlier version are narrowed.
fn private_sqlite_files(url: &str) -> Result<()> {
    let Some(path) = sqlite_path(url) else { return Ok(()) };
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let io = |e: std::io::Error| StoreError::Database(sqlx::Error::Io(e));
        if !path.exists() {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(io)?;
            }
            std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .mode(0o600)
                .open(&path)
                .map_err(io)?;
        }
        let mut files = vec![path.clone()];
        for suffix in ["-wal", "-shm", "-journal"] {
            let mut name = path.clone().into_os_string();
            name.push(suffix);
            files.push(name.into());
        }
        for f in files {
            if let Ok(meta) = std::fs::metadata(&f) {
                if meta.permissions().mode() & 0o077 != 0 {
                    tracing::warn!(file = %f.display(), "the database file was readable by others: made it 0600");
                    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o600)).map_err(io)?;
                }
            }
        }
    }
    Ok(())
}

/// Converts a stored BIGINT that must be non-negative.
pub(crate) fn to_u64(v: i64) -> Result<u64> {
    u64::try_from(v).map_err(|_| StoreError::Corrupt("negative integer"))
}

/// Converts a count or index for storage.
pub(crate) fn to_i64(v: u64) -> Result<i64> {
    i64::try_from(v).map_err(|_| StoreError::Corrupt("integer beyond 2^63"))
}

/// Converts a stored 32-byte hash.
pub(crate) fn to_hash(v: Vec<u8>) -> Result<[u8; 32]> {
    <[u8; 32]>::try_from(v.as_slice()).map_err(|_| StoreError::Corrupt("hash length"))
}
