//! [`encode_activity`]: an activity FIT file from an [`ActivityForEncoding`].

use super::super::profile::mesg;
use super::super::{Figures, FitTime, Position, Record, RecordStreams, Sport, SubSport};
use super::writer::{Value, Writer};
use super::{ActivityForEncoding, LapForEncoding, LegForEncoding};

/// Local message types, one per message kind.
mod local {
    pub(super) const FILE_ID: u8 = 0;
    pub(super) const EVENT: u8 = 1;
    pub(super) const RECORD: u8 = 2;
    pub(super) const LAP: u8 = 3;
    pub(super) const SESSION: u8 = 4;
    pub(super) const ACTIVITY: u8 = 5;
}

/// The FIT `manufacturer` value `development`.
const MANUFACTURER_DEVELOPMENT: u16 = 255;
/// `file` type `activity`.
const FILE_ACTIVITY: u8 = 4;
/// `event` values.
const EVENT_TIMER: u8 = 0;
const EVENT_SESSION: u8 = 8;
const EVENT_LAP: u8 = 9;
const EVENT_ACTIVITY: u8 = 26;
/// `event_type` values.
const EVENT_TYPE_START: u8 = 0;
const EVENT_TYPE_STOP: u8 = 1;
const EVENT_TYPE_STOP_ALL: u8 = 4;
/// `lap_trigger` `session_end` and `session_trigger` `activity_end`.
const LAP_TRIGGER_SESSION_END: u8 = 7;
const SESSION_TRIGGER_ACTIVITY_END: u8 = 0;
/// `activity_type` values.
const ACTIVITY_MANUAL: u8 = 0;
const ACTIVITY_AUTO_MULTI_SPORT: u8 = 1;
/// UTC offsets from a day on are not time zones.
const MAX_UTC_OFFSET_S: u32 = 86_400;
/// Bytes a record takes at most, to size the buffer once.
const RECORD_BYTES: usize = 32;

/// Encodes an activity as a FIT activity file (see the [module docs](super) for what it
/// holds). Never fails: every activity has a valid FIT form.
#[must_use]
pub fn encode_activity(activity: &ActivityForEncoding) -> Vec<u8> {
    let legs = planned_legs(activity);
    let mut writer =
        Writer::with_capacity(512 + activity.streams.len().saturating_mul(RECORD_BYTES));
    let start = legs.first().map_or(FitTime(0), |leg| leg.start);
    let end = legs.last().map_or(start, |leg| leg.end);

    writer.message(
        local::FILE_ID,
        mesg::FILE_ID,
        &[
            (0, Value::Enum(Some(FILE_ACTIVITY))),
            (1, Value::U16(Some(MANUFACTURER_DEVELOPMENT))),
            (2, Value::U16(Some(0))),
            (4, Value::U32(Some(start.0))),
            (8, Value::Str("Paceline")),
        ],
    );
    timer_event(&mut writer, start, EVENT_TYPE_START);
    if activity.streams.is_empty() {
        summary_records(&mut writer, &legs);
    } else {
        records(&mut writer, &activity.streams);
    }
    timer_event(&mut writer, end, EVENT_TYPE_STOP_ALL);

    let mut lap_index = 0u16;
    for leg in &legs {
        for lap in &leg.laps {
            write_lap(&mut writer, leg.sport, leg.sub_sport, lap, lap_index);
            lap_index = lap_index.saturating_add(1);
        }
    }
    let mut first_lap = 0u16;
    for (index, leg) in legs.iter().enumerate() {
        let laps = u16::try_from(leg.laps.len()).unwrap_or(u16::MAX);
        write_session(
            &mut writer,
            leg,
            u16::try_from(index).unwrap_or(u16::MAX),
            first_lap,
            laps,
        );
        first_lap = first_lap.saturating_add(laps);
    }

    let total_timer: f64 = legs
        .iter()
        .filter_map(|leg| leg.figures.timer_s.or(leg.figures.elapsed_s))
        .filter(|s| s.is_finite() && *s >= 0.0)
        .sum();
    // An offset of a day or more is no time zone (a device's clock gone wrong): left out.
    let local_timestamp = activity
        .utc_offset_s
        .filter(|offset| offset.unsigned_abs() < MAX_UTC_OFFSET_S)
        .and_then(|offset| u32::try_from(i64::from(end.0) + i64::from(offset)).ok());
    writer.message(
        local::ACTIVITY,
        mesg::ACTIVITY,
        &[
            (253, Value::U32(Some(end.0))),
            (0, Value::U32(scaled(Some(total_timer), 1000.0, 0.0))),
            (
                1,
                Value::U16(Some(u16::try_from(legs.len()).unwrap_or(u16::MAX))),
            ),
            (
                2,
                Value::Enum(Some(if legs.len() > 1 {
                    ACTIVITY_AUTO_MULTI_SPORT
                } else {
                    ACTIVITY_MANUAL
                })),
            ),
            (3, Value::Enum(Some(EVENT_ACTIVITY))),
            (4, Value::Enum(Some(EVENT_TYPE_STOP))),
            (5, Value::U32(local_timestamp)),
        ],
    );
    writer.finish()
}

