//! [`WorkoutStore`]: planned workouts and the training sessions they are attached to.
//! The steps are kept in their API JSON form (`TEXT` on SQLite, `JSONB` on PostgreSQL);
//! deletion is soft and moves `updated_at` forward, like the calendar's.

use crate::db_time::DbTime;
use crate::error::other;
use crate::{BeginWrite, SqlStore, on_pool, on_writer};
use async_trait::async_trait;
use paceline_domain::StoreError;
use paceline_domain::calendar::SessionId;
use paceline_domain::ids::UserId;
use paceline_domain::workouts::{
    AttachedSession, NewWorkout, PlannedWorkout, WorkoutId, WorkoutQuery, WorkoutSport,
    WorkoutStore, WorkoutValues, steps,
};
use serde_json::Value;
use sqlx::FromRow;
use sqlx::types::Json;
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

#[derive(FromRow)]
struct WorkoutRow {
    id: i64,
    user_id: i64,
    author_user_id: Option<i64>,
    sport: String,
    name: String,
    description: String,
    steps: Json<Value>,
    created_at: DbTime,
    updated_at: DbTime,
    deleted_at: Option<DbTime>,
}

#[derive(FromRow)]
struct AttachmentRow {
    workout_id: i64,
    id: i64,
    date: Date,
    discipline_id: i32,
    updated_at: DbTime,
    deleted_at: Option<DbTime>,
}

/// A workout from its row and its attachments (any order).
fn workout(row: WorkoutRow, attachments: &[AttachmentRow]) -> Result<PlannedWorkout, StoreError> {
    let sport = WorkoutSport::from_name(&row.sport).ok_or_else(|| {
        StoreError::Other(format!("workout {}: unknown sport {:?}", row.id, row.sport))
    })?;
    let steps = steps::from_json(&row.steps.0)
        .map_err(|e| StoreError::Other(format!("workout {}: unreadable steps: {e}", row.id)))?;
    let mut last_changed = row.updated_at.0;
    let mut sessions = Vec::new();
    for a in attachments.iter().filter(|a| a.workout_id == row.id) {
        last_changed = last_changed.max(a.updated_at.0);
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
        created_at: row.created_at.0,
        updated_at: row.updated_at.0,
        last_changed,
        deleted: row.deleted_at.is_some(),
    })
}

/// The filter of a list after `w.user_id = $1`, its placeholders numbered in the order
/// [`WorkoutQuery`]'s values are bound: sport, updated since, first day, last day.
fn list_filter(query: &WorkoutQuery) -> String {
    let mut next = 1;
    let mut placeholder = || {
        next += 1;
        format!("${next}")
    };
    let mut sql = String::new();
    if query.sport.is_some() {
        sql.push_str(&format!(" AND w.sport = {}", placeholder()));
    }
    let since = query.updated_since.map(|_| placeholder());
    match &since {
        // A workout changes with the sessions it shows (their days, their deletion).
        Some(p) => sql.push_str(&format!(
            " AND (w.updated_at >= {p} OR EXISTS (SELECT 1 FROM training_session_workouts tw \
             JOIN training_sessions s ON s.id = tw.training_session_id \
             WHERE tw.workout_id = w.id AND s.updated_at >= {p}))"
        )),
        None => sql.push_str(" AND w.deleted_at IS NULL"),
    }
    if query.scheduled_from.is_some() || query.scheduled_to.is_some() {
        let mut scheduled = String::from(
            "SELECT 1 FROM training_session_workouts tw \
             JOIN training_sessions s ON s.id = tw.training_session_id \
             WHERE tw.workout_id = w.id",
        );
        if since.is_none() {
            scheduled.push_str(" AND s.deleted_at IS NULL");
        }
        if query.scheduled_from.is_some() {
            scheduled.push_str(&format!(" AND s.date >= {}", placeholder()));
        }
        if query.scheduled_to.is_some() {
            scheduled.push_str(&format!(" AND s.date <= {}", placeholder()));
        }
        sql.push_str(&format!(" AND EXISTS ({scheduled})"));
    }
    sql
}

/// Binds a [`WorkoutQuery`]'s values in the order of [`list_filter`].
macro_rules! bind_query {
    ($q:expr, $query:expr) => {{
        let query: &WorkoutQuery = $query;
        let mut q = $q;
        if let Some(sport) = query.sport {
            q = q.bind(sport.name());
        }
        if let Some(since) = query.updated_since {
            q = q.bind(DbTime(since));
        }
        if let Some(from) = query.scheduled_from {
            q = q.bind(from);
        }
        if let Some(to) = query.scheduled_to {
            q = q.bind(to);
        }
        q
    }};
}

