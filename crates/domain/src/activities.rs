//! Activities: what an athlete did, from any source (an OAuth client's JSON, an uploaded
//! file, the web app), kept once and shown by both API surfaces.

use crate::entities::text_enum;
use crate::ids::{ActivityId, MembershipId, OrgId, UserId};
use crate::listing::{Page, RecordQuery};
use crate::oauth::client::ClientKey;
use crate::store::StoreError;
use async_trait::async_trait;
use time::OffsetDateTime;

mod detail;
pub mod fit_file;
pub mod reprocess;

pub use detail::{Detail, DetailError, Lap, StoredStreams};
pub(crate) use detail::{figures_of, instant};

text_enum!(
    /// The kinds of activity a multisport athlete records.
    ActivityType {
        /// Running, on road, track, trail or treadmill.
        Run = "RUN",
        /// Cycling outdoors.
        Ride = "RIDE",
        /// Cycling on a trainer or in a virtual world.
        VirtualRide = "VIRTUAL_RIDE",
        /// Swimming, pool or open water.
        Swim = "SWIM",
        /// Walking.
        Walk = "WALK",
        /// Hiking.
        Hike = "HIKE",
        /// Strength and gym training.
        Strength = "STRENGTH",
        /// Rowing, on water or an ergometer.
        Row = "ROW",
        /// Paddling: kayak, canoe, stand-up paddle.
        Paddle = "PADDLE",
        /// Skiing, alpine, cross-country or touring.
        Ski = "SKI",
        /// Several sports in one activity, each leg with its own (a triathlon).
        Multisport = "MULTISPORT",
        /// Anything else.
        Other = "OTHER",
    }
);

text_enum!(
    /// Where an activity came from.
    ActivityOrigin {
        /// An OAuth client wrote it (JSON or a file).
        External = "EXTERNAL",
        /// Entered in Paceline itself.
        Manual = "MANUAL",
    }
);

/// An external record an activity came from: a client's id for it, or a file's hash.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceEntry {
    /// `EXTERNAL` for a client's JSON, `FIT`/`TCX`/`GPX` for a file.
    pub provider: String,
    /// The client's id for the record, or the file's SHA-256. A source without one is kept
    /// but never makes a later write a duplicate.
    pub external_id: Option<String>,
    /// The client that wrote it (its public id), if any.
    pub client_id: Option<String>,
    /// What the client sent besides the activity's fields, as JSON text.
    pub raw_payload: Option<String>,
    /// When it arrived.
    pub received_at: OffsetDateTime,
}

/// The figures of an activity; every one may be unknown.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    /// Elapsed time, seconds.
    pub duration_sec: Option<f64>,
    /// Distance, metres.
    pub distance_m: Option<f64>,
    /// Ascent, metres.
    pub elevation_gain_m: Option<f64>,
    /// Average heart rate, beats per minute.
    pub avg_hr: Option<i32>,
    /// Maximum heart rate, beats per minute.
    pub max_hr: Option<i32>,
    /// Average power, watts.
    pub avg_power: Option<i32>,
    /// Average cadence: rpm, or steps or strokes per minute.
    pub avg_cadence: Option<i32>,
    /// Energy, kilocalories (positive).
    pub calories: Option<i32>,
    /// Perceived exertion as written, 1 to 10.
    pub rpe: Option<i32>,
    /// The internal load score.
    pub load_score: Option<i32>,
}

/// One leg of a multisport activity: its sport, start and figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Leg {
    /// Its kind.
    pub activity_type: ActivityType,
    /// Its start.
    pub started_at: OffsetDateTime,
    /// Its figures.
    pub figures: Figures,
}

/// An activity to record.
#[derive(Debug, Clone)]
pub struct NewActivity {
    /// The athlete.
    pub user_id: UserId,
    /// The athlete's membership it is filed under.
    pub membership_id: MembershipId,
    /// Where it came from.
    pub origin: ActivityOrigin,
    /// The writing client's row, if any.
    pub client: Option<ClientKey>,
    /// Its kind.
    pub activity_type: ActivityType,
    /// A title.
    pub title: Option<String>,
    /// Start.
    pub started_at: OffsetDateTime,
    /// IANA time zone of the start, if known.
    pub timezone: Option<String>,
    /// The figures.
    pub figures: Figures,
    /// Free notes.
    pub notes: Option<String>,
    /// The external record, which makes a second write of the same record a duplicate.
    pub source: Option<SourceEntry>,
    /// The legs of a multisport activity, in order; empty for one sport.
    pub legs: Vec<Leg>,
    /// Creation time.
    pub now: OffsetDateTime,
}

