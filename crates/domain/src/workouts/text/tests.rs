use super::*;
use proptest::prelude::*;

fn steps_of(text: &str) -> Vec<WorkoutStep> {
    parse(text).unwrap().steps(None).unwrap()
}

fn only_step(text: &str) -> Step {
    match steps_of(text).remove(0) {
        WorkoutStep::Step(step) => step,
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_module_example_reads_as_a_coach_means_it() {
    let steps = steps_of(
        "15 min warm up @ 60-70% FTP\n4 x\n  5 min @ 105% FTP // seated, high cadence\n  3 min recovery @ 55% FTP\nopen cool down @ Z1 HR\n",
    );
    assert_eq!(steps.len(), 3);
    let WorkoutStep::Step(warm) = &steps[0] else {
        panic!()
    };
    assert_eq!(warm.name.as_deref(), Some("warm up"));
    assert_eq!(warm.intensity, Some(Intensity::Warmup));
    assert_eq!(warm.duration, StepDuration::Time { seconds: 900.0 });
    assert_eq!(
        warm.target,
        StepTarget::PowerPercentFtp { low: 60, high: 70 }
    );
    let WorkoutStep::Repeat {
        times,
        steps: inner,
    } = &steps[1]
    else {
        panic!()
    };
    assert_eq!(*times, 4);
    let WorkoutStep::Step(hard) = &inner[0] else {
        panic!()
    };
    assert_eq!(hard.notes.as_deref(), Some("seated, high cadence"));
    assert_eq!(hard.name, None);
    assert_eq!(hard.intensity, Some(Intensity::Active));
    assert_eq!(
        hard.target,
        StepTarget::PowerPercentFtp {
            low: 105,
            high: 105
        }
    );
    let WorkoutStep::Step(easy) = &inner[1] else {
        panic!()
    };
    assert_eq!(easy.intensity, Some(Intensity::Recovery));
    let WorkoutStep::Step(cool) = &steps[2] else {
        panic!()
    };
    assert_eq!(cool.duration, StepDuration::Open);
    assert_eq!(cool.intensity, Some(Intensity::Cooldown));
    assert_eq!(cool.target, StepTarget::HeartRateZone(1));
}

#[test]
fn every_duration_form_reads() {
    for (text, expected) in [
        ("90 s", StepDuration::Time { seconds: 90.0 }),
        ("90s", StepDuration::Time { seconds: 90.0 }),
        ("10 min", StepDuration::Time { seconds: 600.0 }),
        ("10min", StepDuration::Time { seconds: 600.0 }),
        ("1.5 h", StepDuration::Time { seconds: 5400.0 }),
        ("1:30", StepDuration::Time { seconds: 90.0 }),
        ("1:05:00", StepDuration::Time { seconds: 3900.0 }),
        ("400 m", StepDuration::Distance { metres: 400.0 }),
        ("5 km", StepDuration::Distance { metres: 5000.0 }),
        ("2,5 km", StepDuration::Distance { metres: 2500.0 }),
        ("1 mi", StepDuration::Distance { metres: 1609.344 }),
        ("open", StepDuration::Open),
        ("Lap", StepDuration::Open),
    ] {
        assert_eq!(only_step(text).duration, expected, "{text}");
    }
}

#[test]
fn every_target_form_reads() {
    let pace = |slow: f64, fast: f64| StepTarget::Speed {
        low_mps: 1000.0 / slow,
        high_mps: 1000.0 / fast,
    };
    for (text, expected) in [
        ("Z3 HR", StepTarget::HeartRateZone(3)),
        ("hr z2", StepTarget::HeartRateZone(2)),
        ("zone 4 power", StepTarget::PowerZone(4)),
        (
            "140-150 bpm",
            StepTarget::HeartRate {
                low_bpm: 140,
                high_bpm: 150,
            },
        ),
        (
            "140 – 150 bpm",
            StepTarget::HeartRate {
                low_bpm: 140,
                high_bpm: 150,
            },
        ),
        (
            "80-85% max HR",
            StepTarget::HeartRatePercentMax { low: 80, high: 85 },
        ),
        (
            "250 W",
            StepTarget::Power {
                low_w: 250,
                high_w: 250,
            },
        ),
        (
            "240-260w",
            StepTarget::Power {
                low_w: 240,
                high_w: 260,
            },
        ),
        (
            "90-95 % FTP",
            StepTarget::PowerPercentFtp { low: 90, high: 95 },
        ),
        ("4:30-4:40 /km", pace(280.0, 270.0)),
        ("4:40-4:30/km", pace(280.0, 270.0)),
        (
            "7:15 /mi",
            StepTarget::Speed {
                low_mps: 1609.344 / 435.0,
                high_mps: 1609.344 / 435.0,
            },
        ),
        (
            "30-32 km/h",
            StepTarget::Speed {
                low_mps: 30.0 * 1000.0 / 3600.0,
                high_mps: 32.0 * 1000.0 / 3600.0,
            },
        ),
        ("85-95 rpm", StepTarget::Cadence { low: 85, high: 95 }),
        (
            "170-180 spm",
            StepTarget::Cadence {
                low: 170,
                high: 180,
            },
        ),
    ] {
        assert_eq!(
            only_step(&format!("5 min @ {text}")).target,
            expected,
            "{text}"
        );
    }
}

#[test]
fn relative_targets_take_the_athletes_thresholds() {
    let plan = parse("10 min @ 95-100% LTHR\n2 km @ 90-95% threshold pace").unwrap();
    assert!(plan.is_relative());
    let missing = plan.steps(None).unwrap_err();
    assert_eq!(missing.line, 1);
    assert!(
        missing.message.contains("threshold heart rate"),
        "{missing}"
    );
    let settings = TrainingSettings {
        threshold_heart_rate: Some(170),
        threshold_pace_s_per_km: Some(250),
        ..TrainingSettings::default()
    };
    let steps = plan.steps(Some(&settings)).unwrap();
    let WorkoutStep::Step(hr) = &steps[0] else {
        panic!()
    };
    assert_eq!(
        hr.target,
        StepTarget::HeartRate {
            low_bpm: 162,
            high_bpm: 170
        }
    );
    let WorkoutStep::Step(run) = &steps[1] else {
        panic!()
    };
    let StepTarget::Speed { low_mps, high_mps } = run.target else {
        panic!()
    };
    assert!(
        (low_mps - 3.6).abs() < 1e-9 && (high_mps - 3.8).abs() < 1e-9,
        "{low_mps} {high_mps}"
    );
}

#[test]
fn mistakes_name_their_line_and_say_what_reads() {
    for (text, line, says) in [
        ("", 0, "at least one step"),
        (
            "10 min @ Z2 HR\nten minutes",
            2,
            "Start the line with how long",
        ),
        ("10 @ Z2 HR", 1, "needs a unit"),
        ("10 furlongs", 1, "not a unit"),
        ("10 min @ lots", 1, "not a target I can read"),
        ("10 min @ Z3", 1, "Say which zone"),
        ("10 min\n  5 min", 2, "no repeat"),
        ("4 x\n5 min", 1, "needs its steps"),
        ("0 x\n  5 min", 1, "1 to 1000 times"),
        ("10 min @ Z9 HR", 1, "zone"),
        ("0 min", 1, "more than 0 seconds"),
        ("5 min @ 4:75 /km", 1, "minutes and seconds"),
        ("3 x\n\t5 min", 2, "spaces, not tabs"),
        ("  10 min\n5 min", 1, "no repeat"),
        ("3 x\n    5 min\n  2 min", 3, "no repeat"),
    ] {
        let refused = parse(text).and_then(|plan| plan.steps(None).map(|_| plan));
        let error = refused.expect_err(text);
        assert_eq!(error.line, line, "{text}: {error}");
        assert!(error.message.contains(says), "{text}: {error}");
    }
}

#[test]
fn nested_repeats_read_by_indentation() {
    let steps =
        steps_of("3 x\n  2 x\n    30 s @ 150% FTP\n    30 s rest\n  4 min easy @ Z1 power\n5 min");
    let WorkoutStep::Repeat {
        times: 3,
        steps: outer,
    } = &steps[0]
    else {
        panic!("{steps:?}")
    };
    let WorkoutStep::Repeat {
        times: 2,
        steps: inner,
    } = &outer[0]
    else {
        panic!()
    };
    assert_eq!(inner.len(), 2);
    let WorkoutStep::Step(rest) = &inner[1] else {
        panic!()
    };
    assert_eq!(rest.intensity, Some(Intensity::Rest));
    assert_eq!(steps.len(), 2);
}

#[test]
fn steps_are_written_back_as_text() {
    let text = "15 min warm up @ 60-70% FTP\n4 x\n  5 min @ 105% FTP // seated\n  1:30 recovery @ Z1 power\n2 km @ 4:30-4:40 /km\nopen cool down\n";
    let steps = steps_of(text);
    assert_eq!(to_text(&steps, true), text);
    assert_eq!(
        to_text(&steps_of("10 min @ 30-32 km/h"), false),
        "10 min @ 30-32 km/h\n"
    );
}

#[test]
fn blocks_unroll_repeats_and_estimate_what_is_not_time() {
    let steps = steps_of(
        "10 min warm up @ 60% FTP\n2 x\n  1 min @ 120% FTP\n  1 min rest\n1 km @ 5:00 /km\nopen",
    );
    let blocks = blocks(&steps, None);
    assert_eq!(blocks.len(), 7);
    assert_eq!(blocks[0].intensity, Some(0.6));
    assert_eq!(blocks[1].intensity, Some(1.2));
    assert_eq!(
        blocks[2].intensity,
        Some(0.5),
        "rest without a target is easy"
    );
    assert!((blocks[5].seconds - 300.0).abs() < 1e-9, "1 km at 5:00 /km");
    assert!(blocks[5].estimated);
    assert_eq!(blocks[6].seconds, OPEN_SECONDS);
    assert_eq!(blocks[6].intensity, None);
}

/// A step as text, built from values the text can say exactly.
fn step_text() -> impl Strategy<Value = String> {
    let duration = prop_oneof![
        (1u32..=300).prop_map(|s| format!("{s} s")),
        (1u32..=240).prop_map(|m| format!("{m} min")),
        (1u32..=20_000).prop_map(|m| format!("{m} m")),
        (1u32..=200).prop_map(|k| format!("{k} km")),
        Just("open".to_owned()),
    ];
    let name = prop_oneof![
        Just(String::new()),
        Just(" warm up".to_owned()),
        Just(" cool down".to_owned()),
        Just(" rest".to_owned()),
        Just(" recovery".to_owned()),
        Just(" strides".to_owned()),
        Just(" over-under".to_owned()),
    ];
    let target = prop_oneof![
        Just(String::new()),
        (1u8..=5).prop_map(|z| format!(" @ Z{z} HR")),
        (1u8..=7).prop_map(|z| format!(" @ Z{z} power")),
        (60u8..=200, 0u8..=20).prop_map(|(l, d)| format!(" @ {}-{} bpm", l, l.saturating_add(d))),
        (50u8..=95, 0u8..=5).prop_map(|(l, d)| format!(" @ {}-{}% max HR", l, l + d)),
        (40u16..=150, 0u16..=10).prop_map(|(l, d)| format!(" @ {}-{}% FTP", l, l + d)),
        (100u16..=400, 0u16..=30).prop_map(|(l, d)| format!(" @ {}-{} W", l, l + d)),
        (180u16..=420, 0u16..=20).prop_map(|(fast, d)| {
            let slow = fast + d;
            format!(
                " @ {}:{:02}-{}:{:02} /km",
                slow / 60,
                slow % 60,
                fast / 60,
                fast % 60
            )
        }),
        (60u16..=100, 0u16..=10).prop_map(|(l, d)| format!(" @ {}-{} rpm", l, l + d)),
    ];
    let notes = prop_oneof![Just(String::new()), Just(" // stay relaxed".to_owned())];
    (duration, name, target, notes).prop_map(|(d, n, t, o)| format!("{d}{n}{t}{o}"))
}

/// A workout as text: steps and repeats, nested up to three deep.
fn workout_text() -> impl Strategy<Value = String> {
    let leaf = step_text().prop_map(|s| vec![s]);
    let tree = leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..4).prop_map(|parts| parts.concat()),
            (1u32..=10, prop::collection::vec(inner, 1..3)).prop_map(|(times, parts)| {
                let mut lines = vec![format!("{times} x")];
                lines.extend(parts.concat().into_iter().map(|l| format!("  {l}")));
                lines
            }),
        ]
    });
    tree.prop_map(|lines| lines.join("\n"))
}

proptest! {
    #[test]
    fn text_written_back_reads_as_the_same_steps(text in workout_text()) {
        let steps = parse(&text).unwrap().steps(None).unwrap();
        let again = to_text(&steps, true);
        let reread = parse(&again).unwrap().steps(None).unwrap();
        prop_assert_eq!(steps, reread, "{}\n---\n{}", text, again);
    }

    #[test]
    fn any_text_is_read_or_refused_without_panicking(text in "\\PC{0,200}") {
        if let Ok(plan) = parse(&text) {
            let _ = plan.steps(None);
        }
    }

    #[test]
    fn every_step_line_is_read_or_refused(lines in prop::collection::vec(step_text(), 1..6), indent in 0usize..4) {
        // However the lines are indented alike, none is dropped.
        let pad = " ".repeat(indent);
        let text: String = lines.iter().map(|l| format!("{pad}{l}\n")).collect();
        let steps = parse(&text).unwrap().steps(None).unwrap();
        prop_assert_eq!(steps.len(), lines.len());
    }
}
