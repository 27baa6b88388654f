//! PostgreSQL: connection settings and migrations.

use crate::OpenOptions;
use crate::error::OpenError;
use sqlx::PgPool;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::str::FromStr;

static MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

pub(crate) async fn connect(url: &str, options: &OpenOptions) -> Result<PgPool, OpenError> {
    // Every statement of the store stays prepared on each connection (sqlx keeps 100 by
    // default; the store has more, with the lists' optional filters).
    let connect = PgConnectOptions::from_str(url)
        .map_err(|e| OpenError::Connect(format!("{}: {e}", crate::redact_url(url))))?
        .statement_cache_capacity(512);
    // No round trip to test a connection before each use (sqlx's default doubles the round
    // trips of a query): a connection the server dropped fails its next query, which
    // answers as unavailable, and is replaced.
    PgPoolOptions::new()
        .max_connections(options.max_connections.max(1))
        .acquire_timeout(options.acquire_timeout)
        .test_before_acquire(false)
        .connect_with(connect)
        .await
        .map_err(|e| OpenError::Connect(format!("{}: {e}", crate::redact_url(url))))
}

/// sqlx holds an advisory lock while it migrates PostgreSQL, so concurrent starts are safe.
pub(crate) async fn migrate(pool: &PgPool) -> Result<(), OpenError> {
    MIGRATOR
        .run(pool)
        .await
        .map_err(|e| OpenError::Migrate(e.to_string()))
}
