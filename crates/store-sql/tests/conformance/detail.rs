//! An activity's laps and record streams on both engines: written with the activity and its
//! file in one transaction, read back only by their owner, replaced whole by reprocessing,
//! and listed for reprocessing while an activity has none.

use crate::activities::athlete;
use crate::files::{activity_count, fit_activity, fit_file, no_detail};
use paceline_activity::fit::{FitTime, Position, Record, RecordStreams};
use paceline_domain::StoreError;
use paceline_domain::activities::{ActivityStore, Detail, Figures, Lap, StoredStreams};
use paceline_domain::entities::Membership;
use paceline_domain::files::FileStore;
use paceline_domain::ids::ActivityId;
use paceline_store_sql::SqlStore;
use paceline_testkit::{TestContext, on_both_engines};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

on_both_engines!(
    laps_and_streams_are_kept_with_the_activity,
    another_user_reads_no_detail,
    a_failure_at_the_streams_records_nothing,
    reprocessing_lists_what_lacks_detail_and_replaces_it,
);

const T0: OffsetDateTime = datetime!(2026-01-17 18:20:00 UTC);

fn sha(n: u8) -> String {
    format!("{n:064x}")
}

fn ride(points: u32) -> RecordStreams {
    let mut streams = RecordStreams::default();
    for i in 0..points {
        streams.push(Record {
            time: FitTime::from_unix_seconds(T0.unix_timestamp() + i64::from(i)),
            position: Some(Position {
                lat_semicircles: 560_000_000 + i as i32 * 40,
                lon_semicircles: 110_000_000 - i as i32 * 20,
            }),
            heart_rate: Some(120 + (i % 30) as u8),
            power_w: (i % 10 != 0).then_some(200 + (i % 50) as u16),
            distance_m: Some(f64::from(i) * 8.0),
            ..Record::default()
        });
    }
    streams
}

fn lap(leg: usize, minutes: i64, distance_m: f64) -> Lap {
    Lap {
        leg,
        started_at: T0 + Duration::minutes(minutes),
        timer_sec: Some(290.5),
        figures: Figures {
            duration_sec: Some(300.0),
            distance_m: Some(distance_m),
            elevation_gain_m: Some(12.0),
            avg_hr: Some(141),
            max_hr: Some(158),
            avg_power: Some(221),
            avg_cadence: Some(88),
            calories: Some(70),
            ..Figures::default()
        },
    }
}

/// Records a FIT activity of `athlete` (the `n`th file) with `detail`.
async fn record(store: &SqlStore, athlete: &Membership, n: u8, detail: &Detail) -> ActivityId {
    let (id, _) = store
        .record_file_activity(
            fit_activity(athlete, &sha(n)),
            fit_file(&sha(n), &format!("fit/{n}.fit")),
            detail,
        )
        .await
        .unwrap();
    id
}

fn detail() -> Detail {
    Detail {
        laps: vec![lap(0, 0, 2400.0), lap(0, 5, 2450.5), lap(1, 10, 1000.0)],
        streams: StoredStreams::encode(&ride(3600)),
    }
}

async fn laps_and_streams_are_kept_with_the_activity(db: TestContext) {
    let store = db.open().await;
    let max = athlete(&store, "max@example.com").await;
    let id = record(&store, &max, 1, &detail()).await;
    let kept = store.activity_detail(max.user_id, id).await.unwrap();
    assert_eq!(kept, Some(detail()));
    let streams = kept.unwrap().streams;
    assert_eq!(streams.points, 3600);
    assert_eq!(streams.decode().unwrap(), ride(3600));

    // An activity kept without records still has its (empty) streams: it is not reprocessed.
    let bare = record(&store, &max, 2, &no_detail()).await;
    assert_eq!(
        store.activity_detail(max.user_id, bare).await.unwrap(),
        Some(no_detail())
    );
    assert_eq!(store.count_files_without_detail().await.unwrap(), 0);
}

async fn another_user_reads_no_detail(db: TestContext) {
    let store = db.open().await;
    let max = athlete(&store, "max@example.com").await;
    let eve = athlete(&store, "eve@example.com").await;
    let id = record(&store, &max, 1, &detail()).await;
    assert_eq!(store.activity_detail(eve.user_id, id).await.unwrap(), None);
    assert_eq!(
        store
            .activity_detail(max.user_id, ActivityId(id.get() + 100))
            .await
            .unwrap(),
        None
    );
}

async fn a_failure_at_the_streams_records_nothing(db: TestContext) {
    let store = db.open().await;
    let max = athlete(&store, "max@example.com").await;
    db.fail_at("INSERT", "activity_streams", "1 = 1").await;
    let failed = store
        .record_file_activity(
            fit_activity(&max, &sha(1)),
            fit_file(&sha(1), "fit/1.fit"),
            &detail(),
        )
        .await;
    assert!(failed.is_err(), "{failed:?}");
    assert_eq!(activity_count(&store, &max).await, 0);
    assert!(
        store
            .file_by_hash(max.user_id, &sha(1))
            .await
            .unwrap()
            .is_none()
    );
    db.heal("activity_streams").await;
    let id = record(&store, &max, 1, &detail()).await;
    assert_eq!(
        store.activity_detail(max.user_id, id).await.unwrap(),
        Some(detail())
    );
}

async fn reprocessing_lists_what_lacks_detail_and_replaces_it(db: TestContext) {
    let store = db.open().await;
    let max = athlete(&store, "max@example.com").await;
    let mut ids = Vec::new();
    for n in 1..=5 {
        let id = record(&store, &max, n, &no_detail()).await;
        ids.push(id);
    }
    // As an installation from before details were kept: no laps, no streams.
    db.run_sql("DELETE FROM activity_streams").await;
    assert_eq!(store.count_files_without_detail().await.unwrap(), 5);

    let first = store.files_without_detail(None, 2).await.unwrap();
    assert_eq!(
        first
            .iter()
            .map(|f| f.activity_id.unwrap())
            .collect::<Vec<_>>(),
        ids[..2]
    );
    let rest = store
        .files_without_detail(Some(first[1].id), 10)
        .await
        .unwrap();
    assert_eq!(
        rest.iter()
            .map(|f| f.activity_id.unwrap())
            .collect::<Vec<_>>(),
        ids[2..]
    );

    store
        .replace_activity_detail(ids[0], &detail())
        .await
        .unwrap();
    assert_eq!(store.count_files_without_detail().await.unwrap(), 4);
    assert_eq!(
        store.activity_detail(max.user_id, ids[0]).await.unwrap(),
        Some(detail())
    );
    // Again: replaced whole, not added to.
    let shorter = Detail {
        laps: vec![lap(0, 0, 5000.0)],
        streams: StoredStreams::encode(&ride(10)),
    };
    store
        .replace_activity_detail(ids[0], &shorter)
        .await
        .unwrap();
    assert_eq!(
        store.activity_detail(max.user_id, ids[0]).await.unwrap(),
        Some(shorter)
    );
    assert!(matches!(
        store
            .replace_activity_detail(ActivityId(ids[4].get() + 100), &detail())
            .await,
        Err(StoreError::NotFound(_))
    ));
    let after_first = store.files_without_detail(None, 10).await.unwrap();
    assert_eq!(after_first.len(), 4);
    assert!(after_first.iter().all(|f| f.activity_id != Some(ids[0])));
}
