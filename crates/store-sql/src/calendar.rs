//! [`CalendarStore`]: training sessions and races. Deletion is soft (`deleted_at`), and
//! every change, deletion included, moves `updated_at` forward, so a list by
//! `updated_since` carries deletions to syncing clients.

use crate::db_time::DbTime;
use crate::error::other;
use crate::{SqlStore, on_pool, on_writer};
use async_trait::async_trait;
use paceline_domain::StoreError;
use paceline_domain::calendar::{
    CalendarQuery, CalendarStore, Entry, NewSession, Race, RaceId, RacePriority, RaceValues,
    SessionId, SessionLog, SessionPlan, SessionValues, Splits, TrainingSession,
};
use paceline_domain::ids::UserId;
use sqlx::FromRow;
use time::{Date, OffsetDateTime};

/// The value columns of `training_sessions`, in the order [`bind_session!`] binds them.
macro_rules! session_values {
    () => {
        "date, position, intensity, discipline_id, brief_description, key_session, \
         training_plan, prescribed_minutes, prescribed_minutes_swim, prescribed_minutes_bike, \
         prescribed_minutes_run, prescribed_km, prescribed_km_swim, prescribed_km_bike, \
         prescribed_km_run, completed_minutes, completed_minutes_swim, completed_minutes_bike, \
         completed_minutes_run, completed_km, completed_km_swim, completed_km_bike, \
         completed_km_run, bike_average_speed_kph, bike_average_power_watts, \
         bike_average_cadence_rpm, bike_average_heart_rate_bpm, bike_meters_climbed, \
         run_average_heart_rate_bpm, run_meters_climbed, missed_session, athlete_feedback, \
         coach_comments"
    };
}

/// How many columns [`session_values!`] names.
const SESSION_VALUES: usize = 33;

/// Binds a [`SessionValues`] to a query, in the order of [`session_values!`].
macro_rules! bind_session {
    ($query:expr, $v:expr) => {{
        let v: &SessionValues = $v;
        let (p, l) = (&v.plan, &v.log);
        $query
            .bind(v.date)
            .bind(v.order)
            .bind(v.intensity)
            .bind(p.discipline_id)
            .bind(p.brief_description.clone())
            .bind(p.key_session)
            .bind(p.training_plan.clone())
            .bind(p.prescribed_minutes.total)
            .bind(p.prescribed_minutes.swim)
            .bind(p.prescribed_minutes.bike)
            .bind(p.prescribed_minutes.run)
            .bind(p.prescribed_km.total)
            .bind(p.prescribed_km.swim)
            .bind(p.prescribed_km.bike)
            .bind(p.prescribed_km.run)
            .bind(l.completed_minutes.total)
            .bind(l.completed_minutes.swim)
            .bind(l.completed_minutes.bike)
            .bind(l.completed_minutes.run)
            .bind(l.completed_km.total)
            .bind(l.completed_km.swim)
            .bind(l.completed_km.bike)
            .bind(l.completed_km.run)
            .bind(l.bike_average_speed_kph)
            .bind(l.bike_average_power_watts)
            .bind(l.bike_average_cadence_rpm)
            .bind(l.bike_average_heart_rate_bpm)
            .bind(l.bike_meters_climbed)
            .bind(l.run_average_heart_rate_bpm)
            .bind(l.run_meters_climbed)
            .bind(l.missed_session)
            .bind(v.athlete_feedback.clone())
            .bind(v.coach_comments.clone())
    }};
}

/// The columns a session is read with, from `training_sessions s`.
macro_rules! session_columns {
    () => {
        concat!(
            "s.id, s.user_id, s.planned_by_user_id, s.direct_access_token, s.created_at, \
             s.updated_at, s.deleted_at, \
             (SELECT COUNT(*) FROM activity_files f WHERE f.training_session_id = s.id) AS files, ",
            session_values!()
        )
    };
}

