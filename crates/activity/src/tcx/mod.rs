//! The TCX reader: Garmin's Training Center XML into the same summary, legs, laps and record
//! streams the FIT decoder gives.
//!
//! [`decode_tcx`] reads any TCX file: its activities (each `<Activity>` is a leg; a
//! `<MultiSportSession>` holds several), their laps and trackpoints, and counts its courses
//! and workouts. A file without activities but with a course yields the course's
//! trackpoints as records. [`decode_tcx_activity`] is the upload path: it also refuses a
//! file that has no trackpoint at all (a workout, an empty database).
//!
//! # Mapping
//! - TCX sports map to FIT sports: `Running` is `running`, `Biking` is `cycling`, anything
//!   else (`Other`) is `generic`; the activity types follow ([`ActivityType::from_sport`]).
//! - A lap's `TotalTimeSeconds` is its timer time, `DistanceMeters`, `Calories`,
//!   `MaximumSpeed`, `AverageHeartRateBpm`, `MaximumHeartRateBpm` and `Cadence` its figures,
//!   with `AvgSpeed`, `AvgWatts` and `MaxWatts` from the `LX` extension. A leg's totals are
//!   the sums of its laps, its averages weighted by the laps' times, its elapsed time from
//!   its first lap's start to its last trackpoint. The activity summary is then built the
//!   way the FIT decoder builds it from sessions (figures a leg lacks come from the
//!   records; several legs make a `MULTISPORT` activity).
//! - A trackpoint's `Time`, `Position`, `AltitudeMeters`, `DistanceMeters`,
//!   `HeartRateBpm`, `Cadence` (or the `TPX` extension's `RunCadence`), and the `TPX`
//!   extension's `Speed` and `Watts` fill one record. Every trackpoint is a record, even an
//!   empty one, so record counts are trackpoint counts. Record times are whole seconds (as
//!   in FIT); [`TcxFile::lap_details`] keeps lap times to the microsecond.
//!
//! [`ActivityType::from_sport`]: crate::fit::ActivityType::from_sport

mod parse;

use std::ops::Range;

use crate::fit::{ActivitySummary, LapSummary, LegSummary, RecordStreams};
use crate::xml::{Timestamp, XmlError};

/// A TCX file, read.
#[derive(Debug, Clone, PartialEq)]
pub struct TcxFile {
    /// The whole activity, as the FIT decoder summarizes sessions.
    pub summary: ActivitySummary,
    /// One leg per `<Activity>`, in file order.
    pub legs: Vec<LegSummary>,
    /// Every lap of every activity, in file order.
    pub laps: Vec<LapSummary>,
    /// Every trackpoint of every activity; for a file without activities, the first
    /// course's trackpoints.
    pub streams: RecordStreams,
    /// Per activity: its sport as written, its `Id`, and which laps and records are its.
    pub activities: Vec<TcxActivity>,
    /// Per lap (parallel to [`TcxFile::laps`]): exact times and which records are its.
    pub lap_details: Vec<TcxLap>,
    /// The number of `<MultiSportSession>` elements.
    pub multisport_sessions: usize,
    /// The number of courses.
    pub courses: usize,
    /// The number of workouts.
    pub workouts: usize,
    /// Whether [`TcxFile::streams`] holds a course's trackpoints (the file has no activity).
    pub streams_from_course: bool,
}

/// One `<Activity>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcxActivity {
    /// The `Sport` attribute as written (`Running`, `Biking`, `Other`).
    pub sport: String,
    /// The `Id`: the activity's start, as the device wrote it.
    pub id: Option<Timestamp>,
    /// Its laps among [`TcxFile::laps`].
    pub laps: Range<usize>,
    /// Its trackpoints among the records of [`TcxFile::streams`].
    pub records: Range<usize>,
}

/// The exact times of a lap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcxLap {
    /// The `StartTime` attribute.
    pub start: Option<Timestamp>,
    /// The time of its last trackpoint that has one.
    pub last_point: Option<Timestamp>,
    /// Its trackpoints among the records of [`TcxFile::streams`].
    pub records: Range<usize>,
    /// Its `<Track>` elements: devices start a new one after a pause.
    pub tracks: Vec<TcxTrack>,
}

/// One `<Track>` of a lap: a run of trackpoints without a pause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcxTrack {
    /// Its trackpoints among the records of [`TcxFile::streams`].
    pub records: Range<usize>,
    /// The time of its first trackpoint that has one.
    pub first_point: Option<Timestamp>,
    /// The time of its last trackpoint that has one.
    pub last_point: Option<Timestamp>,
}

/// Reads a TCX file: activities, laps, trackpoints, and the number of courses and
/// workouts (see the [module docs](self)).
///
/// # Errors
/// Input that is not well-formed XML, carries a DTD, nests too deep or is too large; a
/// root element other than `TrainingCenterDatabase`; a value that does not parse (a
/// heart rate of `abc`); more trackpoints or laps than the limits.
pub fn decode_tcx(bytes: &[u8]) -> Result<TcxFile, XmlError> {
    parse::parse(bytes)
}

/// Reads a TCX file as an uploaded activity: as [`decode_tcx`], and refused with
/// [`XmlError::NotAnActivity`] when it has no trackpoint (a workout or an empty file).
///
/// # Errors
/// As [`decode_tcx`], and [`XmlError::NotAnActivity`].
pub fn decode_tcx_activity(bytes: &[u8]) -> Result<TcxFile, XmlError> {
    let file = decode_tcx(bytes)?;
    if file.streams.is_empty() && file.laps.is_empty() {
        return Err(XmlError::NotAnActivity {
            what: if file.workouts > 0 {
                "a TCX workout"
            } else if file.courses > 0 {
                "a TCX course without trackpoints"
            } else {
                "a TCX file without activities"
            },
        });
    }
    Ok(file)
}

#[cfg(test)]
mod tests;
