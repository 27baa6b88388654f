//! FIT uploads and downloads (spec 5.2.1 and 5.2.2) with real device files from
//! `testdata/`, and every way an upload can be refused leaving nothing behind.

use super::{ALL_SCOPES, Api, SPEC_CLIENT, example_write};
use crate::harness::TestApp;
use paceline_domain::files::{BlobStore, MemoryFiles};
use paceline_testkit::api;
use paceline_testkit::{TestContext, on_both_engines};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::sync::Arc;

on_both_engines!(
    a_fit_upload_is_an_activity_and_downloads_as_uploaded,
    z04_uploads_are_deduplicated_per_user,
    activities_written_as_json_download_as_encoded_fit,
    bad_uploads_are_refused_and_leave_nothing_behind,
    z01_b03_other_users_activities_look_unknown_and_uploads_need_their_scope,
);

fn testdata(name: &str) -> Vec<u8> {
    paceline_testdata::file(&format!("fit/{name}"))
}

/// The Garmin SDK's sample activity (FIT Protocol License; carried in `testdata/`).
const ACTIVITY: &str = "fitsdkjs__Activity.fit";

async fn spawn(db: &TestContext) -> (TestApp, Arc<MemoryFiles>) {
    let files = Arc::new(MemoryFiles::new());
    let kept = files.clone();
    let spool = spool(db);
    std::fs::create_dir_all(&spool).unwrap();
    let app = TestApp::spawn_with(db, move |state| state.with_files(kept).with_spool(&spool)).await;
    (app, files)
}

/// Where the test's uploads are spooled while they arrive.
fn spool(db: &TestContext) -> std::path::PathBuf {
    db.dir.join("spool")
}

/// Every spooled upload has been removed.
fn spool_is_empty(db: &TestContext) {
    let left: Vec<_> = std::fs::read_dir(spool(db)).unwrap().collect();
    assert!(left.is_empty(), "spooled uploads left behind: {left:?}");
}

async fn upload(api: &Api<'_>, name: &str, bytes: Vec<u8>) -> (u16, Value) {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
    );
    let response = api
        .app
        .client
        .post(api.app.url("/api/external/v1/fit-files"))
        .bearer_auth(api.token())
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn download(api: &Api<'_>, id: &str) -> reqwest::Response {
    api.app
        .client
        .get(
            api.app
                .url(&format!("/api/external/v1/activities/{id}/fit")),
        )
        .bearer_auth(api.token())
        .send()
        .await
        .unwrap()
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn a_fit_upload_is_an_activity_and_downloads_as_uploaded(db: TestContext) {
    let (app, files) = spawn(&db).await;
    let client = api::client(app.store.as_ref(), SPEC_CLIENT).await;
    let api = Api::new(&app, &client, "max@example.com", None, ALL_SCOPES).await;
    let bytes = testdata(ACTIVITY);
    let (status, created) = upload(&api, "activity.fit", bytes.clone()).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created.as_object().unwrap().len(), 2, "{created}");
    let id = created["id"].as_str().unwrap();
    assert!(id.starts_with("act_"));
    // fit/<orgId>/<athleteId>/YYYY-MM-DD/<random>.fit
    let key = created["storageKey"].as_str().unwrap();
    let parts: Vec<&str> = key.split('/').collect();
    assert_eq!(parts.len(), 5, "{key}");
    assert_eq!(parts[0], "fit");
    assert_eq!(parts[1], api.user.membership.organization_id.public());
    assert_eq!(parts[2], api.user.membership.id.public());
    assert!(
        time::Date::parse(
            parts[3],
            time::macros::format_description!("[year]-[month]-[day]")
        )
        .is_ok()
    );
    assert!(parts[4].ends_with(".fit") && parts[4].len() > 8);
    assert!(
        files.get(key).await.unwrap() == Some(bytes.clone()),
        "stored bytes differ"
    );

    let items = api.items("/activities").await;
    assert_eq!(items.len(), 1);
    let item = &items[0];
    assert_eq!(item["id"], id);
    assert_eq!(item["type"], "PADDLE", "stand-up paddleboarding");
    assert_eq!(item["source"], "EXTERNAL");
    assert_eq!(item["sourceName"], SPEC_CLIENT);
    assert!(item["durationSec"].as_i64().unwrap() > 0);
    assert_eq!(item["sources"][0]["provider"], "FIT");
    assert_eq!(item["sources"][0]["externalId"], sha256(&bytes));

    let response = download(&api, id).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/octet-stream"
    );
    let downloaded = response.bytes().await.unwrap().to_vec();
    assert!(downloaded == bytes, "the download is not the uploaded file");

    // A file whose strap stored its beats in `hr` messages is decoded whole, with them.
    let strap = testdata("fitsdkjs__HrmPluginTestActivity.fit");
    let (status, created) = upload(&api, "strap.fit", strap.clone()).await;
    assert_eq!(status, 201, "{created}");
    let whole = paceline_activity::fit::decode_activity(&strap).unwrap();
    let items = api.items("/activities").await;
    let item = items.iter().find(|i| i["id"] == created["id"]).unwrap();
    assert_eq!(
        item["avgHr"].as_i64(),
        whole.summary.figures.avg_heart_rate.map(i64::from),
        "{item}"
    );
    spool_is_empty(&db);
    app.stop().await;
}