/// An activity as kept.
#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    /// Its key.
    pub id: ActivityId,
    /// The athlete.
    pub user_id: UserId,
    /// The membership it is filed under.
    pub membership_id: MembershipId,
    /// That membership's organization.
    pub organization_id: OrgId,
    /// Where it came from.
    pub origin: ActivityOrigin,
    /// The public id of the client that wrote it, if any.
    pub source_name: Option<String>,
    /// Its kind.
    pub activity_type: ActivityType,
    /// A title.
    pub title: Option<String>,
    /// Start.
    pub started_at: OffsetDateTime,
    /// IANA time zone of the start.
    pub timezone: Option<String>,
    /// The figures.
    pub figures: Figures,
    /// Free notes.
    pub notes: Option<String>,
    /// External records, oldest first.
    pub sources: Vec<SourceEntry>,
    /// Creation time.
    pub created_at: OffsetDateTime,
    /// Last change.
    pub updated_at: OffsetDateTime,
}

/// The outcome of recording an activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recorded {
    /// The activity's key: the new one, or the one already recorded for the same source.
    pub id: ActivityId,
    /// Whether the source had been recorded before, so nothing new was created.
    pub duplicate: bool,
}

/// What narrows a list of activities beyond its page and date range.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActivityFilter {
    /// Only activities of this kind.
    pub activity_type: Option<ActivityType>,
    /// Only activities whose title contains this text, ignoring ASCII case.
    pub title_contains: Option<String>,
}

impl ActivityFilter {
    /// Whether it narrows nothing.
    pub fn is_empty(&self) -> bool {
        self.activity_type.is_none() && self.title_contains.is_none()
    }
}

/// Storage for activities.
#[async_trait]
pub trait ActivityStore: Send + Sync {
    /// Records an activity with its source in one transaction. When the same source (the
    /// athlete, provider, client and external id) was recorded before, creates nothing and
    /// answers the existing activity's key with `duplicate: true`.
    async fn record_activity(&self, new: NewActivity) -> Result<Recorded, StoreError>;

    /// One of the user's activities; `None` for another user's or an unknown id.
    async fn get_activity(
        &self,
        user: UserId,
        id: ActivityId,
    ) -> Result<Option<Activity>, StoreError>;

    /// The legs of the user's activities among `ids`, by activity, in order.
    async fn legs_of(
        &self,
        user: UserId,
        ids: &[ActivityId],
    ) -> Result<std::collections::HashMap<ActivityId, Vec<Leg>>, StoreError>;

    /// The laps and record streams of one of the user's activities; `None` for another
    /// user's or an unknown activity, and for one without them (entered without a file, or
    /// imported before they were kept and not reprocessed since).
    async fn activity_detail(
        &self,
        user: UserId,
        id: ActivityId,
    ) -> Result<Option<Detail>, StoreError>;

    /// Replaces an activity's laps and record streams, in one transaction (reprocessing a
    /// kept file). `NotFound` for an unknown activity.
    async fn replace_activity_detail(
        &self,
        id: ActivityId,
        detail: &Detail,
    ) -> Result<(), StoreError>;

    /// A page of a user's activities, newest start first, `from`/`to` bounding the start. The cost does not grow with the
    /// athlete's history beyond the page asked for.
    async fn list_activities(
        &self,
        user: UserId,
        query: RecordQuery<OffsetDateTime>,
    ) -> Result<Page<Activity>, StoreError> {
        self.search_activities(user, query, &ActivityFilter::default())
            .await
    }

    /// [`Self::list_activities`], narrowed by `filter`.
    async fn search_activities(
        &self,
        user: UserId,
        query: RecordQuery<OffsetDateTime>,
        filter: &ActivityFilter,
    ) -> Result<Page<Activity>, StoreError>;