/// A leg with its time span and its laps resolved.
struct PlannedLeg {
    sport: Sport,
    sub_sport: Option<SubSport>,
    start: FitTime,
    end: FitTime,
    figures: Figures,
    pool_length_m: Option<f64>,
    active_lengths: Option<u16>,
    laps: Vec<PlannedLap>,
}

/// A lap with its time span resolved.
struct PlannedLap {
    start: FitTime,
    end: FitTime,
    figures: Figures,
}

/// The legs to write, with their ends and laps worked out; an activity with no leg gets
/// one `generic` leg over its records.
fn planned_legs(activity: &ActivityForEncoding) -> Vec<PlannedLeg> {
    let streams = &activity.streams;
    let first_time = streams.time.iter().flatten().next().copied();
    let last_time = streams.time.iter().rev().flatten().next().copied();
    let generic;
    let legs: &[LegForEncoding] = if activity.legs.is_empty() {
        generic = [LegForEncoding::new(
            Sport(0),
            None,
            first_time.unwrap_or(FitTime(0)),
            Figures::default(),
        )];
        &generic
    } else {
        &activity.legs
    };
    legs.iter()
        .enumerate()
        .map(|(index, leg)| {
            let start = leg.start_time;
            let next_start = legs.get(index + 1).map(|next| next.start_time);
            let laps_end = leg
                .laps
                .last()
                .and_then(|lap| after(lap.start_time, &lap.figures));
            let records_end =
                last_time.filter(|t| *t >= start && next_start.is_none_or(|next| *t < next));
            let end = after(start, &leg.figures)
                .or(laps_end)
                .or(records_end)
                .unwrap_or(start);
            let laps = if leg.laps.is_empty() {
                vec![PlannedLap {
                    start,
                    end,
                    figures: leg.figures,
                }]
            } else {
                plan_laps(&leg.laps, end)
            };
            PlannedLeg {
                sport: leg.sport,
                sub_sport: leg.sub_sport,
                start,
                end,
                figures: leg.figures,
                pool_length_m: leg.pool_length_m,
                active_lengths: leg.active_lengths,
                laps,
            }
        })
        .collect()
}

fn plan_laps(laps: &[LapForEncoding], leg_end: FitTime) -> Vec<PlannedLap> {
    laps.iter()
        .enumerate()
        .map(|(index, lap)| {
            let next_start = laps.get(index + 1).map(|next| next.start_time);
            let end = after(lap.start_time, &lap.figures)
                .or(next_start)
                .unwrap_or(leg_end)
                .max(lap.start_time);
            PlannedLap {
                start: lap.start_time,
                end,
                figures: lap.figures,
            }
        })
        .collect()
}

/// The time `figures.elapsed_s` (or else `timer_s`) after `start`, to the second.
fn after(start: FitTime, figures: &Figures) -> Option<FitTime> {
    let seconds = figures
        .elapsed_s
        .or(figures.timer_s)
        .filter(|s| s.is_finite() && *s >= 0.0)?;
    let seconds = u32::try_from(seconds.round() as u64).unwrap_or(u32::MAX);
    Some(FitTime(start.0.saturating_add(seconds)))
}