async fn z04_uploads_are_deduplicated_per_user(db: TestContext) {
    let (app, files) = spawn(&db).await;
    let client = api::client(app.store.as_ref(), SPEC_CLIENT).await;
    let a = Api::new(&app, &client, "a@example.com", None, ALL_SCOPES).await;
    let b = Api::new(&app, &client, "b@example.com", None, ALL_SCOPES).await;
    let bytes = testdata(ACTIVITY);
    let (_, first) = upload(&a, "activity.fit", bytes.clone()).await;
    let (status, again) = upload(&a, "ACTIVITY.FIT", bytes.clone()).await;
    assert_eq!(status, 200);
    assert_eq!(again, json!({ "id": first["id"], "duplicate": true }));
    // Parallel uploads of one file by one user: one activity.
    let parallel = (0..6).map(|_| upload(&a, "activity.fit", bytes.clone()));
    for (status, answer) in futures::future::join_all(parallel).await {
        assert_eq!(status, 200, "{answer}");
        assert_eq!(answer["id"], first["id"]);
    }
    assert_eq!(a.items("/activities").await.len(), 1);
    // Another user's upload of the same file is theirs, and shows nothing of A's.
    let (status, theirs) = upload(&b, "activity.fit", bytes).await;
    assert_eq!(status, 201);
    assert_ne!(theirs["id"], first["id"]);
    assert!(!theirs.to_string().contains(first["id"].as_str().unwrap()));
    assert_eq!(files.list("fit").await.unwrap().len(), 2);
    app.stop().await;
}

async fn activities_written_as_json_download_as_encoded_fit(db: TestContext) {
    let (app, _) = spawn(&db).await;
    let client = api::client(app.store.as_ref(), SPEC_CLIENT).await;
    let api = Api::new(&app, &client, "max@example.com", None, ALL_SCOPES).await;
    let mut body = example_write("durationMin", "externalId");
    body["calories"] = json!(520);
    let (_, created) = api.post("/activities", &body).await;
    let response = download(&api, created["id"].as_str().unwrap()).await;
    assert_eq!(response.status(), 200);
    let bytes = response.bytes().await.unwrap();
    let decoded = paceline_activity::fit::decode_activity(&bytes).unwrap();
    let summary = &decoded.summary;
    assert_eq!(summary.activity_type.as_str(), "RUN");
    assert_eq!(summary.figures.elapsed_s, Some(2700.0));
    assert_eq!(summary.figures.distance_m, Some(9800.0));
    assert_eq!(summary.figures.avg_heart_rate, Some(151));
    assert_eq!(summary.figures.calories_kcal, Some(520));
    let start = summary.start_time.unwrap().unix_seconds();
    assert_eq!(
        start,
        time::macros::datetime!(2026-01-17 18:20:00 UTC).unix_timestamp()
    );
    app.stop().await;
}

