//! The visitor that decodes messages straight into the summary, laps and record columns.
//!
//! The collector's state and the dispatch of each message live here; how each kind of
//! message is read lives beside it: `records` (record messages, into columns or, for a
//! summary only, into the figures derived from them), `figures` (session and lap messages
//! with their figures), `messages` (`file_id`, `device_info`, `activity`, timer events,
//! `sport` and `hrv`).

mod figures;
mod messages;
mod records;

use super::error::FitError;
use super::hr::HeartRates;
use super::profile::{Sport, SubSport, mesg};
use super::reader::{FieldDef, FileHeader, Message, Visitor};
use super::summary;
use super::{
    ActivityInfo, DecodedActivity, DeviceInfo, FileId, FitTime, LapSummary, LegSummary,
    MAX_RECORDS, RecordStreams,
};
use records::RecordPlan;
use summary::RecordStats;

/// A guess at the bytes per record, to reserve the stream columns once.
const BYTES_PER_RECORD_ESTIMATE: usize = 20;

/// The most records a header's announced size reserves room for in the stored form
/// (about 640 KiB over its ten columns); past it the columns grow as they fill.
const STORED_RESERVE_LIMIT: usize = 65_536;

/// Timer start and stop events, for the timer time of a file without a session.
#[derive(Debug, Default)]
pub(crate) struct TimerEvents {
    pub(crate) running_since: Option<u32>,
    pub(crate) total_s: u64,
    pub(crate) seen: bool,
}

pub(crate) struct Collector {
    /// Whether the record streams, RR intervals and heart-rate samples are kept; without
    /// them only the figures derived from the records are, in `stats`, and the records'
    /// stored form, in `stored`.
    keep_records: bool,
    stats: RecordStats,
    stored: crate::streams::Encoder,
    /// Records counted towards [`MAX_RECORDS`] when they are not kept.
    records_seen: usize,
    /// A summary-only decode met `hr` messages, whose merge needs the records.
    needs_records: bool,
    input_len: usize,
    record_plans: [RecordPlan; 16],
    estimate: usize,
    file_id: Option<FileId>,
    contains_activity_file: bool,
    fit_files: usize,
    streams: RecordStreams,
    record_messages: usize,
    legs: Vec<LegSummary>,
    laps: Vec<LapSummary>,
    devices: Vec<DeviceInfo>,
    rr_intervals_ms: Vec<u16>,
    length_count: usize,
    activity: Option<ActivityInfo>,
    sport: Option<(Option<Sport>, Option<SubSport>)>,
    heart_rates: HeartRates,
    timer: TimerEvents,
}

impl Collector {
    pub(crate) fn new(input_len: usize) -> Self {
        Self {
            keep_records: true,
            stats: RecordStats::default(),
            stored: crate::streams::Encoder::default(),
            records_seen: 0,
            needs_records: false,
            input_len,
            record_plans: [RecordPlan::EMPTY; 16],
            estimate: (input_len / BYTES_PER_RECORD_ESTIMATE).min(MAX_RECORDS),
            file_id: None,
            contains_activity_file: false,
            fit_files: 0,
            streams: RecordStreams::default(),
            record_messages: 0,
            legs: Vec::new(),
            laps: Vec::new(),
            devices: Vec::new(),
            rr_intervals_ms: Vec::new(),
            length_count: 0,
            activity: None,
            sport: None,
            heart_rates: HeartRates::default(),
            timer: TimerEvents::default(),
        }
    }

    /// A collector that keeps no record stream, only the figures derived from them and the
    /// records' stored form (about ten bytes a record, against some eighty as columns).
    pub(crate) fn summary_only() -> Self {
        Self {
            keep_records: false,
            ..Self::new(0)
        }
    }

    /// Whether a summary-only decode met `hr` messages: its heart-rate figures would lack
    /// the beats they hold, which only a decode that keeps the records can merge.
    pub(crate) fn needs_records(&self) -> bool {
        self.needs_records
    }

    /// The stored form of the records a summary-only decode met (empty otherwise).
    pub(crate) fn take_stored(&mut self) -> crate::streams::Encoder {
        std::mem::take(&mut self.stored)
    }

    pub(crate) fn finish(mut self) -> DecodedActivity {
        if self.keep_records && self.heart_rates.merge_into(&mut self.streams) {
            // The beats of `hr` messages filled the heart-rate column: its figures again.
            self.stats = RecordStats::of(&self.streams);
        }
        let last_record_time = self.stats.last_time();
        if let (Some(since), Some(end)) = (self.timer.running_since, last_record_time) {
            self.timer.total_s += u64::from(end.0.saturating_sub(since));
        }
        let summary = summary::summarize(&summary::Inputs {
            legs: &self.legs,
            lap_count: self.laps.len(),
            records: &self.stats,
            activity: self.activity.as_ref(),
            sport: self.sport,
            first_lap_sport: self.laps.first().map(|lap| (lap.sport, lap.sub_sport)),
            timer: &self.timer,
        });
        DecodedActivity {
            file_id: self.file_id.unwrap_or_default(),
            contains_activity_file: self.contains_activity_file,
            fit_files: self.fit_files,
            summary,
            legs: self.legs,
            laps: self.laps,
            streams: self.streams,
            devices: self.devices,
            rr_intervals_ms: self.rr_intervals_ms,
            length_count: self.length_count,
            record_messages: self.record_messages,
            activity: self.activity,
        }
    }
}

impl Visitor for Collector {
    fn definition(&mut self, local: u8, global: u16, fields: &[FieldDef]) -> Result<(), FitError> {
        if let Some(plan) = self.record_plans.get_mut(usize::from(local)) {
            *plan = if global == mesg::RECORD {
                RecordPlan::new(fields)
            } else {
                RecordPlan::EMPTY
            };
        }
        Ok(())
    }

    fn file_header(&mut self, header: &FileHeader) -> Result<(), FitError> {
        self.fit_files += 1;
        if !self.keep_records {
            // The header says how many bytes of messages follow (before any of them came, so
            // it is believed only up to a bound): room for the stored form's values up front.
            let bytes = usize::try_from(header.data_size).unwrap_or(usize::MAX);
            self.stored
                .reserve((bytes / BYTES_PER_RECORD_ESTIMATE).min(STORED_RESERVE_LIMIT));
        }
        Ok(())
    }

    fn message(&mut self, message: &Message<'_>) -> Result<(), FitError> {
        match message.global {
            mesg::RECORD => self.record(message)?,
            mesg::HR if !self.keep_records => self.needs_records = true,
            mesg::HR => self.heart_rates.message(message, self.input_len)?,
            mesg::LAP => self.lap(message)?,
            mesg::SESSION => self.session(message)?,
            mesg::LENGTH => self.length_count += 1,
            mesg::EVENT => self.event(message),
            mesg::HRV if self.keep_records => self.hrv(message),
            mesg::FILE_ID => self.file_id(message),
            mesg::DEVICE_INFO => self.device_info(message),
            mesg::ACTIVITY => self.activity(message),
            mesg::SPORT => self.sport(message),
            _ => {}
        }
        Ok(())
    }
}

fn time(value: Option<i64>) -> Option<FitTime> {
    value.and_then(|v| u32::try_from(v).ok()).map(FitTime)
}
