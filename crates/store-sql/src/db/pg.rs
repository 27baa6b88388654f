//! Statements on PostgreSQL, through sqlx (which prepares and caches each statement per
//! connection).

use super::{Arg, Cols, DbError, Json, Sql};
use sqlx::postgres::{PgArguments, PgConnection};
use sqlx::query::Query;
use sqlx::{AssertSqlSafe, Postgres};

fn query<'q>(sql: Sql, args: &[Arg<'q>]) -> Query<'q, Postgres, PgArguments> {
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for arg in args {
        query = match *arg {
            Arg::I64(v) => query.bind(v),
            Arg::I32(v) => query.bind(v),
            Arg::F64(v) => query.bind(v),
            Arg::Bool(v) => query.bind(v),
            Arg::Text(v) => query.bind(v),
            Arg::Blob(v) => query.bind(v),
            Arg::Time(v) => query.bind(v),
            Arg::Date(v) => query.bind(v),
            Arg::Json(v) => query.bind(v.map(sqlx::types::Json)),
        };
    }
    query
}

pub(super) async fn execute(
    conn: &mut PgConnection,
    sql: Sql,
    args: &[Arg<'_>],
) -> Result<u64, DbError> {
    super::capture::note(&sql, args);
    Ok(query(sql, args).execute(conn).await?.rows_affected())
}

/// The rows of a query, each read by `read`; with `first_only`, the first row at most.
pub(super) async fn rows<T>(
    conn: &mut PgConnection,
    sql: Sql,
    args: &[Arg<'_>],
    first_only: bool,
    mut read: impl FnMut(&mut Cols<'_>) -> Result<T, DbError>,
) -> Result<Vec<T>, DbError> {
    super::capture::note(&sql, args);
    let query = query(sql, args);
    if first_only {
        return query
            .fetch_optional(conn)
            .await?
            .map(|row| read(&mut Cols::postgres(&row)))
            .into_iter()
            .collect();
    }
    query
        .fetch_all(conn)
        .await?
        .iter()
        .map(|row| read(&mut Cols::postgres(row)))
        .collect()
}

/// `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)` of a query: its plan with what each node saw.
pub(super) async fn explain(
    conn: &mut PgConnection,
    sql: &str,
    args: &[Arg<'_>],
) -> Result<Json, DbError> {
    let explain = format!("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}");
    let row = query(explain.into(), args).fetch_one(conn).await?;
    Cols::postgres(&row).get()
}