/// `value * scale + offset`, rounded, when finite and within a `uint32`.
fn scaled(value: Option<f64>, scale: f64, offset: f64) -> Option<u32> {
    let raw = ((value? + offset) * scale).round();
    (raw.is_finite() && raw >= 0.0).then(|| raw.min(f64::from(u32::MAX - 1)) as u32)
}

fn clamp_u16(value: Option<u32>) -> Option<u16> {
    value.map(|v| u16::try_from(v).unwrap_or(u16::MAX - 1))
}

fn timer_event(writer: &mut Writer, at: FitTime, event_type: u8) {
    writer.message(
        local::EVENT,
        mesg::EVENT,
        &[
            (253, Value::U32(Some(at.0))),
            (0, Value::Enum(Some(EVENT_TIMER))),
            (1, Value::Enum(Some(event_type))),
            (3, Value::U32(Some(0))),
        ],
    );
}

/// One record per row of the streams, with a field for every column the streams have.
fn records(writer: &mut Writer, streams: &RecordStreams) {
    let mut fields = Vec::with_capacity(10);
    for record in streams.iter() {
        fields.clear();
        if !streams.time.is_empty() {
            fields.push((253, Value::U32(record.time.map(|t| t.0))));
        }
        if !streams.position.is_empty() {
            let (lat, lon) = record
                .position
                .map(
                    |Position {
                         lat_semicircles,
                         lon_semicircles,
                     }| (lat_semicircles, lon_semicircles),
                )
                .unzip();
            fields.push((0, Value::I32(lat)));
            fields.push((1, Value::I32(lon)));
        }
        if !streams.distance_m.is_empty() {
            fields.push((5, Value::U32(scaled(record.distance_m, 100.0, 0.0))));
        }
        if !streams.heart_rate.is_empty() {
            fields.push((3, Value::U8(record.heart_rate)));
        }
        if !streams.cadence.is_empty() {
            fields.push((4, Value::U8(record.cadence)));
        }
        if !streams.power_w.is_empty() {
            fields.push((7, Value::U16(record.power_w)));
        }
        if !streams.temperature_c.is_empty() {
            fields.push((13, Value::I8(record.temperature_c)));
        }
        if !streams.speed_mps.is_empty() {
            fields.push((73, Value::U32(scaled(record.speed_mps, 1000.0, 0.0))));
        }
        if !streams.altitude_m.is_empty() {
            fields.push((78, Value::U32(scaled(record.altitude_m, 5.0, 500.0))));
        }
        writer.message(local::RECORD, mesg::RECORD, &fields);
    }
}

/// For an activity without streams: a record at each leg's start and end with the time and
/// the distance so far.
fn summary_records(writer: &mut Writer, legs: &[PlannedLeg]) {
    let mut distance = 0.0;
    for leg in legs {
        let leg_distance = leg
            .figures
            .distance_m
            .filter(|d| d.is_finite() && *d >= 0.0);
        for (at, record_distance) in [
            (leg.start, distance),
            (leg.end, distance + leg_distance.unwrap_or(0.0)),
        ] {
            let record = Record {
                time: Some(at),
                distance_m: Some(record_distance),
                ..Record::default()
            };
            writer.message(
                local::RECORD,
                mesg::RECORD,
                &[
                    (253, Value::U32(record.time.map(|t| t.0))),
                    (5, Value::U32(scaled(record.distance_m, 100.0, 0.0))),
                ],
            );
        }
        distance += leg_distance.unwrap_or(0.0);
    }
}

/// The figure fields lap and session messages share, by their field numbers in each.
struct FigureFields {
    elapsed: u8,
    timer: u8,
    distance: u8,
    calories: u8,
    avg_heart_rate: u8,
    max_heart_rate: u8,
    avg_cadence: u8,
    max_cadence: u8,
    avg_power: u8,
    max_power: u8,
    ascent: u8,
    descent: u8,
    normalized_power: u8,
    avg_speed: u8,
    max_speed: u8,
}

const LAP_FIELDS: FigureFields = FigureFields {
    elapsed: 7,
    timer: 8,
    distance: 9,
    calories: 11,
    avg_heart_rate: 15,
    max_heart_rate: 16,
    avg_cadence: 17,
    max_cadence: 18,
    avg_power: 19,
    max_power: 20,
    ascent: 21,
    descent: 22,
    normalized_power: 33,
    avg_speed: 110,
    max_speed: 111,
};

