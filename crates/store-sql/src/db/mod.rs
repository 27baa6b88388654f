//! The engines behind one typed interface: a use case is written once, as plain Rust, against
//! [`Db`] (a reader or a write transaction of either engine), binds its values as [`Arg`]s and
//! reads each row's columns in order through [`Cols`].
//!
//! - SQLite runs on `rusqlite`, in the calling task: a read is a cached prepared statement on
//!   a pooled connection, a few microseconds, with no hand-off to another thread; writes go to
//!   the one writer connection and share its transactions ([`lite::Writer`], group commit).
//! - PostgreSQL runs on sqlx's pool, one transaction per write.
//!
//! Statements use `$1`, `$2`… placeholders on both engines; a placeholder may repeat and
//! appear in any order.

mod args;
pub(crate) mod capture;
mod cols;
mod error;
pub(crate) mod lite;
mod pg;
mod value;

pub(crate) use args::Arg;
pub(crate) use cols::{Cols, Column, Json, Named, parse_postgres_text, parse_sqlite_text};
pub(crate) use error::DbError;
pub(crate) use value::Value;

use sqlx::PgPool;
use std::borrow::Cow;

/// The SQL of a statement: a `&'static str` most of the time, a built `String` for lists with
/// optional filters.
pub(crate) type Sql = Cow<'static, str>;

/// The engine chosen at start-up.
#[derive(Debug, Clone)]
pub(crate) enum Db {
    Sqlite(lite::Sqlite),
    Postgres(PgPool),
}

impl Db {
    /// A connection for reads (on SQLite, one of the readers WAL lets read while a write is
    /// under way).
    pub(crate) async fn reader(&self) -> Result<Reader, DbError> {
        Ok(match self {
            Self::Sqlite(lite) => Conn(ReadConn::Sqlite(lite.reader().await?)),
            Self::Postgres(pool) => Conn(ReadConn::Postgres(pool.acquire().await?)),
        })
    }

    /// A connection for several reads that see one snapshot of the database (a read
    /// transaction, ended when it is dropped).
    pub(crate) async fn snapshot(&self) -> Result<Reader, DbError> {
        Ok(match self {
            Self::Sqlite(lite) => Conn(ReadConn::Sqlite(lite.snapshot().await?)),
            Self::Postgres(pool) => Conn(ReadConn::PostgresSnapshot(pool.begin().await?)),
        })
    }

