//! Daily records on both engines: body metrics, sleep, nutrition and wellness days written by
//! upsert on their keys, kept per athlete (and per client where the key says so), listed
//! newest first with pages and filters.

use crate::activities::athlete;
use crate::oauth::World;
use paceline_domain::StoreError;
use paceline_domain::activities::ActivityOrigin;
use paceline_domain::daily::{
    Attribution, BodyMetricValues, DailyStore, NewRecord, NutritionValues, Record, SleepValues,
    WellnessValues, WritingClient,
};
use paceline_domain::entities::Membership;
use paceline_domain::ids::MembershipId;
use paceline_domain::listing::RecordQuery;
use paceline_domain::oauth::client::OAuthClient;
use paceline_testkit::{TestContext, on_both_engines};
use std::collections::BTreeMap;
use std::sync::Arc;
use time::macros::{date, datetime};
use time::{Date, Duration, OffsetDateTime};

on_both_engines!(
    body_metrics_round_trip_and_upsert_by_measured_at,
    sleep_days_round_trip_and_are_kept_per_client,
    nutrition_days_are_one_per_day_whoever_writes,
    wellness_days_round_trip_and_are_kept_per_client,
    athletes_never_see_each_others_records,
    lists_are_newest_first_paged_and_filtered,
    concurrent_upserts_of_one_key_leave_one_record,
    a_missing_membership_is_not_found,
);

const NOW: OffsetDateTime = datetime!(2026-02-03 07:15:30.123456 UTC);
const DAY: Date = date!(2026 - 02 - 02);
const PAYLOAD: &str = r#"{"device": "ring", "hrv": [41, 44.5], "nested": {"ok": true}}"#;

/// A record written by `athlete`, through `client` if any.
fn written<K, V>(
    athlete: &Membership,
    client: Option<&OAuthClient>,
    key: K,
    values: V,
    now: OffsetDateTime,
) -> NewRecord<K, V> {
    NewRecord {
        by: Attribution {
            user_id: athlete.user_id,
            membership_id: athlete.id,
            client: client.map(|c| WritingClient {
                key: c.key,
                client_id: c.client_id.clone(),
            }),
        },
        key,
        values,
        external_id: Some("ext-1".into()),
        raw_payload: Some(PAYLOAD.into()),
        now,
    }
}

/// Checks what every record keeps besides its key and values.
fn assert_filed<Id, K, V>(
    record: &Record<Id, K, V>,
    athlete: &Membership,
    client: Option<&OAuthClient>,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
) {
    assert_eq!(
        (record.user_id, record.membership_id, record.organization_id),
        (athlete.user_id, athlete.id, athlete.organization_id)
    );
    let (origin, name) = match client {
        Some(c) => (ActivityOrigin::External, Some(c.client_id.as_str())),
        None => (ActivityOrigin::Manual, None),
    };
    assert_eq!(
        (record.origin, record.source_name.as_deref()),
        (origin, name)
    );
    assert_eq!(
        (record.created_at, record.updated_at),
        (created_at, updated_at)
    );
}

fn json(text: Option<&str>) -> serde_json::Value {
    serde_json::from_str(text.unwrap()).unwrap()
}

fn all<K>() -> RecordQuery<K> {
    RecordQuery::page(1, 200)
}

