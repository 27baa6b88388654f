//! Planned workouts of the Xhale surface: structured workouts (steps that last a time, a
//! distance or until the lap button, aim at a heart-rate, power, speed or cadence target,
//! and repeat) that an athlete's coach, or a self-coached athlete, plans and attaches to
//! training sessions. Listed for syncing clients and downloaded as FIT, ZWO or ERG.
//!
//! Who writes them: a coach of the athlete, or the athlete when self-coached. A coached
//! athlete's workouts are their coach's to plan: they read and download them, and are
//! refused any change ([`WriteError::CoachPlans`]).
//!
//! As with sessions, deletion is soft and every change moves `updated_at` strictly forward
//! (see [`crate::calendar::next_update`]), edits are compare-and-swap, and a list by
//! `updated_since` carries deletions. A workout also shows its sessions' days and titles,
//! so it counts as changed when a session it is attached to changes
//! ([`PlannedWorkout::last_changed`]): a syncing client learns that a session moved or was
//! deleted from the workout list alone.

pub mod library;
pub mod steps;
pub mod text;

use crate::accounts;
use crate::calendar::{SessionId, next_update};
use crate::clock::Clock;
use crate::coaching::Subject;
use crate::disciplines::DISCIPLINES;
use crate::entities::{AthleteSettings, ZoneSport};
use crate::ids::UserId;
use crate::store::{Store, StoreError};
use async_trait::async_trait;
use paceline_activity::fit::Sport;
use paceline_activity::workout::{PowerReference, Workout, WorkoutStep};
use time::{Date, OffsetDateTime};

pub use steps::StepError;

/// The key of a workout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WorkoutId(pub i64);

/// The sport a workout is for, named as the API names it: the FIT profile's name of the
/// sport (the spec's example is `cycling`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkoutSport {
    name: &'static str,
    fit: u8,
}

/// Every sport a workout may be for, with its FIT `sport` number.
pub const SPORTS: [WorkoutSport; 11] = [
    WorkoutSport::of("cycling", 2),
    WorkoutSport::of("running", 1),
    WorkoutSport::of("swimming", 5),
    WorkoutSport::of("walking", 11),
    WorkoutSport::of("hiking", 17),
    WorkoutSport::of("rowing", 15),
    WorkoutSport::of("cross_country_skiing", 12),
    WorkoutSport::of("paddling", 19),
    WorkoutSport::of("training", 10),
    WorkoutSport::of("fitness_equipment", 4),
    WorkoutSport::of("generic", 0),
];

/// The most sessions one workout may be attached to.
pub const MAX_SESSIONS: usize = 100;

/// The names of [`SPORTS`], in the same order.
pub const SPORT_NAMES: [&str; 11] = [
    "cycling",
    "running",
    "swimming",
    "walking",
    "hiking",
    "rowing",
    "cross_country_skiing",
    "paddling",
    "training",
    "fitness_equipment",
    "generic",
];

impl WorkoutSport {
    const fn of(name: &'static str, fit: u8) -> Self {
        Self { name, fit }
    }

    /// Its name in the API.
    pub const fn name(self) -> &'static str {
        self.name
    }

    /// Its FIT `sport`.
    pub const fn fit(self) -> Sport {
        Sport(self.fit)
    }

    /// The sport of an API name.
    pub fn from_name(name: &str) -> Option<Self> {
        SPORTS.iter().copied().find(|s| s.name == name)
    }
}

/// What a workout's writers set.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkoutValues {
    /// The sport.
    pub sport: WorkoutSport,
    /// Its name, as a watch lists it.
    pub name: String,
    /// Words for the athlete.
    pub description: String,
    /// The steps (valid: see [`steps::check`]).
    pub steps: Vec<WorkoutStep>,
}

impl WorkoutValues {
    /// The workout in the codecs' model, for the FIT, ZWO and ERG encoders.
    pub fn workout(&self) -> Workout {
        Workout {
            name: self.name.clone(),
            sport: self.sport.fit(),
            sub_sport: None,
            steps: self.steps.clone(),
        }
    }
}