    /// Begins a write transaction. On SQLite it is a savepoint in the writer's shared
    /// transaction, durable once [`Tx::commit`] returns; on PostgreSQL a transaction of its own.
    pub(crate) async fn begin(&self) -> Result<Tx<'_>, DbError> {
        Ok(match self {
            Self::Sqlite(lite) => Conn(WriteConn::Sqlite(lite.begin().await?)),
            Self::Postgres(pool) => Conn(WriteConn::Postgres(pool.begin().await?)),
        })
    }

    /// How the connections are used now: on SQLite the readers (the one writer is apart),
    /// on PostgreSQL the pool.
    pub(crate) fn connections(&self) -> paceline_domain::store::Connections {
        match self {
            Self::Sqlite(lite) => lite.connections(),
            Self::Postgres(pool) => {
                let open = pool.size();
                let idle = u32::try_from(pool.num_idle()).unwrap_or(u32::MAX).min(open);
                paceline_domain::store::Connections {
                    in_use: open - idle,
                    idle,
                    max: pool.options().get_max_connections(),
                }
            }
        }
    }

    /// Runs one statement in a transaction of its own; the number of rows it changed. On
    /// PostgreSQL that is the statement alone, committed by the server as it ends (one round
    /// trip, where `BEGIN` and `COMMIT` would add two).
    pub(crate) async fn execute(
        &self,
        sql: impl Into<Sql>,
        args: &[Arg<'_>],
    ) -> Result<u64, DbError> {
        if let Self::Postgres(pool) = self {
            return pg::execute(&mut *pool.acquire().await?, sql.into(), args).await;
        }
        let mut tx = self.begin().await?;
        let changed = tx.execute(sql, args).await?;
        tx.commit().await?;
        Ok(changed)
    }

    /// Runs one statement that returns a row (`RETURNING`) in a transaction of its own, as
    /// [`Db::execute`] does.
    pub(crate) async fn returning<T>(
        &self,
        sql: impl Into<Sql>,
        args: &[Arg<'_>],
        read: impl FnMut(&mut Cols<'_>) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        if let Self::Postgres(pool) = self {
            let rows = pg::rows(&mut *pool.acquire().await?, sql.into(), args, true, read).await?;
            return rows.into_iter().next().ok_or(DbError::NoRows);
        }
        let mut tx = self.begin().await?;
        let row = tx.one(sql, args, read).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// The first row of a query, if any, read by `read`.
    pub(crate) async fn optional<T>(
        &self,
        sql: impl Into<Sql>,
        args: &[Arg<'_>],
        read: impl FnMut(&mut Cols<'_>) -> Result<T, DbError>,
    ) -> Result<Option<T>, DbError> {
        self.reader().await?.optional(sql, args, read).await
    }

    /// The one row a query must return, read by `read`.
    pub(crate) async fn one<T>(
        &self,
        sql: impl Into<Sql>,
        args: &[Arg<'_>],
        read: impl FnMut(&mut Cols<'_>) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        self.reader().await?.one(sql, args, read).await
    }

    /// Every row of a query, each read by `read`.
    pub(crate) async fn all<T>(
        &self,
        sql: impl Into<Sql>,
        args: &[Arg<'_>],
        read: impl FnMut(&mut Cols<'_>) -> Result<T, DbError>,
    ) -> Result<Vec<T>, DbError> {
        self.reader().await?.all(sql, args, read).await
    }

    /// The engine's name, as the store reports it.
    pub(crate) fn backend(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }
}

/// A connection for reads ([`Reader`]) or a write transaction ([`Tx`]): the same
/// statements run on either.
pub(crate) struct Conn<C>(C);

/// A connection for reads, returned to its pool when dropped.
pub(crate) type Reader = Conn<ReadConn>;

/// A write transaction; dropped without [`Tx::commit`], it changes nothing.
pub(crate) type Tx<'d> = Conn<WriteConn<'d>>;

/// Either engine's connection for reads.
pub(crate) enum ReadConn {
    Sqlite(lite::PooledReader),
    Postgres(sqlx::pool::PoolConnection<sqlx::Postgres>),
    /// A read transaction, rolled back when dropped.
    PostgresSnapshot(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// Either engine's write transaction.
pub(crate) enum WriteConn<'d> {
    Sqlite(lite::WriteTx<'d>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// What a [`Conn`] runs its statements on.
pub(crate) trait Connection {
    /// The connection of the engine, for one statement.
    fn link(&mut self) -> Link<'_>;
}

impl Connection for ReadConn {
    fn link(&mut self) -> Link<'_> {
        match self {
            Self::Sqlite(reader) => Link::Sqlite(reader.connection()),
            Self::Postgres(conn) => Link::Postgres(conn),
            Self::PostgresSnapshot(tx) => Link::Postgres(tx),
        }
    }
}

impl Connection for WriteConn<'_> {
    fn link(&mut self) -> Link<'_> {
        match self {
            Self::Sqlite(tx) => Link::Sqlite(tx.connection()),
            Self::Postgres(tx) => Link::Postgres(tx),
        }
    }
}

impl Tx<'_> {
    /// Takes the lock on a user's row until the transaction ends, so that concurrent writes
    /// of one athlete's records queue (on PostgreSQL, where transactions run at once; a
    /// SQLite write already runs alone on the writer).
    pub(crate) async fn lock_user(&mut self, user: i64) -> Result<(), DbError> {
        if let WriteConn::Postgres(_) = self.0 {
            self.execute(
                "SELECT id FROM users WHERE id = $1 FOR UPDATE",
                &[user.into()],
            )
            .await?;
        }
        Ok(())
    }

    /// Ends the transaction without its changes. On SQLite this waits until the writes it
    /// could see are durable, so that what it answers never rests on writes that could be
    /// lost and a read after it sees them; dropping a transaction undoes it without waiting
    /// (for errors).
    pub(crate) async fn rollback(self) -> Result<(), DbError> {
        match self.0 {
            WriteConn::Sqlite(tx) => tx.rollback().await,
            WriteConn::Postgres(tx) => tx.rollback().await.map_err(DbError::from),
        }
    }

    /// Commits; returns once the changes are durable.
    pub(crate) async fn commit(self) -> Result<(), DbError> {
        match self.0 {
            WriteConn::Sqlite(tx) => tx.commit().await,
            WriteConn::Postgres(tx) => tx.commit().await.map_err(DbError::from),
        }
    }
}

impl<C: Connection> Conn<C> {
    /// Runs a statement; the number of rows it changed.
    pub(crate) async fn execute(
        &mut self,
        sql: impl Into<Sql>,
        args: &[Arg<'_>],
    ) -> Result<u64, DbError> {
        match self.0.link() {
            Link::Sqlite(conn) => lite::execute(conn, &sql.into(), args),
            Link::Postgres(conn) => pg::execute(conn, sql.into(), args).await,
        }
    }

    /// The first row of a query, if any, read by `read`.
    pub(crate) async fn optional<T>(
        &mut self,
        sql: impl Into<Sql>,
        args: &[Arg<'_>],
        read: impl FnMut(&mut Cols<'_>) -> Result<T, DbError>,
    ) -> Result<Option<T>, DbError> {
        let rows = self.rows(sql.into(), args, true, read).await?;
        Ok(rows.into_iter().next())
    }

    /// The one row a query must return, read by `read`.
    pub(crate) async fn one<T>(
        &mut self,
        sql: impl Into<Sql>,
        args: &[Arg<'_>],
        read: impl FnMut(&mut Cols<'_>) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        self.optional(sql, args, read).await?.ok_or(DbError::NoRows)
    }

    /// Every row of a query, each read by `read`.
    pub(crate) async fn all<T>(
        &mut self,
        sql: impl Into<Sql>,
        args: &[Arg<'_>],
        read: impl FnMut(&mut Cols<'_>) -> Result<T, DbError>,
    ) -> Result<Vec<T>, DbError> {
        self.rows(sql.into(), args, false, read).await
    }

    async fn rows<T>(
        &mut self,
        sql: Sql,
        args: &[Arg<'_>],
        first_only: bool,
        read: impl FnMut(&mut Cols<'_>) -> Result<T, DbError>,
    ) -> Result<Vec<T>, DbError> {
        match self.0.link() {
            Link::Sqlite(conn) => lite::rows(conn, &sql, args, first_only, read),
            Link::Postgres(conn) => pg::rows(conn, sql, args, first_only, read).await,
        }
    }
}

impl Reader {
    /// The plan of a query and what running it cost: on SQLite `EXPLAIN QUERY PLAN`'s lines
    /// and the virtual machine's steps; on PostgreSQL `EXPLAIN (ANALYZE, BUFFERS, FORMAT
    /// JSON)`. Runs the query.
    pub(crate) async fn explain(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
    ) -> Result<RawPlan, DbError> {
        match self.0.link() {
            Link::Sqlite(conn) => {
                let (lines, steps) = lite::explain(conn, sql, args)?;
                Ok(RawPlan::Sqlite { lines, steps })
            }
            Link::Postgres(conn) => Ok(RawPlan::Postgres(pg::explain(conn, sql, args).await?)),
        }
    }
}

/// What [`Reader::explain`] found.
pub(crate) enum RawPlan {
    /// `EXPLAIN QUERY PLAN`'s details, and the steps the statement took to run.
    Sqlite { lines: Vec<String>, steps: u64 },
    /// The JSON plan, with the rows each node saw.
    Postgres(Json),
}

/// The connection a statement runs on.
pub(crate) enum Link<'c> {
    Sqlite(&'c mut rusqlite::Connection),
    Postgres(&'c mut sqlx::PgConnection),
}

/// Reads a single column.
pub(crate) fn first<T: Column>(cols: &mut Cols<'_>) -> Result<T, DbError> {
    cols.get()
}

#[cfg(test)]
mod tests;
