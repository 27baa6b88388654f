//! Round trips through the decoder: what the encoder writes decodes to what it was given,
//! for generated activities and workouts; and the refusals of workouts FIT cannot hold.

use proptest::prelude::*;

use super::*;
use crate::fit::{
    ActivityType, Position, Record, SummarySource, decode_activity, decode_workout, reader,
};
use crate::workout::{
    Intensity, Step, StepDuration, StepTarget, Workout, WorkoutError, WorkoutStep,
};

const T0: u32 = 1_000_000_000;

fn figures() -> Figures {
    Figures {
        elapsed_s: Some(3600.5),
        timer_s: Some(3500.25),
        distance_m: Some(30_000.07),
        ascent_m: Some(321),
        descent_m: Some(300),
        avg_heart_rate: Some(140),
        max_heart_rate: Some(180),
        avg_power_w: Some(200),
        max_power_w: Some(700),
        normalized_power_w: Some(220),
        avg_cadence: Some(90),
        max_cadence: Some(120),
        avg_speed_mps: Some(8.333),
        max_speed_mps: Some(16.5),
        calories_kcal: Some(900),
    }
}

#[test]
fn a_summary_only_activity_decodes_to_its_summary() {
    let activity = ActivityForEncoding {
        legs: vec![LegForEncoding::new(Sport(2), None, FitTime(T0), figures())],
        streams: RecordStreams::default(),
        utc_offset_s: Some(3600),
    };
    let bytes = encode_activity(&activity);
    assert_eq!(reader::verify(&bytes), Ok(1));
    let decoded = decode_activity(&bytes).unwrap();
    assert_eq!(decoded.summary.activity_type, ActivityType::Ride);
    assert_eq!(decoded.summary.source, SummarySource::Sessions);
    assert_eq!(decoded.summary.start_time, Some(FitTime(T0)));
    assert_eq!(decoded.summary.utc_offset_s, Some(3600));
    assert_eq!(decoded.summary.figures, figures());
    assert_eq!(decoded.legs.len(), 1);
    assert_eq!(decoded.legs[0].end_time, Some(FitTime(T0 + 3601)));
    assert_eq!(decoded.laps.len(), 1);
    assert_eq!(decoded.laps[0].figures, figures());
    // Two records: the start and the end, with the distance so far.
    assert_eq!(decoded.streams.len(), 2);
    assert_eq!(decoded.streams.distance_m, vec![Some(0.0), Some(30_000.07)]);
    assert_eq!(
        decoded.streams.time,
        vec![Some(FitTime(T0)), Some(FitTime(T0 + 3601))]
    );
    assert_eq!(decoded.file_id.product_name.as_deref(), Some("Paceline"));
}

#[test]
fn several_legs_make_a_multisport_file() {
    let leg = |sport, start, elapsed| {
        LegForEncoding::new(
            Sport(sport),
            None,
            FitTime(T0 + start),
            Figures {
                elapsed_s: Some(elapsed),
                distance_m: Some(1000.0),
                ..Figures::default()
            },
        )
    };
    let activity = ActivityForEncoding {
        legs: vec![leg(5, 0, 900.0), leg(3, 900, 60.0), leg(2, 960, 3600.0)],
        ..ActivityForEncoding::default()
    };
    let decoded = decode_activity(&encode_activity(&activity)).unwrap();
    assert_eq!(decoded.summary.activity_type, ActivityType::Multisport);
    assert_eq!(decoded.legs.len(), 3);
    assert_eq!(decoded.summary.figures.distance_m, Some(3000.0));
    assert_eq!(decoded.activity.unwrap().num_sessions, Some(3));
    let first_laps: Vec<_> = decoded.legs.iter().map(|l| l.first_lap_index).collect();
    assert_eq!(first_laps, vec![Some(0), Some(1), Some(2)]);
}

