//! The activities the test encodes, and what Garmin's SDK must read back from each.

use crate::compare::{Compare, messages, sport_name, time};
use paceline_activity::fit::{
    ActivityForEncoding, Figures, FitTime, LapForEncoding, LegForEncoding, Position, Record,
    RecordStreams, Sport, SubSport,
};
use serde_json::Value;

const T0: u32 = 1_100_000_000; // 2024-11-09

fn figures(elapsed: f64, distance: f64) -> Figures {
    Figures {
        elapsed_s: Some(elapsed),
        timer_s: Some(elapsed - 12.5),
        distance_m: Some(distance),
        ascent_m: Some(123),
        descent_m: Some(120),
        avg_heart_rate: Some(150),
        max_heart_rate: Some(181),
        avg_power_w: Some(210),
        max_power_w: Some(604),
        normalized_power_w: Some(231),
        avg_cadence: Some(88),
        max_cadence: Some(121),
        avg_speed_mps: Some(distance / elapsed),
        max_speed_mps: Some(14.321),
        calories_kcal: Some(812),
    }
}

pub(crate) fn ride_with_streams() -> ActivityForEncoding {
    let mut streams = RecordStreams::default();
    for i in 0..600u32 {
        streams.push(Record {
            time: Some(FitTime(T0 + i)),
            position: (i % 50 != 7).then_some(Position {
                lat_semicircles: 554_000_000 + i as i32 * 1000,
                lon_semicircles: -1_000_000 - i as i32 * 700,
            }),
            altitude_m: Some(100.0 + f64::from(i % 40) * 0.2),
            heart_rate: (i > 3).then_some(120 + (i % 60) as u8),
            power_w: Some((i * 7 % 700) as u16),
            cadence: Some(80 + (i % 20) as u8),
            speed_mps: Some(8.0 + f64::from(i % 10) * 0.111),
            distance_m: Some(f64::from(i) * 8.5),
            temperature_c: Some(-3 + (i % 9) as i8),
        });
    }
    let mut leg = LegForEncoding::new(
        Sport(2),
        Some(SubSport(7)),
        FitTime(T0),
        figures(599.0, 5091.5),
    );
    leg.laps = vec![
        LapForEncoding {
            start_time: FitTime(T0),
            figures: figures(300.0, 2550.0),
        },
        LapForEncoding {
            start_time: FitTime(T0 + 300),
            figures: figures(299.0, 2541.5),
        },
    ];
    ActivityForEncoding {
        legs: vec![leg],
        streams,
        utc_offset_s: Some(3600),
    }
}

pub(crate) fn run_summary_only() -> ActivityForEncoding {
    let mut f = Figures {
        elapsed_s: Some(2700.0),
        distance_m: Some(9800.0),
        calories_kcal: Some(70_000), // past uint16: clamped
        avg_heart_rate: Some(141),
        ..Figures::default()
    };
    f.ascent_m = Some(45);
    ActivityForEncoding {
        legs: vec![LegForEncoding::new(Sport(1), None, FitTime(T0), f)],
        streams: RecordStreams::default(),
        utc_offset_s: Some(-18_000),
    }
}

pub(crate) fn triathlon() -> ActivityForEncoding {
    let leg = |sport: u8, sub: Option<u8>, start: u32, elapsed: f64, distance: f64| {
        LegForEncoding::new(
            Sport(sport),
            sub.map(SubSport),
            FitTime(T0 + start),
            Figures {
                elapsed_s: Some(elapsed),
                timer_s: Some(elapsed),
                distance_m: Some(distance),
                avg_heart_rate: Some(150),
                ..Figures::default()
            },
        )
    };
    let mut swim = leg(5, Some(18), 0, 1800.0, 1500.0);
    swim.laps = vec![
        LapForEncoding {
            start_time: FitTime(T0),
            figures: Figures {
                elapsed_s: Some(900.0),
                distance_m: Some(750.0),
                ..Figures::default()
            },
        },
        LapForEncoding {
            start_time: FitTime(T0 + 900),
            figures: Figures {
                elapsed_s: Some(900.0),
                distance_m: Some(750.0),
                ..Figures::default()
            },
        },
    ];
    ActivityForEncoding {
        legs: vec![
            swim,
            leg(3, Some(34), 1800, 120.0, 300.0),
            leg(2, None, 1920, 3600.0, 40_000.0),
            leg(3, Some(32), 5520, 90.0, 200.0),
            leg(1, None, 5610, 2400.0, 10_000.0),
        ],
        streams: RecordStreams::default(),
        utc_offset_s: Some(7200),
    }
}

pub(crate) fn pool_swim() -> ActivityForEncoding {
    let mut leg = LegForEncoding::new(
        Sport(5),
        Some(SubSport(17)),
        FitTime(T0),
        Figures {
            elapsed_s: Some(1530.668),
            timer_s: Some(1500.0),
            distance_m: Some(1500.0),
            calories_kcal: Some(329),
            ..Figures::default()
        },
    );
    leg.pool_length_m = Some(25.0);
    leg.active_lengths = Some(60);
    ActivityForEncoding {
        legs: vec![leg],
        streams: RecordStreams::default(),
        utc_offset_s: None,
    }
}

pub(crate) fn records_only() -> ActivityForEncoding {
    let mut streams = RecordStreams::default();
    for i in 0..30u32 {
        streams.push(Record {
            time: Some(FitTime(T0 + 2 * i)),
            heart_rate: Some(100 + i as u8),
            ..Record::default()
        });
    }
    ActivityForEncoding {
        legs: Vec::new(),
        streams,
        utc_offset_s: None,
    }
}

