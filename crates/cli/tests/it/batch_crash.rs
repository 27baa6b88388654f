//! Writes that share a commit (SQLite's group commit) are acknowledged only once that commit
//! is durable: the server is killed with SIGKILL while a batch of released writes waits for
//! its COMMIT (held back by `PACELINE_TEST_COMMIT_DELAY_MS`). None of them may have been
//! answered, and a write answered before the batch must be there afterwards.

use crate::harness::{kill9, start_server_with_env};
use paceline_domain::daily::DailyStore;
use paceline_domain::listing::RecordQuery;
use paceline_testkit::api;
use paceline_testkit::{Engine, TestContext, on_both_engines};
use serde_json::json;
use std::time::Duration;
use time::Date;
use time::macros::date;

on_both_engines!(sigkill_between_savepoints_and_commit_acknowledges_nothing_lost);

const BATCH: usize = 12;

async fn sigkill_between_savepoints_and_commit_acknowledges_nothing_lost(db: TestContext) {
    let store = db.open().await;
    let client = api::client(&store, "batch-client").await;
    let user = api::user(&store, "batch@example.com", None, &client, "wellness:write")
        .await
        .user;
    let token = api::token_for(&store, "batch@example.com", &client, "wellness:write").await;
    store.close().await;

    let server = start_server_with_env(&db, &[("PACELINE_TEST_COMMIT_DELAY_MS", "1500")]).await;
    let url = format!("{}/api/external/v1/daily-wellness", server.base);
    let http = reqwest::Client::new();
    let post = |day: Date| {
        http.post(&url)
            .bearer_auth(&token)
            .json(&json!({ "day": day.to_string(), "steps": 1000 }))
            .send()
    };
    // Answered only after its COMMIT, which the committer holds back for 1.5 s.
    let first = post(date!(2026 - 01 - 01)).await.unwrap();
    assert_eq!(first.status(), 200);

    // A batch: each write released into the open transaction, waiting for the COMMIT that
    // the kill prevents.
    let days: Vec<Date> = (1..=BATCH)
        .map(|d| date!(2026 - 02 - 01) + time::Duration::days(d as i64 - 1))
        .collect();
    let requests: Vec<_> = days.iter().map(|&day| tokio::spawn(post(day))).collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    kill9(&server.child);
    let (status, _) = server.wait().await;
    assert!(!status.success());
    let mut answered = Vec::new();
    for (day, request) in days.iter().zip(requests) {
        if let Ok(response) = request.await.unwrap()
            && response.status().is_success()
        {
            answered.push(*day);
        }
    }

    let store = db.open().await;
    let stored: Vec<Date> = store
        .list_wellness_days(user.id, RecordQuery::page(1, 100))
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|record| record.key)
        .collect();
    assert!(stored.contains(&date!(2026 - 01 - 01)), "{stored:?}");
    for day in &answered {
        assert!(stored.contains(day), "{day} was answered but is not stored");
    }
    if db.engine == Engine::Sqlite {
        // The batch was killed before its COMMIT: nothing of it was answered or kept.
        assert_eq!(answered, [], "answered before their commit");
        assert_eq!(stored, [date!(2026 - 01 - 01)]);
    }
}
