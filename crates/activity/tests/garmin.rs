//! Every FIT file the encoder writes must read in Garmin's official FIT SDK with no error and
//! give back the values that were encoded.
//!
//! The test writes a set of activities (with streams, summary only, multisport, pool swim,
//! no leg at all) and workouts (repeats, nested repeats, every duration and target type)
//! into a temporary folder, runs `tests/garmin/check.py` on it through `tests/garmin/sdk.rs`
//! (with the Python named by `PACELINE_TEST_PYTHON`, else
//! `$HOME/.cache/paceline/venv/bin/python`, where CI installs `tests/garmin/requirements.txt`),
//! and compares the SDK's decoded messages field by field with the inputs.
//!
//! Without that Python or the SDK the test says loudly that it was skipped; with
//! `PACELINE_TEST_REQUIRE_INTEROP=1` (CI) it fails instead.

#![allow(
    clippy::expect_used,
    clippy::panic,
    clippy::unwrap_used,
    clippy::print_stderr,
    clippy::indexing_slicing
)]

#[path = "garmin/sdk.rs"]
mod sdk;

use std::fmt::Write as _;

use paceline_activity::fit::{
    ActivityForEncoding, Figures, FitTime, LapForEncoding, LegForEncoding, Position, Record,
    RecordStreams, Sport, SubSport, encode_activity, encode_workout,
};
use paceline_activity::workout::{Intensity, Step, StepDuration, StepTarget, Workout, WorkoutStep};
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

