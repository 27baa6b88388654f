//! ERG: the files read back line by line.

use super::{download, give_bike_zones, trainer_ride};
use crate::calendar::team;
use crate::harness::TestApp;
use crate::workouts::{plan, session};
use paceline_testkit::{TestContext, on_both_engines};
use serde_json::{Value, json};

on_both_engines!(erg_files_read_back,);

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
