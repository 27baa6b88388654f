//! [`CalendarStore`]: training sessions and races. Deletion is soft (`deleted_at`), and
//! every change, deletion included, moves `updated_at` forward, so a list by
//! `updated_since` carries deletions to syncing clients.
//!
//! Sessions and races go through one path: [`Table`] names what differs, `columns.rs` pairs
//! each column with its value, and `write.rs` makes a write (the record, its files, the
//! figures they give) one transaction.

mod columns;
pub(crate) mod write;

pub(crate) use write::{Forward, move_forward, refigure};

use crate::SqlStore;
use crate::db::{Arg, first};
use async_trait::async_trait;
use columns::{
    EntryRow, RACE_COLUMNS, RaceRow, SESSION_COLUMNS, SessionRow, Value, race_values,
    session_values,
};
use paceline_domain::StoreError;
use paceline_domain::calendar::{
    CalendarQuery, CalendarStore, Entry, NewSession, Race, RaceId, RaceValues, Replacement,
    SessionId, SessionValues, TrainingSession, Written,
};
use paceline_domain::files::FileId;
use paceline_domain::ids::UserId;
use time::OffsetDateTime;
use write::Change;

/// A calendar table: what differs between sessions and races.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Table {
    /// Its name.
    pub(crate) name: &'static str,
    /// The column of `activity_files` that attaches a file to one of its records.
    files_column: &'static str,
    /// The order of a list.
    order: &'static str,
    /// The columns its rows are read by, with `{files}` for the count of their files.
    columns: &'static str,
    /// The entry of one of its records.
    entry: fn(i64) -> Entry,
}

/// Training sessions.
pub(crate) const SESSIONS: Table = Table {
    name: "training_sessions",
    files_column: "training_session_id",
    order: "t.date, t.position, t.id",
    columns: SESSION_COLUMNS,
    entry: |id| Entry::Session(SessionId(id)),
};

/// Races.
pub(crate) const RACES: Table = Table {
    name: "races",
    files_column: "race_id",
    order: "t.date, t.id",
    columns: RACE_COLUMNS,
    entry: |id| Entry::Race(RaceId(id)),
};

impl Table {
    /// The table of an entry, and its key.
    pub(crate) fn of(entry: Entry) -> (Self, i64) {
        match entry {
            Entry::Session(id) => (SESSIONS, id.0),
            Entry::Race(id) => (RACES, id.0),
        }
    }

    /// The entry of one of its records.
    pub(crate) fn entry(self, id: i64) -> Entry {
        (self.entry)(id)
    }

    /// Its records as `t`, with the count of their files.
    fn select(self) -> String {
        let files = format!(
            "(SELECT COUNT(*) FROM activity_files f WHERE f.{} = t.id)",
            self.files_column
        );
        format!(
            "SELECT {} FROM {} t",
            self.columns.replace("{files}", &files),
            self.name
        )
    }
}

/// `updated_at` moved to the instant `now` names (a placeholder or column), or a
/// microsecond (`microsecond`, in the engine's arithmetic) past the last change when that
/// is not earlier: every change moves it strictly forward.
pub(crate) fn moved_forward(microsecond: &str, now: &str) -> String {
    format!("CASE WHEN updated_at >= {now} THEN updated_at + {microsecond} ELSE {now} END")
}

/// A write's outcome with the record in its domain shape.
fn written<R, D: From<R>>(written: Written<R>) -> Written<D> {
    match written {
        Written::Saved(row) => Written::Saved(D::from(row)),
        Written::Stale => Written::Stale,
        Written::UnknownFiles(files) => Written::UnknownFiles(files),
    }
}

impl SqlStore {
    /// One of the user's records, deleted or not.
    async fn get_entry<R: EntryRow>(
        &self,
        table: Table,
        user: UserId,
        id: i64,
    ) -> Result<Option<R>, StoreError> {
        let sql = format!("{} WHERE t.id = $1 AND t.user_id = $2", table.select());
        Ok(self
            .db
            .optional(sql, &[id.into(), user.get().into()], R::read)
            .await?)
    }

    /// The user's records of `query`: a window of days, and either the live records or,
    /// with `updated_since`, every record changed since, deleted ones included.
    async fn list_entries<R: EntryRow>(
        &self,
        table: Table,
        user: UserId,
        query: CalendarQuery,
    ) -> Result<Vec<R>, StoreError> {
        let filter = match query.updated_since {
            Some(_) => "t.updated_at >= $4",
            None => "t.deleted_at IS NULL",
        };
        let sql = format!(
            "{} WHERE t.user_id = $1 AND t.date >= $2 AND t.date <= $3 AND {filter} \
             ORDER BY {}",
            table.select(),
            table.order
        );
        let mut args = vec![
            Arg::from(user.get()),
            Arg::from(query.from),
            Arg::from(query.to),
        ];
        args.extend(query.updated_since.map(Arg::from));
        Ok(self.db.all(sql, &args, R::read).await?)
    }

    /// `updated_at` moved to the instant `now` names (a placeholder or column), or a
    /// microsecond past the last change when that is not earlier: every change moves it
    /// strictly forward.
    pub(crate) fn moved_forward(&self, now: &str) -> String {
        moved_forward(self.one_microsecond(), now)
    }

    /// One microsecond in the engine's timestamp arithmetic.
    pub(crate) fn one_microsecond(&self) -> &'static str {
        match self.db {
            crate::db::Db::Sqlite(_) => "1",
            crate::db::Db::Postgres(_) => "INTERVAL '1 microsecond'",
        }
    }
}

