//! Heart rates stored in `hr` messages, merged into the records by time.
//!
//! A chest strap that cannot transmit (under water) stores beats and hands them to the watch
//! afterwards; the watch writes them as `hr` messages: an anchor with a full timestamp and
//! the strap's 1/1024-second event time, then deltas with 12-bit packed event times. This
//! module expands them to timed samples and averages them into the records, the way
//! Garmin's SDK does (its `merge_heart_rates` option, on by default), so the heart-rate
//! stream matches what Garmin's tools show.

use super::error::FitError;
use super::reader::Message;
use super::{MAX_RECORDS, RecordStreams};

/// The strap's event time wraps at 2^32 / 1024 seconds.
const EVENT_TIME_WRAP_S: f64 = 4_194_304.0;
/// Gaps are filled by carrying the last beat forward in steps of 250 ms, up to 5 s.
const GAP_STEP_S: f64 = 0.25;
const GAP_STEP_MS: f64 = 250.0;
const GAP_MAX_STEPS: u32 = 20;
/// At most this many expanded samples are kept.
const MAX_SAMPLES: usize = MAX_RECORDS;

#[derive(Debug, Default)]
pub(crate) struct HeartRates {
    /// Expanded samples: seconds since the FIT epoch (fractional) and beats per minute.
    samples: Vec<(f64, u8)>,
    /// The 12-bit event-time accumulator: the running value and the last raw value, in
    /// 1/1024 s.
    accumulator: Option<(u64, u64)>,
    anchor_time: Option<f64>,
    anchor_event_time: f64,
    /// Scratch buffers reused across messages.
    event_times: Vec<f64>,
    beats: Vec<Option<u8>>,
}

impl HeartRates {
    pub(crate) fn message(
        &mut self,
        message: &Message<'_>,
        input_len: usize,
    ) -> Result<(), FitError> {
        let mut timestamp = None;
        let mut fractional = None;
        let mut time256 = None;
        let mut packed: Option<&[u8]> = None;
        self.event_times.clear();
        self.beats.clear();
        for field in message.fields() {
            match field.num() {
                253 => timestamp = field.int(),
                0 => fractional = field.int().map(|raw| raw as f64 / 32768.0),
                1 => time256 = field.int().map(|raw| raw as f64 / 256.0),
                6 => {
                    self.beats.extend(
                        (0..field.len())
                            .map(|i| field.int_at(i).and_then(|v| u8::try_from(v).ok())),
                    );
                }
                9 => {
                    for index in 0..field.len() {
                        if let Some(raw) = field.int_at(index).and_then(|v| u64::try_from(v).ok()) {
                            self.accumulator = Some((raw, raw));
                            self.event_times.push(raw as f64 / 1024.0);
                        }
                    }
                }
                10 => packed = Some(field.bytes()),
                _ => {}
            }
        }
        if let Some(bytes) = packed.filter(|bytes| bytes.iter().any(|&b| b != 0xFF)) {
            self.event_times.clear();
            let mut bits = Bits::new(bytes);
            for _ in 0..10 {
                let Some(value) = bits.take(12) else {
                    break;
                };
                let (total, last) = self.accumulator.unwrap_or((value, value));
                let total = total.wrapping_add(value.wrapping_sub(last) & 0xFFF);
                self.accumulator = Some((total, value));
                self.event_times.push(total as f64 / 1024.0);
                if bits.remaining == 0 {
                    break;
                }
            }
        }
        let fractional = time256.or(fractional).unwrap_or(0.0);
        if let Some(seconds) = timestamp {
            let &[anchor_event] = self.event_times.as_slice() else {
                // An anchor must carry exactly one event time; Garmin's SDK gives up here.
                return Ok(());
            };
            self.anchor_time = Some(seconds as f64 + fractional);
            self.anchor_event_time = anchor_event;
        }
        let Some(anchor_time) = self.anchor_time else {
            return Ok(());
        };
        if self.event_times.len() != self.beats.len() {
            return Ok(());
        }
        let limit = MAX_SAMPLES.min(input_len.saturating_mul(32));
        for (&event_time, &beat) in self.event_times.iter().zip(&self.beats) {
            let Some(beat) = beat else {
                continue;
            };
            let mut event_time = event_time;
            if event_time < self.anchor_event_time {
                if self.anchor_event_time - event_time > EVENT_TIME_WRAP_S {
                    event_time += EVENT_TIME_WRAP_S;
                } else {
                    continue;
                }
            }
            let time = anchor_time + (event_time - self.anchor_event_time);
            if let Some(&(previous_time, previous_beat)) = self.samples.last() {
                let mut gap_ms = (time - previous_time).abs() * 1000.0;
                let mut step = 1;
                while gap_ms > GAP_STEP_MS && step <= GAP_MAX_STEPS {
                    self.samples
                        .push((previous_time + GAP_STEP_S * f64::from(step), previous_beat));
                    gap_ms -= GAP_STEP_MS;
                    step += 1;
                }
            }
            self.samples.push((time, beat));
            if self.samples.len() > limit {
                return Err(FitError::TooLarge {
                    offset: message.offset,
                    what: "heart-rate samples",
                    limit,
                });
            }
        }
        Ok(())
    }

    /// Averages the samples falling in each record's second (the time since the previous
    /// record) into its heart rate; whether there were samples to merge (and so the column
    /// may have changed).
    pub(crate) fn merge_into(&self, streams: &mut RecordStreams) -> bool {
        if self.samples.is_empty() || streams.time.is_empty() {
            return false;
        }
        let len = streams.len;
        let mut index = 0usize;
        let mut range_start: Option<f64> = None;
        for record in 0..len {
            let Some(Some(time)) = streams.time.get(record) else {
                continue;
            };
            let range_end = f64::from(time.0);
            let start = range_start.get_or_insert(range_end);
            if *start == range_end {
                *start -= 1.0;
                index = index.saturating_sub(1);
            }
            let start = *start;
            let mut sum = 0u32;
            let mut count = 0u32;
            while let Some(&(sample_time, beat)) = self.samples.get(index) {
                if sample_time > start && sample_time <= range_end {
                    sum += u32::from(beat);
                    count += 1;
                } else if sample_time > range_end {
                    if count > 0 {
                        let average = (f64::from(sum) / f64::from(count) + 0.5) as u8;
                        if streams.heart_rate.is_empty() {
                            streams.heart_rate.resize(len, None);
                        }
                        if let Some(slot) = streams.heart_rate.get_mut(record) {
                            *slot = Some(average);
                        }
                    }
                    range_start = Some(range_end);
                    break;
                }
                index += 1;
            }
        }
        true
    }
}

/// Reads bits least-significant first across bytes, as the FIT profile packs components.
struct Bits<'a> {
    bytes: &'a [u8],
    position: usize,
    remaining: usize,
}

impl<'a> Bits<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            position: 0,
            remaining: bytes.len() * 8,
        }
    }

    fn take(&mut self, count: usize) -> Option<u64> {
        if count > self.remaining || count > 64 {
            return None;
        }
        let mut value = 0u64;
        for bit in 0..count {
            let byte = self.bytes.get(self.position / 8)?;
            value |= u64::from((byte >> (self.position % 8)) & 1) << bit;
            self.position += 1;
        }
        self.remaining -= count;
        Some(value)
    }
}
