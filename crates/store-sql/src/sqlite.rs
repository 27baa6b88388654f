//! SQLite: connection settings and migrations.
//!
//! Durability: WAL journal with `synchronous = FULL`, so a transaction is on disk when its
//! commit returns, whatever happens to the process or the machine afterwards. Concurrency:
//! several processes (the server and `paceline admin`) may share the file; a writer waits
//! up to the acquire timeout for the lock instead of failing at once.

use crate::error::OpenError;
use crate::{BeginWrite, OpenOptions};
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};
use std::path::Path;
use std::time::Duration;

static MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");

/// Opens the readers' pool and the one-connection writer's pool.
pub(crate) async fn connect(
    path: &Path,
    options: &OpenOptions,
) -> Result<(SqlitePool, SqlitePool), OpenError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| OpenError::Connect(format!("cannot create {}: {e}", parent.display())))?;
    }
    let connect = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(options.acquire_timeout);
    let open = |connections: u32| {
        SqlitePoolOptions::new()
            .max_connections(connections)
            .min_connections(1)
            .acquire_timeout(options.acquire_timeout)
            .connect_with(connect.clone())
    };
    let failed = |e: sqlx::Error| OpenError::Connect(format!("{}: {e}", path.display()));
    // The writer first: it creates the file and sets WAL mode before readers open it.
    let writer = open(1).await.map_err(failed)?;
    let readers = open(options.max_connections.clamp(1, 64))
        .await
        .map_err(failed)?;
    Ok((readers, writer))
}

/// SQLite takes no lock while sqlx migrates, so two processes starting together may both
/// try the same migration; the loser fails and, on retry, finds it applied.
pub(crate) async fn migrate(pool: &SqlitePool) -> Result<(), OpenError> {
    let mut attempt = 0;
    loop {
        match MIGRATOR.run(pool).await {
            Ok(()) => return Ok(()),
            Err(e) if attempt < 3 => {
                attempt += 1;
                tracing::debug!(error = %e, attempt, "migration raced another process; retrying");
                tokio::time::sleep(Duration::from_millis(100 * attempt)).await;
            }
            Err(e) => return Err(OpenError::Migrate(e.to_string())),
        }
    }
}

impl BeginWrite for SqlitePool {
    type Db = Sqlite;

    /// Takes the write lock at once. A deferred transaction that reads and then writes can
    /// fail with SQLITE_BUSY without waiting when another writer holds the lock; an
    /// immediate one waits its turn.
    async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>, sqlx::Error> {
        self.begin_with("BEGIN IMMEDIATE").await
    }
}
