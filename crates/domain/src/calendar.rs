//! The training calendar of the Xhale surface: training sessions and races, planned by an
//! athlete or their coach, logged by the athlete, deleted softly so that syncing clients
//! learn of deletions.
//!
//! Edits are read-modify-write with a compare-and-swap on `updated_at`, which every change
//! moves strictly forward: two clients patching different fields of one record at once both
//! land, and a client syncing with `updated_since` never misses a change made in the same
//! microsecond as the one it saw last.

use crate::activities::{Activity, ActivityType, Figures, Leg};
use crate::clock::Clock;
use crate::coaching::Subject;
use crate::ids::ActivityId;
use crate::ids::UserId;
use crate::oauth::secret::hex;
use crate::store::{Store, StoreError};
use async_trait::async_trait;
use rand::Rng;
use std::collections::HashMap;
use time::{Date, Duration, OffsetDateTime};

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

/// Storage for sessions and races.
#[async_trait]
pub trait CalendarStore: Send + Sync {
    /// Creates a session. Without a given order it goes after the day's last session.
    async fn create_session(&self, new: NewSession) -> Result<TrainingSession, StoreError>;

    /// One of the athlete's sessions, deleted or not.
    async fn get_session(
        &self,
        user: UserId,
        id: SessionId,
    ) -> Result<Option<TrainingSession>, StoreError>;

    /// The athlete's sessions of `query`, by day, order and key.
    async fn list_sessions(
        &self,
        user: UserId,
        query: CalendarQuery,
    ) -> Result<Vec<TrainingSession>, StoreError>;

    /// Replaces a live session's values if it was last changed at `seen`; `None` when it was
    /// changed since, deleted or never existed.
    async fn replace_session(
        &self,
        user: UserId,
        id: SessionId,
        seen: OffsetDateTime,
        values: &SessionValues,
        now: OffsetDateTime,
    ) -> Result<Option<TrainingSession>, StoreError>;

