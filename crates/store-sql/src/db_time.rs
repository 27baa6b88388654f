//! Timestamps in the database: `TIMESTAMPTZ` on PostgreSQL, INTEGER microseconds since the
//! Unix epoch on SQLite. SQLite has no time type, and integers sort and compare exactly,
//! where text forms of one instant can differ; microseconds are what PostgreSQL keeps.

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgTypeInfo, PgValueRef};
use sqlx::sqlite::{SqliteTypeInfo, SqliteValueRef};
use sqlx::{Database, Decode, Encode, Postgres, Sqlite, Type};
use time::OffsetDateTime;

/// An instant as stored; always UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DbTime(pub OffsetDateTime);

impl DbTime {
    fn micros(self) -> Result<i64, BoxDynError> {
        i64::try_from(self.0.unix_timestamp_nanos() / 1000).map_err(Into::into)
    }

    fn from_micros(micros: i64) -> Result<Self, BoxDynError> {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1000)
            .map(Self)
            .map_err(Into::into)
    }
}

impl From<OffsetDateTime> for DbTime {
    fn from(at: OffsetDateTime) -> Self {
        Self(at)
    }
}

impl Type<Sqlite> for DbTime {
    fn type_info() -> SqliteTypeInfo {
        <i64 as Type<Sqlite>>::type_info()
    }

    fn compatible(ty: &SqliteTypeInfo) -> bool {
        <i64 as Type<Sqlite>>::compatible(ty)
    }
}

impl Encode<'_, Sqlite> for DbTime {
    fn encode_by_ref(
        &self,
        buf: &mut <Sqlite as Database>::ArgumentBuffer,
    ) -> Result<IsNull, BoxDynError> {
        <i64 as Encode<Sqlite>>::encode(self.micros()?, buf)
    }
}

impl<'r> Decode<'r, Sqlite> for DbTime {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        Self::from_micros(<i64 as Decode<Sqlite>>::decode(value)?)
    }
}

impl Type<Postgres> for DbTime {
    fn type_info() -> PgTypeInfo {
        <OffsetDateTime as Type<Postgres>>::type_info()
    }

    fn compatible(ty: &PgTypeInfo) -> bool {
        <OffsetDateTime as Type<Postgres>>::compatible(ty)
    }
}

impl Encode<'_, Postgres> for DbTime {
    fn encode_by_ref(
        &self,
        buf: &mut <Postgres as Database>::ArgumentBuffer,
    ) -> Result<IsNull, BoxDynError> {
        <OffsetDateTime as Encode<Postgres>>::encode_by_ref(&self.0, buf)
    }
}

impl<'r> Decode<'r, Postgres> for DbTime {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        <OffsetDateTime as Decode<Postgres>>::decode(value).map(Self)
    }
}

impl crate::db::Column for DbTime {
    fn sqlite(value: rusqlite::types::ValueRef<'_>) -> Result<Self, crate::db::DbError> {
        <OffsetDateTime as crate::db::Column>::sqlite(value).map(Self)
    }

    fn postgres(row: &sqlx::postgres::PgRow, index: usize) -> Result<Self, crate::db::DbError> {
        <OffsetDateTime as crate::db::Column>::postgres(row, index).map(Self)
    }
}
