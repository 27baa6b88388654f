//! The columns of sessions and races: read in the order of [`SESSION_COLUMNS`] and
//! [`RACE_COLUMNS`] into their rows, written as `(column, value)` pairs, so that each column
//! is named once beside the value it takes and bound where it is named.

use crate::db::{Arg, Cols, DbError};
use paceline_domain::calendar::{
    Race, RaceId, RacePriority, RaceValues, SessionId, SessionLog, SessionPlan, SessionValues,
    Splits, TrainingSession,
};
use paceline_domain::ids::UserId;
use time::{Date, OffsetDateTime};

/// A value of a calendar column.
#[derive(Debug, Clone)]
pub(crate) enum Value {
    Date(Date),
    Int(Option<i32>),
    Float(Option<f64>),
    Text(String),
    Bool(bool),
    Name(Option<&'static str>),
    Time(OffsetDateTime),
    Key(Option<i64>),
    /// A new session's place: after the user's last live session of the day.
    NextPosition {
        user: i64,
        date: Date,
    },
}

/// Columns with their values, in the order they are written.
pub(crate) type Columns = Vec<(&'static str, Value)>;

impl Value {
    fn arg(&self) -> Arg<'_> {
        match self {
            Self::Date(v) => Arg::from(*v),
            Self::Int(v) => Arg::from(*v),
            Self::Float(v) => Arg::from(*v),
            Self::Text(v) => Arg::from(v.as_str()),
            Self::Bool(v) => Arg::from(*v),
            Self::Name(v) => Arg::from(*v),
            Self::Time(v) => Arg::from(*v),
            Self::Key(v) => Arg::from(*v),
            Self::NextPosition { .. } => unreachable!("written as a subquery"),
        }
    }
}

/// A statement written piece by piece, each value bound where it is written.
#[derive(Debug, Default)]
pub(crate) struct Statement {
    sql: String,
    values: Vec<Value>,
}

impl Statement {
    pub(crate) fn new(sql: impl Into<String>) -> Self {
        Self {
            sql: sql.into(),
            values: Vec::new(),
        }
    }

    /// Adds SQL text.
    pub(crate) fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    /// Adds a placeholder bound to `value` (a new session's place is a subquery).
    pub(crate) fn bind(&mut self, value: Value) -> &mut Self {
        if let Value::NextPosition { user, date } = value {
            self.push(
                "(SELECT COALESCE(MAX(position), 0) + 1 FROM training_sessions WHERE user_id = ",
            )
            .bind(Value::Key(Some(user)))
            .push(" AND date = ")
            .bind(Value::Date(date))
            .push(" AND deleted_at IS NULL)");
            return self;
        }
        self.values.push(value);
        let n = self.values.len();
        self.sql.push_str(&format!("${n}"));
        self
    }

    /// `column = value, ...`, each value bound where its column is named.
    pub(crate) fn assignments(&mut self, columns: Columns) -> &mut Self {
        for (i, (column, value)) in columns.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.push(column).push(" = ").bind(value);
        }
        self
    }

