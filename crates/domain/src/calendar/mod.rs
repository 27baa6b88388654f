//! The training calendar of the Xhale surface: training sessions and races, planned by an
//! athlete or their coach, logged by the athlete, deleted softly so that syncing clients
//! learn of deletions.
//!
//! Edits are read-modify-write with a compare-and-swap on `updated_at`, which every change
//! moves strictly forward: two clients patching different fields of one record at once both
//! land, and a client syncing with `updated_since` never misses a change made in the same
//! microsecond as the one it saw last.

use crate::coaching::Subject;
use crate::ids::UserId;
use crate::oauth::secret::hex;
use rand::Rng;
use time::{Date, Duration, OffsetDateTime};

mod copy;
mod edit;
mod figures;
mod store;

pub use copy::{Copied, CopyError, copy_week, week_of};
pub use edit::{EditError, Record, edit};
pub use figures::{AttachedWork, log_from_activities};
pub use store::{CalendarStore, Replacement, Written};

/// The key of a training session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SessionId(pub i64);

/// The key of a race.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RaceId(pub i64);

/// A figure overall and per sport (the sport splits matter for bricks and multisport).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Splits<T> {
    /// Overall.
    pub total: Option<T>,
    /// Swimming.
    pub swim: Option<T>,
    /// Cycling.
    pub bike: Option<T>,
    /// Running.
    pub run: Option<T>,
}

/// What a session is planned to be: the fields only its planner may change.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SessionPlan {
    /// The discipline (see [`crate::disciplines`]).
    pub discipline_id: i32,
    /// A short description, for diary and other disciplines.
    pub brief_description: String,
    /// A key session of the week.
    pub key_session: bool,
    /// The plan, in words.
    pub training_plan: String,
    /// Prescribed minutes.
    pub prescribed_minutes: Splits<i32>,
    /// Prescribed kilometres.
    pub prescribed_km: Splits<f64>,
}

/// What was done: logged by hand or computed from attached files.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SessionLog {
    /// Completed minutes.
    pub completed_minutes: Splits<i32>,
    /// Completed kilometres.
    pub completed_km: Splits<f64>,
    /// Cycling: average speed, km/h.
    pub bike_average_speed_kph: Option<f64>,
    /// Cycling: average power, watts.
    pub bike_average_power_watts: Option<i32>,
    /// Cycling: average cadence, rpm.
    pub bike_average_cadence_rpm: Option<i32>,
    /// Cycling: average heart rate, bpm.
    pub bike_average_heart_rate_bpm: Option<i32>,
    /// Cycling: ascent, metres.
    pub bike_meters_climbed: Option<i32>,
    /// Running: average heart rate, bpm.
    pub run_average_heart_rate_bpm: Option<i32>,
    /// Running: ascent, metres.
    pub run_meters_climbed: Option<i32>,
    /// The session was missed.
    pub missed_session: bool,
}

/// Everything a session's writers set.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionValues {
    /// The day.
    pub date: Date,
    /// Its place among the day's sessions.
    pub order: i32,
    /// Intensity, 0 to 5.
    pub intensity: Option<i32>,
    /// The plan.
    pub plan: SessionPlan,
    /// The log.
    pub log: SessionLog,
    /// The athlete's words on it.
    pub athlete_feedback: String,
    /// The coach's words on it.
    pub coach_comments: String,
}

impl SessionValues {
    /// A session on `date` with nothing planned or logged yet.
    pub fn on(date: Date) -> Self {
        Self {
            date,
            order: 0,
            intensity: None,
            plan: SessionPlan::default(),
            log: SessionLog::default(),
            athlete_feedback: String::new(),
            coach_comments: String::new(),
        }
    }
}

/// A training session as kept.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainingSession {
    /// Its key.
    pub id: SessionId,
    /// The athlete.
    pub user_id: UserId,
    /// Who planned it, when a coach did (the athlete's own sessions have none).
    pub planned_by: Option<UserId>,
    /// The values.
    pub values: SessionValues,
    /// Opens the session's charts page without logging in.
    pub direct_access_token: String,
    /// Whether a file is attached.
    pub has_uploaded_training: bool,
    /// Creation time.
    pub created_at: OffsetDateTime,
    /// Last change, deletion included.
    pub updated_at: OffsetDateTime,
    /// Whether it was deleted.
    pub deleted: bool,
}

/// A session to create. `order` `None` puts it after the day's last session.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The athlete.
    pub user_id: UserId,
    /// The coach who plans it, if a coach does.
    pub planned_by: Option<UserId>,
    /// The values; `order` is replaced when `order` below is `None`.
    pub values: SessionValues,
    /// Whether `values.order` was given.
    pub order_given: bool,
    /// Its direct-access token.
    pub direct_access_token: String,
    /// Creation time.
    pub now: OffsetDateTime,
}

