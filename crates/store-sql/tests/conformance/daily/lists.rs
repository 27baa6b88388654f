//! Lists: athletes never see each other's records; lists are newest first, paged and
//! filtered.

use super::{DAY, NOW, all, written};
use crate::activities::athlete;
use crate::oauth::World;
use paceline_domain::daily::{
    BodyMetricValues, DailyStore, NutritionValues, SleepValues, WellnessValues,
};
use paceline_domain::listing::RecordQuery;
use paceline_testkit::{TestContext, on_both_engines};
use time::macros::datetime;
use time::{Date, Duration};

on_both_engines!(
    athletes_never_see_each_others_records,
    lists_are_newest_first_paged_and_filtered,
    a_sync_pages_alike_with_few_changes_or_many,
);

async fn athletes_never_see_each_others_records(db: TestContext) {
    let mut w = World::new(&db).await;
    let (client, _) = w.client(false, "read write").await;
    let store = w.store;
    let max = athlete(&store, "max@example.com").await;
    let eva = athlete(&store, "eva@example.com").await;
    let at = datetime!(2026-02-02 06:30:00 UTC);
    let mut ids = Vec::new();
    for who in [&max, &eva] {
        let c = Some(&client);
        ids.push((
            store
                .upsert_body_metric(written(who, c, at, BodyMetricValues::default(), NOW))
                .await
                .unwrap(),
            store
                .upsert_sleep_day(written(who, c, DAY, SleepValues::default(), NOW))
                .await
                .unwrap(),
            store
                .upsert_nutrition_day(written(who, c, DAY, NutritionValues::default(), NOW))
                .await
                .unwrap(),
            store
                .upsert_wellness_day(written(who, c, DAY, WellnessValues::default(), NOW))
                .await
                .unwrap(),
        ));
    }
    let (for_max, for_eva) = (ids[0], ids[1]);
    assert_ne!(for_max.0, for_eva.0);
    assert_ne!(for_max.1, for_eva.1);
    assert_ne!(for_max.2, for_eva.2);
    assert_ne!(for_max.3, for_eva.3);

    for (who, mine) in [(&max, for_max), (&eva, for_eva)] {
        let metrics = store.list_body_metrics(who.user_id, all()).await.unwrap();
        let sleep = store.list_sleep_days(who.user_id, all()).await.unwrap();
        let nutrition = store.list_nutrition_days(who.user_id, all()).await.unwrap();
        let wellness = store.list_wellness_days(who.user_id, all()).await.unwrap();
        let listed: Vec<_> = metrics.items.iter().map(|r| r.id).collect();
        assert_eq!(listed, [mine.0]);
        let listed: Vec<_> = sleep.items.iter().map(|r| r.id).collect();
        assert_eq!(listed, [mine.1]);
        let listed: Vec<_> = nutrition.items.iter().map(|r| r.id).collect();
        assert_eq!(listed, [mine.2]);
        let listed: Vec<_> = wellness.items.iter().map(|r| r.id).collect();
        assert_eq!(listed, [mine.3]);
        assert!(sleep.items.iter().all(|r| r.user_id == who.user_id));
    }
}

