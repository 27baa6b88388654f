//! The FIT encoder: activity files from Paceline's activity data, and workout files from a
//! [`Workout`].
//!
//! [`encode_activity`] writes a FIT activity file for any activity: with its record streams
//! when it has them, from its summary alone when it does not. [`encode_workout`] writes a
//! FIT workout file (`file_id` type `workout`, a `workout` message and its `workout_step`s)
//! that a watch or bike computer loads as a structured workout.
//!
//! Both follow the FIT protocol as Garmin's SDK reads it: a 14-byte header with its CRC,
//! little-endian definition and data messages with the profile's base types (absent values
//! written as the base type's invalid value), the profile's scales and offsets, and the file
//! CRC, computed with the decoder's own CRC table.
//!
//! # Decisions
//! - **What an activity file holds**, in this order: `file_id` (type `activity`, maker
//!   `development`, product name "Paceline", created at the activity's start), a timer
//!   `start` event, the records, a timer `stop_all` event, every lap, one session per leg,
//!   and the `activity` message (its `local_timestamp` carries the UTC offset). Grouping laps
//!   and sessions after the records is one of the layouts the FIT activity-file
//!   specification allows.
//! - **Summary only.** An activity without streams gets two records per leg, at its start
//!   and its end, carrying the time and the distance so far, so that every reader finds a
//!   time span; a leg without laps gets one lap with the leg's figures.
//! - **Values a field cannot hold** are clamped into its range (calories and ascent are
//!   16-bit in FIT); negative, NaN or infinite figures are left out. Times are written to
//!   the millisecond, distances to the centimetre, speeds to the millimetre per second,
//!   altitudes to 0.2 m, as the profile scales them.
//! - **Speeds** are written as `enhanced_speed` and `enhanced_avg_speed` /
//!   `enhanced_max_speed` (32-bit), altitudes as `enhanced_altitude`, so nothing overflows
//!   the 16-bit legacy fields.
//! - **Workouts** flatten repeats the FIT way: a repeat's steps come first, then a step of
//!   duration type `repeat_until_steps_cmplt` whose `duration_step` is the index of the
//!   first repeated step and whose `repeat_steps` is the number of times. [`decode_workout`]
//!   rebuilds the nesting.
//!
//! [`Workout`]: crate::workout::Workout
//! [`decode_workout`]: super::decode_workout

mod activity;
mod workout;
mod writer;

/// The FIT values workout steps are written with, shared with the workout decoder.
pub(crate) mod workout_values {
    /// `wkt_step_duration` values.
    pub(crate) mod duration {
        pub(crate) const TIME: u8 = 0;
        pub(crate) const DISTANCE: u8 = 1;
        pub(crate) const OPEN: u8 = 5;
        pub(crate) const REPEAT_UNTIL_STEPS_CMPLT: u8 = 6;
    }

    /// `wkt_step_target` values.
    pub(crate) mod target {
        pub(crate) const SPEED: u8 = 0;
        pub(crate) const HEART_RATE: u8 = 1;
        pub(crate) const OPEN: u8 = 2;
        pub(crate) const CADENCE: u8 = 3;
        pub(crate) const POWER: u8 = 4;
    }

    /// A custom heart rate above this is beats per minute plus 100; up to it, percent of max.
    pub(crate) const HEART_RATE_BPM_OFFSET: u32 = 100;
    /// A custom power above this is watts plus 1000; up to it, percent of FTP.
    pub(crate) const POWER_WATTS_OFFSET: u32 = 1000;
}

use super::{DecodedActivity, Figures, FitTime, RecordStreams, Sport, SubSport};

pub use activity::encode_activity;
pub use workout::encode_workout;

/// An activity to encode: what the server holds for an activity, from a database row and
/// its optional streams.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActivityForEncoding {
    /// The legs: one for a single-sport activity, several for a multisport one (each
    /// becomes a FIT session). An activity with no leg is written as one `generic` leg
    /// starting at the first record (or at the FIT epoch when there is none).
    pub legs: Vec<LegForEncoding>,
    /// The record streams, empty when the activity has none. Records must be in time order.
    pub streams: RecordStreams,
    /// Local time minus UTC at the activity, in seconds (written as the `activity`
    /// message's `local_timestamp`; an offset of a day or more is left out).
    pub utc_offset_s: Option<i32>,
}