#[derive(FromRow)]
struct SessionRow {
    id: i64,
    user_id: i64,
    planned_by_user_id: Option<i64>,
    direct_access_token: String,
    created_at: DbTime,
    updated_at: DbTime,
    deleted_at: Option<DbTime>,
    files: i64,
    date: Date,
    position: i32,
    intensity: Option<i32>,
    discipline_id: i32,
    brief_description: String,
    key_session: bool,
    training_plan: String,
    prescribed_minutes: Option<i32>,
    prescribed_minutes_swim: Option<i32>,
    prescribed_minutes_bike: Option<i32>,
    prescribed_minutes_run: Option<i32>,
    prescribed_km: Option<f64>,
    prescribed_km_swim: Option<f64>,
    prescribed_km_bike: Option<f64>,
    prescribed_km_run: Option<f64>,
    completed_minutes: Option<i32>,
    completed_minutes_swim: Option<i32>,
    completed_minutes_bike: Option<i32>,
    completed_minutes_run: Option<i32>,
    completed_km: Option<f64>,
    completed_km_swim: Option<f64>,
    completed_km_bike: Option<f64>,
    completed_km_run: Option<f64>,
    bike_average_speed_kph: Option<f64>,
    bike_average_power_watts: Option<i32>,
    bike_average_cadence_rpm: Option<i32>,
    bike_average_heart_rate_bpm: Option<i32>,
    bike_meters_climbed: Option<i32>,
    run_average_heart_rate_bpm: Option<i32>,
    run_meters_climbed: Option<i32>,
    missed_session: bool,
    athlete_feedback: String,
    coach_comments: String,
}

impl From<SessionRow> for TrainingSession {
    fn from(r: SessionRow) -> Self {
        Self {
            id: SessionId(r.id),
            user_id: UserId(r.user_id),
            planned_by: r.planned_by_user_id.map(UserId),
            values: SessionValues {
                date: r.date,
                order: r.position,
                intensity: r.intensity,
                plan: SessionPlan {
                    discipline_id: r.discipline_id,
                    brief_description: r.brief_description,
                    key_session: r.key_session,
                    training_plan: r.training_plan,
                    prescribed_minutes: Splits {
                        total: r.prescribed_minutes,
                        swim: r.prescribed_minutes_swim,
                        bike: r.prescribed_minutes_bike,
                        run: r.prescribed_minutes_run,
                    },
                    prescribed_km: Splits {
                        total: r.prescribed_km,
                        swim: r.prescribed_km_swim,
                        bike: r.prescribed_km_bike,
                        run: r.prescribed_km_run,
                    },
                },
                log: SessionLog {
                    completed_minutes: Splits {
                        total: r.completed_minutes,
                        swim: r.completed_minutes_swim,
                        bike: r.completed_minutes_bike,
                        run: r.completed_minutes_run,
                    },
                    completed_km: Splits {
                        total: r.completed_km,
                        swim: r.completed_km_swim,
                        bike: r.completed_km_bike,
                        run: r.completed_km_run,
                    },
                    bike_average_speed_kph: r.bike_average_speed_kph,
                    bike_average_power_watts: r.bike_average_power_watts,
                    bike_average_cadence_rpm: r.bike_average_cadence_rpm,
                    bike_average_heart_rate_bpm: r.bike_average_heart_rate_bpm,
                    bike_meters_climbed: r.bike_meters_climbed,
                    run_average_heart_rate_bpm: r.run_average_heart_rate_bpm,
                    run_meters_climbed: r.run_meters_climbed,
                    missed_session: r.missed_session,
                },
                athlete_feedback: r.athlete_feedback,
                coach_comments: r.coach_comments,
            },
            direct_access_token: r.direct_access_token,
            has_uploaded_training: r.files > 0,
            created_at: r.created_at.0,
            updated_at: r.updated_at.0,
            deleted: r.deleted_at.is_some(),
        }
    }
}

/// The value columns of `races`, in the order [`bind_race!`] binds them.
macro_rules! race_values {
    () => {
        "date, race_name, distance, taper_days, attendance_probability, athletes_plan, \
         coach_plan, athlete_feedback, coach_comments, event_url, position_overall, \
         position_age_group, race_priority"
    };
}

macro_rules! bind_race {
    ($query:expr, $v:expr) => {{
        let v: &RaceValues = $v;
        $query
            .bind(v.date)
            .bind(v.race_name.clone())
            .bind(v.distance)
            .bind(v.taper_days)
            .bind(v.attendance_probability)
            .bind(v.athletes_plan.clone())
            .bind(v.coach_plan.clone())
            .bind(v.athlete_feedback.clone())
            .bind(v.coach_comments.clone())
            .bind(v.event_url.clone())
            .bind(v.position_overall)
            .bind(v.position_age_group)
            .bind(v.race_priority.map(RacePriority::as_str))
    }};
}

