//! Paths the server does not have, answered in the format of the surface they are under,
//! and Xhale paths written without their trailing slash, redirected with 308 (method and
//! body kept) as the spec's Django-style clients expect.

use crate::harness::TestApp;
use paceline_testkit::api;
use paceline_testkit::{TestContext, on_both_engines};
use reqwest::redirect::Policy;
use serde_json::Value;

on_both_engines!(
    unknown_paths_answer_in_their_surfaces_format,
    xhale_paths_without_their_slash_are_redirected
);

async fn unknown_paths_answer_in_their_surfaces_format(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    for path in [
        "/api/external/v1/nothing",
        "/api/external/v1/activities/x/y",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 404, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["errorCode"], "not_found", "{path}: {body}");
        assert!(body["error"].is_string() && body["hint"].is_string());
    }
    for path in ["/api/nothing/", "/api/sessions/1/nothing/", "/api/file.txt"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 404, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(
            body,
            serde_json::json!({ "detail": "Not found." }),
            "{path}"
        );
    }
    app.stop().await;
}

async fn xhale_paths_without_their_slash_are_redirected(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let client = api::client(app.store.as_ref(), "slash-app").await;
    paceline_domain::accounts::create_user(
        app.store.as_ref(),
        &paceline_domain::SystemClock,
        paceline_domain::accounts::UserRequest {
            email: "slash@example.com".into(),
            password: paceline_domain::password::Password::new("a long enough password"),
            name: "Slash User".into(),
            organization: None,
            role: None,
        },
    )
    .await
    .unwrap();
    let token = api::token_for(
        app.store.as_ref(),
        "slash@example.com",
        &client,
        "read write",
    )
    .await;
    // Seen as they are: 308 to the slashed path, the query kept.
    let plain = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    let response = plain
        .get(app.url("/api/sessions?start_date=2015-01-01"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 308);
    assert_eq!(
        response.headers()["location"],
        "/api/sessions/?start_date=2015-01-01"
    );
    // Followed, as clients do: a GET reads and a POST creates, its body kept.
    let user: Value = app
        .client
        .get(app.url("/api/users/current"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(user["email"], "slash@example.com");
    let created = app
        .client
        .post(app.url("/api/sessions"))
        .bearer_auth(&token)
        .form(&[("date", "2015-01-14"), ("discipline_id", "6")])
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let session: Value = created.json().await.unwrap();
    assert_eq!(session["date"], "2015-01-14");
    // A file name is not a missing slash.
    let file = plain
        .get(app.url("/api/sessions/1/workouts/x"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_ne!(file.status(), 308);
    app.stop().await;
}
