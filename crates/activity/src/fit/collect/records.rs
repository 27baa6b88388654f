//! Record messages: which fields of each local record definition to read, planned once per
//! definition, and each record into the stream columns or, for a summary only, into the
//! figures derived from the records and the records' stored form.

use super::Collector;
use crate::fit::error::FitError;
use crate::fit::reader::{FieldDef, Message};
use crate::fit::{MAX_RECORDS, Position, Record};

/// The record fields the decoder keeps, in the order a [`RecordPlan`] names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RecordField {
    Lat,
    Lon,
    Altitude16,
    HeartRate,
    Cadence,
    Distance,
    Speed16,
    Power,
    Temperature,
    Speed32,
    Altitude32,
}

impl RecordField {
    fn of(num: u8) -> Option<Self> {
        Some(match num {
            0 => Self::Lat,
            1 => Self::Lon,
            2 => Self::Altitude16,
            3 => Self::HeartRate,
            4 => Self::Cadence,
            5 => Self::Distance,
            6 => Self::Speed16,
            7 => Self::Power,
            13 => Self::Temperature,
            73 => Self::Speed32,
            78 => Self::Altitude32,
            _ => return None,
        })
    }
}

const RECORD_FIELDS: usize = 11;

/// Which fields of a local record definition the decoder reads, worked out once per
/// definition so each record touches only those.
#[derive(Debug, Clone, Copy)]
pub(super) struct RecordPlan {
    len: usize,
    /// Each field kept, with where its bytes sit and how they read.
    entries: [(RecordField, FieldDef); RECORD_FIELDS],
}

impl RecordPlan {
    pub(super) const EMPTY: Self = Self {
        len: 0,
        entries: [(RecordField::Lat, FieldDef::EMPTY); RECORD_FIELDS],
    };

    pub(super) fn new(fields: &[FieldDef]) -> Self {
        let mut plan = Self::EMPTY;
        for def in fields {
            let Some(kind) = RecordField::of(def.num) else {
                continue;
            };
            // A field written twice: the later one wins, as in Garmin's SDK.
            let used = plan.entries.get_mut(..plan.len).unwrap_or_default();
            if let Some(entry) = used.iter_mut().find(|(k, _)| *k == kind) {
                entry.1 = *def;
            } else if let Some(entry) = plan.entries.get_mut(plan.len) {
                *entry = (kind, *def);
                plan.len += 1;
            }
        }
        plan
    }
}

impl Collector {
    pub(super) fn record(&mut self, message: &Message<'_>) -> Result<(), FitError> {
        self.record_messages += 1;
        let mut lat = None;
        let mut lon = None;
        let mut altitude16 = None;
        let mut altitude32 = None;
        let mut heart_rate = None;
        let mut cadence = None;
        let mut distance = None;
        let mut speed16 = None;
        let mut speed32 = None;
        let mut power = None;
        let mut temperature = None;
        let entries = self
            .record_plans
            .get(usize::from(message.local))
            .and_then(|plan| plan.entries.get(..plan.len))
            .unwrap_or_default();
        let (data, big_endian) = (message.data(), message.big_endian());
        for (kind, def) in entries {
            let value = def.int_in(data, big_endian);
            match *kind {
                RecordField::Lat => lat = value,
                RecordField::Lon => lon = value,
                RecordField::Altitude16 => altitude16 = value,
                RecordField::HeartRate => heart_rate = value,
                RecordField::Cadence => cadence = value,
                RecordField::Distance => distance = value,
                RecordField::Speed16 => speed16 = value,
                RecordField::Power => power = value,
                RecordField::Temperature => temperature = value,
                RecordField::Speed32 => speed32 = value,
                RecordField::Altitude32 => altitude32 = value,
            }
        }
        let position = match (lat, lon) {
            (Some(lat), Some(lon)) => Some(Position {
                lat_semicircles: i32::try_from(lat).unwrap_or_default(),
                lon_semicircles: i32::try_from(lon).unwrap_or_default(),
            }),
            _ => None,
        };
        // The 16-bit fields expand into their enhanced forms and, as in Garmin's SDK, win
        // over an enhanced field written beside them.
        let altitude = altitude16
            .or(altitude32)
            .map(|raw| raw as f64 / 5.0 - 500.0);
        let speed = speed16.or(speed32).map(|raw| raw as f64 / 1000.0);
        let heart_rate = heart_rate.and_then(|v| u8::try_from(v).ok());
        let cadence = cadence.and_then(|v| u8::try_from(v).ok());
        let distance = distance.map(|raw| raw as f64 / 100.0);
        let power = power.and_then(|v| u16::try_from(v).ok());
        let temperature = temperature.and_then(|v| i8::try_from(v).ok());
        let time = message.timestamp;
        if time.is_none()
            && position.is_none()
            && altitude.is_none()
            && heart_rate.is_none()
            && cadence.is_none()
            && distance.is_none()
            && speed.is_none()
            && power.is_none()
            && temperature.is_none()
        {
            return Ok(());
        }
        let count = if self.keep_records {
            self.streams.len
        } else {
            self.records_seen
        };
        if count >= MAX_RECORDS {
            return Err(FitError::TooLarge {
                offset: message.offset,
                what: "records",
                limit: MAX_RECORDS,
            });
        }
        let record = Record {
            time,
            position,
            altitude_m: altitude,
            heart_rate,
            power_w: power,
            cadence,
            speed_mps: speed,
            distance_m: distance,
            temperature_c: temperature,
        };
        // The figures are gathered as the records come; a second pass over the columns is
        // needed only when `hr` messages change them.
        self.stats.add(&record);
        if !self.keep_records {
            self.records_seen += 1;
            self.stored.push(&record);
            return Ok(());
        }
        let streams = &mut self.streams;
        let len = streams.len;
        let reserve = self.estimate;
        push(&mut streams.time, len, time, reserve);
        push(&mut streams.position, len, position, reserve);
        push(&mut streams.altitude_m, len, altitude, reserve);
        push(&mut streams.heart_rate, len, heart_rate, reserve);
        push(&mut streams.power_w, len, power, reserve);
        push(&mut streams.cadence, len, cadence, reserve);
        push(&mut streams.speed_mps, len, speed, reserve);
        push(&mut streams.distance_m, len, distance, reserve);
        push(&mut streams.temperature_c, len, temperature, reserve);
        streams.len = len + 1;
        Ok(())
    }
}

/// Appends to a column that is either empty or `len` long, allocating it (reserved to the
/// size estimate) at its first value.
fn push<T: Copy>(column: &mut Vec<Option<T>>, len: usize, value: Option<T>, reserve: usize) {
    if !column.is_empty() {
        column.push(value);
    } else if value.is_some() {
        column.reserve(reserve.max(len + 1));
        column.resize(len, None);
        column.push(value);
    }
}
