//! What the method of a read means: a `HEAD` shows no message and marks none seen; a `GET`
//! written as the spec's "send a message" example (`curl -X GET -G ... -d content=...`)
//! sends nothing and says to `POST`.

use super::{get, people, send, unseen_counts};
use crate::harness::TestApp;
use paceline_testkit::{TestContext, on_both_engines};
use serde_json::Value;

on_both_engines!(a_head_marks_nothing_seen, a_get_with_content_sends_nothing);

async fn a_head_marks_nothing_seen(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let p = people(&app).await;
    let (coach, athlete) = (&p.coach_a, &p.athlete_a);
    let first = send(&app, coach, athlete, "first").await;
    let list = format!("/api/contacts/{}/messages/", coach.id());
    let one = format!("{list}{}/", first["id"]);
    for path in [&list, &one] {
        let response = app
            .client
            .head(app.url(path))
            .bearer_auth(&athlete.token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "HEAD {path}");
    }
    assert_eq!(unseen_counts(&app, athlete).await, [(coach.id(), 1)]);
    let (_, listed) = get(&app, &athlete.token, &list).await;
    assert!(listed[0]["datetime_seen"].is_string(), "a GET still reads");
    assert_eq!(unseen_counts(&app, athlete).await, [(coach.id(), 0)]);
}

async fn a_get_with_content_sends_nothing(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let p = people(&app).await;
    let (coach, athlete) = (&p.coach_a, &p.athlete_a);
    // The spec: curl -X GET -G https://.../api/contacts/1/messages/ -d content=...
    let path = format!(
        "/api/contacts/{}/messages/?content=Hey%20there%20-%20how%20are%20you",
        athlete.id()
    );
    let (status, body) = get(&app, &coach.token, &path).await;
    assert_eq!(status, 400, "{body}");
    let detail = body["detail"].as_str().unwrap();
    assert!(
        detail.contains("POST") && detail.contains("nothing was sent"),
        "{detail}"
    );
    let (_, listed) = get(
        &app,
        &coach.token,
        &format!("/api/contacts/{}/messages/", athlete.id()),
    )
    .await;
    assert_eq!(listed, Value::Array(Vec::new()));
}
