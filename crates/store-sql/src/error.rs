//! Mapping sqlx's errors to the domain's [`StoreError`]; sqlx types stop here.

use paceline_domain::StoreError;

/// Why the database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The URL names an engine Paceline does not support.
    #[error("unsupported database URL `{0}`: use sqlite://PATH or postgres://USER@HOST/DB")]
    UnsupportedUrl(String),
    /// The server or file could not be reached or opened.
    #[error("cannot open the database: {0}")]
    Connect(String),
    /// A migration failed; the database is left at the last migration that succeeded.
    #[error("cannot migrate the database: {0}")]
    Migrate(String),
}

/// Any error, as retryable `Unavailable` when the database could not be reached or was
/// busy, else `Other`.
pub(crate) fn other(error: sqlx::Error) -> StoreError {
    match &error {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => StoreError::Unavailable(error.to_string()),
        sqlx::Error::Database(db) if is_busy(db.as_ref()) => {
            StoreError::Unavailable(error.to_string())
        }
        _ => StoreError::Other(error.to_string()),
    }
}

/// Like [`other`], but a uniqueness violation becomes `Conflict(what)` and a foreign-key
/// violation `NotFound(missing)`.
pub(crate) fn constraint(
    what: &'static str,
    missing: &'static str,
) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |error| match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what),
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::NotFound(missing),
        _ => other(error),
    }
}

/// SQLite's SQLITE_BUSY (5) and SQLITE_LOCKED (6), with their extended codes, and
/// PostgreSQL's serialization failure and deadlock.
fn is_busy(db: &dyn sqlx::error::DatabaseError) -> bool {
    match db.code() {
        Some(code) => {
            let code = code.as_ref();
            matches!(code, "40001" | "40P01")
                || code.parse::<i32>().is_ok_and(|c| matches!(c & 0xff, 5 | 6))
        }
        None => false,
    }
}
