use crate::harness::TestApp;
use paceline_domain::files::{BlobError, BlobStore, StoredFile};
use paceline_testkit::{TestContext, on_both_engines};
use serde_json::{Value, json};
use std::sync::Arc;

on_both_engines!(
    healthz_answers_without_the_database,
    readyz_reports_the_database,
    readyz_fails_when_the_database_is_gone,
    readyz_fails_when_the_file_storage_is_unreachable,
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
        json!({ "status": "ready", "database": expected, "files": "memory" })
    );
    app.stop().await;
}

async fn readyz_fails_when_the_database_is_gone(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    app.store.close().await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 503);
    let body = response.json::<Value>().await.unwrap();
    assert_eq!(body["status"], "unavailable");
    assert_eq!(body["failing"], json!(["database"]));
    app.stop().await;
}

/// File storage that no longer answers, as a bucket behind a broken network would.
struct Unreachable;

#[async_trait::async_trait]
impl BlobStore for Unreachable {
    async fn put(&self, _: &str, _: Vec<u8>) -> Result<(), BlobError> {
        Err(BlobError::Unavailable("unreachable".into()))
    }
    async fn put_file(&self, _: &str, _: &std::path::Path) -> Result<(), BlobError> {
        Err(BlobError::Unavailable("unreachable".into()))
    }
    async fn get(&self, _: &str) -> Result<Option<Vec<u8>>, BlobError> {
        Err(BlobError::Unavailable("unreachable".into()))
    }
    async fn delete(&self, _: &str) -> Result<(), BlobError> {
        Err(BlobError::Unavailable("unreachable".into()))
    }
    async fn list(&self, _: &str) -> Result<Vec<StoredFile>, BlobError> {
        Err(BlobError::Unavailable("unreachable".into()))
    }
    fn backend(&self) -> &'static str {
        "s3"
    }
    async fn probe(&self) -> Result<(), BlobError> {
        Err(BlobError::Unavailable("unreachable".into()))
    }
}

async fn readyz_fails_when_the_file_storage_is_unreachable(db: TestContext) {
    let app = TestApp::spawn_with(&db, |state| state.with_files(Arc::new(Unreachable))).await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 503);
    let expected = match db.engine {
        paceline_testkit::Engine::Sqlite => "sqlite",
        paceline_testkit::Engine::Postgres => "postgres",
    };
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({ "status": "unavailable", "database": expected, "files": "s3", "failing": ["files"] })
    );
    // Liveness does not depend on it.
    assert_eq!(app.get("/healthz").await.status(), 200);
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