/// Attaches workout `id` to `sessions` in `tx`; `NotFound("training session")` when one is
/// not a live session of `user`.
macro_rules! attach {
    ($tx:expr, $id:expr, $user:expr, $sessions:expr) => {{
        let mut result = Ok(());
        for session in $sessions {
            let attached = sqlx::query(ATTACH)
                .bind(session.0)
                .bind($id)
                .bind($user.get())
                .execute(&mut *$tx)
                .await
                .map_err(other)
                .map(|done| done.rows_affected());
            match attached {
                Ok(1) => {}
                Ok(_) => {
                    result = Err(StoreError::NotFound("training session"));
                    break;
                }
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        result
    }};
}

#[async_trait]
impl WorkoutStore for SqlStore {
    async fn create_workout(&self, new: &NewWorkout) -> Result<PlannedWorkout, StoreError> {
        const INSERT: &str = "INSERT INTO workouts (user_id, author_user_id, sport, name, \
             description, steps, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
             RETURNING id";
        let steps = Json(steps::to_json(&new.values.steps));
        let id = on_writer!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(other)?;
            let id = sqlx::query_scalar::<_, i64>(INSERT)
                .bind(new.user_id.get())
                .bind(new.author.get())
                .bind(new.values.sport.name())
                .bind(&new.values.name)
                .bind(&new.values.description)
                .bind(&steps)
                .bind(DbTime(new.now))
                .fetch_one(&mut *tx)
                .await
                .map_err(other);
            let id = match id {
                Ok(id) => id,
                Err(e) => {
                    tx.rollback().await.map_err(other)?;
                    return Err(e);
                }
            };
            match attach!(tx, id, new.user_id, &new.sessions) {
                Ok(()) => tx.commit().await.map_err(other)?,
                Err(e) => {
                    tx.rollback().await.map_err(other)?;
                    return Err(e);
                }
            }
            id
        });
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
        let (row, attachments) = on_pool!(self, pool => {
            let row = sqlx::query_as::<_, WorkoutRow>(sqlx::AssertSqlSafe(sql))
                .bind(id.0)
                .bind(user.get())
                .fetch_optional(pool)
                .await
                .map_err(other)?;
            let Some(row) = row else {
                return Ok(None);
            };
            let attachments = sqlx::query_as::<_, AttachmentRow>(sqlx::AssertSqlSafe(attachments_sql))
                .bind(id.0)
                .fetch_all(pool)
                .await
                .map_err(other)?;
            (row, attachments)
        });
        workout(row, &attachments).map(Some)
    }

    async fn workout_owner(&self, id: WorkoutId) -> Result<Option<UserId>, StoreError> {
        let owner = on_pool!(self, pool => sqlx::query_scalar::<_, i64>(
                "SELECT user_id FROM workouts WHERE id = $1",
            )
            .bind(id.0)
            .fetch_optional(pool)
            .await
            .map_err(other)?);
        Ok(owner.map(UserId))
    }

    async fn list_workouts(
        &self,
        user: UserId,
        query: &WorkoutQuery,
    ) -> Result<Vec<PlannedWorkout>, StoreError> {
        let filter = list_filter(query);
        let sql = format!(
            "SELECT {WORKOUT_COLUMNS} FROM workouts w WHERE w.user_id = $1{filter} ORDER BY w.id"
        );
        let attachments_sql = format!(
            "{ATTACHMENTS}tw.workout_id IN (SELECT w.id FROM workouts w WHERE w.user_id = $1{filter})"
        );
        let (rows, attachments) = on_pool!(self, pool => {
            let q = sqlx::query_as::<_, WorkoutRow>(sqlx::AssertSqlSafe(sql)).bind(user.get());
            let rows = bind_query!(q, query).fetch_all(pool).await.map_err(other)?;
            let attachments = if rows.is_empty() {
                Vec::new()
            } else {
                let q = sqlx::query_as::<_, AttachmentRow>(sqlx::AssertSqlSafe(attachments_sql))
                    .bind(user.get());
                bind_query!(q, query).fetch_all(pool).await.map_err(other)?
            };
            (rows, attachments)
        });
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
        let steps = Json(steps::to_json(&values.steps));
        let replaced = on_writer!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(other)?;
            let changed = sqlx::query(UPDATE)
                .bind(id.0)
                .bind(user.get())
                .bind(DbTime(seen))
                .bind(values.sport.name())
                .bind(&values.name)
                .bind(&values.description)
                .bind(&steps)
                .bind(DbTime(now))
                .execute(&mut *tx)
                .await
                .map_err(other);
            let result = match changed {
                Ok(done) if done.rows_affected() == 0 => Ok(false),
                Ok(_) => match sqlx::query(DETACH).bind(id.0).execute(&mut *tx).await {
                    Ok(_) => attach!(tx, id.0, user, sessions).map(|()| true),
                    Err(e) => Err(other(e)),
                },
                Err(e) => Err(e),
            };
            match result {
                Ok(true) => {
                    tx.commit().await.map_err(other)?;
                    true
                }
                Ok(false) => {
                    tx.rollback().await.map_err(other)?;
                    false
                }
                Err(e) => {
                    tx.rollback().await.map_err(other)?;
                    return Err(e);
                }
            }
        });
        if !replaced {
            return Ok(None);
        }
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
        let changed = on_writer!(self, pool => sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.0)
            .bind(user.get())
            .bind(DbTime(now))
            .execute(pool)
            .await
            .map_err(other)?
            .rows_affected());
        Ok(changed > 0)
    }
}
