//! FIT: every file the server writes reads in Garmin's SDK and decodes back to the workout.

use super::download;
use crate::calendar::team;
use crate::garmin_sdk;
use crate::harness::TestApp;
use crate::workouts::{every_kind, plan, session};
use paceline_activity::fit::decode_workout;
use paceline_activity::workout::{StepTarget, WorkoutStep};
use paceline_testkit::{TestContext, on_both_engines};
use serde_json::{Value, json};

on_both_engines!(every_fit_file_reads_in_garmins_sdk,);

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
