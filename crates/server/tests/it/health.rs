use crate::harness::TestApp;
use paceline_testkit::{TestContext, on_both_engines};
use serde_json::{Value, json};

on_both_engines!(
    healthz_answers_without_the_database,
    readyz_reports_the_database,
    readyz_fails_when_the_database_is_gone,
    every_response_carries_a_request_id,
    unknown_routes_answer_404_for_people_and_programs,
);

async fn healthz_answers_without_the_database(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    app.store.close().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({ "status": "ok" })
    );
    app.stop().await;
}

async fn readyz_reports_the_database(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let expected = match db.engine {
        paceline_testkit::Engine::Sqlite => "sqlite",
        paceline_testkit::Engine::Postgres => "postgres",
    };
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({ "status": "ready", "database": expected })
    );
    app.stop().await;
}

async fn readyz_fails_when_the_database_is_gone(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    app.store.close().await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 503);
    assert_eq!(
        response.json::<Value>().await.unwrap()["status"],
        "unavailable"
    );
    app.stop().await;
}

async fn every_response_carries_a_request_id(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let generated = app.get("/healthz").await;
    let id = generated.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    let echoed = app
        .client
        .get(app.url("/nowhere"))
        .header("x-request-id", "trace-me-123")
        .send()
        .await
        .unwrap();
    assert_eq!(echoed.headers()["x-request-id"], "trace-me-123");
    app.stop().await;
}

async fn unknown_routes_answer_404_for_people_and_programs(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    // A guessed page is a page, for the person who guessed it.
    let response = app.get("/no/such/route").await;
    assert_eq!(response.status(), 404);
    assert_eq!(
        response.headers()["content-type"],
        "text/html; charset=utf-8"
    );
    let body = response.text().await.unwrap();
    assert!(body.contains("<h1>Not found</h1>"), "{body}");
    // Under the OAuth and admin endpoints, JSON as they answer.
    for path in ["/api/oauth/nowhere", "/api/admin/nowhere"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 404);
        assert_eq!(
            response.json::<Value>().await.unwrap(),
            json!({ "error": "not found" })
        );
    }
    app.stop().await;
}