async fn bad_uploads_are_refused_and_leave_nothing_behind(db: TestContext) {
    let (app, files) = spawn(&db).await;
    let client = api::client(app.store.as_ref(), SPEC_CLIENT).await;
    let api = Api::new(&app, &client, "max@example.com", None, ALL_SCOPES).await;
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    let cases: Vec<(&str, &str, Vec<u8>, u16, &str)> = vec![
        (
            "file",
            "activity.txt",
            testdata(ACTIVITY),
            400,
            "invalid_upload",
        ),
        ("file", ".fit", testdata(ACTIVITY), 400, "invalid_upload"),
        ("file", "empty.fit", Vec::new(), 400, "invalid_upload"),
        (
            "upload",
            "activity.fit",
            testdata(ACTIVITY),
            400,
            "invalid_upload",
        ),
        ("file", "picture.fit", png, 400, "invalid_fit"),
        (
            "file",
            "crc.fit",
            testdata("pyfitparse__activity-filecrc.fit"),
            400,
            "invalid_fit",
        ),
        (
            "file",
            "cut.fit",
            testdata("pyfitparse__activity-unexpected-eof.fit"),
            400,
            "invalid_fit",
        ),
        (
            "file",
            "workout.fit",
            testdata("muktihari__WorkoutIndividualSteps.fit"),
            400,
            "not_an_activity",
        ),
        (
            "file",
            "huge.fit",
            vec![0u8; 25 * 1024 * 1024 + 1],
            413,
            "payload_too_large",
        ),
    ];
    for (field, name, bytes, status, code) in cases {
        let form = reqwest::multipart::Form::new().part(
            field,
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
        );
        let response = app
            .client
            .post(app.url("/api/external/v1/fit-files"))
            .bearer_auth(api.token())
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), status, "{field} {name}");
        let answer: Value = response.json().await.unwrap();
        assert_eq!(answer["errorCode"], code, "{name}: {answer}");
        if code == "not_an_activity" {
            assert!(
                answer["error"].as_str().unwrap().contains("workout"),
                "{answer}"
            );
        }
    }
    let (status, answer) = api
        .post_raw("/fit-files", "application/json", b"{}".to_vec())
        .await;
    assert_eq!(status, 415, "{answer}");
    assert_eq!(api.items("/activities").await, Vec::<Value>::new());
    assert_eq!(files.list("fit").await.unwrap(), Vec::new());
    spool_is_empty(&db);
    app.stop().await;
}

async fn z01_b03_other_users_activities_look_unknown_and_uploads_need_their_scope(db: TestContext) {
    let (app, files) = spawn(&db).await;
    let client = api::client(app.store.as_ref(), SPEC_CLIENT).await;
    let a = Api::new(&app, &client, "a@example.com", None, ALL_SCOPES).await;
    let b = Api::new(&app, &client, "b@example.com", None, ALL_SCOPES).await;
    let (_, theirs) = upload(&b, "activity.fit", testdata(ACTIVITY)).await;
    let (_, json_one) = b
        .post("/activities", &example_write("durationMin", "externalId"))
        .await;
    let mut answers = Vec::new();
    for id in [
        theirs["id"].as_str().unwrap(),
        json_one["id"].as_str().unwrap(),
        "act_0000000000000",
        "not-an-id",
        &b.user.membership.id.public(),
    ] {
        let response = download(&a, id).await;
        assert_eq!(response.status(), 404, "{id}");
        answers.push(response.text().await.unwrap());
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "{answers:?}");

    let reader = Api {
        app: &app,
        user: api::ApiUser {
            access_token: api::token_for(
                app.store.as_ref(),
                "a@example.com",
                &client,
                "activities:read",
            )
            .await,
            ..a.user.clone()
        },
    };
    let (status, answer) = upload(&reader, "activity.fit", testdata(ACTIVITY)).await;
    assert_eq!(status, 403);
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("activities:write")
    );
    assert_eq!(files.list("fit").await.unwrap().len(), 1, "only B's file");
    assert_eq!(a.items("/activities").await.len(), 0);
    app.stop().await;
}