/// The priority of a race: `a` is the season's goal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RacePriority {
    /// The goal race.
    A,
    /// An important race.
    B,
    /// A training race.
    C,
}

impl RacePriority {
    /// The names, as the API writes them.
    pub const NAMES: [&'static str; 3] = ["a", "b", "c"];

    /// The name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::A => "a",
            Self::B => "b",
            Self::C => "c",
        }
    }

    /// The priority of a name.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "a" => Some(Self::A),
            "b" => Some(Self::B),
            "c" => Some(Self::C),
            _ => None,
        }
    }
}

/// Everything a race's writers set.
#[derive(Debug, Clone, PartialEq)]
pub struct RaceValues {
    /// The day.
    pub date: Date,
    /// Its name.
    pub race_name: String,
    /// The distance, as a code of the client's choosing.
    pub distance: Option<i32>,
    /// Days of taper before it.
    pub taper_days: Option<i32>,
    /// How likely the athlete attends it.
    pub attendance_probability: Option<i32>,
    /// The athlete's plan.
    pub athletes_plan: String,
    /// The coach's plan.
    pub coach_plan: String,
    /// The athlete's words after it.
    pub athlete_feedback: String,
    /// The coach's words after it.
    pub coach_comments: String,
    /// The event's web page.
    pub event_url: String,
    /// Overall placing.
    pub position_overall: Option<i32>,
    /// Age-group placing.
    pub position_age_group: Option<i32>,
    /// Its priority.
    pub race_priority: Option<RacePriority>,
}

impl RaceValues {
    /// A race on `date` with nothing else known yet.
    pub fn on(date: Date) -> Self {
        Self {
            date,
            race_name: String::new(),
            distance: None,
            taper_days: None,
            attendance_probability: None,
            athletes_plan: String::new(),
            coach_plan: String::new(),
            athlete_feedback: String::new(),
            coach_comments: String::new(),
            event_url: String::new(),
            position_overall: None,
            position_age_group: None,
            race_priority: None,
        }
    }
}

/// A race as kept.
#[derive(Debug, Clone, PartialEq)]
pub struct Race {
    /// Its key.
    pub id: RaceId,
    /// The athlete.
    pub user_id: UserId,
    /// The values.
    pub values: RaceValues,
    /// Whether a file is attached.
    pub has_uploaded_training: bool,
    /// Creation time.
    pub created_at: OffsetDateTime,
    /// Last change, deletion included.
    pub updated_at: OffsetDateTime,
    /// Whether it was deleted.
    pub deleted: bool,
}

/// Which records of a calendar a list returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CalendarQuery {
    /// First day, inclusive.
    pub from: Date,
    /// Last day, inclusive.
    pub to: Date,
    /// Only records changed at or after this instant, deleted ones included; without it,
    /// deleted records are left out.
    pub updated_since: Option<OffsetDateTime>,
}

/// A session or a race.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    /// A training session.
    Session(SessionId),
    /// A race.
    Race(RaceId),
}

/// The parts of a session or race, by who may change them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The session plan: its planner's (the athlete's own sessions are theirs; a coach's
    /// plan is the coaches').
    Plan,
    /// The coach's words and plans: a coach's only.
    Coach,
    /// The athlete's words and plans: the athlete's only.
    Athlete,
    /// Everything else: date, order, intensity, the log; either may change it.
    Shared,
}

/// Who plans a session `subject` creates: the coach when a coach creates it (the plan is
/// then theirs to change), nobody (the athlete's own) otherwise.
pub fn planner(subject: &Subject) -> Option<UserId> {
    subject.by_coach().then_some(subject.actor)
}

/// Whether `subject` may change `part` of a session planned by `planned_by`.
pub fn may_change(subject: &Subject, part: Part, planned_by: Option<UserId>) -> bool {
    match part {
        Part::Plan => subject.by_coach() || planned_by.is_none_or(|p| p == subject.athlete),
        Part::Coach => subject.by_coach(),
        Part::Athlete => !subject.by_coach(),
        Part::Shared => true,
    }
}

/// A new direct-access token: 128 random bits in hex, as the spec's examples look.
pub fn new_token(rng: &mut impl Rng) -> String {
    let mut bytes = [0u8; 16];
    rng.fill(&mut bytes);
    hex(&bytes)
}

/// The instant a change made at `now` records for a record last changed at `seen`: `now`,
/// or a microsecond after `seen` when the clock has not moved past it.
pub fn next_update(seen: OffsetDateTime, now: OffsetDateTime) -> OffsetDateTime {
    let floor = seen + Duration::microseconds(1);
    if now >= floor { now } else { floor }
}

#[cfg(test)]
mod tests;
