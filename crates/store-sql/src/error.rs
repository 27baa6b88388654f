//! Mapping the engines' errors to the domain's [`StoreError`]; sqlx and rusqlite types stop
//! here.

use crate::db::DbError;
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
pub(crate) fn other(error: impl Into<DbError>) -> StoreError {
    let error = error.into();
    if error.is_unavailable() {
        StoreError::Unavailable(error.to_string())
    } else {
        StoreError::Other(error.to_string())
    }
}

impl From<DbError> for StoreError {
    fn from(error: DbError) -> Self {
        other(error)
    }
}

/// Like [`other`], but a uniqueness violation becomes `Conflict(what)` and a foreign-key
/// violation `NotFound(missing)`.
pub(crate) fn constraint<E: Into<DbError>>(
    what: &'static str,
    missing: &'static str,
) -> impl FnOnce(E) -> StoreError {
    move |error| {
        let error = error.into();
        if error.is_unique_violation() {
            StoreError::Conflict(what)
        } else if error.is_foreign_key_violation() {
            StoreError::NotFound(missing)
        } else {
            other(error)
        }
    }
}

/// sqlx's errors worth retrying: no connection, or PostgreSQL's serialization failure and
/// deadlock.
pub(crate) fn is_unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => is_busy(db.as_ref()),
        _ => false,
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
