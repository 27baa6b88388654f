//! [`WorkoutStore`]: planned workouts and the training sessions they are attached to.
//! The steps are kept in their API JSON form (`TEXT` on SQLite, `JSONB` on PostgreSQL);
//! deletion is soft and moves `updated_at` forward, like the calendar's.

use crate::SqlStore;
use crate::db::{Arg, Cols, DbError, Json, Tx, first};
use async_trait::async_trait;
use paceline_domain::StoreError;
use paceline_domain::calendar::SessionId;
use paceline_domain::ids::UserId;
use paceline_domain::workouts::{
    AttachedSession, NewWorkout, PlannedWorkout, WorkoutId, WorkoutQuery, WorkoutSport,
    WorkoutStore, WorkoutValues, steps,
};
use serde_json::Value;
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use time::Date;
use time::OffsetDateTime;

const WORKOUT_COLUMNS: &str = "w.id, w.user_id, w.author_user_id, w.sport, w.name, \
     w.description, w.steps, w.created_at, w.updated_at, w.deleted_at";

/// The sessions of workouts, with what the workout shows of them and what tells syncing
/// clients that they changed. Followed by the condition on `tw.workout_id`.
const ATTACHMENTS: &str = "SELECT tw.workout_id, s.id, s.date, s.discipline_id, \
     s.updated_at, s.deleted_at FROM training_session_workouts tw \
     JOIN training_sessions s ON s.id = tw.training_session_id WHERE ";

/// Attaches workout `$2` to session `$1` when that is a live session of athlete `$3`.
const ATTACH: &str = "INSERT INTO training_session_workouts (training_session_id, workout_id) \
     SELECT s.id, $2 FROM training_sessions s \
     WHERE s.id = $1 AND s.user_id = $3 AND s.deleted_at IS NULL";

struct WorkoutRow {
    id: i64,
    user_id: i64,
    author_user_id: Option<i64>,
    sport: String,
    name: String,
    description: String,
    steps: Json,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
    deleted_at: Option<OffsetDateTime>,
}

impl WorkoutRow {
    /// Reads [`WORKOUT_COLUMNS`], in its order.
    fn read(c: &mut Cols<'_>) -> Result<Self, DbError> {
        Ok(Self {
            id: c.get()?,
            user_id: c.get()?,
            author_user_id: c.get()?,
            sport: c.get()?,
            name: c.get()?,
            description: c.get()?,
            steps: c.get()?,
            created_at: c.get()?,
            updated_at: c.get()?,
            deleted_at: c.get()?,
        })
    }
}

struct AttachmentRow {
    workout_id: i64,
    id: i64,
    date: Date,
    discipline_id: i32,
    updated_at: OffsetDateTime,
    deleted_at: Option<OffsetDateTime>,
}

impl AttachmentRow {
    /// Reads the columns of [`ATTACHMENTS`], in its order.
    fn read(c: &mut Cols<'_>) -> Result<Self, DbError> {
        Ok(Self {
            workout_id: c.get()?,
            id: c.get()?,
            date: c.get()?,
            discipline_id: c.get()?,
            updated_at: c.get()?,
            deleted_at: c.get()?,
        })
    }
}

/// A workout's steps in their stored JSON form.
fn stored_steps(values: &WorkoutValues) -> Result<Box<RawValue>, StoreError> {
    serde_json::value::to_raw_value(&steps::to_json(&values.steps))
        .map_err(|e| StoreError::Other(format!("workout steps: {e}")))
}

/// A workout from its row and its attachments (any order).
fn workout(row: WorkoutRow, attachments: &[AttachmentRow]) -> Result<PlannedWorkout, StoreError> {
    let sport = WorkoutSport::from_name(&row.sport).ok_or_else(|| {
        StoreError::Other(format!("workout {}: unknown sport {:?}", row.id, row.sport))
    })?;
    let json: Value = row.steps.parse()?;
    let steps = steps::from_json(&json)
        .map_err(|e| StoreError::Other(format!("workout {}: unreadable steps: {e}", row.id)))?;
    let mut last_changed = row.updated_at;
    let mut sessions = Vec::new();
    for a in attachments.iter().filter(|a| a.workout_id == row.id) {
        last_changed = last_changed.max(a.updated_at);
        if a.deleted_at.is_none() {
            sessions.push(AttachedSession {
                id: SessionId(a.id),
                date: a.date,
                discipline_id: a.discipline_id,
            });
        }
    }
    sessions.sort_by_key(|s| (s.date, s.id));
    Ok(PlannedWorkout {
        id: WorkoutId(row.id),
        user_id: UserId(row.user_id),
        author: row.author_user_id.map(UserId),
        values: WorkoutValues {
            sport,
            name: row.name,
            description: row.description,
            steps,
        },
        sessions,
        created_at: row.created_at,
        updated_at: row.updated_at,
        last_changed,
        deleted: row.deleted_at.is_some(),
    })
}

