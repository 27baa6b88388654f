//! The files a workout downloads as: every FIT file the server writes reads in Garmin's
//! official SDK with zero errors and decodes back to the workout; ZWO parses as XML with
//! the expected blocks; ERG reads back line by line; what a format cannot hold is refused.

use super::{every_kind, plan, session};
use crate::calendar::{Team, answer, send, team};
use crate::garmin_sdk;
use crate::harness::TestApp;
use paceline_activity::fit::decode_workout;
use paceline_activity::workout::{StepTarget, WorkoutStep};
use paceline_domain::entities::{AthleteSettings, SportZones, Zone, ZoneSport};
use paceline_domain::store::AccountStore;
use paceline_testkit::{TestContext, on_both_engines};
use quick_xml::Reader;
use quick_xml::XmlVersion;
use quick_xml::events::Event;
use reqwest::Method;
use serde_json::{Value, json};

on_both_engines!(
    every_fit_file_reads_in_garmins_sdk,
    zwo_files_parse_with_the_expected_blocks,
    erg_files_read_back,
    files_are_reached_through_a_session_they_are_attached_to,
);

/// Downloads a file; its status, headers and bytes.
async fn download(
    app: &TestApp,
    token: &str,
    session: i64,
    file: &str,
) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let response = send(
        app,
        Method::GET,
        &format!("/api/sessions/{session}/workouts/{file}"),
        token,
        &[],
    )
    .await;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.bytes().await.unwrap().to_vec())
}

/// The spec example's bike zones for the athlete: zone 4 tops out at 275 W, the FTP.
async fn give_bike_zones(app: &TestApp, team: &Team) {
    let zone = |number: u8, low: i32, high: i32| Zone {
        number,
        name: format!("Zone {number}"),
        heart_rate_min: None,
        heart_rate_max: None,
        power_min: Some(low),
        power_max: Some(high),
        speed_min_mps: None,
        speed_max_mps: None,
    };
    let mut settings = AthleteSettings::new_athlete(time::macros::date!(2018 - 08 - 01));
    settings.zones.push(SportZones {
        sport: ZoneSport::Bike,
        max_heart_rate: Some(175),
        zones: vec![
            zone(1, 175, 190),
            zone(2, 191, 210),
            zone(3, 211, 240),
            zone(4, 241, 275),
            zone(5, 276, 350),
        ],
    });
    app.store
        .replace_athlete_settings(
            team.athlete.user.id,
            &settings,
            time::OffsetDateTime::now_utc(),
        )
        .await
        .unwrap();
}

