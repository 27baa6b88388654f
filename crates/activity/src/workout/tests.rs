#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use super::*;

fn open(name: &str) -> WorkoutStep {
    WorkoutStep::Step(Step {
        name: Some(name.into()),
        notes: None,
        intensity: None,
        duration: StepDuration::Open,
        target: StepTarget::Open,
    })
}

#[test]
fn flattened_steps_map_back_to_where_they_sit() {
    // Flattened: a, b, c, repeat(b..c), repeat(b..), d
    let workout = Workout {
        name: "w".into(),
        sport: Sport(2),
        sub_sport: None,
        steps: vec![
            open("a"),
            WorkoutStep::Repeat {
                times: 2,
                steps: vec![WorkoutStep::Repeat {
                    times: 3,
                    steps: vec![open("b"), open("c")],
                }],
            },
            open("d"),
        ],
    };
    let paths: Vec<String> = (0..7)
        .map(|i| {
            workout
                .path_of(i)
                .map(|p| p.to_string())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(paths, ["1", "2.1.1", "2.1.2", "2.1", "2", "3", ""]);
    assert!(workout.check().is_ok());
}

#[test]
fn check_refuses_what_the_encoders_refuse() {
    let workout = Workout {
        name: "w".into(),
        sport: Sport(2),
        sub_sport: None,
        steps: vec![
            open("a"),
            WorkoutStep::Step(Step {
                name: None,
                notes: None,
                intensity: None,
                duration: StepDuration::Time { seconds: 60.0 },
                target: StepTarget::HeartRateZone(9),
            }),
        ],
    };
    let Err(WorkoutError::BadTarget { step, .. }) = workout.check() else {
        panic!("zone 9")
    };
    assert_eq!(workout.path_of(step).unwrap().to_string(), "2");
}
