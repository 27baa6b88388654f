//! Uploaded files on both engines: an activity and its file in one transaction, per-user
//! SHA-256 uniqueness, isolation.

use crate::activities::athlete;
use paceline_activity::fit::RecordStreams;
use paceline_domain::StoreError;
use paceline_domain::activities::{
    ActivityOrigin, ActivityStore, ActivityType, Detail, Figures, Leg, NewActivity, SourceEntry,
    StoredStreams,
};
use paceline_domain::entities::Membership;
use paceline_domain::files::{FileFormat, FileId, FileStore, NewFile};
use paceline_domain::ids::ActivityId;
use paceline_domain::listing::RecordQuery;
use paceline_store_sql::SqlStore;
use paceline_testkit::{TestContext, on_both_engines};
use std::sync::Arc;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

on_both_engines!(
    a_file_activity_is_recorded_and_read_back,
    the_same_file_twice_is_a_conflict_and_records_nothing,
    the_same_file_for_another_user_is_fine,
    other_users_and_unknown_activities_have_no_file,
    an_activity_without_a_file_has_none,
    an_activity_from_a_file_goes_only_with_its_file,
    concurrent_uploads_of_one_file_record_one_activity,
    files_are_attached_listed_and_deleted,
);

const T0: OffsetDateTime = datetime!(2026-01-17 18:20:00 UTC);
const SHA: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

pub(crate) fn fit_activity(athlete: &Membership, sha256: &str) -> NewActivity {
    NewActivity {
        user_id: athlete.user_id,
        membership_id: athlete.id,
        origin: ActivityOrigin::External,
        client: None,
        activity_type: ActivityType::Ride,
        title: Some("Morning Ride".into()),
        started_at: T0,
        timezone: None,
        figures: Figures {
            duration_sec: Some(3600.0),
            distance_m: Some(30_000.0),
            avg_power: Some(210),
            ..Figures::default()
        },
        notes: None,
        source: Some(SourceEntry {
            provider: "FIT".into(),
            external_id: Some(sha256.into()),
            client_id: None,
            raw_payload: None,
            received_at: T0,
        }),
        legs: Vec::new(),
        now: T0 + Duration::minutes(1),
    }
}

pub(crate) fn fit_file(sha256: &str, key: &str) -> NewFile {
    NewFile {
        format: FileFormat::Fit,
        original_name: Some("ride.fit".into()),
        size_bytes: 5_000_000_000,
        sha256: sha256.into(),
        storage_key: key.into(),
    }
}

/// Laps and streams for a test that does not look at them: none, and no record.
pub(crate) fn no_detail() -> Detail {
    Detail {
        laps: Vec::new(),
        streams: StoredStreams::encode(&RecordStreams::default()),
    }
}

pub(crate) async fn activity_count(store: &SqlStore, athlete: &Membership) -> usize {
    store
        .list_activities(athlete.user_id, RecordQuery::page(1, 30))
        .await
        .unwrap()
        .items
        .len()
}

