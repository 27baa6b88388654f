//! PostgreSQL: connection settings and migrations.

use crate::OpenOptions;
use crate::error::OpenError;
use sqlx::PgPool;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::str::FromStr;

static MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

pub(crate) async fn connect(url: &str, options: &OpenOptions) -> Result<PgPool, OpenError> {
    let connect = PgConnectOptions::from_str(url)
        .map_err(|e| OpenError::Connect(format!("{}: {e}", crate::redact_url(url))))?;
    PgPoolOptions::new()
        .max_connections(options.max_connections.max(1))
        .acquire_timeout(options.acquire_timeout)
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
