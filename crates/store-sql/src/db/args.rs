//! The values bound to a statement's placeholders, typed so that each engine binds its own
//! type (PostgreSQL's typed NULLs included).

use serde_json::value::RawValue;
use time::format_description::BorrowedFormatItem;
use time::{Date, OffsetDateTime};

/// How SQLite keeps a date (as sqlx wrote it): `YYYY-MM-DD`.
pub(crate) const DATE_FORMAT: &[BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

/// A value for a placeholder; `None` inside a variant binds that type's NULL.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Arg<'a> {
    /// `BIGINT` / `INTEGER`.
    I64(Option<i64>),
    /// `INTEGER` on PostgreSQL (a 32-bit column), `INTEGER` on SQLite.
    I32(Option<i32>),
    /// `DOUBLE PRECISION` / `REAL`.
    F64(Option<f64>),
    /// `BOOLEAN` / 0 or 1.
    Bool(Option<bool>),
    /// `TEXT`.
    Text(Option<&'a str>),
    /// `BYTEA` / `BLOB`.
    Blob(Option<&'a [u8]>),
    /// `TIMESTAMPTZ` / microseconds since the Unix epoch (`db_time`).
    Time(Option<OffsetDateTime>),
    /// `DATE` / `YYYY-MM-DD` text.
    Date(Option<Date>),
    /// `JSONB` / JSON text, given as a JSON document's text.
    Json(Option<&'a RawValue>),
}

impl From<i64> for Arg<'_> {
    fn from(v: i64) -> Self {
        Self::I64(Some(v))
    }
}

impl From<Option<i64>> for Arg<'_> {
    fn from(v: Option<i64>) -> Self {
        Self::I64(v)
    }
}

impl From<i32> for Arg<'_> {
    fn from(v: i32) -> Self {
        Self::I32(Some(v))
    }
}

impl From<Option<i32>> for Arg<'_> {
    fn from(v: Option<i32>) -> Self {
        Self::I32(v)
    }
}

impl From<f64> for Arg<'_> {
    fn from(v: f64) -> Self {
        Self::F64(Some(v))
    }
}

impl From<Option<f64>> for Arg<'_> {
    fn from(v: Option<f64>) -> Self {
        Self::F64(v)
    }
}

impl From<bool> for Arg<'_> {
    fn from(v: bool) -> Self {
        Self::Bool(Some(v))
    }
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(v: &'a str) -> Self {
        Self::Text(Some(v))
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(v: &'a String) -> Self {
        Self::Text(Some(v))
    }
}

impl<'a> From<Option<&'a str>> for Arg<'a> {
    fn from(v: Option<&'a str>) -> Self {
        Self::Text(v)
    }
}

impl<'a> From<&'a Option<String>> for Arg<'a> {
    fn from(v: &'a Option<String>) -> Self {
        Self::Text(v.as_deref())
    }
}

impl<'a> From<&'a [u8]> for Arg<'a> {
    fn from(v: &'a [u8]) -> Self {
        Self::Blob(Some(v))
    }
}

impl From<OffsetDateTime> for Arg<'_> {
    fn from(v: OffsetDateTime) -> Self {
        Self::Time(Some(v))
    }
}

impl From<Option<OffsetDateTime>> for Arg<'_> {
    fn from(v: Option<OffsetDateTime>) -> Self {
        Self::Time(v)
    }
}

impl From<Date> for Arg<'_> {
    fn from(v: Date) -> Self {
        Self::Date(Some(v))
    }
}

impl From<Option<Date>> for Arg<'_> {
    fn from(v: Option<Date>) -> Self {
        Self::Date(v)
    }
}

impl<'a> From<&'a RawValue> for Arg<'a> {
    fn from(v: &'a RawValue) -> Self {
        Self::Json(Some(v))
    }
}

impl<'a> From<Option<&'a RawValue>> for Arg<'a> {
    fn from(v: Option<&'a RawValue>) -> Self {
        Self::Json(v)
    }
}

/// The placeholder number of a parameter named `$N` (1-based), as both engines number them.
pub(crate) fn placeholder(name: &str) -> Option<usize> {
    name.strip_prefix('$')?.parse().ok().filter(|&n| n > 0)
}