/// A training session a workout is attached to, as the workout shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttachedSession {
    /// The session.
    pub id: SessionId,
    /// Its day.
    pub date: Date,
    /// Its discipline.
    pub discipline_id: i32,
}

impl AttachedSession {
    /// Its name as the spec's example shows it: the discipline's title ("Bike Endurance").
    pub fn name(&self) -> &'static str {
        DISCIPLINES
            .iter()
            .find(|d| d.id == self.discipline_id)
            .map_or("Training session", |d| d.title)
    }
}

/// A workout as kept.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedWorkout {
    /// Its key.
    pub id: WorkoutId,
    /// The athlete it is for.
    pub user_id: UserId,
    /// Who wrote it (the coach, or the athlete), while that account exists.
    pub author: Option<UserId>,
    /// The values.
    pub values: WorkoutValues,
    /// The live sessions it is attached to, by day and key.
    pub sessions: Vec<AttachedSession>,
    /// Creation time.
    pub created_at: OffsetDateTime,
    /// The workout's own last change, deletion included.
    pub updated_at: OffsetDateTime,
    /// The last change of the workout or of a session it is attached to (deleted ones
    /// included): what syncing clients compare with `updated_since`.
    pub last_changed: OffsetDateTime,
    /// Whether it was deleted.
    pub deleted: bool,
}

/// A workout to create.
#[derive(Debug, Clone)]
pub struct NewWorkout {
    /// The athlete.
    pub user_id: UserId,
    /// Who writes it.
    pub author: UserId,
    /// The values.
    pub values: WorkoutValues,
    /// The athlete's live sessions to attach it to.
    pub sessions: Vec<SessionId>,
    /// Creation time.
    pub now: OffsetDateTime,
}

/// Which workouts a list returns. Without `updated_since`, deleted ones are left out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WorkoutQuery {
    /// Only workouts of this sport.
    pub sport: Option<WorkoutSport>,
    /// Only workouts changed at or after this instant ([`PlannedWorkout::last_changed`]),
    /// deleted ones included.
    pub updated_since: Option<OffsetDateTime>,
    /// Only workouts attached to a session on or after this day...
    pub scheduled_from: Option<Date>,
    /// ...and on or before this one (the same session). With `updated_since`, deleted
    /// sessions count, so a workout whose session was deleted is listed to syncing clients.
    pub scheduled_to: Option<Date>,
}

/// Storage for workouts.
#[async_trait]
pub trait WorkoutStore: Send + Sync {
    /// Creates a workout attached to `new.sessions`; `NotFound("training session")`, with
    /// nothing written, when one is not a live session of the athlete.
    async fn create_workout(&self, new: &NewWorkout) -> Result<PlannedWorkout, StoreError>;

    /// One of the athlete's workouts, deleted or not.
    async fn get_workout(
        &self,
        user: UserId,
        id: WorkoutId,
    ) -> Result<Option<PlannedWorkout>, StoreError>;

    /// Whose workout this is, deleted or not.
    async fn workout_owner(&self, id: WorkoutId) -> Result<Option<UserId>, StoreError>;

    /// The athlete's workouts of `query`, by key.
    async fn list_workouts(
        &self,
        user: UserId,
        query: &WorkoutQuery,
    ) -> Result<Vec<PlannedWorkout>, StoreError>;

    /// Replaces a live workout's values and attachments if it was last changed at `seen`;
    /// `None` when it was changed since, deleted or never existed.
    /// `NotFound("training session")`, with nothing written, as
    /// [`WorkoutStore::create_workout`].
    async fn replace_workout(
        &self,
        user: UserId,
        id: WorkoutId,
        seen: OffsetDateTime,
        values: &WorkoutValues,
        sessions: &[SessionId],
        now: OffsetDateTime,
    ) -> Result<Option<PlannedWorkout>, StoreError>;