#[test]
fn values_a_field_cannot_hold_are_clamped_or_left_out() {
    let leg = LegForEncoding::new(
        Sport(1),
        None,
        FitTime(T0),
        Figures {
            elapsed_s: Some(f64::NAN),
            timer_s: Some(-5.0),
            calories_kcal: Some(1_000_000),
            ascent_m: Some(u32::MAX),
            avg_heart_rate: Some(255),
            ..Figures::default()
        },
    );
    let activity = ActivityForEncoding {
        legs: vec![leg],
        ..ActivityForEncoding::default()
    };
    let decoded = decode_activity(&encode_activity(&activity)).unwrap();
    let f = decoded.legs[0].figures;
    assert_eq!(f.elapsed_s, None);
    assert_eq!(f.timer_s, None);
    assert_eq!(f.calories_kcal, Some(65_534));
    assert_eq!(f.ascent_m, Some(65_534));
    assert_eq!(f.avg_heart_rate, Some(254));
}

#[test]
fn an_activity_without_legs_is_one_generic_leg_over_its_records() {
    let mut streams = RecordStreams::default();
    for i in 0..10 {
        streams.push(Record {
            time: Some(FitTime(T0 + 5 + i)),
            power_w: Some(100),
            ..Record::default()
        });
    }
    let activity = ActivityForEncoding {
        streams: streams.clone(),
        ..ActivityForEncoding::default()
    };
    let decoded = decode_activity(&encode_activity(&activity)).unwrap();
    assert_eq!(decoded.streams, streams);
    assert_eq!(decoded.legs.len(), 1);
    assert_eq!(decoded.legs[0].start_time, Some(FitTime(T0 + 5)));
    assert_eq!(decoded.legs[0].end_time, Some(FitTime(T0 + 14)));
    assert_eq!(decoded.summary.activity_type, ActivityType::Other);
}

fn interval_workout() -> Workout {
    let step = |duration, target| {
        WorkoutStep::Step(Step {
            name: None,
            notes: None,
            intensity: Some(Intensity::Active),
            duration,
            target,
        })
    };
    Workout {
        name: "VO2".into(),
        sport: Sport(1),
        sub_sport: None,
        steps: vec![
            step(StepDuration::Time { seconds: 600.0 }, StepTarget::Open),
            WorkoutStep::Repeat {
                times: 6,
                steps: vec![
                    step(
                        StepDuration::Distance { metres: 800.0 },
                        StepTarget::HeartRateZone(5),
                    ),
                    step(StepDuration::Open, StepTarget::Open),
                ],
            },
        ],
    }
}

#[test]
fn a_workout_round_trips_with_its_repeats() {
    let workout = interval_workout();
    let bytes = encode_workout(&workout).unwrap();
    assert_eq!(reader::verify(&bytes), Ok(1));
    assert_eq!(decode_workout(&bytes).unwrap(), workout);
    // A workout is not an activity, and an activity is not a workout.
    assert!(matches!(
        decode_activity(&bytes),
        Err(crate::fit::FitError::NotAnActivity { .. })
    ));
    let activity = encode_activity(&ActivityForEncoding::default());
    assert!(matches!(
        decode_workout(&activity),
        Err(crate::fit::FitError::NotAWorkout { .. })
    ));
}

#[test]
fn workouts_fit_cannot_hold_are_refused() {
    let mut empty = interval_workout();
    empty.steps.clear();
    assert_eq!(
        encode_workout(&empty),
        Err(WorkoutError::Empty("the workout"))
    );

    let mut zero = interval_workout();
    if let Some(WorkoutStep::Repeat { times, .. }) = zero.steps.get_mut(1) {
        *times = 0;
    }
    assert_eq!(encode_workout(&zero), Err(WorkoutError::ZeroRepeat));

    let mut deep = interval_workout();
    for _ in 0..10 {
        deep.steps = vec![WorkoutStep::Repeat {
            times: 2,
            steps: deep.steps,
        }];
    }
    assert_eq!(encode_workout(&deep), Err(WorkoutError::TooDeep));

    let mut zone = interval_workout();
    if let Some(WorkoutStep::Step(step)) = zone.steps.get_mut(0) {
        step.target = StepTarget::HeartRateZone(6);
    }
    assert!(matches!(
        encode_workout(&zone),
        Err(WorkoutError::BadTarget { step: 0, .. })
    ));

    let mut time = interval_workout();
    if let Some(WorkoutStep::Step(step)) = time.steps.get_mut(0) {
        step.duration = StepDuration::Time { seconds: f64::NAN };
    }
    assert!(matches!(
        encode_workout(&time),
        Err(WorkoutError::BadDuration { step: 0, .. })
    ));
}

