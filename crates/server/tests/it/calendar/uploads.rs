//! Training files over the Xhale surface: FIT, TCX and GPX uploads (201 new, 200 again,
//! 415 for what is not an activity file, 403 without `write` and `upload`), the pending
//! list, attaching through `training_log_files_to_add` with the session's figures computed
//! from the files, deletion, and the same activity on the Train it All surface.

use super::{answer, send, team};
use crate::harness::TestApp;
use paceline_domain::files::{BlobStore, MemoryFiles};
use paceline_testkit::{TestContext, on_both_engines};
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use std::sync::Arc;

on_both_engines!(
    uploads_are_recognized_deduplicated_and_listed,
    attached_files_give_the_session_its_figures,
    a_multisport_file_splits_a_session_by_its_legs,
    bad_uploads_are_refused_and_leave_nothing_behind,
    uploads_belong_to_their_athlete_and_coach,
    the_pending_list_holds_the_newest_files,
);

fn testdata(path: &str) -> Vec<u8> {
    paceline_testdata::file(path)
}

const RIDE: &str = "fit/muktihari__activity_lowbattery.fit";
const RUN_TCX: &str = "tcx/tcxparser__test.tcx";
const GPX: &str = "gpx/gpxpy__korita-zbevnica.gpx";

/// A TCX file holding a workout and no activity, as Garmin's tools write one.
const TCX_WORKOUT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">
  <Workouts>
    <Workout Sport="Running">
      <Name>Easy 30</Name>
      <Step xsi:type="Step_t" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
        <StepId>1</StepId>
        <Duration xsi:type="Time_t"><Seconds>1800</Seconds></Duration>
        <Intensity>Active</Intensity>
        <Target xsi:type="None_t"/>
      </Step>
    </Workout>
  </Workouts>
</TrainingCenterDatabase>
"#;

/// `curl -F file=@/path/to/file.fit` (with `?athlete=` when given).
async fn upload(
    app: &TestApp,
    token: &str,
    query: &str,
    name: &str,
    bytes: Vec<u8>,
) -> (u16, Value) {
    let form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_owned()));
    let response = app
        .client
        .post(app.url(&format!("/api/uploads/{query}")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    answer(response).await
}

async fn pending(app: &TestApp, token: &str) -> Vec<i64> {
    let (status, list) =
        answer(send(app, Method::GET, "/api/uploads/pending/", token, &[]).await).await;
    assert_eq!(status, 200);
    list.as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_i64().unwrap())
        .collect()
}

