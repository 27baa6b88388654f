//! Activities: what an athlete did, from any source (an OAuth client's JSON, an uploaded
//! file, the web app), kept once and shown by both API surfaces.

use crate::entities::text_enum;
use crate::ids::{ActivityId, MembershipId, OrgId, UserId};
use crate::oauth::client::ClientKey;
use crate::store::StoreError;
use async_trait::async_trait;
use time::OffsetDateTime;

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
    /// The client's id for the record, or the file's SHA-256.
    pub external_id: String,
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
    /// Energy, kilocalories (positive).
    pub calories: Option<i32>,
    /// Perceived exertion as written, 1 to 10.
    pub rpe: Option<i32>,
    /// The internal load score.
    pub load_score: Option<i32>,
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

/// Which activities to list: newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActivityQuery {
    /// 1-based page.
    pub page: u32,
    /// Items per page.
    pub per_page: u32,
    /// Only activities started at or after this instant.
    pub started_from: Option<OffsetDateTime>,
    /// Only activities started before this instant.
    pub started_before: Option<OffsetDateTime>,
    /// Only activities changed at or after this instant.
    pub updated_since: Option<OffsetDateTime>,
}

/// One page of activities.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityPage {
    /// The activities, newest start first.
    pub items: Vec<Activity>,
    /// Whether another page follows.
    pub has_next: bool,
}

/// Storage for activities.
#[async_trait]
pub trait ActivityStore: Send + Sync {
    /// Records an activity with its source in one transaction. When the same source (the
    /// athlete, provider, client and external id) was recorded before, creates nothing and
    /// answers the existing activity's key with `duplicate: true`.
    async fn record_activity(&self, new: NewActivity) -> Result<Recorded, StoreError>;

    /// A page of a user's activities, newest start first. The cost does not grow with the
    /// athlete's history beyond the page asked for.
    async fn list_activities(
        &self,
        user: UserId,
        query: ActivityQuery,
    ) -> Result<ActivityPage, StoreError>;
}
