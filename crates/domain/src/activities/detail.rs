//! What an activity file holds besides its summary: its laps, each with its figures and the
//! leg it belongs to, and its record streams, kept in the stored form of
//! [`paceline_activity::streams`]. Both are written with the activity, in the import's
//! transaction, and read back to draw charts and to write the activity's FIT file.

use super::Figures;
use paceline_activity::fit::{self, DecodedActivity, FitTime, LapSummary, RecordStreams};
use paceline_activity::streams::{self, StreamsError};
use time::OffsetDateTime;

/// One lap of an activity.
#[derive(Debug, Clone, PartialEq)]
pub struct Lap {
    /// The leg it belongs to, counted from 0 (always 0 for one sport).
    pub leg: usize,
    /// When it started.
    pub started_at: OffsetDateTime,
    /// Time with the timer running, seconds; the elapsed time is `figures.duration_sec`.
    pub timer_sec: Option<f64>,
    /// Its figures (no perceived exertion or load score: those are the activity's).
    pub figures: Figures,
}

/// Record streams as stored: bytes in a named encoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredStreams {
    /// The encoding's name ([`streams::ENCODING`] for what this version writes).
    pub encoding: String,
    /// The number of records.
    pub points: u32,
    /// The encoded records.
    pub data: Vec<u8>,
}

/// Why stored streams could not be read back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DetailError {
    /// Written in an encoding this version does not read.
    #[error("stored streams in the unknown encoding {0:?}")]
    UnknownEncoding(String),
    /// Damaged bytes.
    #[error(transparent)]
    Damaged(#[from] StreamsError),
}

impl StoredStreams {
    /// Streams in this version's encoding, from what an import decoded.
    pub fn encode(records: &RecordStreams) -> Self {
        Self::from_stored(streams::encode(records), records.len() as u64)
    }

    /// Streams a decoder already wrote in this version's encoding (`points` records).
    pub fn from_stored(data: Vec<u8>, points: u64) -> Self {
        Self {
            encoding: streams::ENCODING.to_owned(),
            // The decoders refuse files of more than MAX_RECORDS (4 million) records.
            points: u32::try_from(points).unwrap_or(u32::MAX),
            data,
        }
    }

    /// The records.
    ///
    /// # Errors
    /// An encoding this version does not know, or damaged bytes.
    pub fn decode(&self) -> Result<RecordStreams, DetailError> {
        if self.encoding != streams::ENCODING {
            return Err(DetailError::UnknownEncoding(self.encoding.clone()));
        }
        Ok(streams::decode(&self.data)?)
    }
}

/// An activity's laps and record streams.
#[derive(Debug, Clone, PartialEq)]
pub struct Detail {
    /// The laps in order.
    pub laps: Vec<Lap>,
    /// The record streams.
    pub streams: StoredStreams,
}

impl Detail {
    /// The laps of a decoded file, each assigned to its leg, with the streams given (the
    /// decoded file's own, or their stored form when a decoder wrote it as it read).
    pub fn of(decoded: &DecodedActivity, streams: StoredStreams) -> Self {
        let fallback = decoded
            .summary
            .start_time
            .or_else(|| decoded.streams.time.iter().flatten().next().copied());
        let laps = fit::leg_laps(decoded)
            .into_iter()
            .enumerate()
            .flat_map(|(leg, range)| {
                let laps = decoded.laps.get(range).unwrap_or_default();
                laps.iter()
                    .filter_map(move |lap| lap_of(leg, lap, fallback))
            })
            .collect();
        Self { laps, streams }
    }
}

/// A decoded lap; `None` for a lap without a start (nor an activity start to fall back to).
fn lap_of(leg: usize, lap: &LapSummary, fallback: Option<FitTime>) -> Option<Lap> {
    let started_at = instant(lap.start_time.or(fallback)?)?;
    let mut figures = figures_of(&lap.figures);
    figures.load_score = None;
    Some(Lap {
        leg,
        started_at,
        timer_sec: lap.figures.timer_s,
        figures,
    })
}

/// A FIT time as an instant.
pub(crate) fn instant(at: FitTime) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(at.unix_seconds()).ok()
}

/// An activity's (or leg's, or lap's) figures from a decoded file's.
pub(crate) fn figures_of(f: &fit::Figures) -> Figures {
    let duration_sec = f.elapsed_s.or(f.timer_s);
    let calories = f.calories_kcal.and_then(|kcal| i32::try_from(kcal).ok());
    Figures {
        duration_sec,
        distance_m: f.distance_m,
        elevation_gain_m: f.ascent_m.map(f64::from),
        avg_hr: f.avg_heart_rate.map(i32::from),
        max_hr: f.max_heart_rate.map(i32::from),
        avg_power: f.avg_power_w.map(i32::from),
        avg_cadence: f.avg_cadence.map(i32::from),
        calories,
        rpe: None,
        load_score: super::load_score(None, duration_sec, calories),
    }
}