macro_rules! race_columns {
    () => {
        concat!(
            "r.id, r.user_id, r.created_at, r.updated_at, r.deleted_at, \
             (SELECT COUNT(*) FROM activity_files f WHERE f.race_id = r.id) AS files, ",
            race_values!()
        )
    };
}

#[derive(FromRow)]
struct RaceRow {
    id: i64,
    user_id: i64,
    created_at: DbTime,
    updated_at: DbTime,
    deleted_at: Option<DbTime>,
    files: i64,
    date: Date,
    race_name: String,
    distance: Option<i32>,
    taper_days: Option<i32>,
    attendance_probability: Option<i32>,
    athletes_plan: String,
    coach_plan: String,
    athlete_feedback: String,
    coach_comments: String,
    event_url: String,
    position_overall: Option<i32>,
    position_age_group: Option<i32>,
    race_priority: Option<String>,
}

impl From<RaceRow> for Race {
    fn from(r: RaceRow) -> Self {
        Self {
            id: RaceId(r.id),
            user_id: UserId(r.user_id),
            values: RaceValues {
                date: r.date,
                race_name: r.race_name,
                distance: r.distance,
                taper_days: r.taper_days,
                attendance_probability: r.attendance_probability,
                athletes_plan: r.athletes_plan,
                coach_plan: r.coach_plan,
                athlete_feedback: r.athlete_feedback,
                coach_comments: r.coach_comments,
                event_url: r.event_url,
                position_overall: r.position_overall,
                position_age_group: r.position_age_group,
                race_priority: r.race_priority.as_deref().and_then(RacePriority::from_name),
            },
            has_uploaded_training: r.files > 0,
            created_at: r.created_at.0,
            updated_at: r.updated_at.0,
            deleted: r.deleted_at.is_some(),
        }
    }
}

