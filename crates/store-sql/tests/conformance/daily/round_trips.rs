//! Each kind of daily record round trips and is upserted on its key, per client where the
//! key says so.

use super::{DAY, NOW, PAYLOAD, all, assert_filed, json, written};
use crate::activities::athlete;
use crate::oauth::World;
use paceline_domain::daily::{
    BodyMetricValues, DailyStore, NewRecord, NutritionValues, SleepValues, WellnessValues,
};
use paceline_testkit::{TestContext, on_both_engines};
use std::collections::BTreeMap;
use time::Duration;
use time::macros::datetime;

on_both_engines!(
    body_metrics_round_trip_and_upsert_by_measured_at,
    sleep_days_round_trip_and_are_kept_per_client,
    nutrition_days_are_one_per_day_whoever_writes,
    wellness_days_round_trip_and_are_kept_per_client,
);

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