async fn uploads_are_recognized_deduplicated_and_listed(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let team = team(&app).await;
    let token = &team.athlete.access_token;
    let mut ids = Vec::new();
    for (path, name, kind) in [
        (RIDE, "file.fit", "fit"),
        (RUN_TCX, "run.tcx", "tcx"),
        (GPX, "walk.gpx", "gpx"),
    ] {
        let (status, file) = upload(&app, token, "", name, testdata(path)).await;
        assert_eq!(status, 201, "{path}: {file}");
        assert_eq!(file["file_type"], kind);
        assert_eq!(file["filename"], name);
        assert_eq!(file["athlete"], team.athlete.user.id.get());
        assert_eq!(file["size"], testdata(path).len());
        assert!(file["activity_id"].as_str().unwrap().starts_with("act_"));
        assert_eq!(file["training_session"], Value::Null);
        ids.push(file["id"].as_i64().unwrap());
        // The same bytes again, under any name: 200 and the same file.
        let (status, again) = upload(&app, token, "", "again.bin", testdata(path)).await;
        assert_eq!((status, again["id"].clone()), (200, file["id"].clone()));
    }
    assert_eq!(pending(&app, token).await, ids);
    // The same activities on the Train it All surface.
    let (status, tia) = answer(
        send(
            &app,
            Method::GET,
            "/api/external/v1/activities",
            &team.athlete.access_token,
            &[],
        )
        .await,
    )
    .await;
    assert_eq!(status, 403, "the token has no Train it All scope: {tia}");
    let both = paceline_testkit::api::token_for(
        app.store.as_ref(),
        "athlete@example.com",
        &team.client,
        "read activities:read",
    )
    .await;
    let (_, tia) =
        answer(send(&app, Method::GET, "/api/external/v1/activities", &both, &[]).await).await;
    let mut types: Vec<String> = tia["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["type"].as_str().unwrap().to_owned())
        .collect();
    types.sort();
    assert_eq!(types.len(), 3, "{tia}");
    assert!(types.contains(&"RIDE".to_owned()) && types.contains(&"RUN".to_owned()));
    app.stop().await;
}

async fn attached_files_give_the_session_its_figures(db: TestContext) {
    let (app, files) = spawn(&db).await;
    let team = team(&app).await;
    let token = &team.athlete.access_token;
    let (_, ride) = upload(&app, token, "", "ride.fit", testdata(RIDE)).await;
    let (_, run) = upload(&app, token, "", "run.tcx", testdata(RUN_TCX)).await;
    let (_, session) = answer(
        send(
            &app,
            Method::POST,
            "/api/sessions/",
            token,
            &[
                ("date", "2019-05-01"),
                ("discipline_id", "11"),
                ("completed_minutes", "5"),
            ],
        )
        .await,
    )
    .await;
    let path = format!("/api/sessions/{}/", session["id"]);
    // The spec's example: PATCH -d training_log_files_to_add=632 (here, both files).
    let (ride_id, run_id) = (ride["id"].to_string(), run["id"].to_string());
    let (status, brick) = answer(
        send(
            &app,
            Method::PATCH,
            &path,
            token,
            &[
                ("training_log_files_to_add", ride_id.as_str()),
                ("training_log_files_to_add", run_id.as_str()),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{brick}");
    assert_eq!(brick["has_uploaded_training"], true);
    let minutes = |k: &str| brick[k].as_i64().unwrap();
    assert!(minutes("completed_minutes_bike") > 0 && minutes("completed_minutes_run") > 0);
    assert_eq!(
        minutes("completed_minutes"),
        minutes("completed_minutes_bike") + minutes("completed_minutes_run"),
        "a brick's minutes are its legs' (each rounded from the same seconds)"
    );
    assert!(brick["completed_km_bike"].as_f64().unwrap() > 10.0);
    assert!(brick["bike_average_speed_kph"].as_f64().unwrap() > 5.0);
    assert!(
        brick["bike_average_cadence_rpm"].as_i64().unwrap() > 30,
        "{brick}"
    );
    assert!(
        brick["bike_average_heart_rate_bpm"].is_i64() || brick["bike_average_power_watts"].is_i64()
    );
    assert_eq!(brick["completed_minutes_swim"], Value::Null);
    assert!(pending(&app, token).await.is_empty());
    let (_, file_list) =
        answer(send(&app, Method::GET, "/api/uploads/pending/", token, &[]).await).await;
    assert_eq!(file_list, json!([]));

    // Deleting the run takes its figures away; deleting both clears them.
    let response = send(
        &app,
        Method::DELETE,
        &format!("/api/uploads/{run_id}/"),
        token,
        &[],
    )
    .await;
    assert_eq!(response.status(), 204);
    let (_, after) = answer(send(&app, Method::GET, &path, token, &[]).await).await;
    assert_eq!(after["completed_minutes_run"], Value::Null);
    assert_eq!(after["completed_minutes"], brick["completed_minutes_bike"]);
    assert!(after["datetime_updated"].as_str() > brick["datetime_updated"].as_str());
    assert_eq!(
        send(
            &app,
            Method::DELETE,
            &format!("/api/uploads/{ride_id}/"),
            token,
            &[]
        )
        .await
        .status(),
        204
    );
    let (_, cleared) = answer(send(&app, Method::GET, &path, token, &[]).await).await;
    assert_eq!(cleared["has_uploaded_training"], false);
    assert_eq!(cleared["completed_minutes"], Value::Null);
    assert_eq!(
        send(
            &app,
            Method::DELETE,
            &format!("/api/uploads/{ride_id}/"),
            token,
            &[]
        )
        .await
        .status(),
        404
    );
    assert_eq!(stored(&files).await, 0, "deleted files' bytes are gone");
    // The same file can come again, as a new file.
    let (status, again) = upload(&app, token, "", "ride.fit", testdata(RIDE)).await;
    assert_eq!(status, 201);
    // Unknown ids refuse the whole write; races take files too.
    let (status, body) = answer(
        send(
            &app,
            Method::PATCH,
            &path,
            token,
            &[("training_log_files_to_add", "999999"), ("intensity", "2")],
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"training_log_files_to_add": ["Invalid pk \"999999\" - object does not exist."]})
        )
    );
    let again_id = again["id"].to_string();
    let (status, race) = answer(
        send(
            &app,
            Method::POST,
            "/api/races/",
            token,
            &[
                ("date", "2019-05-01"),
                ("race_name", "Duathlon"),
                ("training_log_files_to_add", again_id.as_str()),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, race["has_uploaded_training"].clone()),
        (201, json!(true)),
        "{race}"
    );
    let (_, in_race) =
        answer(send(&app, Method::GET, "/api/uploads/pending/", token, &[]).await).await;
    assert_eq!(in_race, json!([]));
    app.stop().await;
}

async fn bad_uploads_are_refused_and_leave_nothing_behind(db: TestContext) {
    let (app, files) = spawn(&db).await;
    let team = team(&app).await;
    let token = &team.athlete.access_token;
    let png =
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89".to_vec();
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        ("picture.fit", png, 415),
        (
            "workout.fit",
            testdata("fit/muktihari__WorkoutIndividualSteps.fit"),
            415,
        ),
        ("workout.tcx", TCX_WORKOUT.as_bytes().to_vec(), 415),
        (
            "broken.fit",
            testdata("fit/pyfitparse__activity-filecrc.fit"),
            400,
        ),
        (
            "cut.fit",
            testdata("fit/pyfitparse__activity-unexpected-eof.fit"),
            400,
        ),
        ("empty.fit", Vec::new(), 400),
        (
            "bad.tcx",
            b"<TrainingCenterDatabase><Activities><Activity".to_vec(),
            400,
        ),
        ("notes.txt", b"just some text".to_vec(), 415),
    ];
    for (name, bytes, expected) in cases {
        let (status, body) = upload(&app, token, "", name, bytes).await;
        assert_eq!(status, expected, "{name}: {body}");
        match status {
            400 => assert!(body["file"][0].is_string(), "{name}: {body}"),
            _ => assert!(body["detail"].is_string(), "{name}: {body}"),
        }
    }
    let (status, body) = upload(
        &app,
        token,
        "",
        "workout.fit",
        testdata("fit/muktihari__WorkoutIndividualSteps.fit"),
    )
    .await;
    assert_eq!(status, 415);
    assert!(
        body["detail"].as_str().unwrap().contains("workout"),
        "{body}"
    );
    // No file field; not multipart.
    let response = app
        .client
        .post(app.url("/api/uploads/"))
        .bearer_auth(token)
        .multipart(Form::new().text("note", "hi"))
        .send()
        .await
        .unwrap();
    let (status, body) = answer(response).await;
    assert_eq!(
        (status, body),
        (400, json!({"file": ["No file was submitted."]}))
    );
    let (status, _) =
        answer(send(&app, Method::POST, "/api/uploads/", token, &[("file", "x")]).await).await;
    assert_eq!(status, 415);
    // Scopes: write and upload both.
    for scopes in ["read write", "read upload"] {
        let partial = paceline_testkit::api::token_for(
            app.store.as_ref(),
            "athlete@example.com",
            &team.client,
            scopes,
        )
        .await;
        let (status, body) = upload(&app, &partial, "", "ride.fit", testdata(RIDE)).await;
        assert_eq!(status, 403, "{scopes}: {body}");
    }
    assert!(pending(&app, token).await.is_empty(), "nothing was kept");
    assert_eq!(stored(&files).await, 0, "no file was stored");
    let left = std::fs::read_dir(db.dir.join("spool")).unwrap().count();
    assert_eq!(left, 0, "no spooled upload is left");
    app.stop().await;
}

/// The server with its files in memory and its spool in the test's folder.
async fn spawn(db: &TestContext) -> (TestApp, Arc<MemoryFiles>) {
    let files = Arc::new(MemoryFiles::new());
    let kept = files.clone();
    let spool = db.dir.join("spool");
    std::fs::create_dir_all(&spool).unwrap();
    let app = TestApp::spawn_with(db, move |state| state.with_files(kept).with_spool(&spool)).await;
    (app, files)
}

async fn stored(files: &MemoryFiles) -> usize {
    let mut count = 0;
    for prefix in ["fit", "tcx", "gpx"] {
        count += files.list(prefix).await.unwrap().len();
    }
    count
}

async fn uploads_belong_to_their_athlete_and_coach(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let team = team(&app).await;
    let athlete = team.athlete.user.id.get();
    // The coach uploads for their athlete; the athlete sees it pending.
    let (status, file) = upload(
        &app,
        &team.coach.access_token,
        &format!("?athlete={athlete}"),
        "ride.fit",
        testdata(RIDE),
    )
    .await;
    assert_eq!(status, 201, "{file}");
    assert_eq!(file["athlete"], athlete);
    let id = file["id"].as_i64().unwrap();
    assert_eq!(pending(&app, &team.athlete.access_token).await, vec![id]);
    let (_, coach_view) = answer(
        send(
            &app,
            Method::GET,
            &format!("/api/uploads/pending/?athlete={athlete}"),
            &team.coach.access_token,
            &[],
        )
        .await,
    )
    .await;
    assert_eq!(coach_view[0]["id"], id);
    // The company's owner and its integration see it too, and upload for the athlete.
    for token in [&team.owner.access_token, &team.company.access_token] {
        let (status, view) = answer(
            send(
                &app,
                Method::GET,
                &format!("/api/uploads/pending/?athlete={athlete}"),
                token,
                &[],
            )
            .await,
        )
        .await;
        assert_eq!((status, view[0]["id"].as_i64()), (200, Some(id)), "{view}");
    }
    let (status, theirs) = upload(
        &app,
        &team.company.access_token,
        &format!("?athlete={athlete}"),
        "run.tcx",
        testdata(RUN_TCX),
    )
    .await;
    assert_eq!((status, theirs["athlete"].as_i64()), (201, Some(athlete)));
    let theirs = theirs["id"].as_i64().unwrap();
    assert_eq!(
        send(
            &app,
            Method::DELETE,
            &format!("/api/uploads/{theirs}/"),
            &team.company.access_token,
            &[]
        )
        .await
        .status(),
        204
    );
    // Strangers: 403 for ?athlete=, 404 for the file, nothing pending of theirs.
    for stranger in [
        &team.other_coach,
        &team.other_athlete,
        &team.loner,
        &team.rival_owner,
        &team.rival_company,
    ] {
        let token = &stranger.access_token;
        let (status, _) = upload(
            &app,
            token,
            &format!("?athlete={athlete}"),
            "ride.fit",
            testdata(RIDE),
        )
        .await;
        assert_eq!(status, 403);
        let (status, _) = answer(
            send(
                &app,
                Method::GET,
                &format!("/api/uploads/pending/?athlete={athlete}"),
                token,
                &[],
            )
            .await,
        )
        .await;
        assert_eq!(status, 403);
        let (status, body) = answer(
            send(
                &app,
                Method::DELETE,
                &format!("/api/uploads/{id}/"),
                token,
                &[],
            )
            .await,
        )
        .await;
        assert_eq!((status, body), (404, json!({"detail": "Not found."})));
        assert!(pending(&app, token).await.is_empty());
        // Another athlete cannot attach it.
        let (_, session) = answer(
            send(
                &app,
                Method::POST,
                "/api/sessions/",
                token,
                &[("date", "2019-05-01"), ("discipline_id", "6")],
            )
            .await,
        )
        .await;
        let (status, _) = answer(
            send(
                &app,
                Method::PATCH,
                &format!("/api/sessions/{}/", session["id"]),
                token,
                &[("training_log_files_to_add", &id.to_string())],
            )
            .await,
        )
        .await;
        assert_eq!(status, 400);
    }
    // The coach deletes it.
    assert_eq!(
        send(
            &app,
            Method::DELETE,
            &format!("/api/uploads/{id}/"),
            &team.coach.access_token,
            &[]
        )
        .await
        .status(),
        204
    );
    assert!(pending(&app, &team.athlete.access_token).await.is_empty());
    app.stop().await;
}

async fn a_multisport_file_splits_a_session_by_its_legs(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let team = team(&app).await;
    let token = &team.athlete.access_token;
    // A Garmin FR945 file with two sessions: a ride, then a run.
    let (status, file) = upload(
        &app,
        token,
        "",
        "brick.fit",
        testdata("fit/muktihari__activity_multisport.fit"),
    )
    .await;
    assert_eq!(status, 201, "{file}");
    let (_, session) = answer(
        send(
            &app,
            Method::POST,
            "/api/sessions/",
            token,
            &[("date", "2019-05-01"), ("discipline_id", "10")],
        )
        .await,
    )
    .await;
    let id = file["id"].to_string();
    let (status, brick) = answer(
        send(
            &app,
            Method::PATCH,
            &format!("/api/sessions/{}/", session["id"]),
            token,
            &[("training_log_files_to_add", id.as_str())],
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{brick}");
    // One file, two sports: the session splits by the file's legs (a short sample: a
    // minute of riding, seconds of running).
    assert!(brick["completed_minutes_bike"].is_i64(), "{brick}");
    assert!(brick["completed_minutes_run"].is_i64(), "{brick}");
    assert_eq!(brick["completed_minutes_swim"], Value::Null);
    assert!(brick["bike_average_heart_rate_bpm"].is_i64(), "{brick}");
    assert!(brick["run_average_heart_rate_bpm"].is_i64(), "{brick}");
    assert_ne!(
        brick["bike_average_heart_rate_bpm"], brick["run_average_heart_rate_bpm"],
        "each sport's figures come from its own leg"
    );
    let km = |k: &str| brick[k].as_f64().unwrap();
    assert!(
        (km("completed_km") - km("completed_km_bike") - km("completed_km_run")).abs() < 0.02,
        "the totals are the legs' sums: {brick}"
    );
    app.stop().await;
}

/// `GET /api/uploads/pending/` lists the newest [`MAX_PENDING_FILES`] pending files, oldest
/// first: an athlete whose every activity arrives as a file and who attaches none is not
/// sent their whole history on every look.
async fn the_pending_list_holds_the_newest_files(db: TestContext) {
    use paceline_activity::fit::RecordStreams;
    use paceline_domain::activities::{
        ActivityOrigin, ActivityType, Detail, Figures, NewActivity, StoredStreams,
    };
    use paceline_domain::files::{FileFormat, FileStore, MAX_PENDING_FILES, NewFile};
    let no_detail = Detail {
        laps: Vec::new(),
        streams: StoredStreams::encode(&RecordStreams::default()),
    };
    let app = TestApp::spawn(&db).await;
    let team = team(&app).await;
    let athlete = &team.athlete;
    let started = time::macros::datetime!(2024-01-01 06:00 UTC);
    let mut ids = Vec::new();
    for n in 0..=i64::from(MAX_PENDING_FILES) {
        let sha = format!("{n:064x}");
        let at = started + time::Duration::days(n);
        let activity = NewActivity {
            user_id: athlete.user.id,
            membership_id: athlete.membership.id,
            origin: ActivityOrigin::External,
            client: None,
            activity_type: ActivityType::Ride,
            title: None,
            started_at: at,
            timezone: None,
            figures: Figures::default(),
            notes: None,
            source: None,
            legs: Vec::new(),
            now: at,
        };
        let file = NewFile {
            format: FileFormat::Fit,
            original_name: Some(format!("ride-{n}.fit")),
            size_bytes: 100,
            sha256: sha,
            storage_key: format!("fit/pending/{n}.fit"),
        };
        let (_, id) = app
            .store
            .record_file_activity(activity, file, &no_detail)
            .await
            .unwrap();
        ids.push(id.0);
    }
    let listed = pending(&app, &athlete.access_token).await;
    assert_eq!(listed.len(), MAX_PENDING_FILES as usize);
    assert_eq!(listed, ids[1..], "the newest, oldest first");
}
