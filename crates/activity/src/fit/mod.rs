//! The FIT decoder.
//!
//! [`decode_activity`] turns the bytes of an uploaded FIT file into a [`DecodedActivity`]:
//! the activity summary, one [`LegSummary`] per session (several make a `MULTISPORT`
//! activity), the laps, and the record streams as columns. [`decode_fit`] does the same for
//! any FIT file without requiring an activity (a course's records, say). [`reader`] is the
//! low-level single-pass reader both are built on, for callers that want the messages
//! themselves.
//!
//! Decoding follows Garmin's FIT protocol and profile and, where a choice exists, what
//! Garmin's own SDK does, so the figures match what Garmin's tools show: invalid values are
//! absent, the 16-bit `speed` and `altitude` fields stand for their `enhanced_*` forms, and
//! heart rates that a chest strap stored in `hr` messages (swims) are merged into the
//! records by time.
//!
//! # Decisions
//! - **Strict integrity.** Every FIT file of a chain must have a good header, a matching
//!   header CRC (or 0, which the protocol allows) and a matching file CRC; bytes after the
//!   last file must be another FIT file. A corrupt second file refuses the whole upload, as
//!   Garmin's SDK does, rather than importing half of it silently.
//! - **Compressed-timestamp headers** are resolved against the last full timestamp of the
//!   same FIT file (Garmin's SDKs refuse them; the protocol defines them).
//! - **Developer fields** are skipped by their declared size; their descriptions are not
//!   needed for anything Paceline shows.
//! - **Summaries.** One session gives the summary, with figures it lacks (normalized power,
//!   say) derived from the records. Several sessions make a `MULTISPORT` activity whose
//!   totals are the sums of the legs and whose averages are weighted by timer time. Without
//!   a session, everything comes from the records, the sport from the `sport` message or the
//!   first lap, the timer time from the `activity` message or the timer events.
//! - **Bounded memory.** One pass over the borrowed input; one allocation for the 16-slot
//!   definition table; record columns reserved once from the input size and allocated only
//!   for values that occur. Records that carry nothing are not kept, and past
//!   [`MAX_RECORDS`] records, [`MAX_LAPS`] laps or [`MAX_SESSIONS`] sessions the file is
//!   refused: a hostile file cannot make the decoder hold more than a few hundred megabytes,
//!   and every loop consumes input, so it always ends.

pub(crate) mod collect;
pub mod encode;
mod error;
mod hr;
pub mod profile;
pub mod reader;
pub(crate) mod summary;
mod time;
mod workout;

pub use encode::{
    ActivityForEncoding, LapForEncoding, LegForEncoding, encode_activity, encode_workout, leg_laps,
};
pub use error::FitError;
pub use profile::{ActivityType, FileType, Sport, SubSport};
pub use time::FitTime;
pub use workout::decode_workout;

/// The most records one decode keeps; past it the file is refused. A day at one record a
/// second is 86,400; this bounds memory on hostile input at a few hundred megabytes.
pub const MAX_RECORDS: usize = 4_000_000;
/// The most laps one decode keeps; past it the file is refused.
pub const MAX_LAPS: usize = 100_000;
/// The most sessions (legs) one decode keeps; past it the file is refused.
pub const MAX_SESSIONS: usize = 10_000;

/// Decodes an activity FIT file.
///
/// # Errors
/// [`FitError::NotAnActivity`] for a valid FIT file of another type (a workout, settings, a
/// course, monitoring or weight-scale data); otherwise as [`decode_fit`].
pub fn decode_activity(bytes: &[u8]) -> Result<DecodedActivity, FitError> {
    let decoded = decode_fit(bytes)?;
    match decoded.file_id.file_type {
        Some(FileType::Activity) | None => Ok(decoded),
        Some(_) if decoded.contains_activity_file => Ok(decoded),
        Some(file_type) => Err(FitError::NotAnActivity { file_type }),
    }
}

/// Decodes any FIT file (or chain of FIT files) into the activity model, whatever its file
/// type: a course yields its records, a workout yields nothing but its `file_id`.
///
/// # Errors
/// Corrupt, truncated or hostile input: an empty input, a bad header or CRC, a malformed or
/// truncated message, or more records, laps or sessions than the limits allow. The error
/// carries the byte offset where decoding stopped.
pub fn decode_fit(bytes: &[u8]) -> Result<DecodedActivity, FitError> {
    let mut collector = collect::Collector::new(bytes.len());
    reader::read(bytes, &mut collector)?;
    Ok(collector.finish())
}

