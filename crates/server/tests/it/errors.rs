//! Where failures go (docs/api-design.md, "Where errors go"): a storage failure that is not
//! a reachability problem answers 500 with an error id, never "try again"; an unreachable
//! database answers 503 with `Retry-After`; each in its surface's own shape. The database
//! fails at a chosen statement (`TestContext::fail_at`), or is closed under the server; the
//! log line of a 500 carries its error id, its cause and the request id.

use crate::calendar::{answer, send, team};
use crate::harness::TestApp;
use paceline_testkit::{TestContext, api, on_both_engines};
use reqwest::Method;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex, OnceLock};

on_both_engines!(
    a_storage_bug_is_a_500_with_an_error_id_on_each_surface,
    an_unreachable_database_is_a_503_with_retry_after_on_each_surface,
);

/// What the server logs in this test binary, from the first call on: a global subscriber
/// writing plain text into memory.
fn logs() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Arc::new(Mutex::new(Vec::new()));
        let sink = logs.clone();
        let _ = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(move || Capture(sink.clone()))
            .try_init();
        logs
    })
    .clone()
}

struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The log line that carries `id`.
fn logged_line(id: &str) -> String {
    let logs = logs();
    let text = String::from_utf8_lossy(&logs.lock().unwrap()).into_owned();
    text.lines()
        .find(|line| line.contains(id))
        .unwrap_or_else(|| panic!("no log line carries {id}"))
        .to_owned()
}

/// A 16-digit hex error id.
fn error_id(value: &Value) -> &str {
    let id = value.as_str().unwrap_or_default();
    assert!(
        id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit()),
        "an error id: {value}"
    );
    id
}

async fn a_storage_bug_is_a_500_with_an_error_id_on_each_surface(db: TestContext) {
    logs();
    let app = TestApp::spawn(&db).await;
    let team = team(&app).await;
    let token = &team.athlete.access_token;
    let (status, session) = answer(
        send(
            &app,
            Method::POST,
            "/api/sessions/",
            token,
            &[("date", "2026-01-14"), ("discipline_id", "11")],
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{session}");

    // Xhale: {"detail": ..., "error_id": ...}, no Retry-After.
    db.fail_at("UPDATE", "training_sessions", "1 = 1").await;
    let path = format!("/api/sessions/{}/", session["id"]);
    let response = send(&app, Method::PATCH, &path, token, &[("intensity", "4")]).await;
    assert!(response.headers().get("retry-after").is_none());
    let (status, body) = answer(response).await;
    db.heal("training_sessions").await;
    assert_eq!(status, 500, "{body}");
    let id = error_id(&body["error_id"]);
    assert!(body["detail"].as_str().unwrap().contains(id), "{body}");
    assert!(
        !body.to_string().contains("injected"),
        "the cause stays in the log: {body}"
    );

    // Train it All: {error, errorCode, hint, errorId}.
    let tia = api::token_for(
        app.store.as_ref(),
        "athlete@example.com",
        &team.client,
        "activities:write",
    )
    .await;
    db.fail_at("INSERT", "activities", "1 = 1").await;
    let response = app
        .client
        .post(app.url("/api/external/v1/activities"))
        .bearer_auth(&tia)
        .json(&json!({
            "type": "RUN", "startedAt": "2026-01-14T07:00:00Z", "durationMin": 45, "distanceKm": 9.8
        }))
        .send()
        .await
        .unwrap();
    assert!(response.headers().get("retry-after").is_none());
    let (status, body) = answer(response).await;
    db.heal("activities").await;
    assert_eq!(status, 500, "{body}");
    assert_eq!(body["errorCode"], "internal_error");
    let id = error_id(&body["errorId"]);
    assert!(body["hint"].as_str().unwrap().contains(id), "{body}");
    assert!(logged_line(id).contains("injected failure"));
    app.stop().await;
}

async fn an_unreachable_database_is_a_503_with_retry_after_on_each_surface(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let team = team(&app).await;
    let token = team.athlete.access_token.clone();
    app.store.close().await;

    let response = send(&app, Method::GET, "/api/sessions/", &token, &[]).await;
    assert_eq!(response.headers()["retry-after"], "5");
    let (status, body) = answer(response).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(
        body,
        json!({ "detail": "Service temporarily unavailable, try again later." })
    );

    let response = app
        .client
        .get(app.url("/api/external/v1/activities"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["retry-after"], "5");
    let (status, body) = answer(response).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["errorCode"], "unavailable");

    let response = app
        .client
        .get(app.url("/account/apps"))
        .header(
            "cookie",
            "pl_session=pl_ses_0000000000000000000000000000000000000000",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "5");
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Paceline is unavailable")
    );
    app.stop().await;
}
