#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use quick_xml::Reader;
use quick_xml::XmlVersion;
use quick_xml::events::Event;

use super::*;
use crate::fit::Sport;
use crate::workout::{Intensity, MAX_EXPORT_BLOCKS, Needs};

fn step(
    name: Option<&str>,
    intensity: Intensity,
    duration: StepDuration,
    target: StepTarget,
) -> WorkoutStep {
    WorkoutStep::Step(Step {
        name: name.map(str::to_owned),
        notes: None,
        intensity: Some(intensity),
        duration,
        target,
    })
}

fn secs(seconds: f64) -> StepDuration {
    StepDuration::Time { seconds }
}

fn pct(low: u16, high: u16) -> StepTarget {
    StepTarget::PowerPercentFtp { low, high }
}

fn ride(steps: Vec<WorkoutStep>) -> Workout {
    Workout {
        name: "Over <unders> & \"more\"".into(),
        sport: Sport(2),
        sub_sport: None,
        steps,
    }
}

/// An element as read back: name, attributes, text.
type Element = (String, Vec<(String, String)>, String);

/// Each element of an XML document; parsing fails the test on malformed XML.
fn elements(bytes: &[u8]) -> Vec<Element> {
    let text = std::str::from_utf8(bytes).unwrap();
    let mut reader = Reader::from_str(text);
    let mut out: Vec<Element> = Vec::new();
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) | Event::Empty(e) => {
                let attributes = e
                    .attributes()
                    .map(|a| {
                        let a = a.unwrap();
                        let value = a.normalized_value(XmlVersion::Implicit1_0).unwrap();
                        (a.key.0.to_owned(), value.into_owned())
                    })
                    .collect();
                out.push((e.name().0.to_owned(), attributes, String::new()));
            }
            Event::Text(t) => out.last_mut().unwrap().2.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let c = match &*r.into_inner() {
                    "amp" => '&',
                    "lt" => '<',
                    "gt" => '>',
                    "quot" => '"',
                    "apos" => '\'',
                    other => panic!("&{other};"),
                };
                out.last_mut().unwrap().2.push(c);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    for element in &mut out {
        element.2 = element.2.trim().to_owned();
    }
    out
}

fn attr<'a>(element: &'a Element, key: &str) -> &'a str {
    element
        .1
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("{} has no {key}", element.0))
}

#[test]
fn a_ride_becomes_ramps_steady_states_intervals_and_free_rides() {
    let workout = ride(vec![
        step(Some("Warm up"), Intensity::Warmup, secs(600.0), pct(50, 75)),
        WorkoutStep::Repeat {
            times: 5,
            steps: vec![
                step(Some("on"), Intensity::Interval, secs(60.0), pct(115, 125)),
                step(None, Intensity::Recovery, secs(120.0), pct(50, 50)),
            ],
        },
        step(None, Intensity::Active, secs(1200.4), pct(88, 94)),
        step(
            None,
            Intensity::Active,
            secs(300.0),
            StepTarget::Cadence { low: 95, high: 105 },
        ),
        step(None, Intensity::Cooldown, secs(600.0), pct(40, 60)),
        step(None, Intensity::Rest, secs(30.0), StepTarget::Open),
    ]);
    let bytes = encode_workout(&workout, "Line 1\nLine <2>", &PowerReference::default()).unwrap();
    let e = elements(&bytes);
    let names: Vec<&str> = e.iter().map(|(n, _, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "workout_file",
            "author",
            "name",
            "description",
            "sportType",
            "tags",
            "workout",
            "Warmup",
            "textevent",
            "IntervalsT",
            "textevent",
            "SteadyState",
            "FreeRide",
            "Cooldown",
            "FreeRide",
        ]
    );
    assert_eq!(e[2].2, "Over <unders> & \"more\"");
    assert_eq!(e[3].2, "Line 1\nLine <2>");
    assert_eq!(e[4].2, "bike");
    assert_eq!(
        (
            attr(&e[7], "Duration"),
            attr(&e[7], "PowerLow"),
            attr(&e[7], "PowerHigh")
        ),
        ("600", "0.5", "0.75")
    );
    assert_eq!(attr(&e[8], "message"), "Warm up");
    assert_eq!(
        [
            attr(&e[9], "Repeat"),
            attr(&e[9], "OnDuration"),
            attr(&e[9], "OffDuration"),
            attr(&e[9], "OnPower"),
            attr(&e[9], "OffPower"),
        ],
        ["5", "60", "120", "1.2", "0.5"]
    );
    assert_eq!(
        (attr(&e[11], "Duration"), attr(&e[11], "Power")),
        ("1200", "0.91")
    );
    assert_eq!(attr(&e[12], "Cadence"), "100");
    assert_eq!(
        (attr(&e[13], "PowerLow"), attr(&e[13], "PowerHigh")),
        ("0.6", "0.4")
    );
}

#[test]
fn user_text_is_escaped_and_cleaned() {
    let mut workout = ride(vec![WorkoutStep::Step(Step {
        name: Some("a\"b<c>&d".into()),
        notes: Some("x\u{1}y".into()),
        intensity: None,
        duration: secs(60.0),
        target: StepTarget::Open,
    })]);
    workout.name = "</name><evil/>".into();
    let bytes = encode_workout(&workout, "", &PowerReference::default()).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(!text.contains("<evil/>"), "{text}");
    let e = elements(&bytes);
    assert_eq!(e[2].2, "</name><evil/>");
    let event = e.iter().find(|(n, _, _)| n == "textevent").unwrap();
    assert_eq!(attr(event, "message"), "a\"b<c>&d: xy");
    assert!(!e.iter().any(|(n, _, _)| n == "evil"));
}