#[test]
fn long_names_are_cut_at_a_character_boundary() {
    let mut workout = interval_workout();
    workout.name = "é".repeat(200);
    let decoded = decode_workout(&encode_workout(&workout).unwrap()).unwrap();
    assert_eq!(decoded.name, "é".repeat(127));
}

// Generated values sit on the grid FIT stores (ms, cm, mm/s, 0.2 m) so they come back equal.
fn opt<T: std::fmt::Debug + Clone + 'static>(
    strategy: impl Strategy<Value = T> + 'static,
) -> BoxedStrategy<Option<T>> {
    prop_oneof![1 => Just(None), 3 => strategy.prop_map(Some)].boxed()
}

fn arb_figures() -> impl Strategy<Value = Figures> {
    (
        (
            opt(1u32..100_000_000).prop_map(|v| v.map(|ms| f64::from(ms) / 1000.0)),
            opt(1u32..100_000_000).prop_map(|v| v.map(|ms| f64::from(ms) / 1000.0)),
            opt(0u32..1_000_000_000).prop_map(|v| v.map(|cm| f64::from(cm) / 100.0)),
            opt(0u32..65_535),
            opt(0u32..65_535),
        ),
        (
            opt(0u8..255),
            opt(0u8..255),
            opt(0u16..65_535),
            opt(0u16..65_535),
            opt(0u16..65_535),
        ),
        (
            opt(0u8..255),
            opt(0u8..255),
            opt(0u32..100_000).prop_map(|v| v.map(|mm| f64::from(mm) / 1000.0)),
            opt(0u32..100_000).prop_map(|v| v.map(|mm| f64::from(mm) / 1000.0)),
            opt(0u32..65_535),
        ),
    )
        .prop_map(|(a, b, c)| Figures {
            elapsed_s: a.0,
            timer_s: a.1,
            distance_m: a.2,
            ascent_m: a.3,
            descent_m: a.4,
            avg_heart_rate: b.0,
            max_heart_rate: b.1,
            avg_power_w: b.2,
            max_power_w: b.3,
            normalized_power_w: b.4,
            avg_cadence: c.0,
            max_cadence: c.1,
            avg_speed_mps: c.2,
            max_speed_mps: c.3,
            calories_kcal: c.4,
        })
}

fn arb_record() -> impl Strategy<Value = Record> {
    (
        (
            opt(0u32..4_000_000_000),
            opt((
                -1_073_741_824i32..1_073_741_824,
                -2_147_483_647i32..2_147_483_647,
            )),
            opt(0u32..100_000).prop_map(|v| v.map(|raw| f64::from(raw) / 5.0 - 500.0)),
            opt(0u8..255),
            opt(0u16..65_535),
        ),
        (
            opt(0u8..255),
            opt(0u32..200_000).prop_map(|v| v.map(|mm| f64::from(mm) / 1000.0)),
            opt(0u32..1_000_000_000).prop_map(|v| v.map(|cm| f64::from(cm) / 100.0)),
            opt(-127i8..127),
        ),
    )
        .prop_map(|(a, b)| Record {
            time: a.0.map(FitTime),
            position: a.1.map(|(lat, lon)| Position {
                lat_semicircles: lat,
                lon_semicircles: lon,
            }),
            altitude_m: a.2,
            heart_rate: a.3,
            power_w: a.4,
            cadence: b.0,
            speed_mps: b.1,
            distance_m: b.2,
            temperature_c: b.3,
        })
}

