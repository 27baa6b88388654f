//! Opening the configured store.

use crate::config::Settings;
use anyhow::{Context, Result};
use paceline_store_sql::{OpenOptions, SqlStore};

/// Creates the data folder (for the SQLite file, and the uploaded files unless they are
/// kept in S3), connects and applies pending migrations.
pub async fn open(settings: &Settings, max_connections: u32) -> Result<SqlStore> {
    let folder = &settings.data_dir;
    std::fs::create_dir_all(folder)
        .with_context(|| format!("cannot create the data folder {}", folder.display()))?;
    let options = OpenOptions {
        max_connections,
        ..OpenOptions::default()
    };
    let store = SqlStore::open(&settings.database, &options).await?;
    tracing::debug!(database = %settings.database.redacted(), "database open");
    Ok(store)
}