async fn body_metrics_round_trip_and_upsert_by_measured_at(db: TestContext) {
    let mut w = World::new(&db).await;
    let (client, _) = w.client(false, "read write").await;
    let store = w.store;
    let max = athlete(&store, "max@example.com").await;
    let at = datetime!(2026-02-02 06:30:00.000001 UTC);
    let full = BodyMetricValues {
        weight_kg: Some(72.4),
        height_cm: Some(181.0),
        body_fat_pct: Some(12.3),
        muscle_mass_kg: Some(35.75),
        resting_hr: Some(48),
        sleep_hours: Some(7.5),
        notes: Some("after the long run".into()),
        circumferences: BTreeMap::from([
            ("waistCm".to_owned(), 81.5),
            ("leftThighCm".to_owned(), 56.1),
            ("neckCm".to_owned(), 38.0),
        ]),
    };
    let id = store
        .upsert_body_metric(written(&max, None, at, full.clone(), NOW))
        .await
        .unwrap();

    let listed = store.list_body_metrics(max.user_id, all()).await.unwrap();
    assert_eq!(listed.items.len(), 1);
    let kept = &listed.items[0];
    assert_eq!(kept.id, id);
    assert_eq!(kept.key, at);
    assert_eq!(kept.values, full, "every value round-trips exactly");
    assert_eq!(kept.external_id.as_deref(), Some("ext-1"));
    assert_eq!(json(kept.raw_payload.as_deref()), json(Some(PAYLOAD)));
    assert_filed(kept, &max, None, NOW, NOW);

    // The same instant again, from a client: one record, values replaced.
    let later = NOW + Duration::hours(1);
    let fewer = BodyMetricValues {
        weight_kg: Some(72.1),
        ..BodyMetricValues::default()
    };
    let again = NewRecord {
        external_id: None,
        raw_payload: None,
        ..written(&max, Some(&client), at, fewer.clone(), later)
    };
    assert_eq!(store.upsert_body_metric(again).await.unwrap(), id);
    let listed = store.list_body_metrics(max.user_id, all()).await.unwrap();
    assert_eq!(listed.items.len(), 1);
    let kept = &listed.items[0];
    assert_eq!(kept.id, id);
    assert_eq!(
        kept.values, fewer,
        "values left out become unknown, circumferences too"
    );
    assert_eq!(
        (kept.external_id.as_ref(), kept.raw_payload.as_ref()),
        (None, None)
    );
    assert_filed(kept, &max, Some(&client), NOW, later);

    // Another instant is another record, listed first.
    let next = store
        .upsert_body_metric(written(&max, None, at + Duration::days(1), full, later))
        .await
        .unwrap();
    assert_ne!(next, id);
    let ids: Vec<_> = store
        .list_body_metrics(max.user_id, all())
        .await
        .unwrap()
        .items
        .iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(ids, [next, id]);
}

async fn sleep_days_round_trip_and_are_kept_per_client(db: TestContext) {
    let mut w = World::new(&db).await;
    let (a, _) = w.client(false, "read write").await;
    let (b, _) = w.client(false, "read write").await;
    let store = w.store;
    let max = athlete(&store, "max@example.com").await;
    let night = SleepValues {
        sleep_start_at: Some(datetime!(2026-02-01 22:47:12.5 UTC)),
        sleep_end_at: Some(datetime!(2026-02-02 06:31:09 UTC)),
        sleep_seconds: Some(25_200),
        time_in_bed_seconds: Some(27_837),
        deep_seconds: Some(5_400),
        light_seconds: Some(13_500),
        rem_seconds: Some(6_300),
        awake_seconds: Some(2_637),
        sleep_score: Some(84),
    };
    let from_a = store
        .upsert_sleep_day(written(&max, Some(&a), DAY, night.clone(), NOW))
        .await
        .unwrap();
    let from_b = store
        .upsert_sleep_day(written(&max, Some(&b), DAY, night.clone(), NOW))
        .await
        .unwrap();
    let manual = store
        .upsert_sleep_day(written(&max, None, DAY, night.clone(), NOW))
        .await
        .unwrap();
    assert_ne!(from_a, from_b, "another client's night is another record");
    assert_ne!(manual, from_a);
    assert_ne!(manual, from_b);

    let later = NOW + Duration::minutes(5);
    let shorter = SleepValues {
        sleep_seconds: Some(24_000),
        sleep_score: Some(80),
        ..SleepValues::default()
    };
    let again = store
        .upsert_sleep_day(written(&max, Some(&a), DAY, shorter.clone(), later))
        .await
        .unwrap();
    assert_eq!(again, from_a, "the same client's day is the same record");

    let listed = store.list_sleep_days(max.user_id, all()).await.unwrap();
    assert_eq!(listed.items.len(), 3);
    for day in &listed.items {
        assert_eq!(day.key, DAY);
        assert_eq!(json(day.raw_payload.as_deref()), json(Some(PAYLOAD)));
        if day.id == from_a {
            assert_eq!(day.values, shorter);
            assert_filed(day, &max, Some(&a), NOW, later);
        } else if day.id == from_b {
            assert_eq!(day.values, night, "instants and durations round-trip");
            assert_filed(day, &max, Some(&b), NOW, NOW);
        } else {
            assert_eq!(day.id, manual);
            assert_filed(day, &max, None, NOW, NOW);
        }
    }
}

