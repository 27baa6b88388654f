//! Reading a row's columns in the order the statement selects them, with no look-up by name.

use super::DbError;
use rusqlite::types::ValueRef;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use sqlx::Row as _;
use sqlx::postgres::PgRow;
use time::{Date, OffsetDateTime};

/// The columns of one row, read left to right: each [`Cols::get`] reads the next one.
pub(crate) struct Cols<'r> {
    row: RowRef<'r>,
    next: usize,
}

enum RowRef<'r> {
    Sqlite(&'r rusqlite::Row<'r>),
    Postgres(&'r PgRow),
}

impl<'r> Cols<'r> {
    pub(super) fn sqlite(row: &'r rusqlite::Row<'r>) -> Self {
        Self {
            row: RowRef::Sqlite(row),
            next: 0,
        }
    }

    pub(super) fn postgres(row: &'r PgRow) -> Self {
        Self {
            row: RowRef::Postgres(row),
            next: 0,
        }
    }

    /// The next column.
    pub(crate) fn get<T: Column>(&mut self) -> Result<T, DbError> {
        let index = self.next;
        self.next += 1;
        let read = match &self.row {
            RowRef::Sqlite(row) => row
                .get_ref(index)
                .map_err(DbError::from)
                .and_then(T::sqlite),
            RowRef::Postgres(row) => T::postgres(row, index),
        };
        read.map_err(|e| e.in_column(index))
    }
}

/// A type a column is read as, on either engine.
pub(crate) trait Column: Sized {
    /// From SQLite's value.
    fn sqlite(value: ValueRef<'_>) -> Result<Self, DbError>;
    /// From PostgreSQL's row, column `index`.
    fn postgres(row: &PgRow, index: usize) -> Result<Self, DbError>;
}

fn wrong(expected: &'static str, value: ValueRef<'_>) -> DbError {
    DbError::Decode(format!(
        "expected {expected}, found {:?}",
        value.data_type()
    ))
}

impl Column for i64 {
    fn sqlite(value: ValueRef<'_>) -> Result<Self, DbError> {
        match value {
            ValueRef::Integer(v) => Ok(v),
            other => Err(wrong("an integer", other)),
        }
    }

    /// A `BIGINT`, or an `INTEGER` widened (`SELECT 1`, `COUNT(*)` are of either type).
    fn postgres(row: &PgRow, index: usize) -> Result<Self, DbError> {
        row.try_get::<i64, _>(index)
            .or_else(|_| row.try_get::<i32, _>(index).map(i64::from))
            .map_err(DbError::from)
    }
}

impl Column for i32 {
    fn sqlite(value: ValueRef<'_>) -> Result<Self, DbError> {
        let v = i64::sqlite(value)?;
        i32::try_from(v).map_err(|_| DbError::Decode(format!("{v} is out of range")))
    }

    fn postgres(row: &PgRow, index: usize) -> Result<Self, DbError> {
        Ok(row.try_get(index)?)
    }
}

impl Column for f64 {
    fn sqlite(value: ValueRef<'_>) -> Result<Self, DbError> {
        match value {
            ValueRef::Real(v) => Ok(v),
            // An expression over REAL columns can give an integer (`COALESCE(x, 0)`).
            #[allow(clippy::cast_precision_loss)]
            ValueRef::Integer(v) => Ok(v as f64),
            other => Err(wrong("a number", other)),
        }
    }

    fn postgres(row: &PgRow, index: usize) -> Result<Self, DbError> {
        Ok(row.try_get(index)?)
    }
}

impl Column for bool {
    fn sqlite(value: ValueRef<'_>) -> Result<Self, DbError> {
        Ok(i64::sqlite(value)? != 0)
    }

    fn postgres(row: &PgRow, index: usize) -> Result<Self, DbError> {
        Ok(row.try_get(index)?)
    }
}

impl Column for String {
    fn sqlite(value: ValueRef<'_>) -> Result<Self, DbError> {
        parse_sqlite_text(value, |text| Ok(text.to_owned()))
    }