/// The `FROM` and `WHERE` of a list of athlete `$1`'s workouts (aliased `w`), its
/// placeholders numbered in the order [`WorkoutQuery`]'s values are bound: sport, updated
/// since, first day, last day.
fn list_body(query: &WorkoutQuery, postgres: bool) -> String {
    let mut next = 1;
    let mut placeholder = || {
        next += 1;
        format!("${next}")
    };
    let sport = query.sport.map(|_| placeholder());
    let since = query.updated_since.map(|_| placeholder());
    let from = query.scheduled_from.map(|_| placeholder());
    let to = query.scheduled_to.map(|_| placeholder());
    // The workouts of the sessions `sessions` selects, looked up by session: PostgreSQL
    // takes the sessions as one array, so that no estimate of how many there are can turn
    // the look-ups into a read of every attachment.
    let of_sessions = |sessions: &str| {
        if postgres {
            format!(
                "SELECT tw.workout_id FROM training_session_workouts tw \
                 WHERE tw.training_session_id = ANY (ARRAY({sessions}))"
            )
        } else {
            format!(
                "SELECT tw.workout_id FROM training_session_workouts tw \
                 WHERE tw.training_session_id IN ({sessions})"
            )
        }
    };
    // Changed since: the workout, or a session it shows (their days, their deletion).
    let changed = since.as_ref().map(|p| {
        format!(
            "SELECT id FROM workouts WHERE user_id = $1 AND updated_at >= {p} UNION {}",
            of_sessions(&format!(
                "SELECT s.id FROM training_sessions s \
                 WHERE s.user_id = $1 AND s.updated_at >= {p}"
            ))
        )
    });
    // Workouts attach to their own athlete's sessions only.
    let scheduled = (from.is_some() || to.is_some()).then(|| {
        let mut sql = String::from("SELECT s.id FROM training_sessions s WHERE s.user_id = $1");
        if since.is_none() {
            sql.push_str(" AND s.deleted_at IS NULL");
        }
        if let Some(p) = &from {
            sql.push_str(&format!(" AND s.date >= {p}"));
        }
        if let Some(p) = &to {
            sql.push_str(&format!(" AND s.date <= {p}"));
        }
        format!(
            "SELECT DISTINCT workout_id AS id FROM ({}) AS attached",
            of_sessions(&sql)
        )
    });
    let mut conditions = String::from(" WHERE w.user_id = $1");
    if let Some(p) = &sport {
        conditions.push_str(&format!(" AND w.sport = {p}"));
    }
    if since.is_none() {
        conditions.push_str(" AND w.deleted_at IS NULL");
    }
    // A sync or a window names its workouts from the athlete's indexes (their workouts by
    // change, their sessions by change or by day) and those are read by key, so it costs
    // what it returns, not the athlete's every workout: the set named drives the look-ups
    // (an array on PostgreSQL; on SQLite `CROSS JOIN` keeps that order), the other filters
    // check.
    let picked = match (changed, scheduled) {
        (Some(changed), scheduled) => {
            if let Some(scheduled) = scheduled {
                conditions.push_str(&format!(" AND w.id IN ({scheduled})"));
            }
            Some(changed)
        }
        (None, scheduled) => scheduled,
    };
    match picked {
        Some(picked) if postgres => {
            format!(" FROM workouts w{conditions} AND w.id = ANY (ARRAY({picked}))")
        }
        Some(picked) => {
            format!(
                " FROM ({picked}) AS picked CROSS JOIN workouts w{conditions} AND w.id = picked.id"
            )
        }
        None => format!(" FROM workouts w{conditions}"),
    }
}

/// A [`WorkoutQuery`]'s values in the order of [`list_body`], after `first`.
fn query_args<'q>(first: Arg<'q>, query: &'q WorkoutQuery) -> Vec<Arg<'q>> {
    let mut args = vec![first];
    args.extend(query.sport.map(|sport| Arg::from(sport.name())));
    args.extend(query.updated_since.map(Arg::from));
    args.extend(query.scheduled_from.map(Arg::from));
    args.extend(query.scheduled_to.map(Arg::from));
    args
}

/// Attaches workout `id` to `sessions` in `tx`; `NotFound("training session")` when one is
/// not a live session of `user`.
async fn attach(
    tx: &mut Tx<'_>,
    id: i64,
    user: UserId,
    sessions: &[SessionId],
) -> Result<(), StoreError> {
    for session in sessions {
        let args = [session.0.into(), id.into(), user.get().into()];
        if tx.execute(ATTACH, &args).await? != 1 {
            return Err(StoreError::NotFound("training session"));
        }
    }
    Ok(())
}