/// One leg (a FIT session).
#[derive(Debug, Clone, PartialEq)]
pub struct LegForEncoding {
    /// The FIT sport ([`crate::fit::ActivityType::fit_sport`] gives it for a Paceline type).
    pub sport: Sport,
    /// The FIT sub-sport, if any.
    pub sub_sport: Option<SubSport>,
    /// When the leg started (UTC).
    pub start_time: FitTime,
    /// The leg's totals and averages. The leg ends `elapsed_s` (or else `timer_s`) after
    /// its start; without either, at its last lap's or record's end.
    pub figures: Figures,
    /// The leg's laps in order; none writes one lap with the leg's figures.
    pub laps: Vec<LapForEncoding>,
    /// Pool length in metres, for a pool swim.
    pub pool_length_m: Option<f64>,
    /// The number of pool lengths swum.
    pub active_lengths: Option<u16>,
}

/// One lap.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LapForEncoding {
    /// When the lap started (UTC).
    pub start_time: FitTime,
    /// The lap's figures; it ends `elapsed_s` (or else `timer_s`) after its start, else
    /// where the next lap (or the leg) does.
    pub figures: Figures,
}

impl LegForEncoding {
    /// A leg of `sport` with the given figures and no laps.
    #[must_use]
    pub fn new(
        sport: Sport,
        sub_sport: Option<SubSport>,
        start_time: FitTime,
        figures: Figures,
    ) -> Self {
        Self {
            sport,
            sub_sport,
            start_time,
            figures,
            laps: Vec::new(),
            pool_length_m: None,
            active_lengths: None,
        }
    }
}

impl ActivityForEncoding {
    /// Everything a decoded FIT file holds that the encoder writes: its sessions as legs
    /// with their laps (taken in order, each session's `num_laps` at a time, or else by
    /// time), its streams and its UTC offset. A leg without a sport gets its activity
    /// type's; a missing start time is the activity's, else its first record's. A file without sessions becomes one leg with
    /// the summary's figures. Handy for re-encoding an upload and for round-trip tests.
    #[must_use]
    pub fn from_decoded(decoded: &DecodedActivity) -> Self {
        let fallback_start = decoded
            .summary
            .start_time
            .or_else(|| decoded.streams.time.iter().flatten().next().copied())
            .unwrap_or(FitTime(0));
        let lap = |lap: &super::LapSummary| LapForEncoding {
            start_time: lap.start_time.unwrap_or(fallback_start),
            figures: lap.figures,
        };
        let (sport, sub_sport) = match decoded.summary.sport {
            Some(sport) => (sport, decoded.summary.sub_sport),
            None => decoded.summary.activity_type.fit_sport(),
        };
        let lap_ranges = leg_laps(decoded);
        let legs = if decoded.legs.is_empty() {
            let mut leg =
                LegForEncoding::new(sport, sub_sport, fallback_start, decoded.summary.figures);
            leg.laps = decoded.laps.iter().map(lap).collect();
            vec![leg]
        } else {
            decoded
                .legs
                .iter()
                .zip(lap_ranges)
                .map(|(leg, laps)| {
                    let (sport, sub_sport) = match leg.sport {
                        Some(sport) => (sport, leg.sub_sport),
                        None => leg.activity_type.fit_sport(),
                    };
                    LegForEncoding {
                        sport,
                        sub_sport,
                        start_time: leg.start_time.unwrap_or(fallback_start),
                        figures: leg.figures,
                        laps: decoded
                            .laps
                            .get(laps)
                            .unwrap_or_default()
                            .iter()
                            .map(lap)
                            .collect(),
                        pool_length_m: leg.pool_length_m,
                        active_lengths: leg.active_lengths,
                    }
                })
                .collect()
        };
        Self {
            legs,
            streams: decoded.streams.clone(),
            utc_offset_s: decoded.summary.utc_offset_s,
        }
    }
}

/// Which of a decoded file's laps belong to each of its legs, in order: one range per leg
/// (one for the whole activity when the file has no session). Laps are taken in order,
/// each session's `num_laps` at a time, or else while they start before the leg ends: a
/// chain of FIT files restarts `first_lap_index` in each file, so it cannot be trusted.
#[must_use]
pub fn leg_laps(decoded: &DecodedActivity) -> Vec<std::ops::Range<usize>> {
    if decoded.legs.is_empty() {
        return std::iter::once(0..decoded.laps.len()).collect();
    }
    let mut next_lap = 0usize;
    decoded
        .legs
        .iter()
        .map(|leg| {
            let first = next_lap.min(decoded.laps.len());
            let count = leg.lap_count.map_or_else(
                || {
                    decoded
                        .laps
                        .iter()
                        .skip(first)
                        .take_while(|l| {
                            leg.end_time
                                .is_none_or(|end| l.start_time.is_none_or(|start| start < end))
                        })
                        .count()
                },
                usize::from,
            );
            next_lap = (first + count).min(decoded.laps.len());
            first..next_lap
        })
        .collect()
}

#[cfg(test)]
mod tests;