/// `$first, $first+1, ...`: `count` placeholders.
fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `column = $n, ...` for the columns of a values list, from `$first`.
fn assignments(columns: &str, first: usize) -> String {
    columns
        .split(',')
        .map(str::trim)
        .enumerate()
        .map(|(i, column)| format!("{column} = ${}", first + i))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The filter of a calendar list after `user_id = $1`: `$2`/`$3` the days, `$4` the
/// instant when there is one.
fn calendar_filter(alias: &str, query: &CalendarQuery) -> String {
    match query.updated_since {
        Some(_) => {
            format!(" AND {alias}.date >= $2 AND {alias}.date <= $3 AND {alias}.updated_at >= $4")
        }
        None => {
            format!(" AND {alias}.date >= $2 AND {alias}.date <= $3 AND {alias}.deleted_at IS NULL")
        }
    }
}

#[async_trait]
impl CalendarStore for SqlStore {
    async fn create_session(&self, new: NewSession) -> Result<TrainingSession, StoreError> {
        // The order: as given, else after the day's last live session, in the statement.
        let columns = session_values!();
        let mut values: Vec<String> = (0..SESSION_VALUES).map(|i| format!("${}", i + 6)).collect();
        if !new.order_given
            && let Some(order) = values.get_mut(1)
        {
            *order = "(SELECT COALESCE(MAX(position), 0) + 1 FROM training_sessions \
                      WHERE user_id = $1 AND date = $6 AND deleted_at IS NULL)"
                .to_owned();
        }
        let sql = format!(
            "INSERT INTO training_sessions (user_id, planned_by_user_id, direct_access_token, \
             created_at, updated_at, {columns}) VALUES ($1, $2, $3, $4, $5, {}) RETURNING id",
            values.join(", ")
        );
        let id = on_writer!(self, pool => {
            let query = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql))
                .bind(new.user_id.get())
                .bind(new.planned_by.map(UserId::get))
                .bind(new.direct_access_token.clone())
                .bind(DbTime(new.now))
                .bind(DbTime(new.now));
            bind_session!(query, &new.values)
                .fetch_one(pool)
                .await
                .map_err(other)?
        });
        self.get_session(new.user_id, SessionId(id))
            .await?
            .ok_or(StoreError::NotFound("training session"))
    }

    async fn get_session(
        &self,
        user: UserId,
        id: SessionId,
    ) -> Result<Option<TrainingSession>, StoreError> {
        const SQL: &str = concat!(
            "SELECT ",
            session_columns!(),
            " FROM training_sessions s WHERE s.id = $1 AND s.user_id = $2"
        );
        let row = on_pool!(self, pool => sqlx::query_as::<_, SessionRow>(SQL)
            .bind(id.0)
            .bind(user.get())
            .fetch_optional(pool)
            .await
            .map_err(other)?);
        Ok(row.map(Into::into))
    }

    async fn list_sessions(
        &self,
        user: UserId,
        query: CalendarQuery,
    ) -> Result<Vec<TrainingSession>, StoreError> {
        let sql = format!(
            "SELECT {} FROM training_sessions s WHERE s.user_id = $1{} \
             ORDER BY s.date, s.position, s.id",
            session_columns!(),
            calendar_filter("s", &query)
        );
        let rows = on_pool!(self, pool => {
            let q = sqlx::query_as::<_, SessionRow>(sqlx::AssertSqlSafe(sql))
                .bind(user.get())
                .bind(query.from)
                .bind(query.to);
            let q = match query.updated_since {
                Some(since) => q.bind(DbTime(since)),
                None => q,
            };
            q.fetch_all(pool).await.map_err(other)?
        });
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn replace_session(
        &self,
        user: UserId,
        id: SessionId,
        seen: OffsetDateTime,
        values: &SessionValues,
        now: OffsetDateTime,
    ) -> Result<Option<TrainingSession>, StoreError> {
        let sql = format!(
            "UPDATE training_sessions SET updated_at = $4, {} \
             WHERE id = $1 AND user_id = $2 AND updated_at = $3 AND deleted_at IS NULL",
            assignments(session_values!(), 5)
        );
        let changed = on_writer!(self, pool => {
            let query = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(id.0)
                .bind(user.get())
                .bind(DbTime(seen))
                .bind(DbTime(now));
            bind_session!(query, values)
                .execute(pool)
                .await
                .map_err(other)?
                .rows_affected()
        });
        if changed == 0 {
            return Ok(None);
        }
        self.get_session(user, id).await
    }

    async fn set_session_token(
        &self,
        user: UserId,
        id: SessionId,
        token: &str,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let sql = format!(
            "UPDATE training_sessions SET direct_access_token = $3, \
             updated_at = CASE WHEN updated_at >= $4 THEN updated_at + {} ELSE $4 END \
             WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL",
            self.one_microsecond()
        );
        let changed = on_writer!(self, pool => sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.0)
            .bind(user.get())
            .bind(token)
            .bind(DbTime(now))
            .execute(pool)
            .await
            .map_err(other)?
            .rows_affected());
        Ok(changed > 0)
    }

    async fn session_by_token(
        &self,
        id: SessionId,
        token: &str,
    ) -> Result<Option<TrainingSession>, StoreError> {
        const SQL: &str = concat!(
            "SELECT ",
            session_columns!(),
            " FROM training_sessions s WHERE s.id = $1 AND s.direct_access_token = $2 \
             AND s.deleted_at IS NULL"
        );
        let row = on_pool!(self, pool => sqlx::query_as::<_, SessionRow>(SQL)
            .bind(id.0)
            .bind(token)
            .fetch_optional(pool)
            .await
            .map_err(other)?);
        Ok(row.map(Into::into))
    }

    async fn create_race(
        &self,
        user: UserId,
        values: &RaceValues,
        now: OffsetDateTime,
    ) -> Result<Race, StoreError> {
        let sql = format!(
            "INSERT INTO races (user_id, created_at, updated_at, {}) VALUES ($1, $2, $2, {}) \
             RETURNING id",
            race_values!(),
            placeholders(3, race_values!().split(',').count())
        );
        let id = on_writer!(self, pool => {
            let query = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql))
                .bind(user.get())
                .bind(DbTime(now));
            bind_race!(query, values)
                .fetch_one(pool)
                .await
                .map_err(other)?
        });
        self.get_race(user, RaceId(id))
            .await?
            .ok_or(StoreError::NotFound("race"))
    }

    async fn get_race(&self, user: UserId, id: RaceId) -> Result<Option<Race>, StoreError> {
        const SQL: &str = concat!(
            "SELECT ",
            race_columns!(),
            " FROM races r WHERE r.id = $1 AND r.user_id = $2"
        );
        let row = on_pool!(self, pool => sqlx::query_as::<_, RaceRow>(SQL)
            .bind(id.0)
            .bind(user.get())
            .fetch_optional(pool)
            .await
            .map_err(other)?);
        Ok(row.map(Into::into))
    }

    async fn list_races(
        &self,
        user: UserId,
        query: CalendarQuery,
    ) -> Result<Vec<Race>, StoreError> {
        let sql = format!(
            "SELECT {} FROM races r WHERE r.user_id = $1{} ORDER BY r.date, r.id",
            race_columns!(),
            calendar_filter("r", &query)
        );
        let rows = on_pool!(self, pool => {
            let q = sqlx::query_as::<_, RaceRow>(sqlx::AssertSqlSafe(sql))
                .bind(user.get())
                .bind(query.from)
                .bind(query.to);
            let q = match query.updated_since {
                Some(since) => q.bind(DbTime(since)),
                None => q,
            };
            q.fetch_all(pool).await.map_err(other)?
        });
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn replace_race(
        &self,
        user: UserId,
        id: RaceId,
        seen: OffsetDateTime,
        values: &RaceValues,
        now: OffsetDateTime,
    ) -> Result<Option<Race>, StoreError> {
        let sql = format!(
            "UPDATE races SET updated_at = $4, {} \
             WHERE id = $1 AND user_id = $2 AND updated_at = $3 AND deleted_at IS NULL",
            assignments(race_values!(), 5)
        );
        let changed = on_writer!(self, pool => {
            let query = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(id.0)
                .bind(user.get())
                .bind(DbTime(seen))
                .bind(DbTime(now));
            bind_race!(query, values)
                .execute(pool)
                .await
                .map_err(other)?
                .rows_affected()
        });
        if changed == 0 {
            return Ok(None);
        }
        self.get_race(user, id).await
    }

    async fn entry_owner(&self, entry: Entry) -> Result<Option<UserId>, StoreError> {
        let (sql, id) = match entry {
            Entry::Session(id) => ("SELECT user_id FROM training_sessions WHERE id = $1", id.0),
            Entry::Race(id) => ("SELECT user_id FROM races WHERE id = $1", id.0),
        };
        let owner = on_pool!(self, pool => sqlx::query_scalar::<_, i64>(sql)
            .bind(id)
            .fetch_optional(pool)
            .await
            .map_err(other)?);
        Ok(owner.map(UserId))
    }

    async fn delete_entry(
        &self,
        user: UserId,
        entry: Entry,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        // The deletion moves updated_at forward like any change, past the last one.
        let (table, id) = match entry {
            Entry::Session(id) => ("training_sessions", id.0),
            Entry::Race(id) => ("races", id.0),
        };
        let sql = format!(
            "UPDATE {table} SET deleted_at = $3, \
             updated_at = CASE WHEN updated_at >= $3 THEN updated_at + {} ELSE $3 END \
             WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL",
            self.one_microsecond()
        );
        let changed = on_writer!(self, pool => sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .bind(user.get())
            .bind(DbTime(now))
            .execute(pool)
            .await
            .map_err(other)?
            .rows_affected());
        Ok(changed > 0)
    }
}

impl SqlStore {
    /// The statements that move a session's and a race's `updated_at` forward to `$3`
    /// (past its last change), for `id = $1` of `user_id = $2`: a change to what is
    /// attached to it is a change to it.
    pub(crate) fn bump_entries(&self) -> (String, String) {
        let bump = |table: &str| {
            format!(
                "UPDATE {table} SET updated_at = CASE WHEN updated_at >= $3 THEN updated_at + {} \
                 ELSE $3 END WHERE id = $1 AND user_id = $2",
                self.one_microsecond()
            )
        };
        (bump("training_sessions"), bump("races"))
    }

    /// One microsecond in the engine's timestamp arithmetic.
    pub(crate) fn one_microsecond(&self) -> &'static str {
        match self.pool {
            crate::Pool::Sqlite(_) => "1",
            crate::Pool::Postgres(_) => "INTERVAL '1 microsecond'",
        }
    }
}