#[async_trait]
impl WorkoutStore for SqlStore {
    async fn create_workout(&self, new: &NewWorkout) -> Result<PlannedWorkout, StoreError> {
        const INSERT: &str = "INSERT INTO workouts (user_id, author_user_id, sport, name, \
             description, steps, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
             RETURNING id";
        let steps = stored_steps(&new.values)?;
        let mut tx = self.db.begin().await?;
        let id: i64 = tx
            .one(
                INSERT,
                &[
                    new.user_id.get().into(),
                    new.author.get().into(),
                    new.values.sport.name().into(),
                    new.values.name.as_str().into(),
                    new.values.description.as_str().into(),
                    steps.as_ref().into(),
                    new.now.into(),
                ],
                first,
            )
            .await?;
        attach(&mut tx, id, new.user_id, &new.sessions).await?;
        tx.commit().await?;
        self.get_workout(new.user_id, WorkoutId(id))
            .await?
            .ok_or(StoreError::NotFound("workout"))
    }

    async fn get_workout(
        &self,
        user: UserId,
        id: WorkoutId,
    ) -> Result<Option<PlannedWorkout>, StoreError> {
        let sql =
            format!("SELECT {WORKOUT_COLUMNS} FROM workouts w WHERE w.id = $1 AND w.user_id = $2");
        let attachments_sql = format!("{ATTACHMENTS}tw.workout_id = $1");
        let mut reader = self.db.reader().await?;
        let Some(row) = reader
            .optional(sql, &[id.0.into(), user.get().into()], WorkoutRow::read)
            .await?
        else {
            return Ok(None);
        };
        let attachments = reader
            .all(attachments_sql, &[id.0.into()], AttachmentRow::read)
            .await?;
        drop(reader);
        workout(row, &attachments).map(Some)
    }

    async fn workout_owner(&self, id: WorkoutId) -> Result<Option<UserId>, StoreError> {
        const SQL: &str = "SELECT user_id FROM workouts WHERE id = $1";
        let owner: Option<i64> = self.db.optional(SQL, &[id.0.into()], first).await?;
        Ok(owner.map(UserId))
    }

    async fn list_workouts(
        &self,
        user: UserId,
        query: &WorkoutQuery,
    ) -> Result<Vec<PlannedWorkout>, StoreError> {
        let body = list_body(query, matches!(self.db, crate::db::Db::Postgres(_)));
        let sql = format!("SELECT {WORKOUT_COLUMNS}{body} ORDER BY w.id");
        let attachments_sql = format!("{ATTACHMENTS}tw.workout_id IN (SELECT w.id{body})");
        let args = query_args(user.get().into(), query);
        let mut reader = self.db.reader().await?;
        let rows = reader.all(sql, &args, WorkoutRow::read).await?;
        let attachments = if rows.is_empty() {
            Vec::new()
        } else {
            reader
                .all(attachments_sql, &args, AttachmentRow::read)
                .await?
        };
        drop(reader);
        let mut by_workout: BTreeMap<i64, Vec<AttachmentRow>> = BTreeMap::new();
        for a in attachments {
            by_workout.entry(a.workout_id).or_default().push(a);
        }
        rows.into_iter()
            .map(|row| {
                let attached = by_workout.remove(&row.id).unwrap_or_default();
                workout(row, &attached)
            })
            .collect()
    }

    async fn replace_workout(
        &self,
        user: UserId,
        id: WorkoutId,
        seen: OffsetDateTime,
        values: &WorkoutValues,
        sessions: &[SessionId],
        now: OffsetDateTime,
    ) -> Result<Option<PlannedWorkout>, StoreError> {
        const UPDATE: &str = "UPDATE workouts SET sport = $4, name = $5, description = $6, \
             steps = $7, updated_at = $8 \
             WHERE id = $1 AND user_id = $2 AND updated_at = $3 AND deleted_at IS NULL";
        const DETACH: &str = "DELETE FROM training_session_workouts WHERE workout_id = $1";
        let steps = stored_steps(values)?;
        let mut tx = self.db.begin().await?;
        let changed = tx
            .execute(
                UPDATE,
                &[
                    id.0.into(),
                    user.get().into(),
                    seen.into(),
                    values.sport.name().into(),
                    values.name.as_str().into(),
                    values.description.as_str().into(),
                    steps.as_ref().into(),
                    now.into(),
                ],
            )
            .await?;
        if changed == 0 {
            tx.rollback().await?;
            return Ok(None);
        }
        tx.execute(DETACH, &[id.0.into()]).await?;
        attach(&mut tx, id.0, user, sessions).await?;
        tx.commit().await?;
        self.get_workout(user, id).await
    }

    async fn delete_workout(
        &self,
        user: UserId,
        id: WorkoutId,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        // The deletion moves updated_at forward like any change, past the last one.
        let sql = format!(
            "UPDATE workouts SET deleted_at = $3, updated_at = {} \
             WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL",
            self.moved_forward("$3")
        );
        let args = [id.0.into(), user.get().into(), now.into()];
        let changed = self.db.execute(sql, &args).await?;
        Ok(changed > 0)
    }
}
