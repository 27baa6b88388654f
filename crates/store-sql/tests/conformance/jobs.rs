//! A background job's turn is held by one instance at a time, until its claim ends.

use futures::future::join_all;
use paceline_domain::jobs::JobStore;
use paceline_testkit::{TestContext, on_both_engines};
use std::sync::Arc;
use time::Duration;
use time::macros::datetime;

on_both_engines!(
    a_claim_holds_a_job_until_it_ends,
    of_claims_at_once_one_wins
);

async fn a_claim_holds_a_job_until_it_ends(db: TestContext) {
    let store = db.open().await;
    let t0 = datetime!(2026-12-05 12:00 UTC);
    let hour = Duration::hours(1);
    assert!(store.claim_job("sweep", "a", t0, t0 + hour).await.unwrap());
    // Held: neither another instance nor the holder claims it again before it ends.
    assert!(!store.claim_job("sweep", "b", t0, t0 + hour).await.unwrap());
    let almost = t0 + hour - Duration::microseconds(1);
    assert!(
        !store
            .claim_job("sweep", "b", almost, almost + hour)
            .await
            .unwrap()
    );
    assert!(
        !store
            .claim_job("sweep", "a", almost, almost + hour)
            .await
            .unwrap()
    );
    // Another job is claimed on its own.
    assert!(store.claim_job("other", "b", t0, t0 + hour).await.unwrap());
    // Once the claim ends, the next turn goes to whoever asks first.
    let t1 = t0 + hour;
    assert!(store.claim_job("sweep", "b", t1, t1 + hour).await.unwrap());
    assert!(!store.claim_job("sweep", "a", t1, t1 + hour).await.unwrap());
    store.close().await;
}

async fn of_claims_at_once_one_wins(db: TestContext) {
    let store = Arc::new(db.open().await);
    let t0 = datetime!(2026-12-05 12:00 UTC);
    for turn in 0..5 {
        let now = t0 + Duration::hours(turn);
        let claims = (0..8).map(|n| {
            let store = store.clone();
            tokio::spawn(async move {
                let holder = format!("instance-{n}");
                store
                    .claim_job("sweep", &holder, now, now + Duration::hours(1))
                    .await
                    .unwrap()
            })
        });
        let won = join_all(claims)
            .await
            .into_iter()
            .filter(|won| *won.as_ref().unwrap())
            .count();
        assert_eq!(won, 1, "turn {turn}");
    }
}
