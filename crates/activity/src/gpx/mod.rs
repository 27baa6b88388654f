//! The GPX reader: GPX 1.0 and 1.1 tracks into the same summary and record streams the FIT
//! decoder gives.
//!
//! [`decode_gpx`] reads any GPX file: its tracks, segments and points (with the heart rate,
//! cadence, power, temperature and speed that Garmin's, Cluetrust's and other extensions
//! carry), and counts its routes and waypoints. [`decode_gpx_activity`] is the upload path:
//! it also refuses a file without track points (waypoints or routes only).
//!
//! # Mapping
//! - Every track point is a record, in file order across tracks and segments: its time
//!   (whole seconds, as in FIT), position, `ele`, and from its `extensions` (matched by
//!   local name, whatever the prefix) `hr`, `cad` or `cadence`, `power` or
//!   `PowerInWatts`, `atemp`, `temp` or `Temperature`, `speed` (GPX 1.0's `speed` element
//!   too). The distance column is the 2-D track length so far.
//! - Lengths, climbs and the duration are computed as gpxpy computes them
//!   ([`GpxFile::length_2d_m`] and the rest), so the figures match gpxpy-based tools. The
//!   summary is the FIT decoder's summary from records, with the distance the 2-D length,
//!   the timer time the duration (time within segments, gaps between segments excluded)
//!   and the ascent and descent gpxpy's smoothed climbs; the first track's `type` gives the
//!   sport (`running`, `cycling`, `walking`, `hiking`, `swimming` and their short forms).
//! - Routes (planned paths) and waypoints are counted, not turned into records.

mod geo;
mod parse;

use crate::fit::{ActivitySummary, RecordStreams};
use crate::xml::{Timestamp, XmlError};

/// A GPX file, read.
#[derive(Debug, Clone, PartialEq)]
pub struct GpxFile {
    /// The `version` attribute.
    pub version: Option<String>,
    /// The `creator` attribute.
    pub creator: Option<String>,
    /// The activity summary derived from the track points.
    pub summary: ActivitySummary,
    /// Every track point, in file order.
    pub streams: RecordStreams,
    /// The tracks.
    pub tracks: Vec<GpxTrack>,
    /// The number of routes.
    pub routes: usize,
    /// The number of route points.
    pub route_points: usize,
    /// The number of waypoints.
    pub waypoints: usize,
    /// The first track point's time, exact.
    pub start_time: Option<Timestamp>,
    /// The last track point's time, exact.
    pub end_time: Option<Timestamp>,
    /// The time within segments, summed (gpxpy's `get_duration`): `None` when a segment's
    /// first two or last two points lack a time, or it runs backwards.
    pub duration_s: Option<f64>,
    /// The 2-D length of all tracks, metres.
    pub length_2d_m: f64,
    /// The 3-D length (with elevation), metres.
    pub length_3d_m: f64,
    /// The climb over smoothed elevations, metres.
    pub uphill_m: f64,
    /// The descent over smoothed elevations, metres.
    pub downhill_m: f64,
}

/// One `<trk>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GpxTrack {
    /// Its `name`.
    pub name: Option<String>,
    /// Its `type` (`running`, `cycling`...).
    pub kind: Option<String>,
    /// The number of segments.
    pub segments: usize,
    /// Its points among the records of [`GpxFile::streams`].
    pub records: std::ops::Range<usize>,
}

/// Reads a GPX file: tracks, segments and points, and the number of routes and waypoints
/// (see the [module docs](self)).
///
/// # Errors
/// Input that is not well-formed XML, carries a DTD, nests too deep or is too large; a
/// root element other than `gpx`; a point without a valid `lat` and `lon`; a value that
/// does not parse; more points than the limit.
pub fn decode_gpx(bytes: &[u8]) -> Result<GpxFile, XmlError> {
    parse::parse(bytes)
}

/// Reads a GPX file as an uploaded activity: as [`decode_gpx`], and refused with
/// [`XmlError::NotAnActivity`] when it has no track point.
///
/// # Errors
/// As [`decode_gpx`], and [`XmlError::NotAnActivity`].
pub fn decode_gpx_activity(bytes: &[u8]) -> Result<GpxFile, XmlError> {
    let file = decode_gpx(bytes)?;
    if file.streams.is_empty() {
        return Err(XmlError::NotAnActivity {
            what: if file.routes > 0 {
                "a GPX file of routes"
            } else if file.waypoints > 0 {
                "a GPX file of waypoints"
            } else {
                "a GPX file without tracks"
            },
        });
    }
    Ok(file)
}

#[cfg(test)]
mod tests;