    /// Gives a live session a new direct-access token; `false` when there is no such live
    /// session.
    async fn set_session_token(
        &self,
        user: UserId,
        id: SessionId,
        token: &str,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError>;

    /// A live session by key and direct-access token (the token compared in full).
    async fn session_by_token(
        &self,
        id: SessionId,
        token: &str,
    ) -> Result<Option<TrainingSession>, StoreError>;

    /// Creates a race.
    async fn create_race(
        &self,
        user: UserId,
        values: &RaceValues,
        now: OffsetDateTime,
    ) -> Result<Race, StoreError>;

    /// One of the athlete's races, deleted or not.
    async fn get_race(&self, user: UserId, id: RaceId) -> Result<Option<Race>, StoreError>;

    /// The athlete's races of `query`, by day and key.
    async fn list_races(&self, user: UserId, query: CalendarQuery)
    -> Result<Vec<Race>, StoreError>;

    /// Replaces a live race's values if it was last changed at `seen`, as
    /// [`CalendarStore::replace_session`].
    async fn replace_race(
        &self,
        user: UserId,
        id: RaceId,
        seen: OffsetDateTime,
        values: &RaceValues,
        now: OffsetDateTime,
    ) -> Result<Option<Race>, StoreError>;

    /// Whose session or race this is, deleted or not.
    async fn entry_owner(&self, entry: Entry) -> Result<Option<UserId>, StoreError>;

    /// Deletes a live session or race softly; `false` when there is no such live record.
    async fn delete_entry(
        &self,
        user: UserId,
        entry: Entry,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError>;
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

/// Whether `subject` may change `part` of a session planned by `planned_by`.
pub fn may_change(subject: &Subject, part: Part, planned_by: Option<UserId>) -> bool {
    match part {
        Part::Plan => subject.by_coach() || planned_by.is_none_or(|p| p == subject.athlete),
        Part::Coach => subject.by_coach(),
        Part::Athlete => !subject.by_coach(),
        Part::Shared => true,
    }
}

/// The sport an activity counts under in a session's splits.
fn sport_of(kind: ActivityType) -> Option<Sport> {
    match kind {
        ActivityType::Swim => Some(Sport::Swim),
        ActivityType::Ride | ActivityType::VirtualRide => Some(Sport::Bike),
        ActivityType::Run => Some(Sport::Run),
        _ => None,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Sport {
    Swim,
    Bike,
    Run,
}

/// Sums of one sport's activities.
#[derive(Default)]
struct Tally {
    count: usize,
    seconds: f64,
    metres: f64,
    climb: f64,
    /// Duration-weighted sums, and the durations they cover.
    hr: (f64, f64),
    power: (f64, f64),
    cadence: (f64, f64),
}

impl Tally {
    fn add(&mut self, f: &Figures) {
        let seconds = f
            .duration_sec
            .filter(|s| s.is_finite() && *s > 0.0)
            .unwrap_or(0.0);
        self.count += 1;
        self.seconds += seconds;
        self.metres += f.distance_m.filter(|m| m.is_finite()).unwrap_or(0.0);
        self.climb += f.elevation_gain_m.filter(|m| m.is_finite()).unwrap_or(0.0);
        if let Some(hr) = f.avg_hr {
            self.hr.0 += f64::from(hr) * seconds;
            self.hr.1 += seconds;
        }
        if let Some(watts) = f.avg_power {
            self.power.0 += f64::from(watts) * seconds;
            self.power.1 += seconds;
        }
        if let Some(rpm) = f.avg_cadence {
            self.cadence.0 += f64::from(rpm) * seconds;
            self.cadence.1 += seconds;
        }
    }

    fn minutes(&self) -> Option<i32> {
        (self.count > 0).then(|| (self.seconds / 60.0).round() as i32)
    }

    fn km(&self) -> Option<f64> {
        (self.count > 0).then(|| (self.metres / 10.0).round() / 100.0)
    }

    fn climb(&self) -> Option<i32> {
        (self.count > 0 && self.climb > 0.0).then(|| self.climb.round() as i32)
    }

    fn weighted((sum, seconds): (f64, f64)) -> Option<i32> {
        (seconds > 0.0).then(|| (sum / seconds).round() as i32)
    }
}

/// The activities of the files attached to a session, with the legs of the multisport
/// ones.
#[derive(Debug, Clone, Default)]
pub struct AttachedWork {
    /// The activities, by start.
    pub activities: Vec<Activity>,
    /// The legs of those that have several sports.
    pub legs: HashMap<ActivityId, Vec<Leg>>,
}

/// What the files attached to a session or race give.
pub async fn attached_work(
    store: &dyn Store,
    user: UserId,
    to: Entry,
) -> Result<AttachedWork, StoreError> {
    let activities = store.attached_activities(user, to).await?;
    let ids: Vec<ActivityId> = activities.iter().map(|a| a.id).collect();
    let legs = store.legs_of(user, &ids).await?;
    Ok(AttachedWork { activities, legs })
}

/// Sets a session's completed figures from the activities of its attached files: minutes
/// and kilometres overall and per sport (swim, bike, run: what a brick splits into, whether
/// it came as one file per sport or as one multisport file with its legs), the rides'
/// average speed, power, cadence and heart rate (weighted by duration) and climb, the runs'
/// heart rate and climb. `missed_session` stays as logged. Without activities, the figures
/// files give are cleared.
pub fn log_from_activities(log: &mut SessionLog, work: &AttachedWork) {
    let mut total = Tally::default();
    let mut by_sport = [Tally::default(), Tally::default(), Tally::default()];
    let mut add = |kind: ActivityType, figures: &Figures| {
        total.add(figures);
        let index = match sport_of(kind) {
            Some(Sport::Swim) => Some(0),
            Some(Sport::Bike) => Some(1),
            Some(Sport::Run) => Some(2),
            None => None,
        };
        if let Some(tally) = index.and_then(|i| by_sport.get_mut(i)) {
            tally.add(figures);
        }
    };
    for activity in &work.activities {
        match work.legs.get(&activity.id).filter(|legs| !legs.is_empty()) {
            Some(legs) => legs
                .iter()
                .for_each(|leg| add(leg.activity_type, &leg.figures)),
            None => add(activity.activity_type, &activity.figures),
        }
    }
    let [swim, bike, run] = &by_sport;
    log.completed_minutes = Splits {
        total: total.minutes(),
        swim: swim.minutes(),
        bike: bike.minutes(),
        run: run.minutes(),
    };
    log.completed_km = Splits {
        total: total.km(),
        swim: swim.km(),
        bike: bike.km(),
        run: run.km(),
    };
    log.bike_average_speed_kph = (bike.seconds > 0.0 && bike.metres > 0.0)
        .then(|| (bike.metres / bike.seconds * 36.0).round() / 10.0);
    log.bike_average_power_watts = Tally::weighted(bike.power);
    log.bike_average_cadence_rpm = Tally::weighted(bike.cadence);
    log.bike_average_heart_rate_bpm = Tally::weighted(bike.hr);
    log.bike_meters_climbed = bike.climb();
    log.run_average_heart_rate_bpm = Tally::weighted(run.hr);
    log.run_meters_climbed = run.climb();
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

/// Why an edit failed.
#[derive(Debug, thiserror::Error)]
pub enum EditError<E> {
    /// No such live record of this athlete.
    #[error("not found")]
    NotFound,
    /// The edit was refused.
    #[error("refused")]
    Refused(E),
    /// Others kept changing the record: every attempt met a newer version.
    #[error("the record keeps changing; try again")]
    Contended,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Attempts before an edit gives up on a record others keep changing.
const EDIT_ATTEMPTS: usize = 8;

/// Edits a live session: reads it, asks `edit` for its new values (or a refusal), and
/// writes them if nobody changed it meanwhile, reading again otherwise.
pub async fn edit_session<E>(
    store: &dyn Store,
    clock: &dyn Clock,
    subject: &Subject,
    id: SessionId,
    edit: impl Fn(&TrainingSession) -> Result<SessionValues, E>,
) -> Result<TrainingSession, EditError<E>> {
    for _ in 0..EDIT_ATTEMPTS {
        let current = match store.get_session(subject.athlete, id).await? {
            Some(session) if !session.deleted => session,
            _ => return Err(EditError::NotFound),
        };
        let values = edit(&current).map_err(EditError::Refused)?;
        let now = next_update(current.updated_at, clock.now());
        if let Some(saved) = store
            .replace_session(subject.athlete, id, current.updated_at, &values, now)
            .await?
        {
            return Ok(saved);
        }
    }
    Err(EditError::Contended)
}

/// Edits a live race as [`edit_session`] edits a session.
pub async fn edit_race<E>(
    store: &dyn Store,
    clock: &dyn Clock,
    subject: &Subject,
    id: RaceId,
    edit: impl Fn(&Race) -> Result<RaceValues, E>,
) -> Result<Race, EditError<E>> {
    for _ in 0..EDIT_ATTEMPTS {
        let current = match store.get_race(subject.athlete, id).await? {
            Some(race) if !race.deleted => race,
            _ => return Err(EditError::NotFound),
        };
        let values = edit(&current).map_err(EditError::Refused)?;
        let now = next_update(current.updated_at, clock.now());
        if let Some(saved) = store
            .replace_race(subject.athlete, id, current.updated_at, &values, now)
            .await?
        {
            return Ok(saved);
        }
    }
    Err(EditError::Contended)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn updates_move_forward_even_when_the_clock_does_not() {
        let seen = datetime!(2026-01-17 18:20:00.123456 UTC);
        assert_eq!(
            next_update(seen, datetime!(2026-01-17 18:21:00 UTC)),
            datetime!(2026-01-17 18:21:00 UTC)
        );
        assert_eq!(
            next_update(seen, seen),
            datetime!(2026-01-17 18:20:00.123457 UTC)
        );
        assert_eq!(
            next_update(seen, datetime!(2026-01-17 18:19:00 UTC)),
            datetime!(2026-01-17 18:20:00.123457 UTC)
        );
    }

    #[test]
    fn a_coach_plan_is_read_only_to_the_athlete() {
        let (athlete, coach) = (UserId(1), UserId(2));
        let own = Subject::own(athlete);
        let by_coach = Subject {
            actor: coach,
            athlete,
        };
        assert!(may_change(&own, Part::Plan, None));
        assert!(!may_change(&own, Part::Plan, Some(coach)));
        assert!(may_change(&by_coach, Part::Plan, Some(coach)));
        assert!(may_change(&by_coach, Part::Plan, None));
        assert!(!may_change(&own, Part::Coach, None));
        assert!(may_change(&by_coach, Part::Coach, None));
        assert!(!may_change(&by_coach, Part::Athlete, None));
        assert!(may_change(&own, Part::Shared, Some(coach)));
    }

    fn done(kind: ActivityType, minutes: f64, km: f64, hr: i32, watts: Option<i32>) -> Activity {
        Activity {
            id: ActivityId(1),
            user_id: UserId(1),
            membership_id: crate::ids::MembershipId(1),
            organization_id: crate::ids::OrgId(1),
            origin: crate::activities::ActivityOrigin::External,
            source_name: None,
            activity_type: kind,
            title: None,
            started_at: datetime!(2026-01-17 08:00 UTC),
            timezone: None,
            figures: Figures {
                duration_sec: Some(minutes * 60.0),
                distance_m: Some(km * 1000.0),
                elevation_gain_m: Some(120.0),
                avg_hr: Some(hr),
                avg_power: watts,
                avg_cadence: watts.is_none().then_some(88),
                ..Figures::default()
            },
            notes: None,
            sources: Vec::new(),
            created_at: datetime!(2026-01-17 08:00 UTC),
            updated_at: datetime!(2026-01-17 08:00 UTC),
        }
    }

    #[test]
    fn a_brick_splits_into_its_sports() {
        let mut log = SessionLog::default();
        let work = AttachedWork {
            activities: vec![
                done(ActivityType::Ride, 60.0, 30.0, 140, Some(200)),
                done(ActivityType::Ride, 30.0, 16.0, 150, None),
                done(ActivityType::Run, 20.0, 4.5, 160, None),
            ],
            legs: HashMap::new(),
        };
        log_from_activities(&mut log, &work);
        assert_eq!(log.completed_minutes.total, Some(110));
        assert_eq!(log.completed_minutes.bike, Some(90));
        assert_eq!(log.completed_minutes.run, Some(20));
        assert_eq!(log.completed_minutes.swim, None);
        assert_eq!(log.completed_km.total, Some(50.5));
        assert_eq!(log.completed_km.bike, Some(46.0));
        // 46 km in 1.5 h.
        assert_eq!(log.bike_average_speed_kph, Some(30.7));
        // Power only where measured: the first ride.
        assert_eq!(log.bike_average_power_watts, Some(200));
        // (140 * 60 + 150 * 30) / 90.
        assert_eq!(log.bike_average_heart_rate_bpm, Some(143));
        assert_eq!(log.bike_meters_climbed, Some(240));
        assert_eq!(log.run_average_heart_rate_bpm, Some(160));
        assert_eq!(log.run_meters_climbed, Some(120));
        assert_eq!(
            log.bike_average_cadence_rpm,
            Some(88),
            "cadence stays as logged"
        );
        // Without files the figures are cleared.
        log_from_activities(&mut log, &AttachedWork::default());
        assert_eq!(log.completed_minutes, Splits::default());
        assert_eq!(log.bike_average_power_watts, None);
    }

    #[test]
    fn a_multisport_file_splits_by_its_legs() {
        let mut triathlon = done(ActivityType::Multisport, 150.0, 51.5, 150, None);
        triathlon.id = ActivityId(7);
        let leg = |kind, minutes: f64, km: f64| Leg {
            activity_type: kind,
            started_at: datetime!(2026-01-17 08:00 UTC),
            figures: Figures {
                duration_sec: Some(minutes * 60.0),
                distance_m: Some(km * 1000.0),
                ..Figures::default()
            },
        };
        let mut legs = HashMap::new();
        legs.insert(
            triathlon.id,
            vec![
                leg(ActivityType::Swim, 30.0, 1.5),
                leg(ActivityType::Ride, 75.0, 40.0),
                leg(ActivityType::Run, 45.0, 10.0),
            ],
        );
        let mut log = SessionLog::default();
        log_from_activities(
            &mut log,
            &AttachedWork {
                activities: vec![triathlon],
                legs,
            },
        );
        assert_eq!(log.completed_minutes.total, Some(150));
        assert_eq!(log.completed_minutes.swim, Some(30));
        assert_eq!(log.completed_minutes.bike, Some(75));
        assert_eq!(log.completed_minutes.run, Some(45));
        assert_eq!(log.completed_km.total, Some(51.5));
        assert_eq!(log.completed_km.swim, Some(1.5));
    }

    #[test]
    fn tokens_are_32_hex_digits() {
        let token = new_token(&mut rand::rng());
        assert_eq!(token.len(), 32);
        assert!(token.bytes().all(|b| b.is_ascii_hexdigit()));
    }
}
