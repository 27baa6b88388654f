//! SQLite: opening the database and migrations.
//!
//! Durability: WAL journal with `synchronous = FULL`, so a transaction is on disk when its
//! commit returns, whatever happens to the process or the machine afterwards. Concurrency:
//! several processes (the server and `paceline admin`) may share the file; a writer waits
//! up to the acquire timeout for the lock instead of failing at once.

use crate::OpenOptions;
use crate::db::lite::Sqlite;
use crate::error::OpenError;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::path::Path;
use std::time::Duration;

static MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");

/// Opens the database (creating the file and its folder when missing): the readers' pool
/// and the writer.
pub(crate) fn open(path: &Path, options: &OpenOptions) -> Result<Sqlite, OpenError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| OpenError::Connect(format!("cannot create {}: {e}", parent.display())))?;
    }
    Sqlite::open(
        path,
        options.max_connections.clamp(1, 64),
        options.acquire_timeout,
    )
    .map_err(|e| OpenError::Connect(format!("{}: {e}", path.display())))
}

/// Applies pending migrations through sqlx's migrator, on a connection of its own that is
/// closed afterwards. SQLite takes no lock while sqlx migrates, so two processes starting
/// together may both try the same migration; the loser fails and, on retry, finds it
/// applied.
pub(crate) async fn migrate(path: &Path, wait: Duration) -> Result<(), OpenError> {
    let connect = SqliteConnectOptions::new()
        .filename(path)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(wait);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .acquire_timeout(wait)
        .connect_with(connect)
        .await
        .map_err(|e| OpenError::Connect(format!("{}: {e}", path.display())))?;
    let mut attempt = 0;
    let outcome = loop {
        match MIGRATOR.run(&pool).await {
            Ok(()) => break Ok(()),
            Err(e) if attempt < 3 => {
                attempt += 1;
                tracing::debug!(error = %e, attempt, "migration raced another process; retrying");
                tokio::time::sleep(Duration::from_millis(100 * attempt)).await;
            }
            Err(e) => break Err(OpenError::Migrate(e.to_string())),
        }
    };
    pool.close().await;
    outcome
}
