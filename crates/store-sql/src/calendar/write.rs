//! A calendar write as one transaction: the record's values, the files attached to it, and
//! the completed figures of every session those files touch, the ones they leave included.

use super::columns::{Columns, Value, push_assignments, push_value};
use super::{EntryRow, SESSIONS, Table, moved_forward};
use crate::activities::{ActivityRow, LegRow, SELECT_LEGS, activity, group_legs};
use crate::db_time::DbTime;
use crate::error::other;
use crate::{BeginWrite, SqlStore, on_writer};
use paceline_domain::StoreError;
use paceline_domain::calendar::{
    AttachedWork, Entry, RaceId, SessionId, SessionLog, Written, log_from_activities,
};
use paceline_domain::files::FileId;
use paceline_domain::ids::UserId;
use sqlx::{Database, Encode, Executor, FromRow, IntoArguments, QueryBuilder, Transaction, Type};
use time::{Date, OffsetDateTime};

/// What a write does to its record.
pub(crate) enum Change {
    /// Inserts a record with these columns (the owner's and the times included).
    Create(Table, Columns),
    /// Replaces a live record's values if its `updated_at` is still `seen`.
    Replace {
        /// The table.
        table: Table,
        /// The record.
        id: i64,
        /// Its `updated_at` as last read.
        seen: OffsetDateTime,
        /// The new values.
        columns: Columns,
    },
}

impl SqlStore {
    /// Writes `change` for `user` and attaches `files` to its record, in one transaction;
    /// answers the record as the transaction leaves it.
    pub(crate) async fn write_entry<R: EntryRow>(
        &self,
        user: UserId,
        change: Change,
        files: &[FileId],
        now: OffsetDateTime,
    ) -> Result<Written<R>, StoreError> {
        let forward = Forward {
            microsecond: self.one_microsecond(),
            now,
        };
        let lock = self.athlete_lock();
        on_writer!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(other)?;
            lock_athlete(&mut tx, lock, user).await?;
            let (table, id) = match change {
                Change::Create(table, columns) => {
                    let mut insert = QueryBuilder::new(format!("INSERT INTO {} (", table.name));
                    let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
                    insert.push(names.join(", ")).push(") VALUES (");
                    for (i, (_, value)) in columns.into_iter().enumerate() {
                        if i > 0 {
                            insert.push(", ");
                        }
                        push_value(&mut insert, value);
                    }
                    insert.push(") RETURNING id");
                    let id = insert
                        .build_query_scalar::<i64>()
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(other)?;
                    (table, id)
                }
                Change::Replace { table, id, seen, columns } => {
                    let mut update = QueryBuilder::new(format!("UPDATE {} SET ", table.name));
                    let mut all: Columns = vec![("updated_at", Value::Time(DbTime(now)))];
                    all.extend(columns);
                    push_assignments(&mut update, all);
                    update.push(" WHERE id = ").push_bind(id);
                    update.push(" AND user_id = ").push_bind(user.get());
                    update.push(" AND updated_at = ").push_bind(DbTime(seen));
                    update.push(" AND deleted_at IS NULL");
                    let changed = update
                        .build()
                        .execute(&mut *tx)
                        .await
                        .map_err(other)?
                        .rows_affected();
                    if changed == 0 {
                        tx.rollback().await.map_err(other)?;
                        return Ok(Written::Stale);
                    }
                    (table, id)
                }
            };
            if !files.is_empty() {
                let to = table.entry(id);
                let left = match attach(&mut tx, user, files, to).await? {
                    Ok(left) => left,
                    Err(unknown) => {
                        tx.rollback().await.map_err(other)?;
                        return Ok(Written::UnknownFiles(unknown));
                    }
                };
                if let Entry::Session(session) = to {
                    refigure(&mut tx, user, session).await?;
                }
                for entry in left.into_iter().filter(|e| *e != to) {
                    if let Entry::Session(session) = entry {
                        refigure(&mut tx, user, session).await?;
                    }
                    move_forward(&mut tx, user, entry, forward).await?;
                }
            }
            // Read back in the transaction: a committed write is always answered.
            let read = format!("{} WHERE t.id = $1 AND t.user_id = $2", table.select());
            let record = sqlx::query_as::<_, R>(sqlx::AssertSqlSafe(read))
                .bind(id)
                .bind(user.get())
                .fetch_one(&mut *tx)
                .await
                .map_err(other)?;
            tx.commit().await.map_err(other)?;
            Ok(Written::Saved(record))
        })
    }

    /// The statement that locks an athlete's calendar for a write, on engines where writers
    /// run at once: the writes of one athlete then queue, so two of them moving files between
    /// the same sessions can neither miss each other's changes nor deadlock. SQLite needs
    /// none: its write transactions run one at a time.
    pub(crate) fn athlete_lock(&self) -> Option<&'static str> {
        match self.writer {
            crate::Pool::Sqlite(_) => None,
            crate::Pool::Postgres(_) => Some("SELECT id FROM users WHERE id = $1 FOR UPDATE"),
        }
    }
}