    /// The text and its values, to run.
    pub(crate) fn parts(&self) -> (String, Vec<Arg<'_>>) {
        (
            self.sql.clone(),
            self.values.iter().map(Value::arg).collect(),
        )
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

/// The columns of a [`SessionRow`] from `training_sessions t`, in its order: `files` is
/// written in by [`super::Table::select`].
pub(crate) const SESSION_COLUMNS: &str = "t.id, t.user_id, t.planned_by_user_id, \
     t.direct_access_token, t.created_at, t.updated_at, t.deleted_at, {files}, t.date, \
     t.position, t.intensity, t.discipline_id, t.brief_description, t.key_session, \
     t.training_plan, t.prescribed_minutes, t.prescribed_minutes_swim, \
     t.prescribed_minutes_bike, t.prescribed_minutes_run, t.prescribed_km, t.prescribed_km_swim, \
     t.prescribed_km_bike, t.prescribed_km_run, t.completed_minutes, t.completed_minutes_swim, \
     t.completed_minutes_bike, t.completed_minutes_run, t.completed_km, t.completed_km_swim, \
     t.completed_km_bike, t.completed_km_run, t.bike_average_speed_kph, \
     t.bike_average_power_watts, t.bike_average_cadence_rpm, t.bike_average_heart_rate_bpm, \
     t.bike_meters_climbed, t.run_average_heart_rate_bpm, t.run_meters_climbed, \
     t.missed_session, t.athlete_feedback, t.coach_comments";

/// The columns of a [`RaceRow`] from `races t`, in its order, as [`SESSION_COLUMNS`].
pub(crate) const RACE_COLUMNS: &str = "t.id, t.user_id, t.created_at, t.updated_at, \
     t.deleted_at, {files}, t.date, t.race_name, t.distance, t.taper_days, \
     t.attendance_probability, t.athletes_plan, t.coach_plan, t.athlete_feedback, \
     t.coach_comments, t.event_url, t.position_overall, t.position_age_group, t.race_priority";

/// A row of either calendar table.
pub(crate) trait EntryRow: Sized {
    /// Reads the columns of its table's list, in order.
    fn read(c: &mut Cols<'_>) -> Result<Self, DbError>;
}

/// A session as read with [`SESSION_COLUMNS`] and the count of its files.
pub(crate) struct SessionRow {
    id: i64,
    user_id: i64,
    planned_by_user_id: Option<i64>,
    direct_access_token: String,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
    deleted_at: Option<OffsetDateTime>,
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

impl EntryRow for SessionRow {
    fn read(c: &mut Cols<'_>) -> Result<Self, DbError> {
        Ok(Self {
            id: c.get()?,
            user_id: c.get()?,
            planned_by_user_id: c.get()?,
            direct_access_token: c.get()?,
            created_at: c.get()?,
            updated_at: c.get()?,
            deleted_at: c.get()?,
            files: c.get()?,
            date: c.get()?,
            position: c.get()?,
            intensity: c.get()?,
            discipline_id: c.get()?,
            brief_description: c.get()?,
            key_session: c.get()?,
            training_plan: c.get()?,
            prescribed_minutes: c.get()?,
            prescribed_minutes_swim: c.get()?,
            prescribed_minutes_bike: c.get()?,
            prescribed_minutes_run: c.get()?,
            prescribed_km: c.get()?,
            prescribed_km_swim: c.get()?,
            prescribed_km_bike: c.get()?,
            prescribed_km_run: c.get()?,
            completed_minutes: c.get()?,
            completed_minutes_swim: c.get()?,
            completed_minutes_bike: c.get()?,
            completed_minutes_run: c.get()?,
            completed_km: c.get()?,
            completed_km_swim: c.get()?,
            completed_km_bike: c.get()?,
            completed_km_run: c.get()?,
            bike_average_speed_kph: c.get()?,
            bike_average_power_watts: c.get()?,
            bike_average_cadence_rpm: c.get()?,
            bike_average_heart_rate_bpm: c.get()?,
            bike_meters_climbed: c.get()?,
            run_average_heart_rate_bpm: c.get()?,
            run_meters_climbed: c.get()?,
            missed_session: c.get()?,
            athlete_feedback: c.get()?,
            coach_comments: c.get()?,
        })
    }
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
            created_at: r.created_at,
            updated_at: r.updated_at,
            deleted: r.deleted_at.is_some(),
        }
    }
}

/// A race as read with [`RACE_COLUMNS`] and the count of its files.
pub(crate) struct RaceRow {
    id: i64,
    user_id: i64,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
    deleted_at: Option<OffsetDateTime>,
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

impl EntryRow for RaceRow {
    fn read(c: &mut Cols<'_>) -> Result<Self, DbError> {
        Ok(Self {
            id: c.get()?,
            user_id: c.get()?,
            created_at: c.get()?,
            updated_at: c.get()?,
            deleted_at: c.get()?,
            files: c.get()?,
            date: c.get()?,
            race_name: c.get()?,
            distance: c.get()?,
            taper_days: c.get()?,
            attendance_probability: c.get()?,
            athletes_plan: c.get()?,
            coach_plan: c.get()?,
            athlete_feedback: c.get()?,
            coach_comments: c.get()?,
            event_url: c.get()?,
            position_overall: c.get()?,
            position_age_group: c.get()?,
            race_priority: c.get()?,
        })
    }
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
            created_at: r.created_at,
            updated_at: r.updated_at,
            deleted: r.deleted_at.is_some(),
        }
    }
}