async fn every_fit_file_reads_in_garmins_sdk(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let team = team(&app).await;
    let day = session(&app, &team, "2018-08-20", "10").await;
    let bodies = [
        json!({"sport": "cycling", "name": "Every kind «ü»", "steps": every_kind(),
               "description": "All of it"}),
        json!({"sport": "running", "name": "5 x 1 km", "steps": [
            {"type": "step", "intensity": "warmup", "duration": {"type": "time", "seconds": 900},
             "target": {"type": "heart_rate_zone", "zone": 1}},
            {"type": "repeat", "times": 5, "steps": [
                {"type": "step", "name": "1 km", "intensity": "interval",
                 "duration": {"type": "distance", "meters": 1000},
                 "target": {"type": "speed", "low_mps": 4.167, "high_mps": 4.386}},
                {"type": "step", "name": "jog", "intensity": "recovery",
                 "duration": {"type": "time", "seconds": 90},
                 "target": {"type": "cadence", "low": 160, "high": 170}}
            ]},
            {"type": "step", "intensity": "cooldown", "duration": {"type": "open"}}
        ]}),
        json!({"sport": "swimming", "name": "CSS", "steps": [
            {"type": "repeat", "times": 10, "steps": [
                {"type": "step", "duration": {"type": "distance", "meters": 100},
                 "target": {"type": "heart_rate_percent_max", "low": 80, "high": 90}},
                {"type": "step", "intensity": "rest", "duration": {"type": "time", "seconds": 15}}
            ]}
        ]}),
        json!({"sport": "rowing", "name": "Nested", "steps": [
            {"type": "repeat", "times": 2, "steps": [
                {"type": "repeat", "times": 3, "steps": [
                    {"type": "repeat", "times": 2, "steps": [
                        {"type": "step", "duration": {"type": "time", "seconds": 30},
                         "target": {"type": "power", "low_watts": 250, "high_watts": 300}}
                    ]},
                    {"type": "step", "duration": {"type": "time", "seconds": 60}}
                ]}
            ]}
        ]}),
    ];
    let dir = garmin_sdk::scratch_dir("server-workouts");
    let mut written = Vec::new();
    for mut body in bodies {
        body["training_session_ids"] = json!([day]);
        let created = plan(&app, &team, &body).await;
        let id = created["workout_id"].as_i64().unwrap();
        let file = format!("{id}.fit");
        let (status, headers, bytes) = download(&app, &team.athlete.access_token, day, &file).await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
        assert_eq!(headers["content-type"], "application/vnd.ant.fit");
        assert_eq!(
            headers["content-disposition"],
            format!("attachment; filename=\"workout{id}.fit\"").as_str()
        );
        // The coach downloads the same file.
        let (_, _, coach_bytes) = download(&app, &team.coach.access_token, day, &file).await;
        assert_eq!(coach_bytes, bytes);
        // The file decodes back to the workout that was written.
        let decoded = decode_workout(&bytes).unwrap();
        assert_eq!(decoded.name, created["name"].as_str().unwrap());
        assert_eq!(
            serde_json::to_value(steps_of(&decoded.steps)).unwrap(),
            serde_json::to_value(steps_of_json(&created["steps"])).unwrap(),
            "{}",
            created["name"]
        );
        std::fs::write(dir.join(format!("workout{id}.fit")), &bytes).unwrap();
        written.push((id, created));
    }
    let Some(python) = garmin_sdk::python_or_skip() else {
        return;
    };
    // Zero errors from is_fit(), check_integrity() and read(), or the check fails.
    let json = garmin_sdk::check_dir(&python, &dir);
    for (id, created) in &written {
        let path = dir.join(format!("workout{id}.fit")).display().to_string();
        let file = &json["files"][&path];
        assert_eq!(file["ok"], true, "{path}: {file}");
        assert_eq!(file["errors"], json!([]));
        let workout = &file["messages"]["workout_mesgs"][0];
        assert_eq!(workout["wkt_name"], created["name"]);
        assert_eq!(workout["sport"], created["sport"]);
        let steps = file["messages"]["workout_step_mesgs"].as_array().unwrap();
        assert_eq!(workout["num_valid_steps"], json!(steps.len()));
        assert_eq!(steps.len(), flat_count(&created["steps"]));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// How many FIT steps a JSON list of steps flattens to (each step, and each repeat's
/// closing step).
fn flat_count(steps: &Value) -> usize {
    steps
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            if s["type"] == "repeat" {
                flat_count(&s["steps"]) + 1
            } else {
                1
            }
        })
        .sum()
}

/// A decoded workout's steps, as (kind, times or target) for comparison.
fn steps_of(steps: &[WorkoutStep]) -> Vec<Value> {
    steps
        .iter()
        .map(|s| match s {
            WorkoutStep::Repeat { times, steps } => json!(["repeat", times, steps_of(steps)]),
            WorkoutStep::Step(step) => json!([
                "step",
                step.name,
                match step.target {
                    StepTarget::Open => "open",
                    StepTarget::HeartRateZone(_) => "heart_rate_zone",
                    StepTarget::HeartRate { .. } => "heart_rate",
                    StepTarget::HeartRatePercentMax { .. } => "heart_rate_percent_max",
                    StepTarget::PowerZone(_) => "power_zone",
                    StepTarget::Power { .. } => "power",
                    StepTarget::PowerPercentFtp { .. } => "power_percent_ftp",
                    StepTarget::Speed { .. } => "speed",
                    StepTarget::Cadence { .. } => "cadence",
                }
            ]),
        })
        .collect()
}

fn steps_of_json(steps: &Value) -> Vec<Value> {
    steps
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            if s["type"] == "repeat" {
                json!(["repeat", s["times"], steps_of_json(&s["steps"])])
            } else {
                json!(["step", s["name"], s["target"]["type"]])
            }
        })
        .collect()
}