fn arb_leg() -> impl Strategy<Value = LegForEncoding> {
    (
        0u8..90,
        opt(0u8..90),
        arb_figures(),
        proptest::collection::vec((0u32..100_000, arb_figures()), 0..4),
        opt(1u32..10_000).prop_map(|v| v.map(|cm| f64::from(cm) / 100.0)),
        opt(0u16..65_535),
    )
        .prop_map(
            |(sport, sub, figures, laps, pool, lengths)| LegForEncoding {
                sport: Sport(sport),
                sub_sport: sub.map(SubSport),
                start_time: FitTime(0),
                figures,
                laps: laps
                    .into_iter()
                    .map(|(offset, figures)| LapForEncoding {
                        start_time: FitTime(offset),
                        figures,
                    })
                    .collect(),
                pool_length_m: pool,
                active_lengths: lengths,
            },
        )
}

fn arb_activity() -> impl Strategy<Value = ActivityForEncoding> {
    (
        proptest::collection::vec((0u32..100_000, arb_leg()), 1..5),
        proptest::collection::vec(arb_record(), 0..40),
        opt(-50_400i32..50_400),
    )
        .prop_map(|(legs, records, utc_offset_s)| {
            let mut start = T0;
            let legs = legs
                .into_iter()
                .map(|(gap, mut leg)| {
                    start += gap;
                    leg.start_time = FitTime(start);
                    for lap in &mut leg.laps {
                        lap.start_time = FitTime(start + lap.start_time.0);
                    }
                    leg
                })
                .collect();
            let mut streams = RecordStreams::default();
            for record in records {
                streams.push(record);
            }
            ActivityForEncoding {
                legs,
                streams,
                utc_offset_s,
            }
        })
}

fn arb_text() -> impl Strategy<Value = Option<String>> {
    opt("[a-zA-Z0-9 éü→-]{1,20}")
}

fn arb_step() -> impl Strategy<Value = Step> {
    let duration = prop_oneof![
        (1u32..86_400_000).prop_map(|ms| StepDuration::Time {
            seconds: f64::from(ms) / 1000.0
        }),
        (1u32..100_000_000).prop_map(|cm| StepDuration::Distance {
            metres: f64::from(cm) / 100.0
        }),
        Just(StepDuration::Open),
    ];
    let target = prop_oneof![
        Just(StepTarget::Open),
        (1u8..=5).prop_map(StepTarget::HeartRateZone),
        (1u8..=7).prop_map(StepTarget::PowerZone),
        (1u8..=255, 0u8..=255).prop_map(|(a, b)| StepTarget::HeartRate {
            low_bpm: a.min(b.max(1)),
            high_bpm: a.max(b)
        }),
        (1u8..=100, 1u8..=100).prop_map(|(a, b)| StepTarget::HeartRatePercentMax {
            low: a.min(b),
            high: a.max(b)
        }),
        (1u16..=3000, 1u16..=3000).prop_map(|(a, b)| StepTarget::Power {
            low_w: a.min(b),
            high_w: a.max(b)
        }),
        (1u16..=1000, 1u16..=1000).prop_map(|(a, b)| StepTarget::PowerPercentFtp {
            low: a.min(b),
            high: a.max(b)
        }),
        (0u32..30_000, 0u32..30_000).prop_map(|(a, b)| StepTarget::Speed {
            low_mps: f64::from(a.min(b)) / 1000.0,
            high_mps: f64::from(a.max(b)) / 1000.0
        }),
        (0u16..=300, 0u16..=300).prop_map(|(a, b)| StepTarget::Cadence {
            low: a.min(b),
            high: a.max(b)
        }),
    ];
    let intensity = opt(prop_oneof![
        Just(Intensity::Active),
        Just(Intensity::Rest),
        Just(Intensity::Warmup),
        Just(Intensity::Cooldown),
        Just(Intensity::Recovery),
        Just(Intensity::Interval),
        Just(Intensity::Other),
    ]);
    (arb_text(), arb_text(), intensity, duration, target).prop_map(
        |(name, notes, intensity, duration, target)| Step {
            name,
            notes,
            intensity,
            duration,
            target,
        },
    )
}

