//! The two OpenAPI documents, snapshot-tested: any change to what a client is promised shows
//! up as a diff of `tests/it/snapshots/` to review (`cargo insta review`, or rerun with
//! `INSTA_UPDATE=always` and read the diff), never silently.

use crate::harness::TestApp;
use paceline_testkit::{TestContext, on_both_engines};
use serde_json::Value;

on_both_engines!(the_openapi_documents_match_their_snapshots);

async fn the_openapi_documents_match_their_snapshots(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let xhale: Value = app.get("/api/openapi.json").await.json().await.unwrap();
    insta::assert_json_snapshot!("xhale_openapi", xhale);
    let tia: Value = app
        .get("/api/external/v1/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    insta::assert_json_snapshot!("train_it_all_openapi", tia);
    app.stop().await;
}
