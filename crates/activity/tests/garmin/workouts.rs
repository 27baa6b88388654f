//! The workouts the test encodes (repeats, nested repeats, every duration and target
//! type), and the steps Garmin's SDK must read back from each.

use crate::compare::{Compare, messages, sport_name};
use paceline_activity::fit::{Sport, SubSport};
use paceline_activity::workout::{Intensity, Step, StepDuration, StepTarget, Workout, WorkoutStep};
use serde_json::Value;

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

pub(crate) fn workouts() -> Vec<(&'static str, Workout)> {
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

pub(crate) fn check_workout(cmp: &mut Compare, name: &str, workout: &Workout, file: &Value) {
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
