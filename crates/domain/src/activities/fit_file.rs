//! Exactly one FIT file per activity: the file itself for an activity uploaded as FIT, and
//! for any other a FIT activity file written from what is kept: the legs (one session
//! each), the laps, every record of the streams, or for an activity without a file its
//! figures alone.

use super::{Activity, ActivityType, DetailError, Figures, Lap, Leg};
use crate::files::{BlobError, BlobStore, FileFormat};
use crate::ids::{ActivityId, UserId};
use crate::store::{Store, StoreError};
use paceline_activity::fit::{
    self, ActivityForEncoding, FitTime, LapForEncoding, LegForEncoding, RecordStreams,
};
use time::OffsetDateTime;

/// Why an activity's FIT file could not be had.
#[derive(Debug, thiserror::Error)]
pub enum FitFileError {
    /// The file storage failed.
    #[error(transparent)]
    Files(#[from] BlobError),
    /// A row points to a file the storage does not have: it lost it, or it was changed by
    /// hand.
    #[error("file {0} is missing")]
    Missing(String),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The kept streams cannot be read back.
    #[error(transparent)]
    Detail(#[from] DetailError),
}

/// The FIT file of one of the user's activities; `None` for another user's or an unknown
/// activity.
///
/// # Errors
/// The storage failed, a kept file is missing, or its kept streams are damaged.
pub async fn fit_file(
    store: &dyn Store,
    files: &dyn BlobStore,
    user: UserId,
    id: ActivityId,
) -> Result<Option<Vec<u8>>, FitFileError> {
    let kept = store.file_of_activity(user, id).await?;
    if let Some(kept) = &kept
        && kept.file.format == FileFormat::Fit
    {
        return Ok(Some(original(files, &kept.file.storage_key).await?));
    }
    let Some(activity) = store.get_activity(user, id).await? else {
        return Ok(None);
    };
    let legs = store
        .legs_of(user, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    let detail = match store.activity_detail(user, id).await? {
        Some(detail) => Some(detail),
        // A TCX or GPX activity imported before details were kept: read its file now.
        None => match &kept {
            Some(kept) => {
                let bytes = original(files, &kept.file.storage_key).await?;
                crate::imports::detail_of_file(kept.file.format, &bytes)
            }
            None => None,
        },
    };
    let (laps, streams) = match &detail {
        Some(detail) => (detail.laps.as_slice(), detail.streams.decode()?),
        None => (&[][..], RecordStreams::default()),
    };
    Ok(Some(encode(&activity, &legs, laps, streams)))
}

async fn original(files: &dyn BlobStore, key: &str) -> Result<Vec<u8>, FitFileError> {
    files
        .get(key)
        .await?
        .ok_or_else(|| FitFileError::Missing(key.to_owned()))
}

/// The FIT file of an activity from its legs (none for one sport), laps and records.
pub fn encode(activity: &Activity, legs: &[Leg], laps: &[Lap], streams: RecordStreams) -> Vec<u8> {
    let one;
    let legs = if legs.is_empty() {
        one = [Leg {
            activity_type: activity.activity_type,
            started_at: activity.started_at,
            figures: activity.figures.clone(),
        }];
        &one[..]
    } else {
        legs
    };
    let legs = legs
        .iter()
        .enumerate()
        .map(|(index, leg)| {
            let (sport, sub_sport) = fit_type(leg.activity_type).fit_sport();
            let laps: Vec<LapForEncoding> = laps
                .iter()
                .filter(|lap| lap.leg == index)
                .map(|lap| LapForEncoding {
                    start_time: fit_time(lap.started_at),
                    figures: fit_figures(&lap.figures, lap.timer_sec),
                })
                .collect();
            let timer = laps
                .iter()
                .map(|lap| lap.figures.timer_s)
                .sum::<Option<f64>>()
                .filter(|_| !laps.is_empty());
            LegForEncoding {
                laps,
                ..LegForEncoding::new(
                    sport,
                    sub_sport,
                    fit_time(leg.started_at),
                    fit_figures(&leg.figures, timer),
                )
            }
        })
        .collect();
    fit::encode_activity(&ActivityForEncoding {
        legs,
        streams,
        utc_offset_s: None,
    })
}

fn fit_time(at: OffsetDateTime) -> FitTime {
    FitTime::from_unix_seconds(at.unix_timestamp()).unwrap_or(FitTime(0))
}

/// The codec's figures; the timer time is the elapsed time unless known apart.
fn fit_figures(f: &Figures, timer_s: Option<f64>) -> fit::Figures {
    fit::Figures {
        elapsed_s: f.duration_sec,
        timer_s: timer_s.or(f.duration_sec),
        distance_m: f.distance_m,
        ascent_m: f.elevation_gain_m.map(|m| m.round() as u32),
        avg_heart_rate: f.avg_hr.and_then(|v| u8::try_from(v).ok()),
        max_heart_rate: f.max_hr.and_then(|v| u8::try_from(v).ok()),
        avg_power_w: f.avg_power.and_then(|v| u16::try_from(v).ok()),
        avg_cadence: f.avg_cadence.and_then(|v| u8::try_from(v).ok()),
        calories_kcal: f.calories.and_then(|v| u32::try_from(v).ok()),
        ..fit::Figures::default()
    }
}

/// The codec's name for an activity type.
pub fn fit_type(kind: ActivityType) -> fit::ActivityType {
    match kind {
        ActivityType::Run => fit::ActivityType::Run,
        ActivityType::Ride => fit::ActivityType::Ride,
        ActivityType::VirtualRide => fit::ActivityType::VirtualRide,
        ActivityType::Swim => fit::ActivityType::Swim,
        ActivityType::Walk => fit::ActivityType::Walk,
        ActivityType::Hike => fit::ActivityType::Hike,
        ActivityType::Strength => fit::ActivityType::Strength,
        ActivityType::Row => fit::ActivityType::Row,
        ActivityType::Paddle => fit::ActivityType::Paddle,
        ActivityType::Ski => fit::ActivityType::Ski,
        ActivityType::Multisport => fit::ActivityType::Multisport,
        ActivityType::Other => fit::ActivityType::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activity_types_keep_their_names() {
        for kind in ActivityType::ALL {
            assert_eq!(fit_type(*kind).as_str(), kind.as_str());
        }
    }
}