/// Takes the athlete's lock (see [`SqlStore::athlete_lock`]).
pub(crate) async fn lock_athlete<DB>(
    tx: &mut Transaction<'static, DB>,
    lock: Option<&'static str>,
    user: UserId,
) -> Result<(), StoreError>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'t> i64: Encode<'t, DB> + Type<DB>,
    DB::Arguments: IntoArguments<DB>,
{
    if let Some(sql) = lock {
        sqlx::query::<DB>(sql)
            .bind(user.get())
            .execute(&mut **tx)
            .await
            .map_err(other)?;
    }
    Ok(())
}

/// Attaches the user's `files` to `to`; answers the records they were attached to before,
/// or, when some are not the user's, those (and attaches nothing).
async fn attach<DB>(
    tx: &mut Transaction<'static, DB>,
    user: UserId,
    files: &[FileId],
    to: Entry,
) -> Result<Result<Vec<Entry>, Vec<FileId>>, StoreError>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'t> i64: Encode<'t, DB> + Type<DB>,
    for<'t> Option<i64>: Encode<'t, DB> + Type<DB>,
    for<'r> (Option<i64>, Option<i64>): FromRow<'r, DB::Row>,
    for<'r> (i64,): FromRow<'r, DB::Row>,
    DB::Arguments: IntoArguments<DB>,
{
    const HELD: &str = "SELECT training_session_id, race_id FROM activity_files \
         WHERE user_id = $1 AND id = $2";
    const ATTACH: &str = "UPDATE activity_files SET training_session_id = $3, race_id = $4 \
         WHERE user_id = $1 AND id = $2 RETURNING id";
    let mut unknown = Vec::new();
    let mut left = Vec::new();
    for file in files {
        let held = sqlx::query_as::<DB, (Option<i64>, Option<i64>)>(HELD)
            .bind(user.get())
            .bind(file.0)
            .fetch_optional(&mut **tx)
            .await
            .map_err(other)?;
        match held {
            None => unknown.push(*file),
            Some((Some(s), _)) => left.push(Entry::Session(SessionId(s))),
            Some((None, Some(r))) => left.push(Entry::Race(RaceId(r))),
            Some((None, None)) => {}
        }
    }
    if !unknown.is_empty() {
        return Ok(Err(unknown));
    }
    let (session, race) = match to {
        Entry::Session(id) => (Some(id.0), None),
        Entry::Race(id) => (None, Some(id.0)),
    };
    for file in files {
        let attached = sqlx::query_scalar::<DB, i64>(ATTACH)
            .bind(user.get())
            .bind(file.0)
            .bind(session)
            .bind(race)
            .fetch_optional(&mut **tx)
            .await
            .map_err(other)?;
        // Deleted since it was read (the athlete's lock keeps this from happening).
        if attached.is_none() {
            return Ok(Err(vec![*file]));
        }
    }
    left.sort_by_key(|e| match e {
        Entry::Session(id) => (0, id.0),
        Entry::Race(id) => (1, id.0),
    });
    left.dedup();
    Ok(Ok(left))
}