    /// Deletes one of the user's activities that was not made from a file, with its legs,
    /// laps, streams and sources; whether there was one. An activity made from a file goes
    /// with its file ([`crate::files::FileStore::delete_file`]); [`delete`] chooses.
    async fn delete_activity(&self, user: UserId, id: ActivityId) -> Result<bool, StoreError>;
}

/// Deletes one of the user's activities, and the file it was made from if any (its row, then
/// its bytes). Whether there was one: false for another user's or an unknown activity.
pub async fn delete(
    store: &dyn crate::Store,
    files: &dyn crate::files::BlobStore,
    user: UserId,
    id: ActivityId,
    now: OffsetDateTime,
) -> Result<bool, StoreError> {
    let Some(file) = store.file_of_activity(user, id).await? else {
        return store.delete_activity(user, id).await;
    };
    let deleted = store.delete_file(user, file.id, now).await?;
    if let Some(kept) = &deleted {
        // Should this fail, the bytes are an orphan that `remove_orphans` deletes later.
        let _ = files.delete(&kept.file.storage_key).await;
    }
    Ok(deleted.is_some())
}

/// The bounds of an activity's values, as the API surfaces check them.
pub mod limits {
    use std::ops::RangeInclusive;

    /// Perceived exertion as written: the RPE scale.
    pub const RPE: RangeInclusive<i64> = 1..=10;
    /// Heart rates a human heart reaches, beats per minute.
    pub const HEART_RATE: RangeInclusive<i64> = 20..=250;
    /// Average power, watts.
    pub const POWER: RangeInclusive<i64> = 0..=3000;
    /// Elapsed time, minutes: more than nothing, at most a week.
    pub const DURATION_MIN: RangeInclusive<f64> = 0.0..=10_080.0;
    /// Distance, kilometres.
    pub const DISTANCE_KM: RangeInclusive<f64> = 0.0..=5_000.0;
    /// Ascent, metres.
    pub const ELEVATION_GAIN_M: RangeInclusive<f64> = 0.0..=50_000.0;
    /// Energy, kilocalories.
    pub const CALORIES: RangeInclusive<i64> = 0..=100_000;
    /// Title length, characters.
    pub const TITLE_CHARS: usize = 200;
    /// Notes length, characters.
    pub const NOTES_CHARS: usize = 10_000;
}

/// The internal load score of an activity (the Train it All `perceivedExertion` read back).
///
/// With an RPE written: `round(RPE * minutes / 5)`, which gives the spec's example (RPE 6
/// for 45 minutes is 54). Without: a best-effort estimate that assumes a moderate effort
/// (RPE 5) or, when the energy is known, an RPE of half the kilocalories per minute (a
/// 520 kcal run of 45 minutes is 5.8), kept within 1 to 10. Unknown without a duration.
pub fn load_score(
    rpe: Option<i32>,
    duration_sec: Option<f64>,
    calories: Option<i32>,
) -> Option<i32> {
    let minutes = duration_sec? / 60.0;
    if !(minutes.is_finite() && minutes > 0.0) {
        return None;
    }
    let effort = match (rpe, calories) {
        (Some(rpe), _) => f64::from(rpe),
        (None, Some(kcal)) if kcal > 0 => (f64::from(kcal) / minutes / 2.0).clamp(1.0, 10.0),
        (None, _) => 5.0,
    };
    let score = (effort * minutes / 5.0).round();
    // A week at RPE 10 is 20,160: far inside i32.
    Some(score as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rpe_six_for_45_minutes_scores_54() {
        assert_eq!(load_score(Some(6), Some(2700.0), Some(520)), Some(54));
    }

    #[test]
    fn without_rpe_the_score_assumes_a_moderate_effort() {
        assert_eq!(load_score(None, Some(2700.0), None), Some(45));
    }

    #[test]
    fn without_rpe_calories_set_the_effort() {
        // 520 kcal over 45 minutes: 11.6 kcal/min, an effort of 5.8.
        assert_eq!(load_score(None, Some(2700.0), Some(520)), Some(52));
        // A very high burn still counts as at most RPE 10.
        assert_eq!(load_score(None, Some(600.0), Some(5000)), Some(20));
    }

    #[test]
    fn without_a_duration_there_is_no_score() {
        assert_eq!(load_score(Some(6), None, None), None);
        assert_eq!(load_score(Some(6), Some(0.0), None), None);
    }
}
