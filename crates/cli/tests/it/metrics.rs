//! `GET /metrics`: off unless configured; with a token, only for scrapes that carry it; its
//! text read by the Prometheus project's own Python parser (`tests/metrics/parse.py`), and
//! its counts held to the requests the test made. (A limit of 6 a minute does not refuse
//! the seventh request at once: GCRA refills one every 10 s, so the count is taken as it
//! comes.)

use crate::harness::{start_server, start_server_with_env};
use paceline_testkit::{TestContext, api, on_both_engines};
use serde_json::Value;
use std::process::Stdio;
use tokio::io::AsyncWriteExt;

on_both_engines!(
    metrics_are_off_unless_configured,
    metrics_count_requests_uploads_refusals_and_jobs,
);

const TOKEN: &str = "metrics-token-0123456789abcdefghijklmnop";

async fn metrics_are_off_unless_configured(db: TestContext) {
    let server = start_server(&db, &[]).await;
    let response = reqwest::get(format!("{}/metrics", server.base))
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let (status, log) = server.stop_with(15).await;
    assert!(status.success(), "{log}");
}

/// One parsed sample.
struct Sample {
    name: String,
    labels: serde_json::Map<String, Value>,
    value: f64,
}

/// The samples of `text`, through the official parser; `None` (the test skipped) when the
/// test Python is missing and not required.
async fn parse(text: &str) -> Option<Vec<Sample>> {
    let Some(python) = paceline_testkit::s3::python() else {
        assert!(
            std::env::var("PACELINE_TEST_REQUIRE_INTEROP").as_deref() != Ok("1"),
            "the test Python is required (PACELINE_TEST_REQUIRE_INTEROP=1) but missing"
        );
        paceline_testdata::skipped(
            "metrics parsed by prometheus_client",
            "the test Python is not installed; scripts/test installs it",
        );
        return None;
    };
    let mut child = tokio::process::Command::new(python)
        .arg(paceline_testdata::in_repository("tests/metrics/parse.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(text.as_bytes()).await.unwrap();
    drop(stdin);
    let output = child.wait_with_output().await.unwrap();
    assert!(
        output.status.success(),
        "the parser refused the scrape: {}\n{text}",
        String::from_utf8_lossy(&output.stderr)
    );
    let parsed: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    Some(
        parsed
            .into_iter()
            .map(|s| Sample {
                name: s["name"].as_str().unwrap().to_owned(),
                labels: s["labels"].as_object().unwrap().clone(),
                value: s["value"].as_f64().unwrap(),
            })
            .collect(),
    )
}

/// The value of the sample `name` with (at least) `labels`, if there is one.
fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    samples
        .iter()
        .find(|s| {
            s.name == name
                && labels
                    .iter()
                    .all(|(k, v)| s.labels.get(*k).and_then(Value::as_str) == Some(*v))
        })
        .map(|s| s.value)
}

async fn metrics_count_requests_uploads_refusals_and_jobs(db: TestContext) {
    let store = db.open().await;
    let client = api::client(&store, "metrics-app").await;
    let athlete = api::user(
        &store,
        "metrics@example.com",
        None,
        &client,
        "profile:read activities:read activities:write",
    )
    .await;
    store.close().await;
    let config = db.dir.join("paceline.toml");
    std::fs::write(&config, "[rate_limit]\napi_per_token = 6\n").unwrap();
    let server = start_server_with_env(
        &db,
        &[
            ("PACELINE_METRICS_TOKEN", TOKEN),
            ("PACELINE_CONFIG", config.to_str().unwrap()),
        ],
    )
    .await;
    let http = reqwest::Client::new();
    let url = |path: &str| format!("{}{path}", server.base);
    let token = athlete.access_token.as_str();
    // Three profiles, a FIT file of an activity that does not exist, an upload, then lists
    // until the limit refuses two.
    for _ in 0..3 {
        let response = http
            .get(url("/api/external/v1/profile"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
    let missing = http
        .get(url("/api/external/v1/activities/act_doesnotexist/fit"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let fit = paceline_testdata::file("fit/fitsdkjs__Activity.fit");
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(fit.clone()).file_name("ride.fit"),
    );
    let uploaded = http
        .post(url("/api/external/v1/fit-files"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(uploaded.status(), 201);
    let (mut listed, mut limited) = (0.0, 0.0);
    while limited < 2.0 {
        let response = http
            .get(url("/api/external/v1/activities"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        match response.status().as_u16() {
            200 => listed += 1.0,
            429 => limited += 1.0,
            other => panic!("a list answered {other}"),
        }
        assert!(listed < 10.0, "the limit of 6 a minute never refused");
    }
    assert_eq!(
        http.get(url("/no/such/page"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    // Methods a client invents count as one: they cannot add series.
    for invented in ["FOO1", "FOO2"] {
        let method = reqwest::Method::from_bytes(invented.as_bytes()).unwrap();
        let answer = http
            .request(method, url("/no/such/page"))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 404);
    }

    // Without the token, or with another, no metrics.
    let refused = http.get(url("/metrics")).send().await.unwrap();
    assert_eq!(refused.status(), 401);
    assert_eq!(
        refused.headers()["www-authenticate"],
        "Bearer realm=\"metrics\""
    );
    let wrong = http
        .get(url("/metrics"))
        .bearer_auth("metrics-token-not-this-one-0123456789abc")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let scrape = http
        .get(url("/metrics"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(scrape.status(), 200);
    assert_eq!(
        scrape.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    let text = scrape.text().await.unwrap();
    let Some(samples) = parse(&text).await else {
        server.stop_with(15).await;
        return;
    };
    let requests = "paceline_http_requests_total";
    let get = ("method", "GET");
    let count = |route: &str, status: &str| {
        value(
            &samples,
            requests,
            &[("route", route), get, ("status", status)],
        )
    };
    assert_eq!(
        count("/api/external/v1/profile", "200"),
        Some(3.0),
        "{text}"
    );
    // Labelled by the route's pattern, not by the id the client sent.
    assert_eq!(
        count("/api/external/v1/activities/{id}/fit", "404"),
        Some(1.0),
        "{text}"
    );
    assert!(!text.contains("act_doesnotexist"), "{text}");
    let lists = |status| count("/api/external/v1/activities", status);
    assert_eq!(lists("200"), Some(listed), "{text}");
    assert_eq!(lists("429"), Some(limited), "{text}");
    assert_eq!(count("unmatched", "404"), Some(1.0), "{text}");
    assert_eq!(
        value(
            &samples,
            requests,
            &[
                ("route", "unmatched"),
                ("method", "other"),
                ("status", "404")
            ]
        ),
        Some(2.0),
        "{text}"
    );
    assert!(!text.contains("FOO1"), "{text}");
    assert_eq!(
        value(
            &samples,
            requests,
            &[
                ("route", "/api/external/v1/fit-files"),
                ("method", "POST"),
                ("status", "201")
            ]
        ),
        Some(1.0),
        "{text}"
    );
    // Latency: each answered request observed once, in buckets that add up.
    let duration = "paceline_http_request_duration_seconds";
    let profile = [("route", "/api/external/v1/profile"), get];
    assert_eq!(
        value(&samples, &format!("{duration}_count"), &profile),
        Some(3.0)
    );
    let mut with_inf = profile.to_vec();
    with_inf.push(("le", "+Inf"));
    assert_eq!(
        value(&samples, &format!("{duration}_bucket"), &with_inf),
        Some(3.0)
    );
    assert!(value(&samples, &format!("{duration}_sum"), &profile).unwrap() > 0.0);
    assert_eq!(
        value(&samples, "paceline_upload_bytes_total", &[]),
        Some(fit.len() as f64),
        "{text}"
    );
    assert_eq!(
        value(
            &samples,
            "paceline_rate_limit_refusals_total",
            &[("limit", "token")]
        ),
        Some(limited),
        "{text}"
    );
    assert_eq!(
        value(
            &samples,
            "paceline_background_job_runs_total",
            &[("job", "orphan-sweep"), ("outcome", "ok")]
        ),
        Some(1.0),
        "{text}"
    );
    assert!(value(&samples, "paceline_db_connections_max", &[]).unwrap() >= 1.0);
    let in_use = value(&samples, "paceline_db_connections", &[("state", "in_use")]).unwrap();
    let idle = value(&samples, "paceline_db_connections", &[("state", "idle")]).unwrap();
    assert!(
        in_use >= 0.0 && idle >= 0.0 && in_use + idle >= 1.0,
        "{text}"
    );
    let (status, log) = server.stop_with(15).await;
    assert!(status.success(), "{log}");
    assert!(!log.contains(TOKEN), "the metrics token reached the log");
}