/// An element as read back: name, attributes, text.
type Element = (String, Vec<(String, String)>, String);

/// Each element of an XML document; parsing fails the test on malformed XML.
fn elements(bytes: &[u8]) -> Vec<Element> {
    let text = std::str::from_utf8(bytes).expect("UTF-8");
    let mut reader = Reader::from_str(text);
    let mut out: Vec<Element> = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
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

fn attribute<'a>(element: &'a Element, key: &str) -> &'a str {
    element
        .1
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("{} has no {key}", element.0))
}

/// A ride ZWO and ERG can hold once the athlete's FTP is known.
fn trainer_ride() -> Value {
    json!({"sport": "cycling", "name": "Sweet <spot> & \"friends\"",
           "description": "Two blocks.\nStay seated.", "steps": [
        {"type": "step", "name": "Warm up", "intensity": "warmup",
         "duration": {"type": "time", "seconds": 600},
         "target": {"type": "power_percent_ftp", "low": 50, "high": 75}},
        {"type": "repeat", "times": 2, "steps": [
            {"type": "step", "name": "on", "intensity": "interval",
             "duration": {"type": "time", "seconds": 1200},
             "target": {"type": "power", "low_watts": 240, "high_watts": 250}},
            {"type": "step", "intensity": "recovery",
             "duration": {"type": "time", "seconds": 300},
             "target": {"type": "power_zone", "zone": 1}}
        ]},
        {"type": "step", "intensity": "cooldown", "duration": {"type": "time", "seconds": 600},
         "target": {"type": "power_percent_ftp", "low": 40, "high": 60}}
    ]})
}

async fn zwo_files_parse_with_the_expected_blocks(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let team = team(&app).await;
    let day = session(&app, &team, "2018-08-20", "5").await;
    let mut body = trainer_ride();
    body["training_session_ids"] = json!([day]);
    let ride = plan(&app, &team, &body).await;
    let file = format!("{}.zwo", ride["workout_id"]);
    let token = &team.athlete.access_token;

    // Watts and zones need the athlete's FTP: not known yet.
    let (status, _, bytes) = download(&app, token, day, &file).await;
    let refusal: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(status, 409, "{refusal}");
    let detail = refusal["detail"].as_str().unwrap();
    assert!(
        detail.contains("step 2.1") && detail.contains("FTP"),
        "{detail}"
    );

    give_bike_zones(&app, &team).await;
    let (status, headers, bytes) = download(&app, token, day, &file).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    assert_eq!(headers["content-type"], "application/xml; charset=utf-8");
    assert_eq!(
        headers["content-disposition"],
        format!("attachment; filename=\"workout{}.zwo\"", ride["workout_id"]).as_str()
    );
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
            "Cooldown",
        ]
    );
    assert_eq!(e[2].2, "Sweet <spot> & \"friends\"");
    assert_eq!(e[3].2, "Two blocks.\nStay seated.");
    assert_eq!(e[4].2, "bike");
    assert_eq!(
        [
            attribute(&e[7], "Duration"),
            attribute(&e[7], "PowerLow"),
            attribute(&e[7], "PowerHigh")
        ],
        ["600", "0.5", "0.75"]
    );
    assert_eq!(attribute(&e[8], "message"), "Warm up");
    // 245 W of 275 W; zone 1 is 175-190 W, 182.5 W.
    assert_eq!(
        [
            attribute(&e[9], "Repeat"),
            attribute(&e[9], "OnDuration"),
            attribute(&e[9], "OffDuration"),
            attribute(&e[9], "OnPower"),
            attribute(&e[9], "OffPower"),
        ],
        ["2", "1200", "300", "0.891", "0.664"]
    );
    assert_eq!(
        [
            attribute(&e[11], "PowerLow"),
            attribute(&e[11], "PowerHigh")
        ],
        ["0.6", "0.4"]
    );

    // A heart-rate target has no place in a ZWO file: 422 naming the step.
    let hr = plan(
        &app,
        &team,
        &json!({"sport": "cycling", "name": "HR", "training_session_ids": [day], "steps": [
            {"type": "step", "duration": {"type": "time", "seconds": 60}},
            {"type": "step", "duration": {"type": "time", "seconds": 60},
             "target": {"type": "heart_rate_zone", "zone": 2}}
        ]}),
    )
    .await;
    let (status, _, bytes) = download(&app, token, day, &format!("{}.zwo", hr["workout_id"])).await;
    let refusal: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(status, 422, "{refusal}");
    assert!(
        refusal["detail"]
            .as_str()
            .unwrap()
            .contains("step 2: heart-rate"),
        "{refusal}"
    );
}