async fn lists_are_newest_first_paged_and_filtered(db: TestContext) {
    let store = db.open().await;
    let max = athlete(&store, "max@example.com").await;
    let at = datetime!(2026-02-01 06:00:00 UTC);
    for n in 0..5 {
        let now = NOW + Duration::days(n);
        let day = DAY + Duration::days(n);
        let values = WellnessValues {
            steps: Some(1000 * n),
            ..WellnessValues::default()
        };
        store
            .upsert_wellness_day(written(&max, None, day, values, now))
            .await
            .unwrap();
        store
            .upsert_sleep_day(written(&max, None, day, SleepValues::default(), now))
            .await
            .unwrap();
        store
            .upsert_nutrition_day(written(&max, None, day, NutritionValues::default(), now))
            .await
            .unwrap();
        let metric = BodyMetricValues::default();
        store
            .upsert_body_metric(written(&max, None, at + Duration::days(n), metric, now))
            .await
            .unwrap();
    }
    let days = |n: &[i64]| -> Vec<Date> { n.iter().map(|n| DAY + Duration::days(*n)).collect() };

    let first = store
        .list_wellness_days(max.user_id, RecordQuery::page(1, 2))
        .await
        .unwrap();
    assert!(first.has_next);
    assert_eq!(
        first.items.iter().map(|d| d.key).collect::<Vec<_>>(),
        days(&[4, 3])
    );
    assert_eq!(first.items[0].values.steps, Some(4000));
    let last = store
        .list_wellness_days(max.user_id, RecordQuery::page(3, 2))
        .await
        .unwrap();
    assert!(!last.has_next);
    assert_eq!(
        last.items.iter().map(|d| d.key).collect::<Vec<_>>(),
        days(&[0])
    );
    let beyond = store
        .list_wellness_days(max.user_id, RecordQuery::page(4, 2))
        .await
        .unwrap();
    assert!(beyond.items.is_empty() && !beyond.has_next);

    let window = RecordQuery {
        from: Some(DAY + Duration::days(1)),
        to: Some(DAY + Duration::days(3)),
        ..all()
    };
    let sleep = store.list_sleep_days(max.user_id, window).await.unwrap();
    let keys: Vec<_> = sleep.items.iter().map(|d| d.key).collect();
    assert_eq!(keys, days(&[3, 2, 1]), "both bounds are inclusive");
    let nutrition = store
        .list_nutrition_days(max.user_id, window)
        .await
        .unwrap();
    let keys: Vec<_> = nutrition.items.iter().map(|d| d.key).collect();
    assert_eq!(keys, days(&[3, 2, 1]));
    let wellness = store
        .list_wellness_days(
            max.user_id,
            RecordQuery {
                per_page: 2,
                ..window
            },
        )
        .await
        .unwrap();
    assert!(wellness.has_next, "pages count within the window");
    assert_eq!(wellness.items.len(), 2);

    let instants = RecordQuery {
        from: Some(at + Duration::days(1)),
        to: Some(at + Duration::days(2)),
        ..all()
    };
    let metrics = store
        .list_body_metrics(max.user_id, instants)
        .await
        .unwrap();
    let keys: Vec<_> = metrics.items.iter().map(|m| m.key).collect();
    assert_eq!(keys, [at + Duration::days(2), at + Duration::days(1)]);

    let changed = RecordQuery {
        updated_since: Some(NOW + Duration::days(3)),
        ..all()
    };
    let sleep = store.list_sleep_days(max.user_id, changed).await.unwrap();
    assert_eq!(
        sleep.items.iter().map(|d| d.key).collect::<Vec<_>>(),
        days(&[4, 3])
    );
    let changed_metrics = RecordQuery {
        updated_since: Some(NOW + Duration::days(4)),
        ..all()
    };
    let metrics = store
        .list_body_metrics(max.user_id, changed_metrics)
        .await
        .unwrap();
    assert_eq!(metrics.items.len(), 1);

    // A rewrite counts as a change.
    store
        .upsert_sleep_day(written(
            &max,
            None,
            DAY,
            SleepValues::default(),
            NOW + Duration::days(9),
        ))
        .await
        .unwrap();
    let sleep = store.list_sleep_days(max.user_id, changed).await.unwrap();
    assert_eq!(
        sleep.items.iter().map(|d| d.key).collect::<Vec<_>>(),
        days(&[4, 3, 0])
    );
}

/// A sync finds its page one way below the store's 2,000 changes and another way from
/// there (the change-time index, or a walk in page order): the pages are the same.
async fn a_sync_pages_alike_with_few_changes_or_many(db: TestContext) {
    let store = db.open().await;
    let max = athlete(&store, "max@example.com").await;
    // 2,050 days, each written the day after it; day n changed at NOW + n days.
    let days = 2_050;
    for n in 0..days {
        let values = WellnessValues {
            steps: Some(n),
            ..WellnessValues::default()
        };
        store
            .upsert_wellness_day(written(
                &max,
                None,
                DAY + Duration::days(n),
                values,
                NOW + Duration::days(n),
            ))
            .await
            .unwrap();
    }
    let since = |changed_after: i64, page: u32| RecordQuery {
        updated_since: Some(NOW + Duration::days(changed_after)),
        ..RecordQuery::page(page, 30)
    };
    let steps = |page: &paceline_domain::listing::Page<paceline_domain::daily::WellnessDay>| {
        page.items
            .iter()
            .map(|d| d.values.steps.unwrap())
            .collect::<Vec<_>>()
    };
    // Many changes (every day) and few (the last 100), page 1 and page 3: the newest
    // days first, each page knowing whether another follows.
    for changed_after in [0, days - 100] {
        let first = store
            .list_wellness_days(max.user_id, since(changed_after, 1))
            .await
            .unwrap();
        assert_eq!(steps(&first), ((days - 30)..days).rev().collect::<Vec<_>>());
        assert!(first.has_next);
        let third = store
            .list_wellness_days(max.user_id, since(changed_after, 3))
            .await
            .unwrap();
        assert_eq!(
            steps(&third),
            ((days - 90)..(days - 60)).rev().collect::<Vec<_>>()
        );
        assert!(third.has_next);
        assert_eq!(third.items[0].membership_id, max.id, "rows are read whole");
    }
    // The last page of the few: ten days, none after.
    let last = store
        .list_wellness_days(max.user_id, since(days - 100, 4))
        .await
        .unwrap();
    assert_eq!(
        steps(&last),
        ((days - 100)..(days - 90)).rev().collect::<Vec<_>>()
    );
    assert!(!last.has_next);
}
