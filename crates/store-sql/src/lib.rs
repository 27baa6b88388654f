//! Paceline's [`Store`] on SQLite (rusqlite) and PostgreSQL (sqlx).
//!
//! The SQL is written once: both engines accept `$1` placeholders, `RETURNING` and
//! `ON CONFLICT`. Use cases run on `db::Db` (typed arguments, rows read by position, group
//! commit on SQLite); those not moved yet expand a body per engine's sqlx pool with
//! [`on_pool!`], so both run natively with their own types. What differs lives in one
//! place each: the connection settings (`sqlite.rs`, `postgres.rs`), the timestamp column
//! type ([`db_time::DbTime`]) and the migrations (`migrations/sqlite`, `migrations/postgres`,
//! same file names, same schema).
//!
//! Nothing of sqlx leaves this crate: errors become [`StoreError`], rows become domain types.

use paceline_domain::{Store, StoreError};
use sqlx::{PgPool, SqlitePool};
use std::path::PathBuf;
use std::time::Duration;

mod accounts;
mod activities;
mod calendar;
mod daily;
mod db;
mod db_time;
mod detail;
mod error;
mod files;
mod invitations;
mod library;
mod listing;
mod messaging;
mod oauth;
mod postgres;
mod ratelimit;
mod sqlite;
mod workouts;

pub use error::OpenError;

/// Expands `$body` once per engine with `$pool` bound to that engine's pool for reads.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.pool {
            $crate::Pool::Sqlite($pool) => $body,
            $crate::Pool::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// Like [`on_pool!`], with the pool for writes: on SQLite a single connection, so that
/// writers of this process queue in order instead of sleeping in SQLite's busy handler.
macro_rules! on_writer {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.writer {
            $crate::Pool::Sqlite($pool) => $body,
            $crate::Pool::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_writer;

/// Opens a transaction for a use case that writes.
pub(crate) trait BeginWrite {
    /// The engine.
    type Db: sqlx::Database;

    /// Begins the transaction, holding or waiting for whatever the engine needs to commit it.
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, Self::Db>, sqlx::Error>;
}

/// The connection pool of whichever engine was chosen at start-up.
#[derive(Debug, Clone)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Where the database is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// A SQLite file, created when missing.
    Sqlite(PathBuf),
    /// A PostgreSQL server, by `postgres://` URL.
    Postgres(String),
}

impl Database {
    /// Reads a database URL: `sqlite://PATH` (or `sqlite:PATH`) or `postgres://…`
    /// (`postgresql://…`).
    pub fn from_url(url: &str) -> Result<Self, OpenError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_owned()));
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .ok_or_else(|| OpenError::UnsupportedUrl(redact_url(url)))?;
        let path = path.split('?').next().unwrap_or(path);
        if path.is_empty() || path == ":memory:" {
            return Err(OpenError::UnsupportedUrl(redact_url(url)));
        }
        Ok(Self::Sqlite(PathBuf::from(path)))
    }

    /// A description safe to log: the password of a URL is replaced by `***`.
    pub fn redacted(&self) -> String {
        match self {
            Self::Sqlite(path) => format!("sqlite://{}", path.display()),
            Self::Postgres(url) => redact_url(url),
        }
    }
}

/// Replaces the password in `scheme://user:password@host/…` by `***`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

/// How to open the database.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// Most connections held at once.
    pub max_connections: u32,
    /// How long a query waits for a connection (and, on SQLite, for the write lock).
    pub acquire_timeout: Duration,
    /// Whether to apply pending migrations.
    pub migrate: bool,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self {
            max_connections: 16,
            acquire_timeout: Duration::from_secs(10),
            migrate: true,
        }
    }
}

/// The SQL store.
#[derive(Debug, Clone)]
pub struct SqlStore {
    /// Reads (on SQLite, several connections that WAL lets read while one writes).
    pool: Pool,
    /// Writes (on SQLite, one connection; on PostgreSQL, the same pool as reads).
    writer: Pool,
    /// Either engine behind one typed interface; the use cases move onto it from the pools
    /// above one by one.
    db: db::Db,
    /// Rate-limit keys created by this process, to sweep expired ones now and then.
    new_limit_keys: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl SqlStore {
    /// Connects, checks the connection and, if asked, applies pending migrations.
    pub async fn open(database: &Database, options: &OpenOptions) -> Result<Self, OpenError> {
        let (pool, writer, db) = match database {
            Database::Sqlite(path) => {
                let (readers, writer) = sqlite::connect(path, options).await?;
                let db = db::lite::Sqlite::open(
                    path,
                    options.max_connections.clamp(1, 64),
                    options.acquire_timeout,
                )
                .map_err(|e| OpenError::Connect(format!("{}: {e}", path.display())))?;
                (
                    Pool::Sqlite(readers),
                    Pool::Sqlite(writer),
                    db::Db::Sqlite(db),
                )
            }
            Database::Postgres(url) => {
                let pool = postgres::connect(url, options).await?;
                (
                    Pool::Postgres(pool.clone()),
                    Pool::Postgres(pool.clone()),
                    db::Db::Postgres(pool),
                )
            }
        };
        let store = Self {
            pool,
            writer,
            db,
            new_limit_keys: std::sync::Arc::default(),
        };
        if options.migrate {
            store.migrate().await?;
        }
        Ok(store)
    }

    /// Applies pending migrations. Safe to run from several processes at once.
    pub async fn migrate(&self) -> Result<(), OpenError> {
        match &self.writer {
            Pool::Sqlite(pool) => sqlite::migrate(pool).await,
            Pool::Postgres(pool) => postgres::migrate(pool).await,
        }
    }

    /// Closes every connection, waiting for queries in flight.
    pub async fn close(&self) {
        if let db::Db::Sqlite(lite) = &self.db {
            lite.close().await;
        }
        on_writer!(self, pool => pool.close().await);
        on_pool!(self, pool => pool.close().await)
    }

    /// Runs one SQL statement that returns a single integer; for tests and diagnostics
    /// (`PRAGMA` values, counts).
    pub async fn query_scalar_i64(&self, sql: &'static str) -> Result<i64, StoreError> {
        Ok(self.db.one(sql, &[], db::first).await?)
    }

    /// Runs one SQL statement that returns a single text; for tests and diagnostics.
    pub async fn query_scalar_text(&self, sql: &'static str) -> Result<String, StoreError> {
        Ok(self.db.one(sql, &[], db::first).await?)
    }

    /// The schema as `(table, column)` pairs sorted by name, to compare the engines.
    pub async fn schema_columns(&self) -> Result<Vec<(String, String)>, StoreError> {
        let sql = match &self.pool {
            Pool::Sqlite(_) => {
                "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
                 AND m.name NOT LIKE '_sqlx%' ORDER BY 1, 2"
            }
            Pool::Postgres(_) => {
                "SELECT table_name::TEXT, column_name::TEXT FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name NOT LIKE '_sqlx%' \
                 ORDER BY 1, 2"
            }
        };
        on_pool!(self, pool => sqlx::query_as::<_, (String, String)>(sql)
            .fetch_all(pool)
            .await
            .map_err(error::other))
    }
}

#[async_trait::async_trait]
impl Store for SqlStore {
    fn backend(&self) -> &'static str {
        self.db.backend()
    }

    async fn ping(&self) -> Result<(), StoreError> {
        on_pool!(self, pool => sqlx::query("SELECT 1")
            .execute(pool)
            .await
            .map(drop)
            .map_err(error::other))
    }
}

#[cfg(test)]
mod tests;