#[test]
fn watts_and_zones_use_the_athletes_ftp() {
    let workout = ride(vec![
        step(
            None,
            Intensity::Active,
            secs(60.0),
            StepTarget::Power {
                low_w: 200,
                high_w: 300,
            },
        ),
        step(
            None,
            Intensity::Active,
            secs(60.0),
            StepTarget::PowerZone(2),
        ),
    ]);
    assert_eq!(
        encode_workout(&workout, "", &PowerReference::default()),
        Err(ExportError::Needs {
            step: StepPath(vec![1]),
            needs: Needs::Ftp
        })
    );
    let only_ftp = PowerReference {
        ftp_watts: Some(250),
        zones_watts: Vec::new(),
    };
    assert_eq!(
        encode_workout(&workout, "", &only_ftp),
        Err(ExportError::Needs {
            step: StepPath(vec![2]),
            needs: Needs::PowerZone(2)
        })
    );
    let known = PowerReference {
        ftp_watts: Some(250),
        zones_watts: vec![(100, 150), (150, 200)],
    };
    let e = elements(&encode_workout(&workout, "", &known).unwrap());
    let steady: Vec<&str> = e
        .iter()
        .filter(|(n, _, _)| n == "SteadyState")
        .map(|el| attr(el, "Power"))
        .collect();
    assert_eq!(steady, ["1", "0.7"]);
}

#[test]
fn what_zwift_cannot_express_is_refused_naming_the_step() {
    let hr = ride(vec![WorkoutStep::Repeat {
        times: 2,
        steps: vec![
            step(None, Intensity::Active, secs(60.0), StepTarget::Open),
            step(
                None,
                Intensity::Active,
                secs(60.0),
                StepTarget::HeartRateZone(2),
            ),
        ],
    }]);
    let Err(ExportError::Step { step: at, .. }) =
        encode_workout(&hr, "", &PowerReference::default())
    else {
        panic!("a heart-rate target")
    };
    assert_eq!(at.to_string(), "1.2");
    let open = ride(vec![step(
        None,
        Intensity::Active,
        StepDuration::Open,
        StepTarget::Open,
    )]);
    assert!(matches!(
        encode_workout(&open, "", &PowerReference::default()),
        Err(ExportError::Step { .. })
    ));
    let mixed = ride(vec![
        step(None, Intensity::Active, secs(60.0), StepTarget::Open),
        step(
            None,
            Intensity::Active,
            StepDuration::Distance { metres: 1000.0 },
            StepTarget::Open,
        ),
    ]);
    assert_eq!(
        encode_workout(&mixed, "", &PowerReference::default()),
        Err(ExportError::MixedDurations { format: "ZWO" })
    );
    let mut swim = ride(vec![step(
        None,
        Intensity::Active,
        secs(60.0),
        StepTarget::Open,
    )]);
    swim.sport = Sport(5);
    assert!(matches!(
        encode_workout(&swim, "", &PowerReference::default()),
        Err(ExportError::Sport { .. })
    ));
    let mut run_power = ride(vec![step(None, Intensity::Active, secs(60.0), pct(80, 90))]);
    run_power.sport = Sport(1);
    assert!(matches!(
        encode_workout(&run_power, "", &PowerReference::default()),
        Err(ExportError::Step { .. })
    ));
}

#[test]
fn a_run_by_distance_is_a_distance_workout() {
    let workout = Workout {
        name: "5 x 1 km".into(),
        sport: Sport(1),
        sub_sport: None,
        steps: vec![WorkoutStep::Repeat {
            times: 5,
            steps: vec![
                step(
                    Some("1 km"),
                    Intensity::Interval,
                    StepDuration::Distance { metres: 1000.0 },
                    StepTarget::Cadence {
                        low: 170,
                        high: 180,
                    },
                ),
                step(
                    None,
                    Intensity::Recovery,
                    StepDuration::Distance { metres: 200.0 },
                    StepTarget::Open,
                ),
            ],
        }],
    };
    let e = elements(&encode_workout(&workout, "", &PowerReference::default()).unwrap());
    assert_eq!(e[4].2, "run");
    assert_eq!(
        (e[5].0.as_str(), e[5].2.as_str()),
        ("durationType", "distance")
    );
    let free: Vec<&str> = e
        .iter()
        .filter(|(n, _, _)| n == "FreeRide")
        .map(|el| attr(el, "Duration"))
        .collect();
    assert_eq!(free, ["1000", "200"].repeat(5));
}

#[test]
fn unrolling_is_bounded() {
    let workout = ride(vec![WorkoutStep::Repeat {
        times: u32::MAX,
        steps: vec![step(None, Intensity::Active, secs(1.0), StepTarget::Open)],
    }]);
    assert_eq!(
        encode_workout(&workout, "", &PowerReference::default()),
        Err(ExportError::TooLong)
    );
    let fits = ride(vec![WorkoutStep::Repeat {
        times: u32::try_from(MAX_EXPORT_BLOCKS).unwrap(),
        steps: vec![step(None, Intensity::Active, secs(1.0), StepTarget::Open)],
    }]);
    assert!(encode_workout(&fits, "", &PowerReference::default()).is_ok());
}
