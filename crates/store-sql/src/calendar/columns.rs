//! The columns of sessions and races: read by name into their rows (`SELECT s.*`), written
//! as `(column, value)` pairs, so that each column is named once beside the value it takes
//! and bound where it is named.

use crate::db_time::DbTime;
use paceline_domain::calendar::{
    Race, RaceId, RacePriority, RaceValues, SessionId, SessionLog, SessionPlan, SessionValues,
    Splits, TrainingSession,
};
use paceline_domain::ids::UserId;
use sqlx::{Database, Encode, FromRow, QueryBuilder, Type};
use time::Date;

/// A value of a calendar column.
#[derive(Debug, Clone)]
pub(crate) enum Value {
    Date(Date),
    Int(Option<i32>),
    Float(Option<f64>),
    Text(String),
    Bool(bool),
    Name(Option<&'static str>),
    Time(DbTime),
    Key(Option<i64>),
    /// A new session's place: after the user's last live session of the day.
    NextPosition {
        user: i64,
        date: Date,
    },
}

/// Columns with their values, in the order they are written.
pub(crate) type Columns = Vec<(&'static str, Value)>;

/// Binds `value` at the end of `query`, whichever engine it is for.
pub(crate) fn push_value<DB>(query: &mut QueryBuilder<DB>, value: Value)
where
    DB: Database,
    for<'t> Date: Encode<'t, DB> + Type<DB>,
    for<'t> Option<i32>: Encode<'t, DB> + Type<DB>,
    for<'t> Option<f64>: Encode<'t, DB> + Type<DB>,
    for<'t> String: Encode<'t, DB> + Type<DB>,
    for<'t> bool: Encode<'t, DB> + Type<DB>,
    for<'t> Option<&'static str>: Encode<'t, DB> + Type<DB>,
    for<'t> DbTime: Encode<'t, DB> + Type<DB>,
    for<'t> Option<i64>: Encode<'t, DB> + Type<DB>,
    for<'t> i64: Encode<'t, DB> + Type<DB>,
{
    match value {
        Value::Date(v) => query.push_bind(v),
        Value::Int(v) => query.push_bind(v),
        Value::Float(v) => query.push_bind(v),
        Value::Text(v) => query.push_bind(v),
        Value::Bool(v) => query.push_bind(v),
        Value::Name(v) => query.push_bind(v),
        Value::Time(v) => query.push_bind(v),
        Value::Key(v) => query.push_bind(v),
        Value::NextPosition { user, date } => query
            .push("(SELECT COALESCE(MAX(position), 0) + 1 FROM training_sessions WHERE user_id = ")
            .push_bind(user)
            .push(" AND date = ")
            .push_bind(date)
            .push(" AND deleted_at IS NULL)"),
    };
}

/// `column = value, ...`, each value bound where its column is named.
pub(crate) fn push_assignments<DB>(query: &mut QueryBuilder<DB>, columns: Columns)
where
    DB: Database,
    for<'t> Date: Encode<'t, DB> + Type<DB>,
    for<'t> Option<i32>: Encode<'t, DB> + Type<DB>,
    for<'t> Option<f64>: Encode<'t, DB> + Type<DB>,
    for<'t> String: Encode<'t, DB> + Type<DB>,
    for<'t> bool: Encode<'t, DB> + Type<DB>,
    for<'t> Option<&'static str>: Encode<'t, DB> + Type<DB>,
    for<'t> DbTime: Encode<'t, DB> + Type<DB>,
    for<'t> Option<i64>: Encode<'t, DB> + Type<DB>,
    for<'t> i64: Encode<'t, DB> + Type<DB>,
{
    for (i, (column, value)) in columns.into_iter().enumerate() {
        if i > 0 {
            query.push(", ");
        }
        query.push(column).push(" = ");
        push_value(query, value);
    }
}

fn splits_i32(columns: &mut Columns, names: [&'static str; 4], splits: &Splits<i32>) {
    let [total, swim, bike, run] = names;
    columns.extend([
        (total, Value::Int(splits.total)),
        (swim, Value::Int(splits.swim)),
        (bike, Value::Int(splits.bike)),
        (run, Value::Int(splits.run)),
    ]);
}

fn splits_f64(columns: &mut Columns, names: [&'static str; 4], splits: &Splits<f64>) {
    let [total, swim, bike, run] = names;
    columns.extend([
        (total, Value::Float(splits.total)),
        (swim, Value::Float(splits.swim)),
        (bike, Value::Float(splits.bike)),
        (run, Value::Float(splits.run)),
    ]);
}

/// The figures files give a session: what attaching or removing a file rewrites.
pub(crate) fn log_figures(l: &SessionLog) -> Columns {
    let mut columns = Columns::with_capacity(15);
    splits_i32(
        &mut columns,
        [
            "completed_minutes",
            "completed_minutes_swim",
            "completed_minutes_bike",
            "completed_minutes_run",
        ],
        &l.completed_minutes,
    );
    splits_f64(
        &mut columns,
        [
            "completed_km",
            "completed_km_swim",
            "completed_km_bike",
            "completed_km_run",
        ],
        &l.completed_km,
    );
    columns.extend([
        (
            "bike_average_speed_kph",
            Value::Float(l.bike_average_speed_kph),
        ),
        (
            "bike_average_power_watts",
            Value::Int(l.bike_average_power_watts),
        ),
        (
            "bike_average_cadence_rpm",
            Value::Int(l.bike_average_cadence_rpm),
        ),
        (
            "bike_average_heart_rate_bpm",
            Value::Int(l.bike_average_heart_rate_bpm),
        ),
        ("bike_meters_climbed", Value::Int(l.bike_meters_climbed)),
        (
            "run_average_heart_rate_bpm",
            Value::Int(l.run_average_heart_rate_bpm),
        ),
        ("run_meters_climbed", Value::Int(l.run_meters_climbed)),
    ]);
    columns
}

/// Every value column of a session but `position`, which a new session may take from the
/// day's others.
pub(crate) fn session_values(v: &SessionValues) -> Columns {
    let p = &v.plan;
    let mut columns: Columns = vec![
        ("date", Value::Date(v.date)),
        ("intensity", Value::Int(v.intensity)),
        ("discipline_id", Value::Int(Some(p.discipline_id))),
        (
            "brief_description",
            Value::Text(p.brief_description.clone()),
        ),
        ("key_session", Value::Bool(p.key_session)),
        ("training_plan", Value::Text(p.training_plan.clone())),
    ];
    splits_i32(
        &mut columns,
        [
            "prescribed_minutes",
            "prescribed_minutes_swim",
            "prescribed_minutes_bike",
            "prescribed_minutes_run",
        ],
        &p.prescribed_minutes,
    );
    splits_f64(
        &mut columns,
        [
            "prescribed_km",
            "prescribed_km_swim",
            "prescribed_km_bike",
            "prescribed_km_run",
        ],
        &p.prescribed_km,
    );
    columns.extend(log_figures(&v.log));
    columns.extend([
        ("missed_session", Value::Bool(v.log.missed_session)),
        ("athlete_feedback", Value::Text(v.athlete_feedback.clone())),
        ("coach_comments", Value::Text(v.coach_comments.clone())),
    ]);
    columns
}

/// Every value column of a race.
pub(crate) fn race_values(v: &RaceValues) -> Columns {
    vec![
        ("date", Value::Date(v.date)),
        ("race_name", Value::Text(v.race_name.clone())),
        ("distance", Value::Int(v.distance)),
        ("taper_days", Value::Int(v.taper_days)),
        (
            "attendance_probability",
            Value::Int(v.attendance_probability),
        ),
        ("athletes_plan", Value::Text(v.athletes_plan.clone())),
        ("coach_plan", Value::Text(v.coach_plan.clone())),
        ("athlete_feedback", Value::Text(v.athlete_feedback.clone())),
        ("coach_comments", Value::Text(v.coach_comments.clone())),
        ("event_url", Value::Text(v.event_url.clone())),
        ("position_overall", Value::Int(v.position_overall)),
        ("position_age_group", Value::Int(v.position_age_group)),
        (
            "race_priority",
            Value::Name(v.race_priority.map(RacePriority::as_str)),
        ),
    ]
}

/// A session as read with `SELECT s.*` and the count of its files.
#[derive(FromRow)]
pub(crate) struct SessionRow {
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

/// A race as read with `SELECT r.*` and the count of its files.
#[derive(FromRow)]
pub(crate) struct RaceRow {
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
