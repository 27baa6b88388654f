//! The shared rate limiter counts exactly, also under concurrent requests on one key.

use paceline_domain::ratelimit::{Decision, Limit, RateLimiter};
use paceline_testkit::{TestContext, on_both_engines};
use std::sync::Arc;
use time::Duration;
use time::macros::datetime;

on_both_engines!(
    limits_count_bursts_and_refill,
    concurrent_requests_share_one_count,
    refunds_give_requests_back,
);

async fn limits_count_bursts_and_refill(db: TestContext) {
    let store = db.open().await;
    let t0 = datetime!(2026-01-01 00:00 UTC);
    let limit = Limit::per_minute(5);
    for _ in 0..5 {
        assert_eq!(
            store.check("token:1", limit, t0).await.unwrap(),
            Decision::Allowed
        );
    }
    assert_eq!(
        store.check("token:1", limit, t0).await.unwrap(),
        Decision::Limited {
            retry_after: Duration::seconds(12)
        }
    );
    assert_eq!(
        store.check("token:2", limit, t0).await.unwrap(),
        Decision::Allowed
    );
    assert_eq!(
        store
            .check("token:1", limit, t0 + Duration::seconds(12))
            .await
            .unwrap(),
        Decision::Allowed
    );
}

async fn concurrent_requests_share_one_count(db: TestContext) {
    let store = Arc::new(db.open().await);
    let t0 = datetime!(2026-01-01 00:00 UTC);
    let limit = Limit::per_minute(10);
    let mut tasks = Vec::new();
    for _ in 0..25 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store.check("client:7", limit, t0).await.unwrap()
        }));
    }
    let mut allowed = 0;
    for task in tasks {
        match task.await.unwrap() {
            Decision::Allowed => allowed += 1,
            // Ten requests' worth of a minute is taken: the next comes in one interval,
            // whichever checks a refusal queued behind.
            Decision::Limited { retry_after } => assert_eq!(retry_after, Duration::seconds(6)),
        }
    }
    assert_eq!(allowed, 10);
    // Checks queued on one key at later times each wait for what is left then.
    let mut tasks = Vec::new();
    for second in 1..=5 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let now = t0 + Duration::seconds(second);
            (second, store.check("client:7", limit, now).await.unwrap())
        }));
    }
    for task in tasks {
        let (second, decision) = task.await.unwrap();
        assert_eq!(
            decision,
            Decision::Limited {
                retry_after: Duration::seconds(6 - second)
            }
        );
    }
}

async fn refunds_give_requests_back(db: TestContext) {
    let store = db.open().await;
    let t0 = datetime!(2026-01-01 00:00 UTC);
    let limit = Limit::per_minute(2);
    for _ in 0..10 {
        assert_eq!(
            store.check("login:a", limit, t0).await.unwrap(),
            Decision::Allowed
        );
        store.refund("login:a", limit, t0).await.unwrap();
    }
    assert_eq!(
        store.check("login:a", limit, t0).await.unwrap(),
        Decision::Allowed
    );
    assert_eq!(
        store.check("login:a", limit, t0).await.unwrap(),
        Decision::Allowed
    );
    assert!(matches!(
        store.check("login:a", limit, t0).await.unwrap(),
        Decision::Limited { .. }
    ));
    store.refund("login:unknown", limit, t0).await.unwrap();
}