/// Moving a record's `updated_at` forward to `now`, or a microsecond past its last change
/// when that is not earlier.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Forward {
    /// One microsecond in the engine's timestamp arithmetic.
    pub(crate) microsecond: &'static str,
    /// The instant of the change.
    pub(crate) now: OffsetDateTime,
}

/// Sets a session's completed figures from the files attached to it now.
pub(crate) async fn refigure<DB>(
    tx: &mut Transaction<'static, DB>,
    user: UserId,
    session: SessionId,
) -> Result<(), StoreError>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'r> ActivityRow: FromRow<'r, DB::Row>,
    for<'r> LegRow: FromRow<'r, DB::Row>,
    for<'t> Date: Encode<'t, DB> + Type<DB>,
    for<'t> Option<i32>: Encode<'t, DB> + Type<DB>,
    for<'t> Option<f64>: Encode<'t, DB> + Type<DB>,
    for<'t> String: Encode<'t, DB> + Type<DB>,
    for<'t> bool: Encode<'t, DB> + Type<DB>,
    for<'t> Option<&'static str>: Encode<'t, DB> + Type<DB>,
    for<'t> DbTime: Encode<'t, DB> + Type<DB>,
    for<'t> Option<i64>: Encode<'t, DB> + Type<DB>,
    for<'t> i64: Encode<'t, DB> + Type<DB>,
    DB::Arguments: IntoArguments<DB>,
{
    const ATTACHED: &str = " AND a.id IN (SELECT activity_id FROM activity_files \
         WHERE user_id = $1 AND training_session_id = $2)";
    let activities_sql = format!(
        "{}{ATTACHED} ORDER BY a.started_at, a.id",
        crate::activities::select_activities!()
    );
    let rows = sqlx::query_as::<DB, ActivityRow>(sqlx::AssertSqlSafe(activities_sql))
        .bind(user.get())
        .bind(session.0)
        .fetch_all(&mut **tx)
        .await
        .map_err(other)?;
    let legs_sql = format!(
        "{SELECT_LEGS} AND l.activity_id IN (SELECT activity_id FROM activity_files \
         WHERE user_id = $1 AND training_session_id = $2) ORDER BY l.activity_id, l.position"
    );
    let legs = sqlx::query_as::<DB, LegRow>(sqlx::AssertSqlSafe(legs_sql))
        .bind(user.get())
        .bind(session.0)
        .fetch_all(&mut **tx)
        .await
        .map_err(other)?;
    // The figures need the activities' kinds and figures, not where they came from.
    let work = AttachedWork {
        activities: rows
            .into_iter()
            .map(|row| activity(row, Vec::new()))
            .collect::<Result<_, _>>()?,
        legs: group_legs(legs)?,
    };
    let mut log = SessionLog::default();
    log_from_activities(&mut log, &work);
    let mut update = QueryBuilder::new(format!("UPDATE {} SET ", SESSIONS.name));
    push_assignments(&mut update, super::columns::log_figures(&log));
    update.push(" WHERE id = ").push_bind(session.0);
    update.push(" AND user_id = ").push_bind(user.get());
    update.build().execute(&mut **tx).await.map_err(other)?;
    Ok(())
}

/// Moves a session's or race's `updated_at` forward: a change to what is attached to it is
/// a change to it, which a syncing client must see.
pub(crate) async fn move_forward<DB>(
    tx: &mut Transaction<'static, DB>,
    user: UserId,
    entry: Entry,
    forward: Forward,
) -> Result<(), StoreError>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'t> i64: Encode<'t, DB> + Type<DB>,
    for<'t> DbTime: Encode<'t, DB> + Type<DB>,
    DB::Arguments: IntoArguments<DB>,
{
    let (table, id) = Table::of(entry);
    let sql = format!(
        "UPDATE {} SET updated_at = {} WHERE id = $1 AND user_id = $2",
        table.name,
        moved_forward(forward.microsecond, "$3")
    );
    sqlx::query::<DB>(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(user.get())
        .bind(DbTime(forward.now))
        .execute(&mut **tx)
        .await
        .map_err(other)?;
    Ok(())
}