fn ride_with_streams() -> ActivityForEncoding {
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

fn run_summary_only() -> ActivityForEncoding {
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

fn triathlon() -> ActivityForEncoding {
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

fn pool_swim() -> ActivityForEncoding {
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

fn records_only() -> ActivityForEncoding {
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

fn step(
    name: &str,
    duration: StepDuration,
    target: StepTarget,
    intensity: Intensity,
) -> WorkoutStep {
    WorkoutStep::Step(Step {
        name: (!name.is_empty()).then(|| name.to_owned()),
        notes: None,
        intensity: Some(intensity),
        duration,
        target,
    })
}

fn workouts() -> Vec<(&'static str, Workout)> {
    let time = |seconds| StepDuration::Time { seconds };
    let distance = |metres| StepDuration::Distance { metres };
    let intervals = Workout {
        name: "5 x 1 km @ threshold".into(),
        sport: Sport(1),
        sub_sport: None,
        steps: vec![
            step(
                "Warm up",
                time(600.0),
                StepTarget::HeartRateZone(2),
                Intensity::Warmup,
            ),
            WorkoutStep::Repeat {
                times: 5,
                steps: vec![
                    step(
                        "1 km",
                        distance(1000.0),
                        StepTarget::Speed {
                            low_mps: 4.167,
                            high_mps: 4.386,
                        },
                        Intensity::Interval,
                    ),
                    step(
                        "jog",
                        time(90.5),
                        StepTarget::HeartRate {
                            low_bpm: 120,
                            high_bpm: 140,
                        },
                        Intensity::Recovery,
                    ),
                ],
            },
            step(
                "Cool down",
                StepDuration::Open,
                StepTarget::Open,
                Intensity::Cooldown,
            ),
        ],
    };
    let mut notes = step(
        "sweet spot",
        time(1200.0),
        StepTarget::PowerPercentFtp { low: 88, high: 94 },
        Intensity::Active,
    );
    if let WorkoutStep::Step(s) = &mut notes {
        s.notes = Some("Stay seated, smooth pedalling — über ruhig".into());
    }
    let bike = Workout {
        name: "Over-unders".into(),
        sport: Sport(2),
        sub_sport: Some(SubSport(6)),
        steps: vec![
            step("", time(300.0), StepTarget::PowerZone(2), Intensity::Warmup),
            WorkoutStep::Repeat {
                times: 3,
                steps: vec![
                    WorkoutStep::Repeat {
                        times: 4,
                        steps: vec![
                            step(
                                "over",
                                time(60.0),
                                StepTarget::Power {
                                    low_w: 300,
                                    high_w: 320,
                                },
                                Intensity::Interval,
                            ),
                            step(
                                "under",
                                time(120.0),
                                StepTarget::Cadence { low: 85, high: 95 },
                                Intensity::Active,
                            ),
                        ],
                    },
                    step("rest", time(240.0), StepTarget::Open, Intensity::Rest),
                ],
            },
            notes,
            step(
                "spin",
                distance(2500.25),
                StepTarget::HeartRatePercentMax { low: 60, high: 70 },
                Intensity::Cooldown,
            ),
        ],
    };
    vec![("intervals_run", intervals), ("over_unders_ride", bike)]
}

/// Compares SDK output with expectations, collecting every mismatch.
struct Compare {
    failures: Vec<String>,
}

impl Compare {
    fn value(&mut self, at: &str, message: &Value, key: &str, expected: Option<Value>) {
        let actual = message.get(key).filter(|v| !v.is_null());
        let same = match (&expected, actual) {
            (None, None) => true,
            (Some(Value::Number(e)), Some(Value::Number(a))) => {
                let (e, a) = (e.as_f64().unwrap(), a.as_f64().unwrap());
                (e - a).abs() <= 1e-9 * e.abs().max(1.0)
            }
            (Some(e), Some(a)) => e == a,
            _ => false,
        };
        if !same {
            self.failures.push(format!(
                "{at}.{key}: encoded {expected:?}, the SDK read {actual:?}"
            ));
        }
    }

    fn figures(&mut self, at: &str, message: &Value, f: &Figures) {
        let num = |v: Option<f64>| v.map(Value::from);
        let int = |v: Option<u32>| v.map(Value::from);
        self.value(at, message, "total_elapsed_time", num(f.elapsed_s));
        self.value(at, message, "total_timer_time", num(f.timer_s));
        self.value(at, message, "total_distance", num(f.distance_m));
        self.value(
            at,
            message,
            "total_calories",
            int(f.calories_kcal.map(|c| c.min(65_534))),
        );
        self.value(
            at,
            message,
            "avg_heart_rate",
            int(f.avg_heart_rate.map(u32::from)),
        );
        self.value(
            at,
            message,
            "max_heart_rate",
            int(f.max_heart_rate.map(u32::from)),
        );
        self.value(
            at,
            message,
            "avg_cadence",
            int(f.avg_cadence.map(u32::from)),
        );
        self.value(
            at,
            message,
            "max_cadence",
            int(f.max_cadence.map(u32::from)),
        );
        self.value(at, message, "avg_power", int(f.avg_power_w.map(u32::from)));
        self.value(at, message, "max_power", int(f.max_power_w.map(u32::from)));
        self.value(at, message, "total_ascent", int(f.ascent_m));
        self.value(at, message, "total_descent", int(f.descent_m));
        self.value(
            at,
            message,
            "normalized_power",
            int(f.normalized_power_w.map(u32::from)),
        );
        self.value(
            at,
            message,
            "enhanced_avg_speed",
            num(f.avg_speed_mps.map(|v| (v * 1000.0).round() / 1000.0)),
        );
        self.value(
            at,
            message,
            "enhanced_max_speed",
            num(f.max_speed_mps.map(|v| (v * 1000.0).round() / 1000.0)),
        );
    }
}

fn time(t: FitTime) -> Value {
    Value::from(t.to_string())
}

fn sport_name(sport: Sport) -> Value {
    sport
        .name()
        .map_or_else(|| Value::from(sport.0), Value::from)
}

fn messages<'a>(file: &'a Value, kind: &str) -> &'a [Value] {
    file.pointer(&format!("/messages/{kind}_mesgs"))
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn check_activity(cmp: &mut Compare, name: &str, input: &ActivityForEncoding, file: &Value) {
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

fn check_workout(cmp: &mut Compare, name: &str, workout: &Workout, file: &Value) {
    let file_id = &messages(file, "file_id")[0];
    cmp.value(name, file_id, "type", Some("workout".into()));
    let sdk_workout = &messages(file, "workout")[0];
    cmp.value(
        name,
        sdk_workout,
        "wkt_name",
        Some(workout.name.clone().into()),
    );
    cmp.value(name, sdk_workout, "sport", Some(sport_name(workout.sport)));
    let steps = messages(file, "workout_step");
    let mut expected = Vec::new();
    flatten(&workout.steps, &mut expected);
    cmp.value(
        name,
        sdk_workout,
        "num_valid_steps",
        Some(expected.len().into()),
    );
    if steps.len() != expected.len() {
        cmp.failures.push(format!(
            "{name}: {} steps, expected {}",
            steps.len(),
            expected.len()
        ));
        return;
    }
    for (i, (fields, sdk)) in expected.iter().zip(steps).enumerate() {
        let at = format!("{name}.step[{i}]");
        cmp.value(&at, sdk, "message_index", Some(i.into()));
        for (key, value) in fields {
            cmp.value(&at, sdk, key, value.clone());
        }
    }
}

type Fields = Vec<(&'static str, Option<Value>)>;

/// What the SDK should show for each FIT step, with its sub-fields expanded.
fn flatten(steps: &[WorkoutStep], out: &mut Vec<Fields>) {
    for step in steps {
        match step {
            WorkoutStep::Repeat { times, steps } => {
                let from = out.len();
                flatten(steps, out);
                out.push(vec![
                    ("duration_type", Some("repeat_until_steps_cmplt".into())),
                    ("duration_step", Some(from.into())),
                    ("repeat_steps", Some((*times).into())),
                ]);
            }
            WorkoutStep::Step(step) => {
                let mut fields: Fields = vec![
                    ("wkt_step_name", step.name.clone().map(Value::from)),
                    ("notes", step.notes.clone().map(Value::from)),
                    (
                        "intensity",
                        step.intensity.map(|i| {
                            match i {
                                Intensity::Active => "active",
                                Intensity::Rest => "rest",
                                Intensity::Warmup => "warmup",
                                Intensity::Cooldown => "cooldown",
                                Intensity::Recovery => "recovery",
                                Intensity::Interval => "interval",
                                Intensity::Other => "other",
                            }
                            .into()
                        }),
                    ),
                ];
                match step.duration {
                    StepDuration::Time { seconds } => {
                        fields.push(("duration_type", Some("time".into())));
                        fields.push(("duration_time", Some(seconds.into())));
                    }
                    StepDuration::Distance { metres } => {
                        fields.push(("duration_type", Some("distance".into())));
                        fields.push(("duration_distance", Some(metres.into())));
                    }
                    StepDuration::Open => fields.push(("duration_type", Some("open".into()))),
                }
                let range =
                    |t: &'static str, low: &'static str, high: &'static str, l: Value, h: Value| {
                        vec![
                            ("target_type", Some(Value::from(t))),
                            (low, Some(l)),
                            (high, Some(h)),
                        ]
                    };
                fields.extend(match step.target {
                    StepTarget::Open => vec![("target_type", Some("open".into()))],
                    StepTarget::HeartRateZone(z) => vec![
                        ("target_type", Some("heart_rate".into())),
                        ("target_hr_zone", Some(z.into())),
                    ],
                    StepTarget::PowerZone(z) => vec![
                        ("target_type", Some("power".into())),
                        ("target_power_zone", Some(z.into())),
                    ],
                    StepTarget::HeartRate { low_bpm, high_bpm } => range(
                        "heart_rate",
                        "custom_target_heart_rate_low",
                        "custom_target_heart_rate_high",
                        (u32::from(low_bpm) + 100).into(),
                        (u32::from(high_bpm) + 100).into(),
                    ),
                    StepTarget::HeartRatePercentMax { low, high } => range(
                        "heart_rate",
                        "custom_target_heart_rate_low",
                        "custom_target_heart_rate_high",
                        low.into(),
                        high.into(),
                    ),
                    StepTarget::Power { low_w, high_w } => range(
                        "power",
                        "custom_target_power_low",
                        "custom_target_power_high",
                        (u32::from(low_w) + 1000).into(),
                        (u32::from(high_w) + 1000).into(),
                    ),
                    StepTarget::PowerPercentFtp { low, high } => range(
                        "power",
                        "custom_target_power_low",
                        "custom_target_power_high",
                        low.into(),
                        high.into(),
                    ),
                    StepTarget::Speed { low_mps, high_mps } => range(
                        "speed",
                        "custom_target_speed_low",
                        "custom_target_speed_high",
                        low_mps.into(),
                        high_mps.into(),
                    ),
                    StepTarget::Cadence { low, high } => range(
                        "cadence",
                        "custom_target_cadence_low",
                        "custom_target_cadence_high",
                        low.into(),
                        high.into(),
                    ),
                });
                out.push(fields);
            }
        }
    }
}

#[test]
fn every_encoded_file_reads_in_garmins_sdk_with_the_encoded_values() {
    let Some(python) = sdk::python_or_skip() else {
        return;
    };
    let activities = [
        ("ride_with_streams", ride_with_streams()),
        ("run_summary_only", run_summary_only()),
        ("triathlon", triathlon()),
        ("pool_swim", pool_swim()),
        ("records_only", records_only()),
    ];
    let workouts = workouts();
    let dir = sdk::scratch_dir("encoder");
    for (name, activity) in &activities {
        std::fs::write(dir.join(format!("{name}.fit")), encode_activity(activity)).unwrap();
    }
    for (name, workout) in &workouts {
        let bytes = encode_workout(workout).expect("a valid workout");
        std::fs::write(dir.join(format!("{name}.fit")), bytes).unwrap();
    }
    let json = sdk::check_dir(&python, &dir);
    let file = |name: &str| {
        let path = dir.join(format!("{name}.fit")).display().to_string();
        json.get("files")
            .and_then(|files| files.get(&path))
            .cloned()
            .unwrap_or_else(|| panic!("no SDK result for {path}"))
    };
    let mut cmp = Compare {
        failures: Vec::new(),
    };
    for (name, activity) in &activities {
        check_activity(&mut cmp, name, activity, &file(name));
    }
    for (name, workout) in &workouts {
        check_workout(&mut cmp, name, workout, &file(name));
    }
    if std::env::var_os("PACELINE_KEEP_GARMIN_DIR").is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    let mut report = String::new();
    for failure in &cmp.failures {
        let _ = writeln!(report, "{failure}");
    }
    assert!(
        cmp.failures.is_empty(),
        "{} mismatches between what was encoded and what Garmin's SDK read:\n{report}",
        cmp.failures.len()
    );
}