/// Decodes an activity FIT file as it arrives, chunk by chunk, keeping what an import needs:
/// the `file_id`, the summary, the legs, laps, devices and the `activity` message, with the
/// figures derived from the records gathered on the way, and the records only in their
/// stored form ([`crate::streams`], about ten bytes a record). The [`DecodedActivity`] it
/// ends with has no record streams and no RR intervals; everything else is what
/// [`decode_activity`] gives for the same bytes, and the stored form is what
/// [`crate::streams::encode`] writes for its streams.
///
/// Its memory is a message cut off between two chunks, the laps and the stored records. The
/// one exception: heart rates a strap stored in `hr` messages (swims) are merged into the
/// records by time, which needs the records, so such a file ends with `None`: decode it
/// whole with [`decode_activity`].
pub struct ActivityStream {
    reader: reader::Streaming<collect::Collector>,
}

/// What [`ActivityStream`] ends with.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamedActivity {
    /// The activity, without its record streams.
    pub activity: DecodedActivity,
    /// Its record streams in their stored form ([`crate::streams`]).
    pub stored_streams: Vec<u8>,
    /// The number of records in them.
    pub points: u64,
}

impl Default for ActivityStream {
    fn default() -> Self {
        Self::new()
    }
}

impl ActivityStream {
    /// Nothing read yet.
    #[must_use]
    pub fn new() -> Self {
        Self {
            reader: reader::Streaming::new(collect::Collector::summary_only()),
        }
    }

    /// Reads the next chunk of the file.
    ///
    /// # Errors
    /// As [`decode_fit`], as soon as the bytes show it; after an error, feed no more.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), FitError> {
        self.reader.feed(chunk)
    }

    /// Ends the file: the decoded activity without its record streams, or `None` when its
    /// heart rates need a whole decode (see above).
    ///
    /// # Errors
    /// As [`decode_activity`], for the file's end (a file cut off) and its type.
    pub fn finish(self) -> Result<Option<DecodedActivity>, FitError> {
        Ok(self.finish_stored()?.map(|streamed| streamed.activity))
    }

    /// Ends the file as [`finish`](Self::finish) does, keeping the records' stored form.
    ///
    /// # Errors
    /// As [`finish`](Self::finish).
    pub fn finish_stored(self) -> Result<Option<StreamedActivity>, FitError> {
        let mut collector = self.reader.finish()?;
        if collector.needs_records() {
            return Ok(None);
        }
        let stored = collector.take_stored();
        let points = stored.len();
        let decoded = collector.finish();
        match decoded.file_id.file_type {
            Some(FileType::Activity) | None => {}
            Some(_) if decoded.contains_activity_file => {}
            Some(file_type) => return Err(FitError::NotAnActivity { file_type }),
        }
        Ok(Some(StreamedActivity {
            activity: decoded,
            stored_streams: stored.finish(),
            points,
        }))
    }
}

/// A decoded FIT file.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedActivity {
    /// The first FIT file's `file_id`: its type, maker and creation time.
    pub file_id: FileId,
    /// Whether any FIT file of a chain declares itself an activity.
    pub contains_activity_file: bool,
    /// The number of FIT files in the input (more than one when chained).
    pub fit_files: usize,
    /// The whole activity: from its sessions, or derived from the records when the device
    /// wrote no session.
    pub summary: ActivitySummary,
    /// One entry per session, in file order; more than one makes a `MULTISPORT` activity.
    pub legs: Vec<LegSummary>,
    /// Every lap, in file order.
    pub laps: Vec<LapSummary>,
    /// The record streams.
    pub streams: RecordStreams,
    /// The `device_info` messages (the recording device and its sensors), at most 256.
    pub devices: Vec<DeviceInfo>,
    /// Beat-to-beat intervals from `hrv` messages, in milliseconds.
    pub rr_intervals_ms: Vec<u16>,
    /// The number of `length` messages (pool lengths).
    pub length_count: usize,
    /// The number of `record` messages, including any that carried no value.
    pub record_messages: usize,
    /// The `activity` message, when the file has one.
    pub activity: Option<ActivityInfo>,
}

/// The `file_id` message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileId {
    /// What kind of file this is; `None` when the writer left it out.
    pub file_type: Option<FileType>,
    /// The maker, as a FIT `manufacturer` number (see [`profile::manufacturer_name`]).
    pub manufacturer: Option<u16>,
    /// The maker's product number.
    pub product: Option<u16>,
    /// The product name, for makers that write one.
    pub product_name: Option<String>,
    /// The device's serial number.
    pub serial_number: Option<u32>,
    /// When the file was created.
    pub time_created: Option<FitTime>,
}

