//! Writes: concurrent upserts of one key leave one record, and a missing membership is not
//! found.

use super::{DAY, NOW, all, written};
use crate::activities::athlete;
use crate::oauth::World;
use paceline_domain::StoreError;
use paceline_domain::daily::{BodyMetricValues, DailyStore, NutritionValues, SleepValues};
use paceline_domain::entities::Membership;
use paceline_domain::ids::MembershipId;
use paceline_testkit::{TestContext, on_both_engines};
use std::sync::Arc;
use time::Duration;
use time::macros::datetime;

on_both_engines!(
    concurrent_upserts_of_one_key_leave_one_record,
    a_missing_membership_is_not_found,
);

async fn concurrent_upserts_of_one_key_leave_one_record(db: TestContext) {
    let mut w = World::new(&db).await;
    let (a, _) = w.client(false, "read write").await;
    let (b, _) = w.client(false, "read write").await;
    let store = Arc::new(w.store);
    let max = athlete(&store, "max@example.com").await;
    let at = datetime!(2026-02-02 06:30:00 UTC);

    let mut nutrition = Vec::new();
    let mut sleep = Vec::new();
    let mut metrics = Vec::new();
    for n in 0..10 {
        let client = if n % 2 == 0 { &a } else { &b };
        let now = NOW + Duration::seconds(n);
        let values = NutritionValues {
            steps: Some(n),
            ..NutritionValues::default()
        };
        let new = written(&max, Some(client), DAY, values, now);
        let s = store.clone();
        nutrition.push(tokio::spawn(
            async move { s.upsert_nutrition_day(new).await },
        ));
        let new = written(&max, Some(&a), DAY, SleepValues::default(), now);
        let s = store.clone();
        sleep.push(tokio::spawn(async move { s.upsert_sleep_day(new).await }));
        let new = written(&max, None, at, BodyMetricValues::default(), now);
        let s = store.clone();
        metrics.push(tokio::spawn(async move { s.upsert_body_metric(new).await }));
    }
    let mut ids = Vec::new();
    for task in nutrition {
        ids.push(task.await.unwrap().unwrap());
    }
    assert!(
        ids.iter().all(|id| *id == ids[0]),
        "every writer gets the one id"
    );
    let mut ids = Vec::new();
    for task in sleep {
        ids.push(task.await.unwrap().unwrap());
    }
    assert!(ids.iter().all(|id| *id == ids[0]));
    let mut ids = Vec::new();
    for task in metrics {
        ids.push(task.await.unwrap().unwrap());
    }
    assert!(ids.iter().all(|id| *id == ids[0]));

    let kept = store.list_nutrition_days(max.user_id, all()).await.unwrap();
    assert_eq!(kept.items.len(), 1);
    assert_eq!(
        store
            .list_sleep_days(max.user_id, all())
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    assert_eq!(
        store
            .list_body_metrics(max.user_id, all())
            .await
            .unwrap()
            .items
            .len(),
        1
    );
}

async fn a_missing_membership_is_not_found(db: TestContext) {
    let store = db.open().await;
    let max = athlete(&store, "max@example.com").await;
    let nowhere = Membership {
        id: MembershipId(max.id.get() + 1000),
        ..max.clone()
    };
    let result = store
        .upsert_nutrition_day(written(
            &nowhere,
            None,
            DAY,
            NutritionValues::default(),
            NOW,
        ))
        .await;
    assert!(matches!(result, Err(StoreError::NotFound(_))), "{result:?}");
    let result = store
        .upsert_body_metric(written(
            &nowhere,
            None,
            NOW,
            BodyMetricValues::default(),
            NOW,
        ))
        .await;
    assert!(matches!(result, Err(StoreError::NotFound(_))), "{result:?}");
    assert!(
        store
            .list_nutrition_days(max.user_id, all())
            .await
            .unwrap()
            .items
            .is_empty()
    );
}
