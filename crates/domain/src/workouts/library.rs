//! A coach's library of workouts to reuse: each kept as its text ([`super::text`]), so a
//! target relative to a threshold (`95% LTHR`) stays relative and fits whichever athlete
//! the workout is planned for. Only its author reads or changes a library workout.

use super::WorkoutSport;
use super::text::{self, TextError};
use crate::clock::Clock;
use crate::ids::UserId;
use crate::store::{Store, StoreError};
use crate::training::TrainingSettings;
use async_trait::async_trait;
use time::OffsetDateTime;

/// The longest name, in characters.
pub const NAME_CHARS: usize = 200;
/// The longest description, in characters.
pub const DESCRIPTION_CHARS: usize = 4_000;
/// The longest text, in bytes.
pub const TEXT_BYTES: usize = 40_000;

/// A library workout's key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LibraryId(pub i64);

/// What a library workout says.
#[derive(Debug, Clone, PartialEq)]
pub struct LibraryValues {
    /// Its name.
    pub name: String,
    /// The sport.
    pub sport: WorkoutSport,
    /// Words for the athlete.
    pub description: String,
    /// The steps, as text.
    pub text: String,
}

/// A workout of a coach's library.
#[derive(Debug, Clone, PartialEq)]
pub struct LibraryWorkout {
    /// Its key.
    pub id: LibraryId,
    /// Whose library.
    pub owner: UserId,
    /// What it says.
    pub values: LibraryValues,
    /// When it was made.
    pub created_at: OffsetDateTime,
    /// When it last changed.
    pub updated_at: OffsetDateTime,
}

/// Storage for libraries.
#[async_trait]
pub trait LibraryStore: Send + Sync {
    /// Keeps a new library workout.
    async fn create_library_workout(
        &self,
        owner: UserId,
        values: &LibraryValues,
        now: OffsetDateTime,
    ) -> Result<LibraryWorkout, StoreError>;

    /// `owner`'s library, by name.
    async fn library_of(&self, owner: UserId) -> Result<Vec<LibraryWorkout>, StoreError>;

    /// One of `owner`'s library workouts.
    async fn get_library_workout(
        &self,
        owner: UserId,
        id: LibraryId,
    ) -> Result<Option<LibraryWorkout>, StoreError>;

    /// Replaces what one of `owner`'s library workouts says; whether there was one.
    async fn update_library_workout(
        &self,
        owner: UserId,
        id: LibraryId,
        values: &LibraryValues,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError>;

    /// Deletes one of `owner`'s library workouts; whether there was one.
    async fn delete_library_workout(
        &self,
        owner: UserId,
        id: LibraryId,
    ) -> Result<bool, StoreError>;
}

/// Why a library workout was refused.
#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    /// The name is empty or too long.
    #[error("a workout's name is 1 to {NAME_CHARS} characters")]
    Name,
    /// The description is too long.
    #[error("a description has at most {DESCRIPTION_CHARS} characters")]
    Description,
    /// No such sport.
    #[error("choose one of the sports")]
    Sport,
    /// The text is too long.
    #[error("a workout's text has at most {TEXT_BYTES} bytes")]
    TooLong,
    /// The steps do not read.
    #[error(transparent)]
    Text(#[from] TextError),
    /// No such workout in the library.
    #[error("no such workout in your library")]
    NotFound,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The thresholds a library workout is checked and drawn with when its targets are relative
/// (`95% LTHR`) and no athlete's are at hand.
pub fn typical_thresholds() -> TrainingSettings {
    TrainingSettings {
        threshold_heart_rate: Some(165),
        threshold_pace_s_per_km: Some(270),
        ..TrainingSettings::default()
    }
}

/// Checks what a coach typed: name, sport, description and steps (which must read, and
/// make valid steps whatever the athlete's thresholds).
pub fn check(
    name: &str,
    sport: &str,
    description: &str,
    steps: &str,
) -> Result<LibraryValues, LibraryError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > NAME_CHARS || name.chars().any(char::is_control) {
        return Err(LibraryError::Name);
    }
    if description.chars().count() > DESCRIPTION_CHARS {
        return Err(LibraryError::Description);
    }
    let sport = WorkoutSport::from_name(sport).ok_or(LibraryError::Sport)?;
    if steps.len() > TEXT_BYTES {
        return Err(LibraryError::TooLong);
    }
    let plan = text::parse(steps)?;
    // Relative targets are checked with typical thresholds: the steps they make must be
    // valid for an athlete who has them.
    plan.steps(Some(&typical_thresholds()))?;
    Ok(LibraryValues {
        name: name.to_owned(),
        sport,
        description: description.trim().to_owned(),
        text: steps.trim_end().to_owned(),
    })
}

/// Keeps a workout in `owner`'s library.
pub async fn add(
    store: &dyn Store,
    clock: &dyn Clock,
    owner: UserId,
    values: &LibraryValues,
) -> Result<LibraryWorkout, LibraryError> {
    Ok(store
        .create_library_workout(owner, values, clock.now())
        .await?)
}

/// Replaces one of `owner`'s library workouts.
pub async fn replace(
    store: &dyn Store,
    clock: &dyn Clock,
    owner: UserId,
    id: LibraryId,
    values: &LibraryValues,
) -> Result<(), LibraryError> {
    if store
        .update_library_workout(owner, id, values, clock.now())
        .await?
    {
        Ok(())
    } else {
        Err(LibraryError::NotFound)
    }
}
