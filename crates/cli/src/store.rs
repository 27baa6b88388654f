//! Opening the configured store.

use crate::Failure;
use crate::config::Settings;
use anyhow::{Context, Result};
use paceline_domain::email::Email;
use paceline_domain::entities::User;
use paceline_domain::store::AccountStore;
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

/// The user of the e-mail address a command was given: refused (exit 1) when the address
/// is malformed or nobody has it.
pub(crate) async fn user_by_email(store: &SqlStore, email: &str) -> Result<User, Failure> {
    let email = Email::parse(email)
        .map_err(|e| Failure::refused("invalid-email", &format!("{email}: {e}")))?;
    store
        .find_user_by_email(&email)
        .await
        .map_err(|e| Failure::system(&e.into()))?
        .ok_or_else(|| Failure::refused("unknown-user", &format!("no user {email}")))
}
