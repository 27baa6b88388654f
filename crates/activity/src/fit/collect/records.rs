//! Record messages: which fields of each local record definition to read, planned once per
//! definition, and each record into the stream columns or, for a summary only, into the
//! figures derived from the records and the records' stored form.

use super::Collector;
use crate::fit::error::FitError;
use crate::fit::profile::BaseType;
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

    /// The base type the profile gives the field.
    fn profile_type(self) -> BaseType {
        match self {
            Self::Lat | Self::Lon => BaseType::SINT32,
            Self::Altitude16 | Self::Speed16 | Self::Power => BaseType::UINT16,
            Self::HeartRate | Self::Cadence => BaseType::UINT8,
            Self::Distance | Self::Speed32 | Self::Altitude32 => BaseType::UINT32,
            Self::Temperature => BaseType::SINT8,
        }
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
    /// The same fields as offsets, when every one has its profile type (one element of it):
    /// then a record reads each with one fixed-size load, no dispatch on type.
    direct: Option<Offsets>,
}

/// The offset of each record field a definition has, each of its profile type.
#[derive(Debug, Clone, Copy, Default)]
struct Offsets {
    lat: Option<u16>,
    lon: Option<u16>,
    altitude16: Option<u16>,
    heart_rate: Option<u16>,
    cadence: Option<u16>,
    distance: Option<u16>,
    speed16: Option<u16>,
    power: Option<u16>,
    temperature: Option<u16>,
    speed32: Option<u16>,
    altitude32: Option<u16>,
}

impl Offsets {
    fn of(entries: &[(RecordField, FieldDef)]) -> Option<Self> {
        let mut offsets = Self::default();
        for (kind, def) in entries {
            let base = kind.profile_type();
            if def.base != base || usize::from(def.size) != base.size() {
                return None;
            }
            let at = Some(def.offset());
            match kind {
                RecordField::Lat => offsets.lat = at,
                RecordField::Lon => offsets.lon = at,
                RecordField::Altitude16 => offsets.altitude16 = at,
                RecordField::HeartRate => offsets.heart_rate = at,
                RecordField::Cadence => offsets.cadence = at,
                RecordField::Distance => offsets.distance = at,
                RecordField::Speed16 => offsets.speed16 = at,
                RecordField::Power => offsets.power = at,
                RecordField::Temperature => offsets.temperature = at,
                RecordField::Speed32 => offsets.speed32 = at,
                RecordField::Altitude32 => offsets.altitude32 = at,
            }
        }
        Some(offsets)
    }

    /// A record's fields in the byte order `BIG` names, as [`FieldDef::int_in`] reads them.
    #[inline]
    fn read<const BIG: bool>(&self, data: &[u8]) -> RawRecord {
        RawRecord {
            lat: self.lat.and_then(|at| sint32::<BIG>(data, at)),
            lon: self.lon.and_then(|at| sint32::<BIG>(data, at)),
            altitude16: self.altitude16.and_then(|at| uint16::<BIG>(data, at)),
            heart_rate: self.heart_rate.and_then(|at| uint8(data, at)),
            cadence: self.cadence.and_then(|at| uint8(data, at)),
            distance: self.distance.and_then(|at| uint32::<BIG>(data, at)),
            speed16: self.speed16.and_then(|at| uint16::<BIG>(data, at)),
            power: self.power.and_then(|at| uint16::<BIG>(data, at)),
            temperature: self.temperature.and_then(|at| sint8(data, at)),
            speed32: self.speed32.and_then(|at| uint32::<BIG>(data, at)),
            altitude32: self.altitude32.and_then(|at| uint32::<BIG>(data, at)),
        }
    }
}

/// Each base type's invalid value means "absent", as in [`FieldDef::int_in`].
#[inline]
fn uint8(data: &[u8], at: u16) -> Option<i64> {
    let value = *data.get(usize::from(at))?;
    (value != u8::MAX).then_some(i64::from(value))
}

#[inline]
fn sint8(data: &[u8], at: u16) -> Option<i64> {
    let value = *data.get(usize::from(at))? as i8;
    (value != i8::MAX).then_some(i64::from(value))
}

#[inline]
fn uint16<const BIG: bool>(data: &[u8], at: u16) -> Option<i64> {
    let bytes = bytes_at(data, at)?;
    let value = if BIG {
        u16::from_be_bytes(bytes)
    } else {
        u16::from_le_bytes(bytes)
    };
    (value != u16::MAX).then_some(i64::from(value))
}

#[inline]
fn uint32<const BIG: bool>(data: &[u8], at: u16) -> Option<i64> {
    let bytes = bytes_at(data, at)?;
    let value = if BIG {
        u32::from_be_bytes(bytes)
    } else {
        u32::from_le_bytes(bytes)
    };
    (value != u32::MAX).then_some(i64::from(value))
}

#[inline]
fn sint32<const BIG: bool>(data: &[u8], at: u16) -> Option<i64> {
    let bytes = bytes_at(data, at)?;
    let value = if BIG {
        i32::from_be_bytes(bytes)
    } else {
        i32::from_le_bytes(bytes)
    };
    (value != i32::MAX).then_some(i64::from(value))
}

/// The `N` bytes at `at`, if the message has them.
#[inline]
fn bytes_at<const N: usize>(data: &[u8], at: u16) -> Option<[u8; N]> {
    let at = usize::from(at);
    data.get(at..at + N)?.try_into().ok()
}

