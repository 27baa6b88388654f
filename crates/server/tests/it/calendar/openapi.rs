//! The Xhale OpenAPI document says what the server does: the documented keys of a session
//! and a race are the keys of real answers, every route is in it, and the reference page
//! lists them.

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
    for (path, methods) in [
        ("/api/users/current/", &["get"][..]),
        ("/api/sessions/", &["get", "post"][..]),
        (
            "/api/sessions/{id}/",
            &["get", "put", "patch", "delete"][..],
        ),
        ("/api/sessions/{id}/direct_access_token/", &["post"][..]),
        ("/api/races/", &["get", "post"][..]),
        ("/api/races/{id}/", &["get", "put", "patch", "delete"][..]),
    ] {
        for method in methods {
            assert!(doc["paths"][path][method].is_object(), "{method} {path}");
        }
    }
    let page = app.get("/api/docs").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("/api/sessions/{id}/") && html.contains("training_log_files_to_add"));
    app.stop().await;
}