#[async_trait]
impl CalendarStore for SqlStore {
    async fn create_session(
        &self,
        new: NewSession,
        files: &[FileId],
    ) -> Result<Written<TrainingSession>, StoreError> {
        // The order: as given, else after the day's last live session, in the statement.
        let position = if new.order_given {
            Value::Int(Some(new.values.order))
        } else {
            Value::NextPosition {
                user: new.user_id.get(),
                date: new.values.date,
            }
        };
        let mut columns = vec![
            ("user_id", Value::Key(Some(new.user_id.get()))),
            (
                "planned_by_user_id",
                Value::Key(new.planned_by.map(UserId::get)),
            ),
            ("direct_access_token", Value::Text(new.direct_access_token)),
            ("created_at", Value::Time(new.now)),
            ("updated_at", Value::Time(new.now)),
            ("position", position),
        ];
        columns.extend(session_values(&new.values));
        let change = Change::Create(SESSIONS, columns);
        let saved = self
            .write_entry::<SessionRow>(new.user_id, change, files, new.now)
            .await?;
        Ok(written(saved))
    }

    async fn get_session(
        &self,
        user: UserId,
        id: SessionId,
    ) -> Result<Option<TrainingSession>, StoreError> {
        let row = self.get_entry::<SessionRow>(SESSIONS, user, id.0).await?;
        Ok(row.map(Into::into))
    }

    async fn list_sessions(
        &self,
        user: UserId,
        query: CalendarQuery,
    ) -> Result<Vec<TrainingSession>, StoreError> {
        let rows = self
            .list_entries::<SessionRow>(SESSIONS, user, query)
            .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn replace_session(
        &self,
        change: Replacement<'_, SessionId, SessionValues>,
    ) -> Result<Written<TrainingSession>, StoreError> {
        let mut columns = vec![("position", Value::Int(Some(change.values.order)))];
        columns.extend(session_values(change.values));
        let replace = Change::Replace {
            table: SESSIONS,
            id: change.id.0,
            seen: change.seen,
            columns,
        };
        let saved = self
            .write_entry::<SessionRow>(change.user, replace, change.files, change.now)
            .await?;
        Ok(written(saved))
    }

    async fn set_session_token(
        &self,
        user: UserId,
        id: SessionId,
        token: &str,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let sql = format!(
            "UPDATE training_sessions SET direct_access_token = $3, updated_at = {} \
             WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL",
            self.moved_forward("$4")
        );
        let args = [id.0.into(), user.get().into(), token.into(), now.into()];
        let changed = self.db.execute(sql, &args).await?;
        Ok(changed > 0)
    }

    async fn session_by_token(
        &self,
        id: SessionId,
        token: &str,
    ) -> Result<Option<TrainingSession>, StoreError> {
        let sql = format!(
            "{} WHERE t.id = $1 AND t.direct_access_token = $2 AND t.deleted_at IS NULL",
            SESSIONS.select()
        );
        let row = self
            .db
            .optional(sql, &[id.0.into(), token.into()], SessionRow::read)
            .await?;
        Ok(row.map(Into::into))
    }

    async fn create_race(
        &self,
        user: UserId,
        values: &RaceValues,
        files: &[FileId],
        now: OffsetDateTime,
    ) -> Result<Written<Race>, StoreError> {
        let mut columns = vec![
            ("user_id", Value::Key(Some(user.get()))),
            ("created_at", Value::Time(now)),
            ("updated_at", Value::Time(now)),
        ];
        columns.extend(race_values(values));
        let saved = self
            .write_entry::<RaceRow>(user, Change::Create(RACES, columns), files, now)
            .await?;
        Ok(written(saved))
    }

    async fn get_race(&self, user: UserId, id: RaceId) -> Result<Option<Race>, StoreError> {
        let row = self.get_entry::<RaceRow>(RACES, user, id.0).await?;
        Ok(row.map(Into::into))
    }

    async fn list_races(
        &self,
        user: UserId,
        query: CalendarQuery,
    ) -> Result<Vec<Race>, StoreError> {
        let rows = self.list_entries::<RaceRow>(RACES, user, query).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn replace_race(
        &self,
        change: Replacement<'_, RaceId, RaceValues>,
    ) -> Result<Written<Race>, StoreError> {
        let replace = Change::Replace {
            table: RACES,
            id: change.id.0,
            seen: change.seen,
            columns: race_values(change.values),
        };
        let saved = self
            .write_entry::<RaceRow>(change.user, replace, change.files, change.now)
            .await?;
        Ok(written(saved))
    }

    async fn entry_owner(&self, entry: Entry) -> Result<Option<UserId>, StoreError> {
        let (table, id) = Table::of(entry);
        let sql = format!("SELECT user_id FROM {} WHERE id = $1", table.name);
        let owner: Option<i64> = self.db.optional(sql, &[id.into()], first).await?;
        Ok(owner.map(UserId))
    }

    async fn delete_entry(
        &self,
        user: UserId,
        entry: Entry,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        // The deletion moves updated_at forward like any change, past the last one.
        let (table, id) = Table::of(entry);
        let sql = format!(
            "UPDATE {} SET deleted_at = $3, updated_at = {} \
             WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL",
            table.name,
            self.moved_forward("$3")
        );
        let args = [id.into(), user.get().into(), now.into()];
        let changed = self.db.execute(sql, &args).await?;
        Ok(changed > 0)
    }
}