    /// Deletes a live workout softly; `false` when there is no such live workout.
    async fn delete_workout(
        &self,
        user: UserId,
        id: WorkoutId,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError>;
}

/// Why a workout was not written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// A coached athlete tried to write: their coach plans their workouts.
    #[error("a coached athlete's workouts are planned by their coach")]
    CoachPlans,
    /// Sessions that are not live sessions of the athlete.
    #[error("no such training sessions: {0:?}")]
    UnknownSessions(Vec<i64>),
    /// More than [`MAX_SESSIONS`] sessions.
    #[error("a workout is attached to at most {MAX_SESSIONS} sessions")]
    TooManySessions,
    /// Steps the workout model refuses.
    #[error(transparent)]
    Steps(StepError),
    /// No such live workout of the athlete.
    #[error("not found")]
    NotFound,
    /// Others kept changing the workout: every attempt met a newer version.
    #[error("the workout keeps changing; try again")]
    Contended,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Whether `subject` may create, change or delete the athlete's workouts: a coach of
/// theirs may (the subject says so), the athlete only when self-coached.
pub async fn may_write(store: &dyn Store, subject: &Subject) -> Result<bool, StoreError> {
    if subject.by_coach() {
        return Ok(true);
    }
    let (account_type, _) = accounts::account_kind(store, subject.athlete).await?;
    Ok(account_type == "self_coached")
}

async fn check_writer(store: &dyn Store, subject: &Subject) -> Result<(), WriteError> {
    if may_write(store, subject).await? {
        Ok(())
    } else {
        Err(WriteError::CoachPlans)
    }
}

/// The ids of `sessions` that are not live sessions of `athlete`.
async fn unknown_sessions(
    store: &dyn Store,
    athlete: UserId,
    sessions: &[SessionId],
) -> Result<Vec<i64>, StoreError> {
    let mut unknown = Vec::new();
    for id in sessions {
        match store.get_session(athlete, *id).await? {
            Some(session) if !session.deleted => {}
            _ => unknown.push(id.0),
        }
    }
    Ok(unknown)
}

/// Sorted, without repeats, and no more than [`MAX_SESSIONS`].
fn distinct(sessions: &[SessionId]) -> Result<Vec<SessionId>, WriteError> {
    let mut sessions = sessions.to_vec();
    sessions.sort_unstable();
    sessions.dedup();
    if sessions.len() > MAX_SESSIONS {
        return Err(WriteError::TooManySessions);
    }
    Ok(sessions)
}

/// Creates a workout for `subject.athlete`, attached to some of their live sessions.
pub async fn create_workout(
    store: &dyn Store,
    clock: &dyn Clock,
    subject: &Subject,
    values: WorkoutValues,
    sessions: &[SessionId],
) -> Result<PlannedWorkout, WriteError> {
    check_writer(store, subject).await?;
    steps::check(&values.steps).map_err(WriteError::Steps)?;
    let sessions = distinct(sessions)?;
    let unknown = unknown_sessions(store, subject.athlete, &sessions).await?;
    if !unknown.is_empty() {
        return Err(WriteError::UnknownSessions(unknown));
    }
    let new = NewWorkout {
        user_id: subject.athlete,
        author: subject.actor,
        values,
        sessions: sessions.clone(),
        now: clock.now(),
    };
    match store.create_workout(&new).await {
        Ok(workout) => Ok(workout),
        // A session deleted between the check and the write.
        Err(StoreError::NotFound("training session")) => Err(WriteError::UnknownSessions(
            sessions.iter().map(|s| s.0).collect(),
        )),
        Err(e) => Err(e.into()),
    }
}

/// A change to a workout: each field given replaces the current one; `sessions` replaces
/// the attachments.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WorkoutPatch {
    /// A new sport.
    pub sport: Option<WorkoutSport>,
    /// A new name.
    pub name: Option<String>,
    /// A new description.
    pub description: Option<String>,
    /// New steps.
    pub steps: Option<Vec<WorkoutStep>>,
    /// The sessions it is attached to from now on.
    pub sessions: Option<Vec<SessionId>>,
}

