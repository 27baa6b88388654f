//! The stored form of an activity's record streams: compact columns, read back whole.
//!
//! A six-hour ride recorded every second is about 21,600 points of ten quantities; stored as
//! the decoder holds them (`Option<f64>` and friends) that is some 2 MB, as FIT some 700 kB.
//! Stored here it is about 15 bytes a point, and it decodes at memory speed without a
//! general-purpose decompressor. The choices:
//! - **Columns, not rows**: each quantity is stored on its own, so a column a device never
//!   wrote costs nothing, and neighbouring values, being alike, encode small.
//! - **Fixed-point integers at the resolution FIT itself uses**: seconds, semicircles,
//!   centimetres of altitude and distance, millimetres per second, whole beats, watts,
//!   revolutions and degrees. A FIT activity comes back at the resolution it was recorded
//!   at; a TCX or GPX figure is rounded to that grid (a centimetre, a millimetre per
//!   second), far finer than any device measures.
//! - **Deltas, zigzag, LEB128 varints**: each present value is stored as the difference
//!   from the column's previous present value, so a steady second-by-second stream is one
//!   byte a value.
//! - **Presence as runs**: where a column has gaps, which records have a value is stored as
//!   alternating run lengths (absent, present, absent...), a few bytes for a whole ride.
//!
//! Layout: the magic `PLS1`, the point count, the number of columns, then each column as
//! its tag, its runs (count, then lengths) and its values. Every number is a varint; the
//! decoder checks every length against what is left, so damaged bytes are an error, never a
//! panic or an allocation the input did not pay for.

use crate::fit::{FitTime, Position, Record, RecordStreams};

/// The first bytes of the format.
pub const MAGIC: &[u8; 4] = b"PLS1";

/// The name the store keeps beside the bytes.
pub const ENCODING: &str = "pls1";

/// Why stored streams could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StreamsError {
    /// The bytes end early, or a number is malformed.
    #[error("the stored streams are truncated or malformed at byte {0}")]
    Malformed(usize),
    /// Not this format.
    #[error("the stored streams are not in the PLS1 format")]
    NotThisFormat,
    /// A column is not one this version knows.
    #[error("unknown stream column {0}")]
    UnknownColumn(u8),
}

/// The quantities, as tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Time = 1,
    Latitude = 2,
    Longitude = 3,
    Altitude = 4,
    HeartRate = 5,
    Power = 6,
    Cadence = 7,
    Speed = 8,
    Distance = 9,
    Temperature = 10,
}

const COLUMNS: [Column; 10] = [
    Column::Time,
    Column::Latitude,
    Column::Longitude,
    Column::Altitude,
    Column::HeartRate,
    Column::Power,
    Column::Cadence,
    Column::Speed,
    Column::Distance,
    Column::Temperature,
];

impl Column {
    fn from_tag(tag: u8) -> Option<Self> {
        COLUMNS.into_iter().find(|c| *c as u8 == tag)
    }

    /// A record's value of this quantity, as the stored integer.
    fn of(self, record: &Record) -> Option<i64> {
        let fixed = |value: f64, scale: f64| (value * scale).round() as i64;
        match self {
            Self::Time => record.time.map(|t| i64::from(t.0)),
            Self::Latitude => record.position.map(|p| i64::from(p.lat_semicircles)),
            Self::Longitude => record.position.map(|p| i64::from(p.lon_semicircles)),
            Self::Altitude => record.altitude_m.map(|m| fixed(m, 100.0)),
            Self::HeartRate => record.heart_rate.map(i64::from),
            Self::Power => record.power_w.map(i64::from),
            Self::Cadence => record.cadence.map(i64::from),
            Self::Speed => record.speed_mps.map(|s| fixed(s, 1000.0)),
            Self::Distance => record.distance_m.map(|m| fixed(m, 100.0)),
            Self::Temperature => record.temperature_c.map(i64::from),
        }
    }

