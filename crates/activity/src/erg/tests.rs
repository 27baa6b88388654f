#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use super::*;
use crate::fit::Sport;
use crate::workout::{Needs, StepTarget};

fn step(intensity: Intensity, seconds: f64, target: StepTarget) -> WorkoutStep {
    WorkoutStep::Step(Step {
        name: None,
        notes: None,
        intensity: Some(intensity),
        duration: StepDuration::Time { seconds },
        target,
    })
}

fn ride(steps: Vec<WorkoutStep>) -> Workout {
    Workout {
        name: "Sweet\nspot".into(),
        sport: Sport(2),
        sub_sport: None,
        steps,
    }
}

fn data(erg: &str) -> Vec<(f64, f64)> {
    let start = erg.find("[COURSE DATA]\n").unwrap() + "[COURSE DATA]\n".len();
    let end = erg.find("[END COURSE DATA]").unwrap();
    erg[start..end]
        .lines()
        .map(|line| {
            let (minutes, value) = line.split_once('\t').unwrap();
            (minutes.parse().unwrap(), value.parse().unwrap())
        })
        .collect()
}

#[test]
fn percentages_stay_percentages() {
    let workout = ride(vec![
        step(
            Intensity::Warmup,
            600.0,
            StepTarget::PowerPercentFtp { low: 50, high: 75 },
        ),
        WorkoutStep::Repeat {
            times: 2,
            steps: vec![
                step(
                    Intensity::Active,
                    90.5,
                    StepTarget::PowerPercentFtp { low: 88, high: 94 },
                ),
                step(
                    Intensity::Rest,
                    30.0,
                    StepTarget::PowerPercentFtp { low: 50, high: 51 },
                ),
            ],
        },
    ]);
    let erg = encode_workout(&workout, "tabs\tand lines\n", &PowerReference::default()).unwrap();
    assert!(
        erg.contains("DESCRIPTION = Sweet spot - tabs and lines\n"),
        "{erg}"
    );
    assert!(erg.contains("\nMINUTES PERCENT\n"), "{erg}");
    assert!(!erg.contains("FTP ="), "{erg}");
    assert_eq!(
        data(&erg),
        [
            (0.0, 50.0),
            (10.0, 75.0),
            (10.0, 91.0),
            (11.51, 91.0),
            (11.51, 50.5),
            (12.01, 50.5),
            (12.01, 91.0),
            (13.52, 91.0),
            (13.52, 50.5),
            (14.02, 50.5),
        ]
    );
    assert!(!erg.contains("[COURSE TEXT]"));
}

#[test]
fn watts_win_and_percentages_need_the_ftp() {
    let workout = ride(vec![
        step(
            Intensity::Active,
            60.0,
            StepTarget::Power {
                low_w: 200,
                high_w: 220,
            },
        ),
        step(
            Intensity::Cooldown,
            60.0,
            StepTarget::PowerPercentFtp { low: 40, high: 60 },
        ),
        step(Intensity::Active, 60.0, StepTarget::PowerZone(1)),
    ]);
    assert_eq!(
        encode_workout(&workout, "", &PowerReference::default()),
        Err(ExportError::Needs {
            step: StepPath(vec![2]),
            needs: Needs::Ftp
        })
    );
    let known = PowerReference {
        ftp_watts: Some(250),
        zones_watts: vec![(100, 140)],
    };
    let erg = encode_workout(&workout, "", &known).unwrap();
    assert!(erg.contains("\nFTP = 250\nMINUTES WATTS\n"), "{erg}");
    assert_eq!(
        data(&erg),
        [
            (0.0, 210.0),
            (1.0, 210.0),
            (1.0, 150.0),
            (2.0, 100.0),
            (2.0, 120.0),
            (3.0, 120.0),
        ]
    );
}

#[test]
fn step_names_become_course_text() {
    let workout = ride(vec![
        WorkoutStep::Step(Step {
            name: Some("Warm\tup".into()),
            notes: Some("easy".into()),
            intensity: None,
            duration: StepDuration::Time { seconds: 300.0 },
            target: StepTarget::Power {
                low_w: 150,
                high_w: 150,
            },
        }),
        step(
            Intensity::Active,
            60.0,
            StepTarget::Power {
                low_w: 300,
                high_w: 300,
            },
        ),
    ]);
    let erg = encode_workout(&workout, "", &PowerReference::default()).unwrap();
    assert!(
        erg.ends_with("[COURSE TEXT]\n0\tWarm up: easy\t300\n[END COURSE TEXT]\n"),
        "{erg}"
    );
}

#[test]
fn what_erg_cannot_hold_is_refused_naming_the_step() {
    for target in [
        StepTarget::Open,
        StepTarget::HeartRateZone(2),
        StepTarget::Cadence { low: 80, high: 90 },
    ] {
        let workout = ride(vec![WorkoutStep::Repeat {
            times: 3,
            steps: vec![step(Intensity::Active, 60.0, target)],
        }]);
        let Err(ExportError::Step { step, .. }) =
            encode_workout(&workout, "", &PowerReference::default())
        else {
            panic!("{target:?}")
        };
        assert_eq!(step.to_string(), "1.1");
    }
    let by_distance = ride(vec![WorkoutStep::Step(Step {
        name: None,
        notes: None,
        intensity: None,
        duration: StepDuration::Distance { metres: 1000.0 },
        target: StepTarget::Power {
            low_w: 200,
            high_w: 200,
        },
    })]);
    assert!(matches!(
        encode_workout(&by_distance, "", &PowerReference::default()),
        Err(ExportError::Step { .. })
    ));
    let mut run = ride(vec![step(
        Intensity::Active,
        60.0,
        StepTarget::Power {
            low_w: 200,
            high_w: 200,
        },
    )]);
    run.sport = Sport(1);
    assert!(matches!(
        encode_workout(&run, "", &PowerReference::default()),
        Err(ExportError::Sport { .. })
    ));
}