/// One `device_info` message.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeviceInfo {
    /// 0 is the recording device (the creator); others are sensors.
    pub device_index: Option<u8>,
    /// The maker, as a FIT `manufacturer` number.
    pub manufacturer: Option<u16>,
    /// The maker's product number.
    pub product: Option<u16>,
    /// The product name, for makers that write one.
    pub product_name: Option<String>,
    /// The serial number.
    pub serial_number: Option<u32>,
    /// The software version (`5.10`).
    pub software_version: Option<f64>,
}

/// The `activity` message.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ActivityInfo {
    /// When the activity ended (UTC).
    pub timestamp: Option<FitTime>,
    /// The same instant in the device's local time.
    pub local_timestamp: Option<FitTime>,
    /// The timer time of the whole activity, in seconds.
    pub total_timer_s: Option<f64>,
    /// The number of sessions the device says it wrote.
    pub num_sessions: Option<u16>,
}

/// Totals and averages of an activity, a leg or a lap. Every figure is `None` when the file
/// does not give it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Figures {
    /// Wall-clock time from start to end, in seconds.
    pub elapsed_s: Option<f64>,
    /// Time with the timer running, in seconds.
    pub timer_s: Option<f64>,
    /// Distance in metres.
    pub distance_m: Option<f64>,
    /// Total ascent in metres.
    pub ascent_m: Option<u32>,
    /// Total descent in metres.
    pub descent_m: Option<u32>,
    /// Average heart rate, beats per minute.
    pub avg_heart_rate: Option<u8>,
    /// Maximum heart rate, beats per minute.
    pub max_heart_rate: Option<u8>,
    /// Average power, watts.
    pub avg_power_w: Option<u16>,
    /// Maximum power, watts.
    pub max_power_w: Option<u16>,
    /// Normalized power, watts.
    pub normalized_power_w: Option<u16>,
    /// Average cadence (rpm, or steps or strokes per minute by sport).
    pub avg_cadence: Option<u8>,
    /// Maximum cadence.
    pub max_cadence: Option<u8>,
    /// Average speed, metres per second.
    pub avg_speed_mps: Option<f64>,
    /// Maximum speed, metres per second.
    pub max_speed_mps: Option<f64>,
    /// Energy in kilocalories.
    pub calories_kcal: Option<u32>,
}

/// Where an [`ActivitySummary`] came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SummarySource {
    /// The device's session messages (figures they lack are derived from the records).
    Sessions,
    /// The records alone: the device wrote no session message.
    Records,
}

/// The whole activity.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivitySummary {
    /// Paceline's activity type: `MULTISPORT` for several legs.
    pub activity_type: ActivityType,
    /// The FIT sport of a single-leg activity.
    pub sport: Option<Sport>,
    /// The FIT sub-sport of a single-leg activity.
    pub sub_sport: Option<SubSport>,
    /// When it started (UTC).
    pub start_time: Option<FitTime>,
    /// Local time minus UTC at the device, in seconds, from the `activity` message.
    pub utc_offset_s: Option<i32>,
    /// Totals (sums over the legs of a multisport activity) and averages.
    pub figures: Figures,
    /// The number of laps.
    pub lap_count: usize,
    /// Sessions or records.
    pub source: SummarySource,
}

/// One session: a single-sport activity, or one leg of a multisport one.
#[derive(Debug, Clone, PartialEq)]
pub struct LegSummary {
    /// Paceline's activity type of this leg.
    pub activity_type: ActivityType,
    /// The FIT sport.
    pub sport: Option<Sport>,
    /// The FIT sub-sport.
    pub sub_sport: Option<SubSport>,
    /// When the leg started.
    pub start_time: Option<FitTime>,
    /// When the session message was written (the leg's end).
    pub end_time: Option<FitTime>,
    /// The leg's figures, as the device wrote them.
    pub figures: Figures,
    /// The number of laps the device counts in this leg.
    pub lap_count: Option<u16>,
    /// The index of the leg's first lap among all laps.
    pub first_lap_index: Option<u16>,
    /// Pool length in metres, for pool swims.
    pub pool_length_m: Option<f64>,
    /// The number of lengths swum, for pool swims.
    pub active_lengths: Option<u16>,
}

/// One lap.
#[derive(Debug, Clone, PartialEq)]
pub struct LapSummary {
    /// The FIT sport, when the lap says.
    pub sport: Option<Sport>,
    /// The FIT sub-sport, when the lap says.
    pub sub_sport: Option<SubSport>,
    /// When the lap started.
    pub start_time: Option<FitTime>,
    /// When the lap message was written (the lap's end).
    pub end_time: Option<FitTime>,
    /// The lap's figures.
    pub figures: Figures,
}

/// A position in FIT semicircles (2^31 semicircles are 180 degrees).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// Latitude in semicircles.
    pub lat_semicircles: i32,
    /// Longitude in semicircles.
    pub lon_semicircles: i32,
}