fn arb_workout_steps() -> impl Strategy<Value = Vec<WorkoutStep>> {
    let leaf = arb_step().prop_map(WorkoutStep::Step);
    let tree = leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            2 => arb_step().prop_map(WorkoutStep::Step),
            1 => (1u32..20, proptest::collection::vec(inner, 1..4))
                .prop_map(|(times, steps)| WorkoutStep::Repeat { times, steps }),
        ]
    });
    proptest::collection::vec(tree, 1..6)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn activities_round_trip_through_the_decoder(activity in arb_activity()) {
        let bytes = encode_activity(&activity);
        let decoded = decode_activity(&bytes).expect("our own file decodes");
        prop_assert_eq!(decoded.legs.len(), activity.legs.len());
        let mut lap_index = 0usize;
        for (leg, input) in decoded.legs.iter().zip(&activity.legs) {
            prop_assert_eq!(leg.sport, Some(input.sport));
            prop_assert_eq!(leg.sub_sport, input.sub_sport);
            prop_assert_eq!(leg.start_time, Some(input.start_time));
            prop_assert_eq!(leg.figures, input.figures);
            prop_assert_eq!(leg.pool_length_m, input.pool_length_m);
            prop_assert_eq!(leg.active_lengths, input.active_lengths);
            let laps = input.laps.len().max(1);
            prop_assert_eq!(leg.lap_count, Some(laps as u16));
            prop_assert_eq!(leg.first_lap_index, Some(lap_index as u16));
            if input.laps.is_empty() {
                prop_assert_eq!(decoded.laps[lap_index].figures, input.figures);
                prop_assert_eq!(decoded.laps[lap_index].start_time, Some(input.start_time));
            }
            for (lap, lap_input) in decoded.laps[lap_index..].iter().zip(&input.laps) {
                prop_assert_eq!(lap.start_time, Some(lap_input.start_time));
                prop_assert_eq!(lap.figures, lap_input.figures);
                prop_assert_eq!(lap.sport, Some(input.sport));
            }
            lap_index += laps;
        }
        prop_assert_eq!(decoded.laps.len(), lap_index);
        if activity.streams.is_empty() {
            prop_assert_eq!(decoded.streams.len(), 2 * activity.legs.len());
        } else {
            // Records that carry nothing at all are not kept by the decoder.
            let kept: RecordStreams = {
                let mut kept = RecordStreams::default();
                for record in activity.streams.iter().filter(|r| *r != Record::default()) {
                    kept.push(record);
                }
                kept
            };
            prop_assert_eq!(&decoded.streams.iter().collect::<Vec<_>>(), &kept.iter().collect::<Vec<_>>());
        }
        let offset = activity.utc_offset_s;
        prop_assert_eq!(decoded.summary.utc_offset_s, offset);
        // What was decoded re-encodes to a file that decodes the same.
        let again = decode_activity(&encode_activity(&ActivityForEncoding::from_decoded(&decoded)))
            .expect("the re-encoded file decodes");
        prop_assert_eq!(&again.legs, &decoded.legs);
        prop_assert_eq!(&again.laps, &decoded.laps);
        prop_assert_eq!(&again.summary, &decoded.summary);
    }

    #[test]
    fn workouts_round_trip_through_the_decoder(
        steps in arb_workout_steps(),
        name in "[a-zA-Z0-9 ]{0,30}",
        sport in 0u8..90,
        sub in opt(0u8..90),
    ) {
        let workout = Workout { name, sport: Sport(sport), sub_sport: sub.map(SubSport), steps };
        let bytes = encode_workout(&workout).expect("a valid workout");
        prop_assert_eq!(decode_workout(&bytes).expect("our own file decodes"), workout);
    }
}