async fn a_file_activity_is_recorded_and_read_back(db: TestContext) {
    let store = db.open().await;
    let max = athlete(&store, "max@example.com").await;
    let (activity_id, file_id) = store
        .record_file_activity(
            fit_activity(&max, SHA),
            fit_file(SHA, "fit/a/b/1.fit"),
            &no_detail(),
        )
        .await
        .unwrap();

    let kept = store.file_by_hash(max.user_id, SHA).await.unwrap().unwrap();
    assert_eq!(kept.id, file_id);
    assert_eq!(kept.user_id, max.user_id);
    assert_eq!(kept.activity_id, Some(activity_id));
    assert_eq!(kept.file, fit_file(SHA, "fit/a/b/1.fit"));
    assert_eq!(kept.created_at, T0 + Duration::minutes(1));
    assert_eq!(
        store
            .file_of_activity(max.user_id, activity_id)
            .await
            .unwrap(),
        Some(kept)
    );
    assert!(store.file_key_exists("fit/a/b/1.fit").await.unwrap());
    assert!(!store.file_key_exists("fit/a/b/2.fit").await.unwrap());
    assert!(
        store
            .file_by_hash(max.user_id, "0000")
            .await
            .unwrap()
            .is_none()
    );

    let activity = store
        .get_activity(max.user_id, activity_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(activity.id, activity_id);
    assert_eq!(
        (
            activity.user_id,
            activity.membership_id,
            activity.organization_id
        ),
        (max.user_id, max.id, max.organization_id)
    );
    assert_eq!(activity.activity_type, ActivityType::Ride);
    assert_eq!(activity.figures.avg_power, Some(210));
    assert_eq!(activity.sources.len(), 1);
    let source = &activity.sources[0];
    assert_eq!(
        (source.provider.as_str(), source.external_id.as_deref()),
        ("FIT", Some(SHA))
    );
    let listed = store
        .list_activities(max.user_id, RecordQuery::page(1, 30))
        .await
        .unwrap();
    assert_eq!(listed.items, [activity], "get and list map rows alike");
}

async fn the_same_file_twice_is_a_conflict_and_records_nothing(db: TestContext) {
    let store = db.open().await;
    let max = athlete(&store, "max@example.com").await;
    let (first, _) = store
        .record_file_activity(
            fit_activity(&max, SHA),
            fit_file(SHA, "fit/1.fit"),
            &no_detail(),
        )
        .await
        .unwrap();
    let again = store
        .record_file_activity(
            fit_activity(&max, SHA),
            fit_file(SHA, "fit/2.fit"),
            &no_detail(),
        )
        .await;
    assert!(
        matches!(again, Err(StoreError::Conflict("file"))),
        "{again:?}"
    );
    // The same hash under another source (another provider name): the file's own
    // uniqueness answers.
    let mut renamed = fit_activity(&max, SHA);
    if let Some(source) = renamed.source.as_mut() {
        source.provider = "UPLOAD".into();
    }
    let again = store
        .record_file_activity(renamed, fit_file(SHA, "fit/3.fit"), &no_detail())
        .await;
    assert!(
        matches!(again, Err(StoreError::Conflict("file"))),
        "{again:?}"
    );

    assert_eq!(activity_count(&store, &max).await, 1);
    assert_eq!(
        store
            .query_scalar_i64("SELECT COUNT(*) FROM activity_files")
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .query_scalar_i64("SELECT COUNT(*) FROM activity_sources")
            .await
            .unwrap(),
        1
    );
    assert!(!store.file_key_exists("fit/2.fit").await.unwrap());
    assert!(!store.file_key_exists("fit/3.fit").await.unwrap());
    let kept = store.file_by_hash(max.user_id, SHA).await.unwrap().unwrap();
    assert_eq!(kept.activity_id, Some(first));
}

async fn the_same_file_for_another_user_is_fine(db: TestContext) {
    let store = db.open().await;
    let max = athlete(&store, "max@example.com").await;
    let other = athlete(&store, "other@example.com").await;
    let (mine, _) = store
        .record_file_activity(
            fit_activity(&max, SHA),
            fit_file(SHA, "fit/max.fit"),
            &no_detail(),
        )
        .await
        .unwrap();
    let (theirs, _) = store
        .record_file_activity(
            fit_activity(&other, SHA),
            fit_file(SHA, "fit/other.fit"),
            &no_detail(),
        )
        .await
        .unwrap();
    assert_ne!(mine, theirs);
    assert_eq!(activity_count(&store, &max).await, 1);
    assert_eq!(activity_count(&store, &other).await, 1);
    let kept = store
        .file_by_hash(other.user_id, SHA)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            kept.user_id,
            kept.activity_id,
            kept.file.storage_key.as_str()
        ),
        (other.user_id, Some(theirs), "fit/other.fit")
    );
}

async fn other_users_and_unknown_activities_have_no_file(db: TestContext) {
    let store = db.open().await;
    let max = athlete(&store, "max@example.com").await;
    let other = athlete(&store, "other@example.com").await;
    let (activity_id, _) = store
        .record_file_activity(
            fit_activity(&max, SHA),
            fit_file(SHA, "fit/max.fit"),
            &no_detail(),
        )
        .await
        .unwrap();
    let unknown = ActivityId(activity_id.get() + 1000);
    for (user, id) in [
        (other.user_id, activity_id),
        (max.user_id, unknown),
        (other.user_id, unknown),
    ] {
        assert!(store.file_of_activity(user, id).await.unwrap().is_none());
        assert!(store.get_activity(user, id).await.unwrap().is_none());
    }
    assert!(
        store
            .file_by_hash(other.user_id, SHA)
            .await
            .unwrap()
            .is_none()
    );
}

