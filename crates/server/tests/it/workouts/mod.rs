//! Xhale planned workouts over HTTP: the spec's list example, every duration and target
//! kind, the FIT files Garmin's SDK reads, ZWO and ERG read back, bad bodies, the sync
//! scenario and the coach/athlete isolation matrix.

mod access;
mod examples;
mod files;
mod sync;
mod validation;

use crate::calendar::{Team, answer};
use crate::harness::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

/// A JSON request with a bearer token (none for GET and DELETE).
pub async fn send_json(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: &Value,
) -> reqwest::Response {
    let mut request = app
        .client
        .request(method.clone(), app.url(path))
        .bearer_auth(token);
    if method != Method::GET && method != Method::DELETE {
        request = request.json(body);
    }
    request.send().await.unwrap()
}

/// A session of the athlete planned by their coach; its id.
pub async fn session(app: &TestApp, team: &Team, date: &str, discipline_id: &str) -> i64 {
    let (status, body) = answer(
        crate::calendar::send(
            app,
            Method::POST,
            &format!("/api/sessions/?athlete={}", team.athlete.user.id.get()),
            &team.coach.access_token,
            &[("date", date), ("discipline_id", discipline_id)],
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_i64().unwrap()
}

/// Creates a workout for the athlete as their coach; the answer's body.
pub async fn plan(app: &TestApp, team: &Team, body: &Value) -> Value {
    let (status, created) = answer(
        send_json(
            app,
            Method::POST,
            &format!("/api/workouts/?athlete={}", team.athlete.user.id.get()),
            &team.coach.access_token,
            body,
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{created}");
    created
}

/// Steps with every duration and target kind, repeats nested two deep.
pub fn every_kind() -> Value {
    json!([
        {"type": "step", "name": "Warm up", "notes": "Easy spin, high cadence",
         "intensity": "warmup", "duration": {"type": "time", "seconds": 600},
         "target": {"type": "heart_rate_zone", "zone": 2}},
        {"type": "repeat", "times": 3, "steps": [
            {"type": "repeat", "times": 4, "steps": [
                {"type": "step", "name": "over", "intensity": "interval",
                 "duration": {"type": "time", "seconds": 60},
                 "target": {"type": "power", "low_watts": 300, "high_watts": 320}},
                {"type": "step", "name": "under", "intensity": "active",
                 "duration": {"type": "distance", "meters": 800},
                 "target": {"type": "power_percent_ftp", "low": 85, "high": 90}}
            ]},
            {"type": "step", "name": "rest", "intensity": "rest",
             "duration": {"type": "time", "seconds": 240.5},
             "target": {"type": "heart_rate", "low_bpm": 110, "high_bpm": 130}}
        ]},
        {"type": "step", "intensity": "active", "duration": {"type": "time", "seconds": 300},
         "target": {"type": "power_zone", "zone": 3}},
        {"type": "step", "intensity": "recovery", "duration": {"type": "distance", "meters": 2500.25},
         "target": {"type": "speed", "low_mps": 8.333, "high_mps": 9.722}},
        {"type": "step", "intensity": "other", "duration": {"type": "time", "seconds": 120},
         "target": {"type": "cadence", "low": 100, "high": 110}},
        {"type": "step", "intensity": "active", "duration": {"type": "time", "seconds": 180},
         "target": {"type": "heart_rate_percent_max", "low": 70, "high": 80}},
        {"type": "step", "name": "Cool down", "intensity": "cooldown",
         "duration": {"type": "open"}, "target": {"type": "open"}}
    ])
}

/// Steps as the API writes them back: every member spelt out.
pub fn canonical(steps: &Value) -> Value {
    Value::Array(
        steps
            .as_array()
            .unwrap()
            .iter()
            .map(|step| {
                if step["type"] == "repeat" {
                    json!({"type": "repeat", "times": step["times"], "steps": canonical(&step["steps"])})
                } else {
                    json!({
                        "type": "step",
                        "name": step.get("name").cloned().unwrap_or(Value::Null),
                        "notes": step.get("notes").cloned().unwrap_or(Value::Null),
                        "intensity": step.get("intensity").cloned().unwrap_or(Value::Null),
                        "duration": step["duration"],
                        "target": step.get("target").cloned().unwrap_or(json!({"type": "open"})),
                    })
                }
            })
            .collect(),
    )
}