/// Attempts before an edit gives up on a workout others keep changing.
const EDIT_ATTEMPTS: usize = 8;

/// Changes a live workout of `subject.athlete`: reads it, applies `patch`, and writes it if
/// nobody changed it meanwhile, reading again otherwise.
pub async fn edit_workout(
    store: &dyn Store,
    clock: &dyn Clock,
    subject: &Subject,
    id: WorkoutId,
    patch: &WorkoutPatch,
) -> Result<PlannedWorkout, WriteError> {
    check_writer(store, subject).await?;
    if let Some(steps) = &patch.steps {
        steps::check(steps).map_err(WriteError::Steps)?;
    }
    let new_sessions = patch.sessions.as_deref().map(distinct).transpose()?;
    if let Some(sessions) = &new_sessions {
        let unknown = unknown_sessions(store, subject.athlete, sessions).await?;
        if !unknown.is_empty() {
            return Err(WriteError::UnknownSessions(unknown));
        }
    }
    for _ in 0..EDIT_ATTEMPTS {
        let current = match store.get_workout(subject.athlete, id).await? {
            Some(workout) if !workout.deleted => workout,
            _ => return Err(WriteError::NotFound),
        };
        let mut values = current.values.clone();
        if let Some(sport) = patch.sport {
            values.sport = sport;
        }
        if let Some(name) = &patch.name {
            values.name.clone_from(name);
        }
        if let Some(description) = &patch.description {
            values.description.clone_from(description);
        }
        if let Some(steps) = &patch.steps {
            values.steps.clone_from(steps);
        }
        let sessions = new_sessions
            .clone()
            .unwrap_or_else(|| current.sessions.iter().map(|s| s.id).collect());
        let now = next_update(current.updated_at, clock.now());
        match store
            .replace_workout(
                subject.athlete,
                id,
                current.updated_at,
                &values,
                &sessions,
                now,
            )
            .await
        {
            Ok(Some(saved)) => return Ok(saved),
            Ok(None) => {}
            Err(StoreError::NotFound("training session")) if new_sessions.is_some() => {
                return Err(WriteError::UnknownSessions(
                    sessions.iter().map(|s| s.0).collect(),
                ));
            }
            // A session it was attached to was deleted meanwhile: read it again.
            Err(StoreError::NotFound("training session")) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Err(WriteError::Contended)
}

/// Deletes a live workout of `subject.athlete`, softly.
pub async fn delete_workout(
    store: &dyn Store,
    clock: &dyn Clock,
    subject: &Subject,
    id: WorkoutId,
) -> Result<(), WriteError> {
    check_writer(store, subject).await?;
    if store
        .delete_workout(subject.athlete, id, clock.now())
        .await?
    {
        Ok(())
    } else {
        Err(WriteError::NotFound)
    }
}

/// What an athlete's power targets are measured against: their cycling zones' watts (from
/// their FTP by the zone model, or set by hand) and their FTP, or else the top of zone 4, the
/// threshold zone of Xhale's five zones (the spec's example: zone 4 "Hard", 241–275 W,
/// gives 275 W). A zone without both bounds ends the zones known.
pub fn power_reference(settings: &AthleteSettings) -> PowerReference {
    let bike = settings.zones_of(ZoneSport::Bike);
    let watts = |v: Option<i32>| v.and_then(|v| u16::try_from(v).ok());
    let mut zones = bike.zones;
    zones.sort_by_key(|z| z.number);
    let mut zones_watts = Vec::new();
    for (expected, zone) in (1u8..).zip(&zones) {
        match (
            zone.number == expected,
            watts(zone.power_min),
            watts(zone.power_max),
        ) {
            (true, Some(low), Some(high)) if low <= high && high > 0 => {
                zones_watts.push((low, high));
            }
            _ => break,
        }
    }
    let ftp_watts = settings
        .training
        .ftp_watts
        .or_else(|| zones_watts.get(3).map(|(_, high)| *high));
    PowerReference {
        ftp_watts,
        zones_watts,
    }
}

#[cfg(test)]
mod tests;
