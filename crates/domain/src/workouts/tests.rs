use super::steps::{self, StepError};
use super::*;
use crate::entities::{SportZones, Zone};
use paceline_activity::workout::{Intensity, Step, StepDuration, StepPath, StepTarget};
use serde_json::json;

fn every_kind() -> serde_json::Value {
    json!([
        {"type": "step", "name": "Warm up", "notes": "easy", "intensity": "warmup",
         "duration": {"type": "time", "seconds": 600},
         "target": {"type": "heart_rate_zone", "zone": 2}},
        {"type": "repeat", "times": 3, "steps": [
            {"type": "repeat", "times": 2, "steps": [
                {"type": "step", "intensity": "interval",
                 "duration": {"type": "distance", "meters": 400.5},
                 "target": {"type": "power", "low_watts": 300, "high_watts": 320}},
                {"type": "step", "intensity": "recovery",
                 "duration": {"type": "time", "seconds": 90.5},
                 "target": {"type": "heart_rate", "low_bpm": 120, "high_bpm": 140}}
            ]},
            {"type": "step", "intensity": "rest", "duration": {"type": "open"},
             "target": {"type": "power_zone", "zone": 1}}
        ]},
        {"type": "step", "intensity": "active", "duration": {"type": "time", "seconds": 1200},
         "target": {"type": "power_percent_ftp", "low": 88, "high": 94}},
        {"type": "step", "intensity": "active", "duration": {"type": "time", "seconds": 300},
         "target": {"type": "speed", "low_mps": 4.167, "high_mps": 4.386}},
        {"type": "step", "intensity": "other", "duration": {"type": "time", "seconds": 300},
         "target": {"type": "cadence", "low": 85, "high": 95}},
        {"type": "step", "intensity": "cooldown", "duration": {"type": "time", "seconds": 300},
         "target": {"type": "heart_rate_percent_max", "low": 60, "high": 70}},
        {"type": "step", "name": null, "notes": null, "intensity": null,
         "duration": {"type": "time", "seconds": 60}, "target": {"type": "open"}}
    ])
}

#[test]
fn every_duration_and_target_reads_and_writes_back_the_same() {
    let parsed = steps::from_json(&every_kind()).unwrap();
    assert_eq!(parsed.len(), 7);
    assert_eq!(
        parsed[0],
        WorkoutStep::Step(Step {
            name: Some("Warm up".into()),
            notes: Some("easy".into()),
            intensity: Some(Intensity::Warmup),
            duration: StepDuration::Time { seconds: 600.0 },
            target: StepTarget::HeartRateZone(2),
        })
    );
    let written = steps::to_json(&parsed);
    assert_eq!(steps::from_json(&written).unwrap(), parsed);
    // What is written is the input with every member spelt out.
    assert_eq!(
        written[0]["duration"],
        json!({"type": "time", "seconds": 600})
    );
    assert_eq!(
        written[1]["steps"][0]["steps"][0]["duration"]["meters"],
        json!(400.5)
    );
    assert_eq!(written[6]["name"], json!(null));
    assert_eq!(written[6]["target"], json!({"type": "open"}));
}

#[test]
fn a_step_without_a_target_aims_at_nothing() {
    let parsed =
        steps::from_json(&json!([{"type": "step", "duration": {"type": "open"}}])).unwrap();
    let WorkoutStep::Step(step) = &parsed[0] else {
        panic!("a step")
    };
    assert_eq!((step.target, step.intensity), (StepTarget::Open, None));
}

fn error(value: serde_json::Value) -> StepError {
    steps::from_json(&value).unwrap_err()
}