async fn an_activity_without_a_file_has_none(db: TestContext) {
    let store = db.open().await;
    let max = athlete(&store, "max@example.com").await;
    let mut new = fit_activity(&max, SHA);
    new.source = None;
    let recorded = store.record_activity(new).await.unwrap();
    assert!(
        store
            .file_of_activity(max.user_id, recorded.id)
            .await
            .unwrap()
            .is_none()
    );
    let activity = store
        .get_activity(max.user_id, recorded.id)
        .await
        .unwrap()
        .unwrap();
    assert!(activity.sources.is_empty());
}

async fn an_activity_from_a_file_goes_only_with_its_file(db: TestContext) {
    let store = db.open().await;
    let max = athlete(&store, "max@example.com").await;
    let (activity, file) = store
        .record_file_activity(
            fit_activity(&max, SHA),
            fit_file(SHA, "fit/a/b/c.fit"),
            &no_detail(),
        )
        .await
        .unwrap();
    assert!(
        !store.delete_activity(max.user_id, activity).await.unwrap(),
        "a file's activity is not deleted apart from its file"
    );
    assert_eq!(activity_count(&store, &max).await, 1);
    let gone = store.delete_file(max.user_id, file, T0).await.unwrap();
    assert_eq!(gone.map(|kept| kept.activity_id), Some(Some(activity)));
    assert_eq!(activity_count(&store, &max).await, 0);
}

async fn concurrent_uploads_of_one_file_record_one_activity(db: TestContext) {
    let store = Arc::new(db.open().await);
    let max = athlete(&store, "max@example.com").await;
    let mut tasks = Vec::new();
    for i in 0..8 {
        let (store, new, file) = (
            store.clone(),
            fit_activity(&max, SHA),
            fit_file(SHA, &format!("fit/{i}.fit")),
        );
        tasks.push(tokio::spawn(async move {
            store.record_file_activity(new, file, &no_detail()).await
        }));
    }
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.unwrap());
    }
    assert_eq!(
        outcomes.iter().filter(|r| r.is_ok()).count(),
        1,
        "{outcomes:?}"
    );
    assert!(
        outcomes
            .iter()
            .all(|r| matches!(r, Ok(_) | Err(StoreError::Conflict("file")))),
        "{outcomes:?}"
    );
    assert_eq!(activity_count(&store, &max).await, 1);
    assert_eq!(
        store
            .query_scalar_i64("SELECT COUNT(*) FROM activity_files")
            .await
            .unwrap(),
        1
    );
}

