//! The files a workout downloads as: every FIT file the server writes reads in Garmin's
//! official SDK with zero errors and decodes back to the workout; ZWO parses as XML with
//! the expected blocks; ERG reads back line by line; what a format cannot hold is refused.
//!
//! Here the helpers the formats share and who reaches the files; the formats beside it:
//! `fit`, `zwo`, `erg`.

mod erg;
mod fit;
mod zwo;

use super::{every_kind, plan, session};
use crate::calendar::{Team, answer, send, team};
use crate::harness::TestApp;
use paceline_domain::entities::{AthleteSettings, SportZones, Zone, ZoneSport};
use paceline_domain::store::AccountStore;
use paceline_testkit::{TestContext, on_both_engines};
use reqwest::Method;
use serde_json::{Value, json};

on_both_engines!(files_are_reached_through_a_session_they_are_attached_to,);

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
