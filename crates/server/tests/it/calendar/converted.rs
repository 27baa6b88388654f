//! "Exactly one FIT file per activity" (Train it All, 5.2.2), for activities that came as
//! TCX or GPX: every such file of the corpus is uploaded over the Xhale surface, its
//! activity downloaded as FIT over the Train it All surface, and each download read by
//! Garmin's FIT SDK with zero errors and compared with what the source file holds: the
//! record count, the first and last record times, the total distance (within 0.5%) and the
//! sums of heart rate and power over the records.

use super::{answer, team};
use crate::garmin_sdk;
use crate::harness::TestApp;
use paceline_activity::fit::{FitTime, RecordStreams};
use paceline_activity::{gpx, tcx};
use paceline_testdata::Corpus;
use paceline_testkit::{TestContext, on_both_engines};
use reqwest::multipart::{Form, Part};
use serde_json::Value;
use std::collections::BTreeMap;

on_both_engines!(every_tcx_and_gpx_activity_downloads_as_a_fit_garmins_sdk_reads);

/// What a source file holds that its FIT must keep.
#[derive(Debug)]
struct Source {
    records: usize,
    first: Option<FitTime>,
    last: Option<FitTime>,
    distance_m: Option<f64>,
    heart_beats: u64,
    watts: u64,
}

impl Source {
    fn of(distance_m: Option<f64>, streams: &RecordStreams) -> Self {
        let times: Vec<FitTime> = streams.time.iter().flatten().copied().collect();
        Self {
            records: streams.len(),
            first: times.first().copied(),
            last: times.last().copied(),
            distance_m,
            heart_beats: streams
                .heart_rate
                .iter()
                .flatten()
                .map(|&v| u64::from(v))
                .sum(),
            watts: streams
                .power_w
                .iter()
                .flatten()
                .map(|&v| u64::from(v))
                .sum(),
        }
    }
}

/// The corpus's TCX and GPX activities (files the readers refuse as activities are left
/// out: workouts, courses, routes), each with what it holds.
fn sources() -> Vec<(String, Vec<u8>, Source)> {
    let corpus = Corpus::open("TCX and GPX activities downloaded as FIT");
    let mut sources = Vec::new();
    for (name, bytes) in corpus.files("tcx", "tcx") {
        if let Ok(file) = tcx::decode_tcx_activity(&bytes) {
            let source = Source::of(file.summary.figures.distance_m, &file.streams);
            sources.push((name, bytes, source));
        }
    }
    for (name, bytes) in corpus.files("gpx", "gpx") {
        if let Ok(file) = gpx::decode_gpx_activity(&bytes) {
            let source = Source::of(file.summary.figures.distance_m, &file.streams);
            sources.push((name, bytes, source));
        }
    }
    assert!(
        sources.len() >= 40 || !corpus.is_whole(),
        "{} TCX and GPX activities in the corpus",
        sources.len()
    );
    sources
}

/// A FIT time as the SDK prints it.
fn rfc3339(at: FitTime) -> String {
    let at = time::OffsetDateTime::from_unix_timestamp(at.unix_seconds()).unwrap();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

fn sum(records: &[Value], field: &str) -> u64 {
    records.iter().filter_map(|r| r[field].as_u64()).sum()
}

async fn every_tcx_and_gpx_activity_downloads_as_a_fit_garmins_sdk_reads(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let team = team(&app).await;
    let token = paceline_testkit::api::token_for(
        app.store.as_ref(),
        "athlete@example.com",
        &team.client,
        "read write upload activities:read",
    )
    .await;
    let dir = garmin_sdk::scratch_dir("converted");
    let mut written = BTreeMap::new();
    for (name, bytes, source) in sources() {
        let form = Form::new().part("file", Part::bytes(bytes).file_name(name.clone()));
        let response = app
            .client
            .post(app.url("/api/uploads/"))
            .bearer_auth(&token)
            .multipart(form)
            .send()
            .await
            .unwrap();
        let (status, file) = answer(response).await;
        assert!(status == 201 || status == 200, "{name}: {status} {file}");
        let activity = file["activity_id"].as_str().unwrap().to_owned();
        let response = app
            .client
            .get(app.url(&format!("/api/external/v1/activities/{activity}/fit")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{name}");
        let fit = response.bytes().await.unwrap();
        assert_eq!(&fit[8..12], b".FIT", "{name}: a FIT file, not the source");
        let path = dir.join(format!("{activity}.fit"));
        std::fs::write(&path, &fit).unwrap();
        written.insert(path.display().to_string(), (name, source));
    }
    let Some(python) = garmin_sdk::python_or_skip() else {
        let _ = std::fs::remove_dir_all(&dir);
        app.stop().await;
        return;
    };
    // Zero errors from is_fit(), check_integrity() and read(), or the check fails.
    let json = garmin_sdk::check_dir(&python, &dir);
    assert_eq!(json["files"].as_object().unwrap().len(), written.len());
    let mut failures = Vec::new();
    for (path, (name, source)) in &written {
        let file = &json["files"][path];
        let messages = &file["messages"];
        let records = messages["record_mesgs"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let mut differs = |what: &str, fit: String, source: String| {
            failures.push(format!("{name}: {what}: FIT {fit}, source {source}"));
        };
        if file["ok"] != true {
            differs("errors", file["errors"].to_string(), "none".into());
        }
        if records.len() != source.records {
            differs(
                "records",
                records.len().to_string(),
                source.records.to_string(),
            );
        }
        let times: Vec<&str> = records
            .iter()
            .filter_map(|r| r["timestamp"].as_str())
            .collect();
        for (what, fit, source) in [
            ("first time", times.first(), source.first),
            ("last time", times.last(), source.last),
        ] {
            let source = source.map(rfc3339);
            if fit.map(|t| t.to_string()) != source {
                differs(what, format!("{fit:?}"), format!("{source:?}"));
            }
        }
        let distance: f64 = messages["session_mesgs"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|s| s["total_distance"].as_f64())
            .sum();
        if let Some(expected) = source.distance_m
            && (distance - expected).abs() > expected * 0.005 + 0.01
        {
            differs("distance", distance.to_string(), expected.to_string());
        }
        let beats = sum(&records, "heart_rate");
        if beats != source.heart_beats {
            differs(
                "heart rate sum",
                beats.to_string(),
                source.heart_beats.to_string(),
            );
        }
        let watts = sum(&records, "power");
        if watts != source.watts {
            differs("power sum", watts.to_string(), source.watts.to_string());
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let _ = std::fs::remove_dir_all(&dir);
    app.stop().await;
}