async fn files_are_attached_listed_and_deleted(db: TestContext) {
    use paceline_domain::calendar::{
        CalendarStore, Entry, NewSession, Replacement, SessionValues, Written,
    };
    let store = db.open().await;
    let max = athlete(&store, "max@example.com").await;
    let eve = athlete(&store, "eve@example.com").await;
    let sha = |n: u8| format!("{n:064x}");
    let mut files = Vec::new();
    for n in 1..=3 {
        let (_, file) = store
            .record_file_activity(
                fit_activity(&max, &sha(n)),
                fit_file(&sha(n), &format!("fit/a/b/{n}.fit")),
                &no_detail(),
            )
            .await
            .unwrap();
        files.push(file);
    }
    // A multisport file keeps its legs.
    let mut brick = fit_activity(&max, &sha(7));
    brick.legs = vec![
        Leg {
            activity_type: ActivityType::Ride,
            started_at: T0,
            figures: Figures {
                duration_sec: Some(3600.0),
                distance_m: Some(30_000.0),
                avg_power: Some(200),
                ..Figures::default()
            },
        },
        Leg {
            activity_type: ActivityType::Run,
            started_at: T0 + Duration::hours(1),
            figures: Figures {
                duration_sec: Some(1200.0),
                avg_hr: Some(160),
                ..Figures::default()
            },
        },
    ];
    let expected_legs = brick.legs.clone();
    let (brick_id, brick_file) = store
        .record_file_activity(brick, fit_file(&sha(7), "fit/a/b/7.fit"), &no_detail())
        .await
        .unwrap();
    let legs = store.legs_of(max.user_id, &[brick_id]).await.unwrap();
    assert_eq!(legs.get(&brick_id), Some(&expected_legs));
    assert!(
        store
            .legs_of(eve.user_id, &[brick_id])
            .await
            .unwrap()
            .is_empty()
    );
    store
        .delete_file(max.user_id, brick_file, T0)
        .await
        .unwrap()
        .unwrap();
    let (_, eves) = store
        .record_file_activity(
            fit_activity(&eve, &sha(9)),
            fit_file(&sha(9), "fit/e/9.fit"),
            &no_detail(),
        )
        .await
        .unwrap();
    let session = store
        .create_session(
            NewSession {
                user_id: max.user_id,
                planned_by: None,
                values: SessionValues::on(T0.date()),
                order_given: false,
                direct_access_token: "tok".into(),
                now: T0,
            },
            &[],
        )
        .await
        .unwrap()
        .saved()
        .unwrap();
    let to = Entry::Session(session.id);
    let pending = |store: &SqlStore| {
        let store = store.clone();
        async move {
            store
                .pending_files(max.user_id, 10)
                .await
                .unwrap()
                .iter()
                .map(|f| f.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(pending(&store).await, files);
    // A shorter list keeps the newest, still oldest first.
    let newest: Vec<FileId> = store
        .pending_files(max.user_id, 2)
        .await
        .unwrap()
        .iter()
        .map(|f| f.id)
        .collect();
    assert_eq!(newest, files[1..]);

    // Files attach through a write of the session.
    let later = T0 + Duration::minutes(5);
    let attach = |ids: Vec<FileId>| {
        let store = store.clone();
        async move {
            let current = store
                .get_session(max.user_id, session.id)
                .await
                .unwrap()
                .unwrap();
            store
                .replace_session(Replacement {
                    user: max.user_id,
                    id: session.id,
                    seen: current.updated_at,
                    values: &current.values,
                    files: &ids,
                    now: later,
                })
                .await
                .unwrap()
        }
    };
    // Another user's file makes the whole attachment fail.
    let missing = attach(vec![files[0], eves]).await;
    assert_eq!(missing, Written::UnknownFiles(vec![eves]));
    assert_eq!(pending(&store).await, files);

    assert!(matches!(
        attach(vec![files[0], files[1]]).await,
        Written::Saved(_)
    ));
    assert_eq!(pending(&store).await, vec![files[2]]);
    let attached = store.attached_activities(max.user_id, to).await.unwrap();
    assert_eq!(attached.len(), 2);
    let read = store
        .get_session(max.user_id, session.id)
        .await
        .unwrap()
        .unwrap();
    assert!(read.has_uploaded_training);
    assert_eq!(read.updated_at, later);
    let kept = store
        .get_file(max.user_id, files[0])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.attached_to, Some(to));
    assert!(
        store
            .get_file(eve.user_id, files[0])
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(store.file_owner(files[0]).await.unwrap(), Some(max.user_id));
    assert_eq!(store.file_owner(FileId(i64::MAX)).await.unwrap(), None);

    // Deleting a file takes its activity with it; the same file can come again.
    let gone = store
        .delete_file(max.user_id, files[0], later + Duration::minutes(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(gone.id, files[0]);
    assert!(
        store
            .delete_file(max.user_id, files[0], later)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .delete_file(eve.user_id, files[1], later)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(activity_count(&store, &max).await, 2);
    assert_eq!(
        store
            .attached_activities(max.user_id, to)
            .await
            .unwrap()
            .len(),
        1
    );
    let read = store
        .get_session(max.user_id, session.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.updated_at, later + Duration::minutes(1));
    store
        .record_file_activity(
            fit_activity(&max, &sha(1)),
            fit_file(&sha(1), "fit/a/b/1b.fit"),
            &no_detail(),
        )
        .await
        .unwrap();
}
