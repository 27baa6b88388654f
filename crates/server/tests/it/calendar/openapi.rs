//! The Xhale OpenAPI document says what the server does: the documented keys of a session
//! and a race are the keys of real answers, every operation in it is served, and the
//! reference page lists them.

use super::{answer, send, team};
use crate::harness::TestApp;
use paceline_testkit::{TestContext, on_both_engines};
use reqwest::Method;
use serde_json::Value;

on_both_engines!(the_document_matches_the_answers);

fn documented(doc: &Value, schema: &str) -> Vec<String> {
    let mut keys: Vec<String> = doc["components"]["schemas"][schema]["properties"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    keys.sort();
    keys
}

async fn the_document_matches_the_answers(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let team = team(&app).await;
    let token = &team.athlete.access_token;
    let doc: Value = app.get("/api/openapi.json").await.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    if std::env::var_os("DUMP_DOC").is_some() {
        std::fs::write(
            "/tmp/xhale-doc.json",
            serde_json::to_string_pretty(&doc).unwrap(),
        )
        .unwrap();
    }
    let (_, session) = answer(
        send(
            &app,
            Method::POST,
            "/api/sessions/",
            token,
            &[("date", "2015-01-14"), ("discipline_id", "6")],
        )
        .await,
    )
    .await;
    let (_, race) = answer(
        send(
            &app,
            Method::POST,
            "/api/races/",
            token,
            &[("date", "2015-01-14"), ("race_name", "Rubicon 70.3")],
        )
        .await,
    )
    .await;
    let (_, user) = answer(send(&app, Method::GET, "/api/users/current/", token, &[]).await).await;
    assert_eq!(documented(&doc, "Session"), super::keys(&session));
    assert_eq!(documented(&doc, "Race"), super::keys(&race));
    assert_eq!(documented(&doc, "User"), super::keys(&user));
    let mut write = documented(&doc, "SessionWrite");
    write.retain(|k| k != "training_log_files_to_add");
    assert!(write.iter().all(|k| session.get(k).is_some()), "{write:?}");
    // Messages, files and workouts.
    let coach = &team.coach.access_token;
    let athlete = team.athlete.user.id.get();
    let (status, message) = answer(
        send(
            &app,
            Method::POST,
            &format!("/api/contacts/{athlete}/messages/"),
            coach,
            &[("content", "Easy tomorrow")],
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{message}");
    assert_eq!(documented(&doc, "Message"), super::keys(&message));
    let (_, contacts) = answer(send(&app, Method::GET, "/api/contacts/", coach, &[]).await).await;
    assert_eq!(documented(&doc, "Contact"), super::keys(&contacts[0]));
    let ride = paceline_testdata::file("fit/fitsdkjs__Activity.fit");
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(ride).file_name("a.fit"),
    );
    let upload = app
        .client
        .post(app.url("/api/uploads/"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let (status, upload) = answer(upload).await;
    assert_eq!(status, 201, "{upload}");
    assert_eq!(documented(&doc, "Upload"), super::keys(&upload));
    let workout = app
        .client
        .post(app.url(&format!("/api/workouts/?athlete={athlete}")))
        .bearer_auth(coach)
        .json(
            &serde_json::json!({"sport": "cycling", "name": "Tempo", "steps": [
                {"type": "step", "duration": {"type": "time", "seconds": 600}}
            ]}),
        )
        .send()
        .await
        .unwrap();
    let (status, workout) = answer(workout).await;
    assert_eq!(status, 201, "{workout}");
    assert_eq!(documented(&doc, "Workout"), super::keys(&workout));
    // Every operation the document names is served: without a token it is refused as
    // unauthenticated, never unknown (404) or of another method (405).
    let served = crate::harness::served_operations(&app, &doc).await;
    assert!(served >= 27, "only {served} operations documented");
    let page = app.get("/api/docs").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("/api/sessions/{id}/") && html.contains("training_log_files_to_add"));
    app.stop().await;
}
