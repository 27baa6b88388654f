//! The errors of either engine, classified the same way: a uniqueness or foreign-key
//! violation, a busy or unreachable database, or anything else.

/// An error of a statement or a connection.
#[derive(Debug, thiserror::Error)]
pub(crate) enum DbError {
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error(transparent)]
    Postgres(#[from] sqlx::Error),
    /// A column held a value of another type than the one read.
    #[error("cannot read a column: {0}")]
    Decode(String),
    /// A statement and its values do not fit (a placeholder without a value).
    #[error("cannot run the statement: {0}")]
    Statement(String),
    /// A query that must return a row returned none.
    #[error("the query returned no row")]
    NoRows,
    /// No connection could be had (closed store, timeout, failed commit of a shared
    /// transaction).
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
}

impl DbError {
    /// Names the column a decoding error came from.
    pub(crate) fn in_column(self, index: usize) -> Self {
        match self {
            Self::Decode(why) => Self::Decode(format!("column {index}: {why}")),
            other => other,
        }
    }

    /// A UNIQUE or PRIMARY KEY constraint refused the change.
    pub(crate) fn is_unique_violation(&self) -> bool {
        match self {
            Self::Sqlite(e) => matches!(
                sqlite_code(e),
                Some(
                    rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                        | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
                )
            ),
            Self::Postgres(sqlx::Error::Database(db)) => db.is_unique_violation(),
            _ => false,
        }
    }

    /// A FOREIGN KEY constraint refused the change.
    pub(crate) fn is_foreign_key_violation(&self) -> bool {
        match self {
            Self::Sqlite(e) => sqlite_code(e) == Some(rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY),
            Self::Postgres(sqlx::Error::Database(db)) => db.is_foreign_key_violation(),
            _ => false,
        }
    }

    /// Worth retrying later: the database was busy, locked, out of reach or out of space.
    pub(crate) fn is_unavailable(&self) -> bool {
        match self {
            Self::Sqlite(e) => sqlite_code(e).is_some_and(|code| {
                matches!(
                    code & 0xff,
                    rusqlite::ffi::SQLITE_BUSY
                        | rusqlite::ffi::SQLITE_LOCKED
                        | rusqlite::ffi::SQLITE_IOERR
                        | rusqlite::ffi::SQLITE_FULL
                        | rusqlite::ffi::SQLITE_CANTOPEN
                )
            }),
            Self::Postgres(e) => crate::error::is_unavailable(e),
            Self::Unavailable(_) => true,
            Self::Decode(_) | Self::Statement(_) | Self::NoRows => false,
        }
    }
}

/// SQLite's extended result code of a failed call.
fn sqlite_code(error: &rusqlite::Error) -> Option<i32> {
    match error {
        rusqlite::Error::SqliteFailure(e, _) => Some(e.extended_code),
        _ => None,
    }
}