async fn erg_files_read_back(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let team = team(&app).await;
    let day = session(&app, &team, "2018-08-20", "5").await;
    let token = &team.athlete.access_token;
    // Percentages only: MINUTES PERCENT, no FTP needed.
    let percent = plan(
        &app,
        &team,
        &json!({"sport": "cycling", "name": "Percent", "training_session_ids": [day], "steps": [
            {"type": "step", "name": "Warm\tup", "intensity": "warmup",
             "duration": {"type": "time", "seconds": 300},
             "target": {"type": "power_percent_ftp", "low": 50, "high": 70}},
            {"type": "repeat", "times": 2, "steps": [
                {"type": "step", "duration": {"type": "time", "seconds": 60},
                 "target": {"type": "power_percent_ftp", "low": 120, "high": 120}}
            ]}
        ]}),
    )
    .await;
    let (status, headers, bytes) =
        download(&app, token, day, &format!("{}.erg", percent["workout_id"])).await;
    let text = String::from_utf8(bytes).unwrap();
    assert_eq!(status, 200, "{text}");
    assert_eq!(headers["content-type"], "text/plain; charset=utf-8");
    assert_eq!(
        text,
        "[COURSE HEADER]\nVERSION = 2\nUNITS = ENGLISH\nDESCRIPTION = Percent\nMINUTES PERCENT\n\
         [END COURSE HEADER]\n[COURSE DATA]\n0.00\t50\n5.00\t70\n5.00\t120\n6.00\t120\n\
         6.00\t120\n7.00\t120\n[END COURSE DATA]\n[COURSE TEXT]\n0\tWarm up\t300\n\
         [END COURSE TEXT]\n"
    );

    // Watts: MINUTES WATTS, with the FTP once known.
    let mut body = trainer_ride();
    body["training_session_ids"] = json!([day]);
    let ride = plan(&app, &team, &body).await;
    let file = format!("{}.erg", ride["workout_id"]);
    let (status, _, _) = download(&app, token, day, &file).await;
    assert_eq!(status, 409);
    give_bike_zones(&app, &team).await;
    let (status, _, bytes) = download(&app, token, day, &file).await;
    let text = String::from_utf8(bytes).unwrap();
    assert_eq!(status, 200, "{text}");
    assert!(
        text.starts_with(
            "[COURSE HEADER]\nVERSION = 2\nUNITS = ENGLISH\n\
             DESCRIPTION = Sweet <spot> & \"friends\" - Two blocks. Stay seated.\n\
             FTP = 275\nMINUTES WATTS\n[END COURSE HEADER]\n"
        ),
        "{text}"
    );
    let data: Vec<(f64, f64)> = text
        .split("[COURSE DATA]\n")
        .nth(1)
        .unwrap()
        .split("[END COURSE DATA]")
        .next()
        .unwrap()
        .lines()
        .map(|line| {
            let (minutes, watts) = line.split_once('\t').unwrap();
            (minutes.parse().unwrap(), watts.parse().unwrap())
        })
        .collect();
    assert_eq!(
        data,
        [
            (0.0, 138.0), // 50% of 275 W, rounded
            (10.0, 206.0),
            (10.0, 245.0),
            (30.0, 245.0),
            (30.0, 183.0), // zone 1, 175-190 W
            (35.0, 183.0),
            (35.0, 245.0),
            (55.0, 245.0),
            (55.0, 183.0),
            (60.0, 183.0),
            (60.0, 165.0), // the cool-down from 60% down to 40%
            (70.0, 110.0),
        ]
    );

    // ERG holds cycling by time and power only.
    let run = plan(
        &app,
        &team,
        &json!({"sport": "running", "name": "Run", "training_session_ids": [day], "steps": [
            {"type": "step", "duration": {"type": "time", "seconds": 60},
             "target": {"type": "power", "low_watts": 200, "high_watts": 220}}
        ]}),
    )
    .await;
    let (status, _, _) = download(&app, token, day, &format!("{}.erg", run["workout_id"])).await;
    assert_eq!(status, 422);
    let open = plan(
        &app,
        &team,
        &json!({"sport": "cycling", "name": "Open", "training_session_ids": [day], "steps": [
            {"type": "repeat", "times": 2, "steps": [
                {"type": "step", "duration": {"type": "time", "seconds": 60},
                 "target": {"type": "power", "low_watts": 200, "high_watts": 220}},
                {"type": "step", "duration": {"type": "open"},
                 "target": {"type": "power", "low_watts": 200, "high_watts": 220}}
            ]}
        ]}),
    )
    .await;
    let (status, _, bytes) =
        download(&app, token, day, &format!("{}.erg", open["workout_id"])).await;
    let refusal: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(status, 422);
    assert!(
        refusal["detail"].as_str().unwrap().contains("step 1.2"),
        "{refusal}"
    );
}

