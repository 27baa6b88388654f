//! `paceline serve` with its files in S3 (an S3-compatible test server, moto, started per
//! test): a FIT upload through the Train it All API lands in the bucket, not in the data
//! folder, and downloads byte for byte, a small device file and a ride of several
//! megabytes alike.

use crate::harness::start_server_with_env;
use paceline_activity::fit::{
    ActivityForEncoding, Figures, FitTime, LegForEncoding, Record, RecordStreams, Sport,
    encode_activity,
};
use paceline_testkit::api;
use paceline_testkit::s3;
use paceline_testkit::{Engine, TestContext, on_both_engines};
use serde_json::Value;

on_both_engines!(uploads_go_to_the_bucket_and_download_byte_for_byte);

/// A ride of `records` one-second records: about 12 bytes each once encoded.
fn ride(records: u32) -> Vec<u8> {
    let start = 1_100_000_000;
    let mut streams = RecordStreams::default();
    for i in 0..records {
        streams.push(Record {
            time: Some(FitTime(start + i)),
            heart_rate: Some(120 + (i % 50) as u8),
            power_w: Some(150 + (i % 200) as u16),
            distance_m: Some(f64::from(i) * 8.0),
            ..Record::default()
        });
    }
    let figures = Figures {
        elapsed_s: Some(f64::from(records)),
        timer_s: Some(f64::from(records)),
        ..Figures::default()
    };
    encode_activity(&ActivityForEncoding {
        legs: vec![LegForEncoding::new(Sport(2), None, FitTime(start), figures)],
        streams,
        utc_offset_s: None,
    })
}

async fn uploads_go_to_the_bucket_and_download_byte_for_byte(db: TestContext) {
    let bucket = match db.engine {
        Engine::Sqlite => "pl-serve-sqlite",
        Engine::Postgres => "pl-serve-postgres",
    };
    let Some(server) = s3::start(bucket).await else {
        return;
    };
    let store = db.open().await;
    let client = api::client(&store, "s3-app").await;
    let athlete = api::user(
        &store,
        "s3@example.com",
        None,
        &client,
        "activities:read activities:write",
    )
    .await;
    store.close().await;
    let paceline = start_server_with_env(
        &db,
        &[
            ("PACELINE_S3_BUCKET", &server.bucket),
            ("PACELINE_S3_ENDPOINT", &server.endpoint),
            ("PACELINE_S3_ALLOW_HTTP", "true"),
            ("PACELINE_S3_ACCESS_KEY_ID", s3::ACCESS_KEY_ID),
            ("PACELINE_S3_SECRET_ACCESS_KEY", s3::SECRET_ACCESS_KEY),
            ("PACELINE_S3_PREFIX", "paceline"),
        ],
    )
    .await;
    let http = reqwest::Client::new();
    let device = paceline_testdata::file("fit/fitsdkjs__Activity.fit");
    let long_ride = ride(600_000);
    assert!(long_ride.len() > 6 * 1024 * 1024, "{}", long_ride.len());
    for bytes in [device, long_ride] {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes.clone()).file_name("ride.fit"),
        );
        let response = http
            .post(format!("{}/api/external/v1/fit-files", paceline.base))
            .bearer_auth(&athlete.access_token)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        let created: Value = response.json().await.unwrap();
        let id = created["id"].as_str().unwrap();
        assert!(created["storageKey"].as_str().unwrap().starts_with("fit/"));
        let downloaded = http
            .get(format!(
                "{}/api/external/v1/activities/{id}/fit",
                paceline.base
            ))
            .bearer_auth(&athlete.access_token)
            .send()
            .await
            .unwrap();
        assert_eq!(downloaded.status(), 200);
        let downloaded = downloaded.bytes().await.unwrap();
        assert!(
            downloaded.as_ref() == bytes.as_slice(),
            "not the uploaded bytes"
        );
    }
    let (status, log) = paceline.stop_with(15).await;
    assert!(status.success(), "{log}");
    assert!(log.contains("files kept in S3"), "{log}");
    assert!(
        !log.contains(s3::SECRET_ACCESS_KEY),
        "the secret key reached the log"
    );
    // Nothing was written to the data folder's files.
    let local = db.dir.join("data/files");
    assert!(
        !local.exists() || std::fs::read_dir(&local).unwrap().next().is_none(),
        "files were kept locally"
    );
}