const SESSION_FIELDS: FigureFields = FigureFields {
    elapsed: 7,
    timer: 8,
    distance: 9,
    calories: 11,
    avg_heart_rate: 16,
    max_heart_rate: 17,
    avg_cadence: 18,
    max_cadence: 19,
    avg_power: 20,
    max_power: 21,
    ascent: 22,
    descent: 23,
    normalized_power: 34,
    avg_speed: 124,
    max_speed: 125,
};

fn push_figures<'a>(fields: &mut Vec<(u8, Value<'a>)>, at: &FigureFields, f: &Figures) {
    fields.extend([
        (at.elapsed, Value::U32(scaled(f.elapsed_s, 1000.0, 0.0))),
        (at.timer, Value::U32(scaled(f.timer_s, 1000.0, 0.0))),
        (at.distance, Value::U32(scaled(f.distance_m, 100.0, 0.0))),
        (at.calories, Value::U16(clamp_u16(f.calories_kcal))),
        (at.avg_heart_rate, Value::U8(f.avg_heart_rate)),
        (at.max_heart_rate, Value::U8(f.max_heart_rate)),
        (at.avg_cadence, Value::U8(f.avg_cadence)),
        (at.max_cadence, Value::U8(f.max_cadence)),
        (at.avg_power, Value::U16(f.avg_power_w)),
        (at.max_power, Value::U16(f.max_power_w)),
        (at.ascent, Value::U16(clamp_u16(f.ascent_m))),
        (at.descent, Value::U16(clamp_u16(f.descent_m))),
        (at.normalized_power, Value::U16(f.normalized_power_w)),
        (
            at.avg_speed,
            Value::U32(scaled(f.avg_speed_mps, 1000.0, 0.0)),
        ),
        (
            at.max_speed,
            Value::U32(scaled(f.max_speed_mps, 1000.0, 0.0)),
        ),
    ]);
}

fn write_lap(
    writer: &mut Writer,
    sport: Sport,
    sub_sport: Option<SubSport>,
    lap: &PlannedLap,
    index: u16,
) {
    let mut fields = Vec::with_capacity(24);
    fields.extend([
        (254, Value::U16(Some(index))),
        (253, Value::U32(Some(lap.end.0))),
        (0, Value::Enum(Some(EVENT_LAP))),
        (1, Value::Enum(Some(EVENT_TYPE_STOP))),
        (2, Value::U32(Some(lap.start.0))),
        (24, Value::Enum(Some(LAP_TRIGGER_SESSION_END))),
        (25, Value::Enum(Some(sport.0))),
        (39, Value::Enum(sub_sport.map(|s| s.0))),
    ]);
    push_figures(&mut fields, &LAP_FIELDS, &lap.figures);
    writer.message(local::LAP, mesg::LAP, &fields);
}

fn write_session(writer: &mut Writer, leg: &PlannedLeg, index: u16, first_lap: u16, laps: u16) {
    let input = leg;
    let pool = input
        .pool_length_m
        .filter(|length| length.is_finite() && *length > 0.0);
    let mut fields = Vec::with_capacity(32);
    fields.extend([
        (254, Value::U16(Some(index))),
        (253, Value::U32(Some(leg.end.0))),
        (0, Value::Enum(Some(EVENT_SESSION))),
        (1, Value::Enum(Some(EVENT_TYPE_STOP))),
        (2, Value::U32(Some(leg.start.0))),
        (5, Value::Enum(Some(input.sport.0))),
        (6, Value::Enum(input.sub_sport.map(|s| s.0))),
        (25, Value::U16(Some(first_lap))),
        (26, Value::U16(Some(laps))),
        (28, Value::Enum(Some(SESSION_TRIGGER_ACTIVITY_END))),
        (44, Value::U16(clamp_u16(scaled(pool, 100.0, 0.0)))),
        // `pool_length_unit` `metric`, when there is a pool length.
        (46, Value::Enum(pool.map(|_| 0))),
        (47, Value::U16(input.active_lengths)),
    ]);
    push_figures(&mut fields, &SESSION_FIELDS, &input.figures);
    writer.message(local::SESSION, mesg::SESSION, &fields);
}