async fn files_are_reached_through_a_session_they_are_attached_to(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let team = team(&app).await;
    let attached = session(&app, &team, "2018-08-20", "5").await;
    let other = session(&app, &team, "2018-08-21", "5").await;
    let created = plan(
        &app,
        &team,
        &json!({"sport": "cycling", "name": "Ride", "steps": every_kind(),
                "training_session_ids": [attached]}),
    )
    .await;
    let id = created["workout_id"].as_i64().unwrap();
    let token = &team.athlete.access_token;
    let not_found = |status: u16, bytes: &[u8]| {
        assert_eq!(status, 404, "{}", String::from_utf8_lossy(bytes));
        assert_eq!(
            serde_json::from_slice::<Value>(bytes).unwrap(),
            json!({"detail": "Not found."})
        );
    };
    for (session, file) in [
        (other, format!("{id}.fit")),
        (attached, format!("{id}.tcx")),
        (attached, format!("{id}.FIT")),
        (attached, format!("{id}")),
        (attached, format!("x{id}.fit")),
        (attached, format!("{}.fit", id + 1000)),
        (i64::MAX, format!("{id}.fit")),
    ] {
        let (status, _, bytes) = download(&app, token, session, &file).await;
        not_found(status, &bytes);
    }
    // Strangers find nothing, whatever the format.
    for stranger in [&team.other_coach, &team.other_athlete, &team.loner] {
        for ext in ["fit", "zwo", "erg"] {
            let (status, _, bytes) = download(
                &app,
                &stranger.access_token,
                attached,
                &format!("{id}.{ext}"),
            )
            .await;
            not_found(status, &bytes);
        }
    }
    // A deleted session no longer leads to the file, nor does a deleted workout.
    let (status, _, _) = download(&app, token, attached, &format!("{id}.fit")).await;
    assert_eq!(status, 200);
    let (status, _) = answer(
        send(
            &app,
            Method::DELETE,
            &format!("/api/sessions/{attached}/"),
            &team.coach.access_token,
            &[],
        )
        .await,
    )
    .await;
    assert_eq!(status, 204);
    let (status, _, bytes) = download(&app, token, attached, &format!("{id}.fit")).await;
    not_found(status, &bytes);
    let second = plan(
        &app,
        &team,
        &json!({"sport": "cycling", "name": "Ride 2", "steps": every_kind(),
                "training_session_ids": [other]}),
    )
    .await;
    let (status, _) = answer(
        send(
            &app,
            Method::DELETE,
            &format!("/api/workouts/{}/", second["workout_id"]),
            &team.coach.access_token,
            &[],
        )
        .await,
    )
    .await;
    assert_eq!(status, 204);
    let (status, _, bytes) =
        download(&app, token, other, &format!("{}.fit", second["workout_id"])).await;
    not_found(status, &bytes);
    // Downloads are read-only.
    let response = send(
        &app,
        Method::POST,
        &format!("/api/sessions/{other}/workouts/{id}.fit"),
        token,
        &[],
    )
    .await;
    assert_eq!(response.status().as_u16(), 405);
}