    /// Puts a stored integer back into a record; a value out of the quantity's range is
    /// damage.
    fn put(self, record: &mut Record, value: i64) -> Option<()> {
        match self {
            Self::Time => record.time = Some(FitTime(u32::try_from(value).ok()?)),
            Self::Latitude => {
                let lat = i32::try_from(value).ok()?;
                let lon = record.position.map_or(0, |p| p.lon_semicircles);
                record.position = Some(Position {
                    lat_semicircles: lat,
                    lon_semicircles: lon,
                });
            }
            Self::Longitude => {
                let lon = i32::try_from(value).ok()?;
                let lat = record.position.map_or(0, |p| p.lat_semicircles);
                record.position = Some(Position {
                    lat_semicircles: lat,
                    lon_semicircles: lon,
                });
            }
            Self::Altitude => record.altitude_m = Some(value as f64 / 100.0),
            Self::HeartRate => record.heart_rate = Some(u8::try_from(value).ok()?),
            Self::Power => record.power_w = Some(u16::try_from(value).ok()?),
            Self::Cadence => record.cadence = Some(u8::try_from(value).ok()?),
            Self::Speed => record.speed_mps = Some(value as f64 / 1000.0),
            Self::Distance => record.distance_m = Some(value as f64 / 100.0),
            Self::Temperature => record.temperature_c = Some(i8::try_from(value).ok()?),
        }
        Some(())
    }
}

fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn zigzag(value: i64) -> u64 {
    ((value << 1) ^ (value >> 63)) as u64
}

fn unzigzag(value: u64) -> i64 {
    ((value >> 1) as i64) ^ -((value & 1) as i64)
}

/// Encodes `streams`.
pub fn encode(streams: &RecordStreams) -> Vec<u8> {
    let mut encoder = Encoder::default();
    for record in streams.iter() {
        encoder.push(&record);
    }
    encoder.finish()
}

/// One column as it is written: its presence runs and its values, already as varints.
#[derive(Debug, Clone, Default)]
struct ColumnWriter {
    /// The finished runs, as varints; the run being counted is `run`.
    runs: Vec<u8>,
    run_count: u64,
    run: u64,
    /// Whether the run being counted is of present values (runs start with absent ones).
    present_run: bool,
    values: Vec<u8>,
    previous: i64,
}

impl ColumnWriter {
    #[inline]
    fn push(&mut self, value: Option<i64>) {
        if value.is_some() != self.present_run {
            put_varint(&mut self.runs, self.run);
            self.run_count += 1;
            self.present_run = !self.present_run;
            self.run = 0;
        }
        self.run += 1;
        if let Some(value) = value {
            put_varint(&mut self.values, zigzag(value.wrapping_sub(self.previous)));
            self.previous = value;
        }
    }

    /// Whether any value was written.
    fn has_values(&self) -> bool {
        !self.values.is_empty()
    }

    fn write(mut self, tag: u8, out: &mut Vec<u8>) {
        put_varint(&mut self.runs, self.run);
        out.push(tag);
        put_varint(out, self.run_count + 1);
        out.extend_from_slice(&self.runs);
        out.extend_from_slice(&self.values);
    }
}

/// Writes the stored form one record at a time, holding only the stored form so far
/// (about ten bytes a point), never the records: a decoder reading a file as it arrives
/// keeps its streams this way.
#[derive(Debug, Clone, Default)]
pub struct Encoder {
    points: u64,
    columns: [ColumnWriter; COLUMNS.len()],
}

impl Encoder {
    /// Appends a record.
    pub fn push(&mut self, record: &Record) {
        self.push_stored(COLUMNS.map(|column| column.of(record)));
    }

    /// Appends a record given as its stored integers, in the order of the columns: time (s),
    /// latitude and longitude (semicircles), altitude (cm), heart rate, power, cadence, speed
    /// (mm/s), distance (cm), temperature. A decoder that already holds them at that
    /// resolution (FIT) skips the round trip through a [`Record`]'s floats.
    #[inline]
    pub(crate) fn push_stored(&mut self, values: [Option<i64>; COLUMNS.len()]) {
        self.points += 1;
        for (value, writer) in values.into_iter().zip(&mut self.columns) {
            writer.push(value);
        }
    }