#[test]
fn bad_steps_are_named_with_their_field() {
    let nested_zone = error(json!([
        {"type": "step", "duration": {"type": "open"}},
        {"type": "repeat", "times": 2, "steps": [
            {"type": "step", "duration": {"type": "open"},
             "target": {"type": "heart_rate_zone", "zone": 6}}
        ]}
    ]));
    assert_eq!(nested_zone.step, Some(StepPath(vec![2, 1])));
    assert_eq!(
        nested_zone.to_string(),
        "Step 2.1, target.zone: Ensure this value is less than or equal to 5."
    );
    for (value, expected) in [
        (json!({}), "Expected a list of steps."),
        (json!([]), "This list may not be empty."),
        (
            json!([1]),
            "Step 1: Expected an object with a \"type\" of step or repeat.",
        ),
        (
            json!([{"duration": {"type": "open"}}]),
            "Step 1, type: This field is required.",
        ),
        (
            json!([{"type": "lap"}]),
            "Step 1, type: \"lap\" is not a valid choice: one of step, repeat.",
        ),
        (
            json!([{"type": "step"}]),
            "Step 1, duration: This field is required.",
        ),
        (
            json!([{"type": "step", "duration": {"type": "time", "seconds": 0}}]),
            "Step 1, duration.seconds: Ensure this value is greater than 0.",
        ),
        (
            json!([{"type": "step", "duration": {"type": "time", "minutes": 5}}]),
            "Step 1, duration.minutes: Unknown field: this API does not take it.",
        ),
        (
            json!([{"type": "step", "duration": {"type": "open"}, "colour": "red"}]),
            "Step 1, colour: Unknown field: this API does not take it.",
        ),
        (
            json!([{"type": "step", "duration": {"type": "open"}, "intensity": "hard"}]),
            "Step 1, intensity: \"hard\" is not a valid choice: one of warmup, active, rest, cooldown, recovery, interval, other.",
        ),
        (
            json!([{"type": "step", "duration": {"type": "open"},
                    "target": {"type": "power", "low_watts": 320, "high_watts": 300}}]),
            "Step 1, target.low_watts: Ensure low_watts is no higher than high_watts.",
        ),
        (
            json!([{"type": "step", "duration": {"type": "open"},
                    "target": {"type": "heart_rate", "low_bpm": "120", "high_bpm": 140}}]),
            "Step 1, target.low_bpm: A valid integer is required.",
        ),
        (
            json!([{"type": "repeat", "times": 0, "steps": [{"type": "step", "duration": {"type": "open"}}]}]),
            "Step 1, times: Ensure this value is greater than or equal to 1.",
        ),
        (
            json!([{"type": "repeat", "times": 2, "steps": []}]),
            "Step 1, steps: This list may not be empty.",
        ),
        (
            json!([{"type": "step", "name": "a\u{0}b", "duration": {"type": "open"}}]),
            "Step 1, name: Null characters are not allowed.",
        ),
    ] {
        assert_eq!(error(value.clone()).to_string(), expected, "{value}");
    }
}

#[test]
fn repeats_nest_at_most_eight_deep() {
    let mut value = json!([{"type": "step", "duration": {"type": "open"}}]);
    for _ in 0..9 {
        value = json!([{"type": "repeat", "times": 2, "steps": value}]);
    }
    let e = error(value);
    assert_eq!(e.step, Some(StepPath(vec![1; 9])));
    assert!(e.message.contains("at most 8"), "{e}");
}

#[test]
fn the_models_own_checks_name_the_step() {
    let steps = vec![
        WorkoutStep::Step(Step {
            name: None,
            notes: None,
            intensity: None,
            duration: StepDuration::Open,
            target: StepTarget::Open,
        }),
        WorkoutStep::Repeat {
            times: 2,
            steps: vec![WorkoutStep::Step(Step {
                name: None,
                notes: None,
                intensity: None,
                duration: StepDuration::Time { seconds: -1.0 },
                target: StepTarget::Open,
            })],
        },
    ];
    let e = steps::check(&steps).unwrap_err();
    assert_eq!(e.step, Some(StepPath(vec![2, 1])));
    assert_eq!(
        e.to_string(),
        "Step 2.1: A time must be more than 0 and finite."
    );
}

#[test]
fn sports_are_named_as_fit_names_them() {
    for (sport, name) in SPORTS.iter().zip(SPORT_NAMES) {
        assert_eq!(sport.name(), name);
        assert_eq!(sport.fit().name(), Some(name));
        assert_eq!(WorkoutSport::from_name(name), Some(*sport));
    }
    assert_eq!(WorkoutSport::from_name("Cycling"), None);
}

fn zone(number: u8, power: Option<(i32, i32)>) -> Zone {
    Zone {
        number,
        name: format!("Z{number}"),
        heart_rate_min: None,
        heart_rate_max: None,
        power_min: power.map(|p| p.0),
        power_max: power.map(|p| p.1),
        speed_min_mps: None,
        speed_max_mps: None,
    }
}

#[test]
fn ftp_is_the_top_of_bike_zone_four() {
    let mut settings = AthleteSettings::new_athlete(time::macros::date!(2026 - 01 - 01));
    assert_eq!(power_reference(&settings), PowerReference::default());
    settings.zones.push(SportZones {
        sport: ZoneSport::Bike,
        max_heart_rate: Some(175),
        zones: vec![
            zone(2, Some((191, 210))),
            zone(1, Some((175, 190))),
            zone(3, Some((211, 240))),
            zone(4, Some((241, 275))),
            zone(5, Some((276, 350))),
        ],
    });
    let reference = power_reference(&settings);
    assert_eq!(reference.ftp_watts, Some(275));
    assert_eq!(reference.zones_watts.len(), 5);
    assert_eq!(reference.zones_watts[0], (175, 190));
    // Heart-rate zones only: nothing known.
    settings.zones[0].zones = vec![zone(1, None), zone(2, None)];
    assert_eq!(power_reference(&settings), PowerReference::default());
}

#[test]
fn a_kept_ftp_gives_the_power_zones() {
    let mut settings = AthleteSettings::new_athlete(time::macros::date!(2026 - 01 - 01));
    settings.training.ftp_watts = Some(250);
    let reference = power_reference(&settings);
    assert_eq!(reference.ftp_watts, Some(250));
    assert_eq!(reference.zones_watts.len(), 5);
    assert_eq!(reference.zones_watts[3].1, 250);
    assert_eq!(reference.zones_watts[0], (140, 174));
}
