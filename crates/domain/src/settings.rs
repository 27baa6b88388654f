//! Changing an athlete's settings: units, a season, and the training figures their zones
//! follow from ([`crate::training`]). A change is read, applied, checked and written in one
//! transaction of the store, so two changes at once never lose each other. Who may change
//! them (the athlete, their coach, the operator) is decided by the caller.

use crate::clock::Clock;
use crate::entities::{AthleteSettings, DistanceUnit, PoolUnit, Season};
use crate::ids::UserId;
use crate::store::{Store, StoreError};
use crate::training::{SettingsError, TrainingSettings};
use time::OffsetDateTime;

/// A figure to change: set to a value, or cleared.
pub type Figure<T> = Option<Option<T>>;

/// What to change; anything left `None` stays as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SettingsEdit {
    /// Maximum heart rate.
    pub max_heart_rate: Figure<u16>,
    /// Resting heart rate.
    pub resting_heart_rate: Figure<u16>,
    /// Threshold heart rate.
    pub threshold_heart_rate: Figure<u16>,
    /// FTP, watts.
    pub ftp_watts: Figure<u16>,
    /// Threshold run pace, seconds per kilometre.
    pub threshold_pace_s_per_km: Figure<u16>,
    /// Swim CSS, seconds per 100 m.
    pub swim_css_s_per_100m: Figure<u16>,
    /// Weight, kilograms.
    pub weight_kg: Figure<f64>,
    /// Take the suggested maximum heart rate as the maximum.
    pub accept_suggested_max_heart_rate: bool,
    /// Distance unit.
    pub distance_unit: Option<DistanceUnit>,
    /// Pool unit.
    pub pool_unit: Option<PoolUnit>,
    /// A season to keep: it replaces the seasons it overlaps.
    pub season: Option<Season>,
}

fn put<T>(figure: &mut Option<T>, change: &Figure<T>)
where
    T: Copy,
{
    if let Some(value) = change {
        *figure = *value;
    }
}

impl SettingsEdit {
    /// Whether it changes nothing.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Applies the edit to `settings`, then checks the result.
    pub fn apply(&self, settings: &mut AthleteSettings) -> Result<(), SettingsError> {
        let training: &mut TrainingSettings = &mut settings.training;
        put(&mut training.max_heart_rate, &self.max_heart_rate);
        put(&mut training.resting_heart_rate, &self.resting_heart_rate);
        put(
            &mut training.threshold_heart_rate,
            &self.threshold_heart_rate,
        );
        put(&mut training.ftp_watts, &self.ftp_watts);
        put(
            &mut training.threshold_pace_s_per_km,
            &self.threshold_pace_s_per_km,
        );
        put(&mut training.swim_css_s_per_100m, &self.swim_css_s_per_100m);
        put(&mut training.weight_kg, &self.weight_kg);
        if self.accept_suggested_max_heart_rate && !training.accept_suggestion() {
            return Err(SettingsError::NoSuggestion);
        }
        if let Some(max) = training.max_heart_rate
            && training.suggested_max_heart_rate.is_some_and(|s| s <= max)
        {
            // A maximum set at or above the suggestion answers it.
            training.suggested_max_heart_rate = None;
        }
        training.check()?;
        if let Some(unit) = self.distance_unit {
            settings.distance_unit = unit;
        }
        if let Some(unit) = self.pool_unit {
            settings.pool_unit = unit;
        }
        if let Some(season) = self.season {
            if season.start > season.end {
                return Err(SettingsError::SeasonBackwards);
            }
            settings
                .seasons
                .retain(|s| s.end < season.start || s.start > season.end);
            settings.seasons.push(season);
            settings.seasons.sort_by_key(|s| s.start);
        }
        Ok(())
    }
}

/// Why a change was not made.
#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    /// No such user.
    #[error("no such user")]
    NoSuchUser,
    /// The change breaks a rule; nothing was written.
    #[error(transparent)]
    Refused(#[from] SettingsError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Changes `athlete`'s settings by `edit`; answers them as written.
pub async fn change(
    store: &dyn Store,
    clock: &dyn Clock,
    athlete: UserId,
    edit: &SettingsEdit,
) -> Result<AthleteSettings, ChangeError> {
    let apply = |settings: &mut AthleteSettings| edit.apply(settings);
    match store
        .update_athlete_settings(athlete, &apply, clock.now())
        .await?
    {
        None => Err(ChangeError::NoSuchUser),
        Some(Err(why)) => Err(why.into()),
        Some(Ok(settings)) => Ok(settings),
    }
}

/// Notes that an activity of `athlete` reached `max_heart_rate`: above their maximum, it is
/// kept as a suggestion for them to accept ([`TrainingSettings::saw_heart_rate`]).
pub async fn saw_heart_rate(
    store: &dyn Store,
    now: OffsetDateTime,
    athlete: UserId,
    max_heart_rate: u16,
) -> Result<(), StoreError> {
    let kept = store.athlete_settings(athlete).await?;
    let suggests = kept.is_some_and(|s| {
        let mut training = s.training.clone();
        training.saw_heart_rate(max_heart_rate);
        training != s.training
    });
    if !suggests {
        return Ok(());
    }
    let note = |settings: &mut AthleteSettings| {
        settings.training.saw_heart_rate(max_heart_rate);
        Ok::<(), SettingsError>(())
    };
    store.update_athlete_settings(athlete, &note, now).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn an_edit_changes_what_it_names() {
        let mut settings = AthleteSettings::new_athlete(date!(2026 - 03 - 01));
        settings.training.suggested_max_heart_rate = Some(190);
        let edit = SettingsEdit {
            ftp_watts: Some(Some(260)),
            max_heart_rate: Some(Some(192)),
            distance_unit: Some(DistanceUnit::Miles),
            season: Some(Season {
                start: date!(2026 - 01 - 01),
                end: date!(2026 - 12 - 31),
            }),
            ..SettingsEdit::default()
        };
        edit.apply(&mut settings).unwrap();
        assert_eq!(settings.training.ftp_watts, Some(260));
        assert_eq!(settings.training.max_heart_rate, Some(192));
        assert_eq!(settings.training.suggested_max_heart_rate, None);
        assert_eq!(settings.distance_unit, DistanceUnit::Miles);
        // The default season (Nov 2025 to Oct 2026) overlapped: replaced.
        assert_eq!(settings.seasons.len(), 1);
        assert_eq!(settings.seasons[0].start, date!(2026 - 01 - 01));

        let clear = SettingsEdit {
            ftp_watts: Some(None),
            ..SettingsEdit::default()
        };
        clear.apply(&mut settings).unwrap();
        assert_eq!(settings.training.ftp_watts, None);
        assert_eq!(settings.training.max_heart_rate, Some(192));
    }

    #[test]
    fn a_bad_edit_is_refused() {
        let mut settings = AthleteSettings::new_athlete(date!(2026 - 03 - 01));
        let accept = SettingsEdit {
            accept_suggested_max_heart_rate: true,
            ..SettingsEdit::default()
        };
        assert_eq!(
            accept.apply(&mut settings.clone()),
            Err(SettingsError::NoSuggestion)
        );
        let backwards = SettingsEdit {
            season: Some(Season {
                start: date!(2026 - 12 - 31),
                end: date!(2026 - 01 - 01),
            }),
            ..SettingsEdit::default()
        };
        assert_eq!(
            backwards.apply(&mut settings),
            Err(SettingsError::SeasonBackwards)
        );
    }
}
