//! `paceline import`: a Strava-shaped bulk export (a zip of `activities/` with gzipped and
//! plain FIT, TCX and GPX files beside a CSV and a photo) holding a Garmin-shaped zip, a broken
//! file among them: every activity becomes one, the broken file is named, a second run adds
//! nothing, and the athlete sees the activities through the API.

use crate::harness::paceline;
use paceline_testkit::{TestContext, api, on_both_engines};
use serde_json::Value;
use std::io::Write;

on_both_engines!(a_bulk_export_is_imported_once_and_a_bad_file_is_named);

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn zip_of(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        writer.start_file(*name, options).unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

async fn import(db: &TestContext, path: &std::path::Path) -> (bool, String) {
    let output = paceline(db)
        .args(["import", "--email", "strava@example.com"])
        .arg(path)
        .output()
        .await
        .unwrap();
    let said = String::from_utf8_lossy(&output.stdout).into_owned();
    let errors = String::from_utf8_lossy(&output.stderr);
    (output.status.success(), format!("{said}{errors}"))
}

async fn a_bulk_export_is_imported_once_and_a_bad_file_is_named(db: TestContext) {
    let store = db.open().await;
    let client = api::client(&store, "import-app").await;
    let athlete = api::user(
        &store,
        "strava@example.com",
        None,
        &client,
        "activities:read",
    )
    .await;
    store.close().await;

    let fit = paceline_testdata::file("fit/fitsdkjs__Activity.fit");
    let other_fit = paceline_testdata::file("fit/pyfitparse__garmin-fenix-5-run.fit");
    let garmin_fit = paceline_testdata::file("fit/pyfitparse__garmin-fenix-5-bike.fit");
    let tcx = paceline_testdata::file("tcx/tcxparser__test.tcx");
    let gpx = paceline_testdata::file("gpx/gpxpy__korita-zbevnica.gpx");
    // Garmin Connect keeps uploaded files in zips within its export.
    let garmin_part = zip_of(&[("UploadedFiles_0-_Part1/9876543.fit", garmin_fit)]);
    let second_part = gzip(&zip_of(&[(
        "UploadedFiles_0-_Part2/9876544.tcx",
        paceline_testdata::file("tcx/tcxparser__no_hr.tcx"),
    )]));
    // 30 MB of zeros, 30 kB gzipped: past the largest file accepted once unpacked.
    let bomb = gzip(&vec![0u8; 30 * 1024 * 1024]);
    let export = zip_of(&[
        (
            "activities.csv",
            b"Activity ID,Activity Date\n1,2024\n".to_vec(),
        ),
        ("activities/1001.fit.gz", gzip(&fit)),
        ("activities/1002.fit", other_fit),
        ("activities/1003.gpx.gz", gzip(&gpx)),
        ("activities/1005.tcx", tcx),
        (
            "activities/1004.fit",
            b"this is not a FIT file at all".to_vec(),
        ),
        ("media/photo.jpg", vec![0xff, 0xd8, 0xff]),
        (
            "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip",
            garmin_part,
        ),
        (
            "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part2.zip.gz",
            second_part,
        ),
        ("activities/1006.fit.gz", bomb),
    ]);
    let archive = db.dir.join("export_12345.zip");
    std::fs::write(&archive, export).unwrap();

    let (ok, said) = import(&db, &archive).await;
    assert!(ok, "{said}");
    assert!(
        said.contains(
            "8 activity files: 6 new, 0 already there, 2 refused, 0 failed; 2 other files"
        ),
        "{said}"
    );
    assert!(said.contains("refused "), "{said}");
    assert!(
        said.contains("1004.fit: not a FIT, TCX or GPX file"),
        "{said}"
    );
    assert!(
        said.contains("1006.fit: larger than 26214400 bytes"),
        "{said}"
    );

    // Again: nothing new; the same file loose in a folder is recognized too.
    let (ok, said) = import(&db, &archive).await;
    assert!(ok, "{said}");
    assert!(said.contains("6 already there"), "{said}");
    assert!(said.contains(": 0 new"), "{said}");
    let folder = db.dir.join("loose");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("ride.FIT"), &fit).unwrap();
    std::fs::write(folder.join("notes.txt"), b"hello").unwrap();
    let (ok, said) = import(&db, &folder).await;
    assert!(ok, "{said}");
    assert!(
        said.contains("1 activity files: 0 new, 1 already there"),
        "{said}"
    );

    // An unknown athlete is refused.
    let output = paceline(&db)
        .args(["import", "--email", "nobody@example.com"])
        .arg(&archive)
        .output()
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(1));

    // The athlete sees six activities, each with its file.
    let server = crate::harness::start_server(&db, &[]).await;
    let http = reqwest::Client::new();
    let list: Value = http
        .get(format!(
            "{}/api/external/v1/activities?per_page=50",
            server.base
        ))
        .bearer_auth(&athlete.access_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 6, "{list}");
    for item in items {
        let id = item["id"].as_str().unwrap();
        let file = http
            .get(format!(
                "{}/api/external/v1/activities/{id}/fit",
                server.base
            ))
            .bearer_auth(&athlete.access_token)
            .send()
            .await
            .unwrap();
        assert_eq!(file.status(), 200);
    }
    let (status, log) = server.stop_with(15).await;
    assert!(status.success(), "{log}");
}
