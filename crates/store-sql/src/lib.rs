//! Paceline's [`Store`] on SQLite (rusqlite) and PostgreSQL (sqlx).
//!
//! The SQL is written once: both engines accept `$1` placeholders, `RETURNING` and
//! `ON CONFLICT`. Every use case is plain Rust over `db::Db`: a reader or a write
//! transaction of either engine, values bound as typed arguments, rows read by position,
//! and on SQLite writes that share their commits (group commit). What differs lives in one
//! place each: the connection settings (`sqlite.rs`, `postgres.rs`), how each engine binds
//! and reads values (`db/`; SQLite keeps an instant as INTEGER microseconds since the Unix
//! epoch, which sort and compare exactly, PostgreSQL as `TIMESTAMPTZ`) and the migrations
//! (`migrations/sqlite`, `migrations/postgres`, same file names, same schema).
//!
//! Nothing of sqlx or rusqlite leaves this crate: errors become [`StoreError`], rows become
//! domain types.

use paceline_domain::store::Connections;
use paceline_domain::{Store, StoreError};
use std::path::PathBuf;
use std::time::Duration;

mod accounts;
mod activities;
pub mod backup;
mod calendar;
pub mod copy;
mod daily;
mod db;
mod detail;
mod error;
mod files;
mod invitations;
mod jobs;
mod library;
mod listing;
mod messaging;
mod oauth;
pub mod plans;
mod postgres;
mod ratelimit;
mod sqlite;
mod workouts;

pub use error::OpenError;

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
    /// Either engine behind one typed interface.
    db: db::Db,
    /// Rate-limit keys created by this process, to sweep expired ones now and then.
    new_limit_keys: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl SqlStore {
    /// Connects, checks the connection and, if asked, applies pending migrations.
    pub async fn open(database: &Database, options: &OpenOptions) -> Result<Self, OpenError> {
        let db = match database {
            Database::Sqlite(path) => db::Db::Sqlite(sqlite::open(path, options)?),
            Database::Postgres(url) => db::Db::Postgres(postgres::connect(url, options).await?),
        };
        let store = Self {
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
        match &self.db {
            db::Db::Sqlite(lite) => sqlite::migrate(lite.path(), lite.wait()).await,
            db::Db::Postgres(pool) => postgres::migrate(pool).await,
        }
    }

    /// Closes every connection, waiting for queries in flight.
    pub async fn close(&self) {
        match &self.db {
            db::Db::Sqlite(lite) => lite.close().await,
            db::Db::Postgres(pool) => pool.close().await,
        }
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
        let sql = match &self.db {
            db::Db::Sqlite(_) => {
                "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
                 AND m.name NOT LIKE '_sqlx%' ORDER BY 1, 2"
            }
            db::Db::Postgres(_) => {
                "SELECT table_name::TEXT, column_name::TEXT FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name NOT LIKE '_sqlx%' \
                 ORDER BY 1, 2"
            }
        };
        Ok(self.db.all(sql, &[], |c| Ok((c.get()?, c.get()?))).await?)
    }
}

#[async_trait::async_trait]
impl Store for SqlStore {
    fn backend(&self) -> &'static str {
        self.db.backend()
    }

    async fn ping(&self) -> Result<(), StoreError> {
        let _: i64 = self.db.one("SELECT 1", &[], db::first).await?;
        Ok(())
    }

    fn connections(&self) -> Connections {
        self.db.connections()
    }
}

#[cfg(test)]
mod tests;