    fn postgres(row: &PgRow, index: usize) -> Result<Self, DbError> {
        Ok(row.try_get(index)?)
    }
}

/// A text column read by `parse` where it lies, with no `String` made for it (for a type
/// stored as text: a scope list, an enum's name).
pub(crate) fn parse_sqlite_text<T>(
    value: ValueRef<'_>,
    parse: impl FnOnce(&str) -> Result<T, DbError>,
) -> Result<T, DbError> {
    match value {
        ValueRef::Text(bytes) => {
            parse(std::str::from_utf8(bytes).map_err(|e| DbError::Decode(e.to_string()))?)
        }
        other => Err(wrong("text", other)),
    }
}

/// A column that holds the name of one of a type's values (`FromStr`), read where it lies.
pub(crate) struct Named<T>(pub(crate) T);

impl<T: std::str::FromStr> Column for Named<T> {
    fn sqlite(value: ValueRef<'_>) -> Result<Self, DbError> {
        parse_sqlite_text(value, named)
    }

    fn postgres(row: &PgRow, index: usize) -> Result<Self, DbError> {
        parse_postgres_text(row, index, named)
    }
}

fn named<T: std::str::FromStr>(text: &str) -> Result<Named<T>, DbError> {
    text.parse()
        .map(Named)
        .map_err(|_| DbError::Decode(format!("unknown value `{text}`")))
}

/// [`parse_sqlite_text`] on PostgreSQL.
pub(crate) fn parse_postgres_text<T>(
    row: &PgRow,
    index: usize,
    parse: impl FnOnce(&str) -> Result<T, DbError>,
) -> Result<T, DbError> {
    parse(row.try_get::<&str, _>(index)?)
}

impl Column for Vec<u8> {
    fn sqlite(value: ValueRef<'_>) -> Result<Self, DbError> {
        match value {
            ValueRef::Blob(bytes) => Ok(bytes.to_vec()),
            other => Err(wrong("a blob", other)),
        }
    }

    fn postgres(row: &PgRow, index: usize) -> Result<Self, DbError> {
        Ok(row.try_get(index)?)
    }
}

impl Column for OffsetDateTime {
    /// Microseconds since the Unix epoch (`db_time`).
    fn sqlite(value: ValueRef<'_>) -> Result<Self, DbError> {
        let micros = i64::sqlite(value)?;
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1000)
            .map_err(|e| DbError::Decode(e.to_string()))
    }

    fn postgres(row: &PgRow, index: usize) -> Result<Self, DbError> {
        Ok(row.try_get(index)?)
    }
}

impl Column for Date {
    /// `YYYY-MM-DD`.
    fn sqlite(value: ValueRef<'_>) -> Result<Self, DbError> {
        let text = String::sqlite(value)?;
        Date::parse(&text, super::args::DATE_FORMAT)
            .map_err(|e| DbError::Decode(format!("`{text}` is not a date: {e}")))
    }

    fn postgres(row: &PgRow, index: usize) -> Result<Self, DbError> {
        Ok(row.try_get(index)?)
    }
}

/// A JSON document as stored (`JSONB` on PostgreSQL, text on SQLite), unparsed.
#[derive(Debug)]
pub(crate) struct Json(pub(crate) Box<RawValue>);

impl Json {
    /// The document's text.
    pub(crate) fn into_string(self) -> String {
        self.0.get().to_owned()
    }

    /// The document read as `T`.
    pub(crate) fn parse<T: DeserializeOwned>(&self) -> Result<T, DbError> {
        serde_json::from_str(self.0.get()).map_err(|e| DbError::Decode(e.to_string()))
    }
}

impl Column for Json {
    fn sqlite(value: ValueRef<'_>) -> Result<Self, DbError> {
        let text = String::sqlite(value)?;
        RawValue::from_string(text)
            .map(Json)
            .map_err(|e| DbError::Decode(e.to_string()))
    }

    fn postgres(row: &PgRow, index: usize) -> Result<Self, DbError> {
        let sqlx::types::Json(raw) = row.try_get::<sqlx::types::Json<Box<RawValue>>, _>(index)?;
        Ok(Json(raw))
    }
}

impl<T: Column> Column for Option<T> {
    fn sqlite(value: ValueRef<'_>) -> Result<Self, DbError> {
        match value {
            ValueRef::Null => Ok(None),
            value => T::sqlite(value).map(Some),
        }
    }

    fn postgres(row: &PgRow, index: usize) -> Result<Self, DbError> {
        use sqlx::ValueRef as _;
        if row.try_get_raw(index)?.is_null() {
            Ok(None)
        } else {
            T::postgres(row, index).map(Some)
        }
    }
}
