//! `paceline admin reprocess`: activities imported before laps and record streams were kept
//! (here: uploads whose laps and streams were then removed) get those of their kept files;
//! a file the storage lost is skipped and named, everything else done; a second run finds
//! only what it skipped, so a stopped run is finished by running it again.

use crate::harness::{admin_json, run, start_server};
use paceline_activity::fit::decode_activity;
use paceline_activity::{gpx, tcx};
use paceline_domain::activities::ActivityStore;
use paceline_domain::ids::ActivityId;
use paceline_testkit::api;
use paceline_testkit::{TestContext, on_both_engines};
use serde_json::Value;

on_both_engines!(activities_without_streams_get_them_from_their_files);

/// `(path in testdata/, upload route, the records the file holds)`.
fn files() -> Vec<(&'static str, &'static str, usize)> {
    let data = paceline_testdata::file;
    vec![
        (
            "fit/fitsdkjs__Activity.fit",
            "/api/external/v1/fit-files",
            decode_activity(&data("fit/fitsdkjs__Activity.fit"))
                .unwrap()
                .streams
                .len(),
        ),
        (
            "tcx/tcxparser__test.tcx",
            "/api/uploads/",
            tcx::decode_tcx_activity(&data("tcx/tcxparser__test.tcx"))
                .unwrap()
                .streams
                .len(),
        ),
        (
            "gpx/gpxpy__korita-zbevnica.gpx",
            "/api/uploads/",
            gpx::decode_gpx_activity(&data("gpx/gpxpy__korita-zbevnica.gpx"))
                .unwrap()
                .streams
                .len(),
        ),
    ]
}

async fn activities_without_streams_get_them_from_their_files(db: TestContext) {
    let store = db.open().await;
    let client = api::client(&store, "reprocess-app").await;
    let athlete = api::user(
        &store,
        "old@example.com",
        None,
        &client,
        "activities:read activities:write read write upload",
    )
    .await;
    store.close().await;

    let server = start_server(&db, &[]).await;
    let http = reqwest::Client::new();
    let mut uploaded = Vec::new();
    for (path, route, records) in files() {
        let name = path.rsplit('/').next().unwrap();
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(paceline_testdata::file(path))
                .file_name(name.to_owned()),
        );
        let response = http
            .post(format!("{}{route}", server.base))
            .bearer_auth(&athlete.access_token)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "{path}");
        let body: Value = response.json().await.unwrap();
        let public = body["activity_id"]
            .as_str()
            .or(body["id"].as_str())
            .unwrap();
        uploaded.push((path, ActivityId::from_public(public).unwrap(), records));
    }
    server.stop_with(15).await;

    let store = db.open().await;
    for (path, id, records) in &uploaded {
        let detail = store.activity_detail(athlete.user.id, *id).await.unwrap();
        assert_eq!(detail.unwrap().streams.points as usize, *records, "{path}");
    }
    // As an installation from before laps and streams were kept.
    db.run_sql("DELETE FROM activity_laps").await;
    db.run_sql("DELETE FROM activity_streams").await;
    // And the storage lost the GPX file.
    let lost: String = storage_key(&store, athlete.user.id, uploaded[2].1).await;
    std::fs::remove_file(db.dir.join("data/files").join(&lost)).unwrap();

    let first = admin_json(&db, &["reprocess"]).await;
    assert_eq!(first["reprocessed"], 2, "{first}");
    let expected: usize = uploaded[..2].iter().map(|(_, _, n)| n).sum();
    assert_eq!(first["records"], expected, "{first}");
    let skipped = first["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{first}");
    assert!(
        skipped[0]["reason"].as_str().unwrap().contains("missing"),
        "{first}"
    );
    for (path, id, records) in &uploaded[..2] {
        let detail = store.activity_detail(athlete.user.id, *id).await.unwrap();
        assert_eq!(detail.unwrap().streams.points as usize, *records, "{path}");
    }
    let tcx_laps = store
        .activity_detail(athlete.user.id, uploaded[1].1)
        .await
        .unwrap()
        .unwrap()
        .laps;
    assert!(!tcx_laps.is_empty(), "the TCX file's laps");

    // Again: only what was skipped is tried, and said in words.
    let output = run(&db, &["admin", "reprocess"]).await;
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.starts_with("Reprocessed 0 activities (0 records). 1 skipped"),
        "{text}"
    );
    store.close().await;
}

/// Where the activity's file is kept.
async fn storage_key(
    store: &paceline_store_sql::SqlStore,
    user: paceline_domain::ids::UserId,
    id: ActivityId,
) -> String {
    use paceline_domain::files::FileStore;
    store
        .file_of_activity(user, id)
        .await
        .unwrap()
        .unwrap()
        .file
        .storage_key
}
