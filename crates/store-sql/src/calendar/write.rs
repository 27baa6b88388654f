//! A calendar write as one transaction: the record's values, the files attached to it, and
//! the completed figures of every session those files touch, the ones they leave included.

use super::columns::{Columns, EntryRow, Statement, Value, log_figures};
use super::{SESSIONS, Table, moved_forward};
use crate::SqlStore;
use crate::activities::{ActivityRow, LegRow, SELECT_LEGS, activity, group_legs};
use crate::db::{Tx, first};
use paceline_domain::StoreError;
use paceline_domain::calendar::{
    AttachedWork, Entry, RaceId, SessionId, SessionLog, Written, log_from_activities,
};
use paceline_domain::files::FileId;
use paceline_domain::ids::UserId;
use time::OffsetDateTime;

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
        let mut tx = self.db.begin().await?;
        tx.lock_user(user.get()).await?;
        let (table, id) = match change {
            Change::Create(table, columns) => {
                let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
                let mut insert = Statement::new(format!(
                    "INSERT INTO {} ({}) VALUES (",
                    table.name,
                    names.join(", ")
                ));
                for (i, (_, value)) in columns.into_iter().enumerate() {
                    if i > 0 {
                        insert.push(", ");
                    }
                    insert.bind(value);
                }
                insert.push(") RETURNING id");
                let (sql, args) = insert.parts();
                let id: i64 = tx.one(sql, &args, first).await?;
                (table, id)
            }
            Change::Replace {
                table,
                id,
                seen,
                columns,
            } => {
                let mut all: Columns = vec![("updated_at", Value::Time(now))];
                all.extend(columns);
                let mut update = Statement::new(format!("UPDATE {} SET ", table.name));
                update
                    .assignments(all)
                    .push(" WHERE id = ")
                    .bind(Value::Key(Some(id)))
                    .push(" AND user_id = ")
                    .bind(Value::Key(Some(user.get())))
                    .push(" AND updated_at = ")
                    .bind(Value::Time(seen))
                    .push(" AND deleted_at IS NULL");
                let (sql, args) = update.parts();
                if tx.execute(sql, &args).await? == 0 {
                    tx.rollback().await?;
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
                    tx.rollback().await?;
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
        let record = tx
            .one(read, &[id.into(), user.get().into()], R::read)
            .await?;
        tx.commit().await?;
        Ok(Written::Saved(record))
    }
}

/// Attaches the user's `files` to `to`; answers the records they were attached to before,
/// or, when some are not the user's, those (and attaches nothing).
async fn attach(
    tx: &mut Tx<'_>,
    user: UserId,
    files: &[FileId],
    to: Entry,
) -> Result<Result<Vec<Entry>, Vec<FileId>>, StoreError> {
    const HELD: &str = "SELECT training_session_id, race_id FROM activity_files \
         WHERE user_id = $1 AND id = $2";
    const ATTACH: &str = "UPDATE activity_files SET training_session_id = $3, race_id = $4 \
         WHERE user_id = $1 AND id = $2 RETURNING id";
    let mut unknown = Vec::new();
    let mut left = Vec::new();
    for file in files {
        let held: Option<(Option<i64>, Option<i64>)> = tx
            .optional(HELD, &[user.get().into(), file.0.into()], |c| {
                Ok((c.get()?, c.get()?))
            })
            .await?;
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
        let args = [
            user.get().into(),
            file.0.into(),
            session.into(),
            race.into(),
        ];
        let attached: Option<i64> = tx.optional(ATTACH, &args, first).await?;
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
pub(crate) async fn refigure(
    tx: &mut Tx<'_>,
    user: UserId,
    session: SessionId,
) -> Result<(), StoreError> {
    const ATTACHED: &str = " AND a.id IN (SELECT activity_id FROM activity_files \
         WHERE user_id = $1 AND training_session_id = $2)";
    let activities_sql = format!(
        "{}{ATTACHED} ORDER BY a.started_at, a.id",
        crate::activities::select_activities!()
    );
    let args = [user.get().into(), session.0.into()];
    let rows = tx.all(activities_sql, &args, ActivityRow::read).await?;
    let legs_sql = format!(
        "{SELECT_LEGS} AND l.activity_id IN (SELECT activity_id FROM activity_files \
         WHERE user_id = $1 AND training_session_id = $2) ORDER BY l.activity_id, l.position"
    );
    let legs = tx.all(legs_sql, &args, LegRow::read).await?;
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
    let mut update = Statement::new(format!("UPDATE {} SET ", SESSIONS.name));
    update
        .assignments(log_figures(&log))
        .push(" WHERE id = ")
        .bind(Value::Key(Some(session.0)))
        .push(" AND user_id = ")
        .bind(Value::Key(Some(user.get())));
    let (sql, args) = update.parts();
    tx.execute(sql, &args).await?;
    Ok(())
}

/// Moves a session's or race's `updated_at` forward: a change to what is attached to it is
/// a change to it, which a syncing client must see.
pub(crate) async fn move_forward(
    tx: &mut Tx<'_>,
    user: UserId,
    entry: Entry,
    forward: Forward,
) -> Result<(), StoreError> {
    let (table, id) = Table::of(entry);
    let sql = format!(
        "UPDATE {} SET updated_at = {} WHERE id = $1 AND user_id = $2",
        table.name,
        moved_forward(forward.microsecond, "$3")
    );
    tx.execute(sql, &[id.into(), user.get().into(), forward.now.into()])
        .await?;
    Ok(())
}
