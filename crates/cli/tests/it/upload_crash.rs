//! Uploads survive a crash (issue 6: "a crash at any point leaves no row without its file
//! and no lost upload"): real device files are uploaded in parallel while the server is
//! killed with SIGKILL. On the restarted server every acknowledged upload is there and
//! downloads byte for byte, every activity's file is there, and a repeated upload of an
//! acknowledged file is a duplicate.

use crate::harness::{kill9, start_server};
use paceline_testkit::api;
use paceline_testkit::{TestContext, on_both_engines};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;

on_both_engines!(sigkill_during_uploads_loses_no_acknowledged_file);

const PARALLEL: usize = 4;

/// Valid FIT files of the corpus, at most 1 MB each.
fn device_files() -> Vec<(String, Vec<u8>)> {
    let corpus = paceline_testdata::Corpus::open("uploads during SIGKILL, over device files");
    corpus
        .manifest()
        .iter()
        .filter_map(|columns| {
            let (file, expect, bytes) = (&columns[0], &columns[6], &columns[7]);
            let small = bytes.parse::<usize>().is_ok_and(|b| b <= 1_000_000);
            (file.starts_with("fit/") && expect == "accept" && small).then(|| {
                let data = std::fs::read(corpus.root().join(file)).unwrap();
                (file.clone(), data)
            })
        })
        .take(40)
        .collect()
}

async fn upload(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    bytes: Vec<u8>,
) -> Option<(u16, Value)> {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name("device.fit"),
    );
    let response = http
        .post(format!("{base}/api/external/v1/fit-files"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .ok()?;
    let status = response.status().as_u16();
    let body = response.json().await.ok()?;
    Some((status, body))
}

async fn sigkill_during_uploads_loses_no_acknowledged_file(db: TestContext) {
    let store = db.open().await;
    let client = api::client(&store, "crash-app").await;
    let athlete = api::user(
        &store,
        "crash@example.com",
        None,
        &client,
        "activities:read activities:write",
    )
    .await;
    store.close().await;
    let token = athlete.access_token.clone();
    let files = device_files();
    assert!(files.len() >= 20, "{} files", files.len());

    let server = start_server(&db, &[]).await;
    let base = server.base.clone();
    let queue = Arc::new(Mutex::new(files.clone()));
    let acknowledged = Arc::new(Mutex::new(Vec::<(String, Vec<u8>)>::new()));
    let mut workers = Vec::new();
    for _ in 0..PARALLEL {
        let (queue, acknowledged, base, token) = (
            queue.clone(),
            acknowledged.clone(),
            base.clone(),
            token.clone(),
        );
        workers.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            loop {
                let Some((_, bytes)) = queue.lock().await.pop() else {
                    return;
                };
                if let Some((201 | 200, body)) = upload(&http, &base, &token, bytes.clone()).await {
                    let id = body["id"].as_str().unwrap().to_owned();
                    acknowledged.lock().await.push((id, bytes));
                }
            }
        }));
    }
    // Mid-burst: once some uploads are acknowledged, kill the server.
    for _ in 0..600 {
        if acknowledged.lock().await.len() >= 5 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    kill9(&server.child);
    let (status, _) = server.wait().await;
    assert!(!status.success(), "the server was killed");
    for worker in workers {
        worker.await.unwrap();
    }
    let acknowledged = acknowledged.lock().await.clone();
    assert!(
        acknowledged.len() >= 5,
        "{} acknowledged",
        acknowledged.len()
    );

    let server = start_server(&db, &[]).await;
    let http = reqwest::Client::new();
    for (id, bytes) in &acknowledged {
        let response = http
            .get(format!(
                "{}/api/external/v1/activities/{id}/fit",
                server.base
            ))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{id}");
        let downloaded = response.bytes().await.unwrap();
        assert!(
            downloaded.as_ref() == bytes.as_slice(),
            "{id}: not the uploaded bytes"
        );
        let (status, again) = upload(&http, &server.base, &token, bytes.clone())
            .await
            .unwrap();
        assert_eq!((status, &again["id"]), (200, &Value::from(id.as_str())));
    }
    // No row without its file: every activity listed downloads.
    let listed: Value = http
        .get(format!(
            "{}/api/external/v1/activities?per_page=200",
            server.base
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for item in listed["items"].as_array().unwrap() {
        let id = item["id"].as_str().unwrap();
        let response = http
            .get(format!(
                "{}/api/external/v1/activities/{id}/fit",
                server.base
            ))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{id} has lost its file");
    }
    server.stop_with(15).await;
}