    /// Makes room for about `points` more records, so that the columns do not grow by
    /// copying themselves again and again (a value is one or two bytes, most often one).
    pub(crate) fn reserve(&mut self, points: usize) {
        for column in &mut self.columns {
            column.values.reserve(points);
        }
    }

    /// The number of records pushed.
    #[must_use]
    pub fn len(&self) -> u64 {
        self.points
    }

    /// Whether no record was pushed.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.points == 0
    }

    /// The stored form: what [`encode`] writes for the same records.
    #[must_use]
    pub fn finish(self) -> Vec<u8> {
        let size: usize = self
            .columns
            .iter()
            .map(|c| c.runs.len() + c.values.len() + 12)
            .sum();
        let mut out = Vec::with_capacity(16 + size);
        out.extend_from_slice(MAGIC);
        put_varint(&mut out, self.points);
        let present = self.columns.iter().filter(|c| c.has_values()).count();
        put_varint(&mut out, present as u64);
        for (column, writer) in COLUMNS.into_iter().zip(self.columns) {
            if writer.has_values() {
                writer.write(column as u8, &mut out);
            }
        }
        out
    }
}

/// A reader over the stored bytes.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn varint(&mut self) -> Result<u64, StreamsError> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *self
                .bytes
                .get(self.at)
                .ok_or(StreamsError::Malformed(self.at))?;
            self.at += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(StreamsError::Malformed(self.at))
    }

    /// A count of at most `at_most`.
    fn count(&mut self, at_most: u64) -> Result<usize, StreamsError> {
        let at = self.at;
        let count = self.varint()?;
        if count > at_most {
            return Err(StreamsError::Malformed(at));
        }
        usize::try_from(count).map_err(|_| StreamsError::Malformed(at))
    }
}

/// Decodes streams [`encode`] wrote.
pub fn decode(bytes: &[u8]) -> Result<RecordStreams, StreamsError> {
    let Some(rest) = bytes.strip_prefix(MAGIC.as_slice()) else {
        return Err(StreamsError::NotThisFormat);
    };
    let mut reader = Reader { bytes: rest, at: 0 };
    // Every point has a value in some column, and every value takes a byte: a count beyond
    // the bytes there are is damage, not a reason to allocate.
    let points = reader.count(rest.len() as u64)?;
    let columns = reader.count(COLUMNS.len() as u64)?;
    let mut records = vec![Record::default(); points];
    for _ in 0..columns {
        let at = reader.at;
        let tag = *rest.get(at).ok_or(StreamsError::Malformed(at))?;
        reader.at += 1;
        let column = Column::from_tag(tag).ok_or(StreamsError::UnknownColumn(tag))?;
        let runs = reader.count(points as u64 + 1)?;
        let mut present = Vec::with_capacity(points);
        let mut is_present = false;
        for _ in 0..runs {
            let at = reader.at;
            let run = usize::try_from(reader.varint()?).map_err(|_| StreamsError::Malformed(at))?;
            // `present` never holds more than `points`; a run past what is left is damage
            // (and a sum could overflow).
            if run > points - present.len() {
                return Err(StreamsError::Malformed(at));
            }
            present.extend(std::iter::repeat_n(is_present, run));
            is_present = !is_present;
        }
        if present.len() != points {
            return Err(StreamsError::Malformed(reader.at));
        }
        let mut previous = 0i64;
        for (record, _) in records.iter_mut().zip(&present).filter(|(_, p)| **p) {
            let at = reader.at;
            previous = previous.wrapping_add(unzigzag(reader.varint()?));
            column
                .put(record, previous)
                .ok_or(StreamsError::Malformed(at))?;
        }
    }
    if reader.at != rest.len() {
        return Err(StreamsError::Malformed(reader.at));
    }
    let mut streams = RecordStreams::default();
    for record in records {
        streams.push(record);
    }
    Ok(streams)
}

#[cfg(test)]
mod tests;