async fn nutrition_days_are_one_per_day_whoever_writes(db: TestContext) {
    let mut w = World::new(&db).await;
    let (a, _) = w.client(false, "read write").await;
    let (b, _) = w.client(false, "read write").await;
    let store = w.store;
    let max = athlete(&store, "max@example.com").await;
    let eaten = NutritionValues {
        logged_at: Some(datetime!(2026-02-02 21:05:00.25 UTC)),
        energy_breakfast_kcal: Some(450.0),
        energy_lunch_kcal: Some(650.0),
        energy_dinner_kcal: Some(800.0),
        energy_snack_kcal: Some(120.5),
        energy_total_kcal: None,
        goal_energy_kcal: Some(2500.0),
        carb_total_g: Some(310.2),
        protein_total_g: Some(140.0),
        fat_total_g: Some(70.7),
        goal_carb_g: Some(320.0),
        goal_protein_g: Some(150.0),
        goal_fat_g: Some(80.0),
        activity_energy_kcal: Some(640.3),
        steps: Some(12_345),
        water_ml: Some(2250.0),
    }
    .with_total();
    let first = store
        .upsert_nutrition_day(written(&max, Some(&a), DAY, eaten.clone(), NOW))
        .await
        .unwrap();
    let listed = store.list_nutrition_days(max.user_id, all()).await.unwrap();
    let kept = &listed.items[0];
    assert_eq!(kept.values, eaten, "every value round-trips exactly");
    assert_eq!(kept.values.energy_total_kcal, Some(2020.5));
    assert_eq!((kept.id, kept.key), (first, DAY));
    assert_filed(kept, &max, Some(&a), NOW, NOW);

    let later = NOW + Duration::hours(2);
    let other = NutritionValues {
        energy_total_kcal: Some(1800.0),
        ..NutritionValues::default()
    };
    let second = store
        .upsert_nutrition_day(written(&max, Some(&b), DAY, other.clone(), later))
        .await
        .unwrap();
    assert_eq!(second, first, "one nutrition day, whoever writes it");
    let listed = store.list_nutrition_days(max.user_id, all()).await.unwrap();
    assert_eq!(listed.items.len(), 1);
    let kept = &listed.items[0];
    assert_eq!(kept.values, other, "the second write replaces the first");
    assert_filed(kept, &max, Some(&b), NOW, later);
}

async fn wellness_days_round_trip_and_are_kept_per_client(db: TestContext) {
    let mut w = World::new(&db).await;
    let (a, _) = w.client(false, "read write").await;
    let (b, _) = w.client(false, "read write").await;
    let store = w.store;
    let max = athlete(&store, "max@example.com").await;
    let day = WellnessValues {
        steps: Some(18_032),
        water_ml: Some(1750.5),
        activity_energy_kcal: Some(812.25),
    };
    let from_a = store
        .upsert_wellness_day(written(&max, Some(&a), DAY, day.clone(), NOW))
        .await
        .unwrap();
    let from_b = store
        .upsert_wellness_day(written(&max, Some(&b), DAY, day.clone(), NOW))
        .await
        .unwrap();
    assert_ne!(from_a, from_b);
    let later = NOW + Duration::seconds(30);
    let steps_only = WellnessValues {
        steps: Some(19_000),
        ..WellnessValues::default()
    };
    let again = store
        .upsert_wellness_day(written(&max, Some(&a), DAY, steps_only.clone(), later))
        .await
        .unwrap();
    assert_eq!(again, from_a);

    let listed = store.list_wellness_days(max.user_id, all()).await.unwrap();
    assert_eq!(listed.items.len(), 2);
    let kept_a = listed.items.iter().find(|d| d.id == from_a).unwrap();
    assert_eq!((kept_a.key, &kept_a.values), (DAY, &steps_only));
    assert_filed(kept_a, &max, Some(&a), NOW, later);
    let kept_b = listed.items.iter().find(|d| d.id == from_b).unwrap();
    assert_eq!(kept_b.values, day);
    assert_eq!(kept_b.external_id.as_deref(), Some("ext-1"));
    assert_eq!(json(kept_b.raw_payload.as_deref()), json(Some(PAYLOAD)));
    assert_filed(kept_b, &max, Some(&b), NOW, NOW);
}

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