impl Position {
    const DEGREES_PER_SEMICIRCLE: f64 = 180.0 / 2_147_483_648.0;

    /// Latitude in degrees.
    #[must_use]
    pub fn lat_deg(self) -> f64 {
        f64::from(self.lat_semicircles) * Self::DEGREES_PER_SEMICIRCLE
    }

    /// Longitude in degrees.
    #[must_use]
    pub fn lon_deg(self) -> f64 {
        f64::from(self.lon_semicircles) * Self::DEGREES_PER_SEMICIRCLE
    }
}

/// The record streams as columns, one entry per kept record.
///
/// Every column is either empty (no record carried that value) or exactly [`len`] long,
/// with `None` where a record lacked the value. Records that carried no timestamp and no
/// value at all are not kept.
///
/// [`len`]: RecordStreams::len
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecordStreams {
    len: usize,
    /// Record times (UTC).
    pub time: Vec<Option<FitTime>>,
    /// Positions.
    pub position: Vec<Option<Position>>,
    /// Altitude in metres (`enhanced_altitude`, or the 16-bit `altitude` it expands from).
    pub altitude_m: Vec<Option<f64>>,
    /// Heart rate in beats per minute (merged from `hr` messages where a strap stored them).
    pub heart_rate: Vec<Option<u8>>,
    /// Power in watts.
    pub power_w: Vec<Option<u16>>,
    /// Cadence (rpm, or steps or strokes per minute by sport).
    pub cadence: Vec<Option<u8>>,
    /// Speed in metres per second (`enhanced_speed`, or the 16-bit `speed`).
    pub speed_mps: Vec<Option<f64>>,
    /// Distance from the start in metres.
    pub distance_m: Vec<Option<f64>>,
    /// Temperature in degrees Celsius.
    pub temperature_c: Vec<Option<i8>>,
}

/// One record: a row of [`RecordStreams`]. Every value is optional.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Record {
    /// The record's time (UTC).
    pub time: Option<FitTime>,
    /// The position.
    pub position: Option<Position>,
    /// Altitude in metres.
    pub altitude_m: Option<f64>,
    /// Heart rate in beats per minute.
    pub heart_rate: Option<u8>,
    /// Power in watts.
    pub power_w: Option<u16>,
    /// Cadence.
    pub cadence: Option<u8>,
    /// Speed in metres per second.
    pub speed_mps: Option<f64>,
    /// Distance from the start in metres.
    pub distance_m: Option<f64>,
    /// Temperature in degrees Celsius.
    pub temperature_c: Option<i8>,
}

impl RecordStreams {
    /// Appends a record, keeping every column either empty or [`len`](Self::len) long: a
    /// column is created (filled with `None` for the earlier records) at its first value.
    pub fn push(&mut self, record: Record) {
        let len = self.len;
        push_value(&mut self.time, len, record.time);
        push_value(&mut self.position, len, record.position);
        push_value(&mut self.altitude_m, len, record.altitude_m);
        push_value(&mut self.heart_rate, len, record.heart_rate);
        push_value(&mut self.power_w, len, record.power_w);
        push_value(&mut self.cadence, len, record.cadence);
        push_value(&mut self.speed_mps, len, record.speed_mps);
        push_value(&mut self.distance_m, len, record.distance_m);
        push_value(&mut self.temperature_c, len, record.temperature_c);
        self.len = len + 1;
    }

    /// The record at `index`, or `None` past the end.
    #[must_use]
    pub fn get(&self, index: usize) -> Option<Record> {
        fn at<T: Copy>(column: &[Option<T>], index: usize) -> Option<T> {
            column.get(index).copied().flatten()
        }
        (index < self.len).then(|| Record {
            time: at(&self.time, index),
            position: at(&self.position, index),
            altitude_m: at(&self.altitude_m, index),
            heart_rate: at(&self.heart_rate, index),
            power_w: at(&self.power_w, index),
            cadence: at(&self.cadence, index),
            speed_mps: at(&self.speed_mps, index),
            distance_m: at(&self.distance_m, index),
            temperature_c: at(&self.temperature_c, index),
        })
    }

    /// The records in order.
    pub fn iter(&self) -> impl Iterator<Item = Record> + '_ {
        (0..self.len).filter_map(|index| self.get(index))
    }

    /// The number of records kept.
    #[must_use]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no record was kept.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// Appends to a column that is either empty or `len` long, creating it at its first value.
fn push_value<T: Copy>(column: &mut Vec<Option<T>>, len: usize, value: Option<T>) {
    if !column.is_empty() {
        column.push(value);
    } else if value.is_some() {
        column.resize(len, None);
        column.push(value);
    }
}

#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;