/// A record's fields as read, before scaling.
#[derive(Debug, Default)]
struct RawRecord {
    lat: Option<i64>,
    lon: Option<i64>,
    altitude16: Option<i64>,
    heart_rate: Option<i64>,
    cadence: Option<i64>,
    distance: Option<i64>,
    speed16: Option<i64>,
    power: Option<i64>,
    temperature: Option<i64>,
    speed32: Option<i64>,
    altitude32: Option<i64>,
}

impl RecordPlan {
    pub(super) const EMPTY: Self = Self {
        len: 0,
        entries: [(RecordField::Lat, FieldDef::EMPTY); RECORD_FIELDS],
        direct: None,
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
        plan.direct = Offsets::of(plan.entries.get(..plan.len).unwrap_or_default());
        plan
    }

    /// A record's fields, each read as its definition says.
    #[inline]
    fn read(&self, data: &[u8], big_endian: bool) -> RawRecord {
        match (&self.direct, big_endian) {
            (Some(offsets), false) => return offsets.read::<false>(data),
            (Some(offsets), true) => return offsets.read::<true>(data),
            (None, _) => {}
        }
        let mut raw = RawRecord::default();
        for (kind, def) in self.entries.get(..self.len).unwrap_or_default() {
            let value = def.int_in(data, big_endian);
            match *kind {
                RecordField::Lat => raw.lat = value,
                RecordField::Lon => raw.lon = value,
                RecordField::Altitude16 => raw.altitude16 = value,
                RecordField::HeartRate => raw.heart_rate = value,
                RecordField::Cadence => raw.cadence = value,
                RecordField::Distance => raw.distance = value,
                RecordField::Speed16 => raw.speed16 = value,
                RecordField::Power => raw.power = value,
                RecordField::Temperature => raw.temperature = value,
                RecordField::Speed32 => raw.speed32 = value,
                RecordField::Altitude32 => raw.altitude32 = value,
            }
        }
        raw
    }
}

impl Collector {
    pub(super) fn record(&mut self, message: &Message<'_>) -> Result<(), FitError> {
        self.record_messages += 1;
        let RawRecord {
            lat,
            lon,
            altitude16,
            heart_rate,
            cadence,
            distance,
            speed16,
            power,
            temperature,
            speed32,
            altitude32,
        } = self
            .record_plans
            .get(usize::from(message.local))
            .map(|plan| plan.read(message.data(), message.big_endian()))
            .unwrap_or_default();
        let position = match (lat, lon) {
            (Some(lat), Some(lon)) => Some(Position {
                lat_semicircles: i32::try_from(lat).unwrap_or_default(),
                lon_semicircles: i32::try_from(lon).unwrap_or_default(),
            }),
            _ => None,
        };
        // The 16-bit fields expand into their enhanced forms and, as in Garmin's SDK, win
        // over an enhanced field written beside them.
        let altitude_raw = altitude16.or(altitude32);
        let speed_raw = speed16.or(speed32);
        let altitude = altitude_raw.map(|raw| raw as f64 / 5.0 - 500.0);
        let speed = speed_raw.map(|raw| raw as f64 / 1000.0);
        let heart_rate = heart_rate.and_then(|v| u8::try_from(v).ok());
        let cadence = cadence.and_then(|v| u8::try_from(v).ok());
        let distance_m = distance.map(|raw| raw as f64 / 100.0);
        let power = power.and_then(|v| u16::try_from(v).ok());
        let temperature = temperature.and_then(|v| i8::try_from(v).ok());
        let time = message.timestamp;
        if time.is_none()
            && position.is_none()
            && altitude.is_none()
            && heart_rate.is_none()
            && cadence.is_none()
            && distance_m.is_none()
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
            distance_m,
            temperature_c: temperature,
        };
        // The figures are gathered as the records come; a second pass over the columns is
        // needed only when `hr` messages change them.
        self.stats.add(&record);
        if !self.keep_records {
            self.records_seen += 1;
            // The stored form's integers straight from the raw values (what `push` would
            // compute from the record's floats: centimetres of altitude are 20 of FIT's
            // fifths of a metre less 500 m, speed and distance are at FIT's resolution).
            self.stored.push_stored([
                time.map(|t| i64::from(t.0)),
                position.map(|p| i64::from(p.lat_semicircles)),
                position.map(|p| i64::from(p.lon_semicircles)),
                altitude_raw.map(|raw| raw * 20 - 50_000),
                heart_rate.map(i64::from),
                power.map(i64::from),
                cadence.map(i64::from),
                speed_raw,
                distance,
                temperature.map(i64::from),
            ]);
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
        push(&mut streams.distance_m, len, distance_m, reserve);
        push(&mut streams.temperature_c, len, temperature, reserve);
        streams.len = len + 1;
        Ok(())
    }
}

/// Appends to a column that is either empty or `len` long, allocating it (reserved to the
/// size estimate) at its first value.
#[inline]
fn push<T: Copy>(column: &mut Vec<Option<T>>, len: usize, value: Option<T>, reserve: usize) {
    if !column.is_empty() {
        column.push(value);
    } else if value.is_some() {
        column.reserve(reserve.max(len + 1));
        column.resize(len, None);
        column.push(value);
    }
}
