//! The record messages of the reference against the decoded record streams.

use crate::check::Check;
use paceline_activity::fit::DecodedActivity;
use serde_json::Value;

pub(crate) fn check_records(check: &mut Check<'_>, expected: &Value, decoded: &DecodedActivity) {
    let s = &decoded.streams;
    let at = |key: &str| expected.get(key);
    let count = |column_len: usize, somes: usize| -> Option<i64> {
        // An empty column means no record carried the value.
        Some(if column_len == 0 { 0 } else { somes as i64 })
    };
    check.int(
        "records.with_timestamp",
        at("with_timestamp"),
        count(s.time.len(), s.time.iter().flatten().count()),
    );
    check.int(
        "records.with_position",
        at("with_position"),
        count(s.position.len(), s.position.iter().flatten().count()),
    );
    check.int(
        "records.with_altitude",
        at("with_altitude"),
        count(s.altitude_m.len(), s.altitude_m.iter().flatten().count()),
    );
    check.int(
        "records.with_heart_rate",
        at("with_heart_rate"),
        count(s.heart_rate.len(), s.heart_rate.iter().flatten().count()),
    );
    check.int(
        "records.with_power",
        at("with_power"),
        count(s.power_w.len(), s.power_w.iter().flatten().count()),
    );
    check.int(
        "records.with_cadence",
        at("with_cadence"),
        count(s.cadence.len(), s.cadence.iter().flatten().count()),
    );
    check.int(
        "records.with_speed",
        at("with_speed"),
        count(s.speed_mps.len(), s.speed_mps.iter().flatten().count()),
    );
    check.int(
        "records.with_distance",
        at("with_distance"),
        count(s.distance_m.len(), s.distance_m.iter().flatten().count()),
    );
    check.int(
        "records.with_temperature",
        at("with_temperature"),
        count(
            s.temperature_c.len(),
            s.temperature_c.iter().flatten().count(),
        ),
    );
    // The reference's first and last timestamps are the earliest and latest (a record of
    // gc__2013-04-11-17-32-50.fit jumps two years ahead; the chained pool swim's second file
    // is earlier than its first).
    check.time(
        "records.first_timestamp",
        at("first_timestamp"),
        s.time.iter().flatten().min().copied(),
    );
    check.time(
        "records.last_timestamp",
        at("last_timestamp"),
        s.time.iter().flatten().max().copied(),
    );
    check.int(
        "records.max_heart_rate",
        at("max_heart_rate"),
        s.heart_rate.iter().flatten().max().map(|&v| i64::from(v)),
    );
    check.int(
        "records.max_power",
        at("max_power"),
        s.power_w.iter().flatten().max().map(|&v| i64::from(v)),
    );
    let sum_hr: Option<i64> = s
        .heart_rate
        .iter()
        .flatten()
        .map(|&v| i64::from(v))
        .reduce(|a, b| a + b);
    let sum_power: Option<i64> = s
        .power_w
        .iter()
        .flatten()
        .map(|&v| i64::from(v))
        .reduce(|a, b| a + b);
    check.int("records.sum_heart_rate", at("sum_heart_rate"), sum_hr);
    check.int("records.sum_power", at("sum_power"), sum_power);
}