pub(crate) fn check_activity(
    cmp: &mut Compare,
    name: &str,
    input: &ActivityForEncoding,
    file: &Value,
) {
    let file_id = &messages(file, "file_id")[0];
    cmp.value(name, file_id, "type", Some("activity".into()));
    cmp.value(name, file_id, "manufacturer", Some("development".into()));
    cmp.value(name, file_id, "product_name", Some("Paceline".into()));

    let records = messages(file, "record");
    if input.streams.is_empty() {
        // Two records per leg: its start and end, with the distance so far.
        let expected = 2 * input.legs.len().max(1);
        if records.len() != expected {
            cmp.failures.push(format!(
                "{name}: {} records, expected {expected}",
                records.len()
            ));
        }
    } else if records.len() != input.streams.len() {
        cmp.failures.push(format!(
            "{name}: {} records, encoded {}",
            records.len(),
            input.streams.len()
        ));
    } else {
        for (i, (record, sdk)) in input.streams.iter().zip(records).enumerate() {
            let at = format!("{name}.record[{i}]");
            cmp.value(&at, sdk, "timestamp", record.time.map(time));
            cmp.value(
                &at,
                sdk,
                "position_lat",
                record.position.map(|p| p.lat_semicircles.into()),
            );
            cmp.value(
                &at,
                sdk,
                "position_long",
                record.position.map(|p| p.lon_semicircles.into()),
            );
            cmp.value(
                &at,
                sdk,
                "enhanced_altitude",
                record.altitude_m.map(Value::from),
            );
            cmp.value(&at, sdk, "heart_rate", record.heart_rate.map(Value::from));
            cmp.value(&at, sdk, "cadence", record.cadence.map(Value::from));
            cmp.value(&at, sdk, "power", record.power_w.map(Value::from));
            cmp.value(
                &at,
                sdk,
                "temperature",
                record.temperature_c.map(Value::from),
            );
            cmp.value(
                &at,
                sdk,
                "enhanced_speed",
                record.speed_mps.map(Value::from),
            );
            cmp.value(&at, sdk, "distance", record.distance_m.map(Value::from));
        }
    }

    let sessions = messages(file, "session");
    let laps = messages(file, "lap");
    let legs: Vec<LegForEncoding> = if input.legs.is_empty() {
        let first = input.streams.time.iter().flatten().next().copied().unwrap();
        vec![LegForEncoding::new(
            Sport(0),
            None,
            first,
            Figures::default(),
        )]
    } else {
        input.legs.clone()
    };
    if sessions.len() != legs.len() {
        cmp.failures.push(format!(
            "{name}: {} sessions for {} legs",
            sessions.len(),
            legs.len()
        ));
        return;
    }
    let mut lap_index = 0;
    for (i, (leg, session)) in legs.iter().zip(sessions).enumerate() {
        let at = format!("{name}.session[{i}]");
        cmp.value(&at, session, "sport", Some(sport_name(leg.sport)));
        cmp.value(
            &at,
            session,
            "sub_sport",
            leg.sub_sport
                .map(|s| s.name().map_or_else(|| Value::from(s.0), Value::from)),
        );
        cmp.value(&at, session, "start_time", Some(time(leg.start_time)));
        cmp.figures(&at, session, &leg.figures);
        cmp.value(
            &at,
            session,
            "pool_length",
            leg.pool_length_m.map(Value::from),
        );
        cmp.value(
            &at,
            session,
            "num_active_lengths",
            leg.active_lengths.map(Value::from),
        );
        let lap_count = leg.laps.len().max(1);
        cmp.value(&at, session, "num_laps", Some(lap_count.into()));
        cmp.value(&at, session, "first_lap_index", Some(lap_index.into()));
        if leg.laps.is_empty() {
            let lap = &laps[lap_index];
            cmp.figures(&format!("{name}.lap[{lap_index}]"), lap, &leg.figures);
            cmp.value(&at, lap, "start_time", Some(time(leg.start_time)));
        }
        for (j, lap) in leg.laps.iter().enumerate() {
            let sdk = &laps[lap_index + j];
            let at = format!("{name}.lap[{}]", lap_index + j);
            cmp.value(&at, sdk, "start_time", Some(time(lap.start_time)));
            cmp.value(&at, sdk, "sport", Some(sport_name(leg.sport)));
            cmp.figures(&at, sdk, &lap.figures);
        }
        lap_index += lap_count;
    }
    let activity = &messages(file, "activity")[0];
    cmp.value(name, activity, "num_sessions", Some(legs.len().into()));
    cmp.value(
        name,
        activity,
        "type",
        Some(
            if legs.len() > 1 {
                "auto_multi_sport"
            } else {
                "manual"
            }
            .into(),
        ),
    );
    let timer: f64 = legs
        .iter()
        .filter_map(|l| l.figures.timer_s.or(l.figures.elapsed_s))
        .sum();
    cmp.value(name, activity, "total_timer_time", Some(timer.into()));
    let events = messages(file, "event");
    let kinds: Vec<_> = events
        .iter()
        .map(|e| (e.get("event").cloned(), e.get("event_type").cloned()))
        .collect();
    let expected = vec![
        (Some("timer".into()), Some("start".into())),
        (Some("timer".into()), Some("stop_all".into())),
    ];
    if kinds != expected {
        cmp.failures.push(format!("{name}: events {kinds:?}"));
    }
}
