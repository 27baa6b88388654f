//! Copying a week's plan onto another week, as a coach plans a block: each live session of
//! the week is planned again on the same weekday with its plan and intensity (none of what
//! was done, said or logged), and the planned workouts attached to it are attached to the
//! copy. Every record is created as the API creates one, so a syncing client sees each.

use super::{CalendarQuery, NewSession, SessionId, SessionValues, Written, new_token};
use crate::clock::Clock;
use crate::coaching::Subject;
use crate::store::{Store, StoreError};
use crate::workouts::{self, WorkoutQuery, WriteError};
use rand::Rng;
use std::collections::HashMap;
use time::{Date, Duration};

/// What a copy made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Copied {
    /// Sessions planned in the target week.
    pub sessions: usize,
    /// Planned workouts attached to them.
    pub workouts: usize,
    /// Workouts left behind: a coached athlete's workouts are their coach's to plan.
    pub workouts_left: usize,
}

/// Why nothing was copied.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    /// The two weeks are one.
    #[error("a week is copied onto another week")]
    SameWeek,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The Monday of `day`'s week.
pub fn week_of(day: Date) -> Date {
    day - Duration::days(i64::from(day.weekday().number_days_from_monday()))
}

/// The plan a copy keeps of `values`, moved to `date`.
fn plan_of(values: &SessionValues, date: Date) -> SessionValues {
    SessionValues {
        date,
        intensity: values.intensity,
        plan: values.plan.clone(),
        ..SessionValues::on(date)
    }
}

/// Copies the plan of the week of `from` onto the week of `to`, as `subject`.
pub async fn copy_week(
    store: &dyn Store,
    clock: &dyn Clock,
    rng: &mut (impl Rng + Send),
    subject: &Subject,
    from: Date,
    to: Date,
) -> Result<Copied, CopyError> {
    let (from, to) = (week_of(from), week_of(to));
    if from == to {
        return Err(CopyError::SameWeek);
    }
    let shift = to - from;
    let week = CalendarQuery {
        from,
        to: from + Duration::days(6),
        updated_since: None,
    };
    let mut sessions = store.list_sessions(subject.athlete, week).await?;
    sessions.retain(|s| !s.deleted);
    sessions.sort_by_key(|s| (s.values.date, s.values.order, s.id.0));
    let scheduled = WorkoutQuery {
        scheduled_from: Some(week.from),
        scheduled_to: Some(week.to),
        ..WorkoutQuery::default()
    };
    let mut workouts_of: HashMap<SessionId, Vec<_>> = HashMap::new();
    for workout in store.list_workouts(subject.athlete, &scheduled).await? {
        for session in &workout.sessions {
            workouts_of
                .entry(session.id)
                .or_default()
                .push(workout.values.clone());
        }
    }
    let mut copied = Copied::default();
    for session in &sessions {
        let new = NewSession {
            user_id: subject.athlete,
            planned_by: super::planner(subject),
            values: plan_of(&session.values, session.values.date + shift),
            // After whatever the day already holds.
            order_given: false,
            direct_access_token: new_token(rng),
            now: clock.now(),
        };
        let Written::Saved(made) = store.create_session(new, &[]).await? else {
            return Err(StoreError::Other("a copied session was not saved".into()).into());
        };
        copied.sessions += 1;
        for values in workouts_of.remove(&session.id).unwrap_or_default() {
            match workouts::create_workout(store, clock, subject, values, &[made.id]).await {
                Ok(_) => copied.workouts += 1,
                Err(WriteError::CoachPlans) => copied.workouts_left += 1,
                Err(WriteError::Store(cause)) => return Err(cause.into()),
                Err(other) => return Err(StoreError::Other(other.to_string()).into()),
            }
        }
    }
    Ok(copied)
}
