//! Activities on both engines: recording, duplicate sources, pages and filters, isolation.

use paceline_domain::FixedClock;
use paceline_domain::accounts::{self, UserRequest};
use paceline_domain::activities::{
    ActivityFilter, ActivityOrigin, ActivityStore, ActivityType, Figures, NewActivity, SourceEntry,
};
use paceline_domain::entities::Membership;
use paceline_domain::listing::RecordQuery;
use paceline_domain::password::Password;
use paceline_store_sql::SqlStore;
use paceline_testkit::{TestContext, on_both_engines};
use std::sync::Arc;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

on_both_engines!(
    activities_are_recorded_and_listed_newest_first,
    a_source_recorded_twice_is_a_duplicate,
    concurrent_writes_of_one_source_create_one_activity,
    lists_filter_by_start_and_change,
    searches_filter_by_kind_and_title,
    an_activity_without_a_file_is_deleted_whole,
);

const T0: OffsetDateTime = datetime!(2026-01-17 18:20:00 UTC);

/// A new athlete with a personal organization, created at `T0`.
pub(crate) async fn athlete(store: &SqlStore, email: &str) -> Membership {
    let request = UserRequest {
        email: email.into(),
        password: Password::new("a long enough password"),
        name: "Runner".into(),
        organization: None,
        role: None,
    };
    accounts::create_user(store, &FixedClock::new(T0), request)
        .await
        .unwrap()
        .membership
}

fn activity(
    athlete: &Membership,
    started_at: OffsetDateTime,
    source: Option<SourceEntry>,
) -> NewActivity {
    NewActivity {
        user_id: athlete.user_id,
        membership_id: athlete.id,
        origin: ActivityOrigin::External,
        client: None,
        activity_type: ActivityType::Run,
        title: Some("Evening Run".into()),
        started_at,
        timezone: Some("Europe/Berlin".into()),
        figures: Figures {
            duration_sec: Some(2700.0),
            distance_m: Some(9800.0),
            avg_hr: Some(151),
            max_hr: Some(172),
            avg_power: Some(245),
            calories: Some(520),
            rpe: Some(6),
            load_score: Some(54),
            ..Figures::default()
        },
        notes: None,
        source,
        legs: Vec::new(),
        now: started_at + Duration::minutes(1),
    }
}

fn source(external_id: &str, client: Option<&str>) -> SourceEntry {
    SourceEntry {
        provider: "EXTERNAL".into(),
        external_id: Some(external_id.into()),
        client_id: client.map(Into::into),
        raw_payload: Some(r#"{"suffer_score": 78, "any": "object"}"#.into()),
        received_at: T0,
    }
}

fn page(page: u32, per_page: u32) -> RecordQuery<OffsetDateTime> {
    RecordQuery::page(page, per_page)
}

async fn activities_are_recorded_and_listed_newest_first(db: TestContext) {
    let store = db.open().await;
    let max = athlete(&store, "max@example.com").await;
    let other = athlete(&store, "other@example.com").await;
    for hours in [0, 2, 1] {
        let recorded = store
            .record_activity(activity(&max, T0 + Duration::hours(hours), None))
            .await
            .unwrap();
        assert!(!recorded.duplicate);
    }
    store
        .record_activity(activity(&other, T0, None))
        .await
        .unwrap();

    let first = store
        .list_activities(max.user_id, page(1, 2))
        .await
        .unwrap();
    assert!(first.has_next);
    let starts: Vec<_> = first.items.iter().map(|a| a.started_at).collect();
    assert_eq!(starts, [T0 + Duration::hours(2), T0 + Duration::hours(1)]);
    let second = store
        .list_activities(max.user_id, page(2, 2))
        .await
        .unwrap();
    assert!(!second.has_next);
    assert_eq!(second.items.len(), 1);

    let a = &second.items[0];
    assert_eq!(
        (a.user_id, a.membership_id, a.organization_id),
        (max.user_id, max.id, max.organization_id)
    );
    assert_eq!(a.activity_type, ActivityType::Run);
    assert_eq!(a.timezone.as_deref(), Some("Europe/Berlin"));
    assert_eq!(a.figures.distance_m, Some(9800.0));
    assert_eq!(a.figures.load_score, Some(54));
    assert_eq!(a.created_at, T0 + Duration::minutes(1));
    assert!(a.sources.is_empty());
    let theirs = store
        .list_activities(other.user_id, page(1, 30))
        .await
        .unwrap();
    assert_eq!(theirs.items.len(), 1, "each athlete sees their own");
}

async fn a_source_recorded_twice_is_a_duplicate(db: TestContext) {
    let store = db.open().await;
    let max = athlete(&store, "max@example.com").await;
    let other = athlete(&store, "other@example.com").await;
    let first = store
        .record_activity(activity(
            &max,
            T0,
            Some(source("partner-123", Some("app-a"))),
        ))
        .await
        .unwrap();
    let again = store
        .record_activity(activity(
            &max,
            T0,
            Some(source("partner-123", Some("app-a"))),
        ))
        .await
        .unwrap();
    assert_eq!(
        again,
        paceline_domain::activities::Recorded {
            id: first.id,
            duplicate: true
        }
    );
    let other_client = store
        .record_activity(activity(
            &max,
            T0,
            Some(source("partner-123", Some("app-b"))),
        ))
        .await
        .unwrap();
    assert!(
        !other_client.duplicate,
        "another client's id is another record"
    );
    let other_user = store
        .record_activity(activity(
            &other,
            T0,
            Some(source("partner-123", Some("app-a"))),
        ))
        .await
        .unwrap();
    assert!(!other_user.duplicate, "dedup is per athlete");

    let listed = store
        .list_activities(max.user_id, page(1, 30))
        .await
        .unwrap();
    assert_eq!(listed.items.len(), 2);
    let recorded = listed.items.iter().find(|a| a.id == first.id).unwrap();
    assert_eq!(recorded.source_name.as_deref(), Some("app-a"));
    let entry = &recorded.sources[0];
    assert_eq!(
        (
            entry.provider.as_str(),
            entry.external_id.as_deref().unwrap()
        ),
        ("EXTERNAL", "partner-123")
    );
    assert_eq!(entry.client_id.as_deref(), Some("app-a"));
    let payload: serde_json::Value =
        serde_json::from_str(entry.raw_payload.as_deref().unwrap()).unwrap();
    assert_eq!(
        payload,
        serde_json::json!({ "suffer_score": 78, "any": "object" })
    );
}

async fn concurrent_writes_of_one_source_create_one_activity(db: TestContext) {
    let store = Arc::new(db.open().await);
    let max = athlete(&store, "max@example.com").await;
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (store, new) = (
            store.clone(),
            activity(&max, T0, Some(source("same", Some("app")))),
        );
        tasks.push(tokio::spawn(async move {
            store.record_activity(new).await.unwrap()
        }));
    }
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.unwrap());
    }
    assert_eq!(outcomes.iter().filter(|r| !r.duplicate).count(), 1);
    assert!(outcomes.iter().all(|r| r.id == outcomes[0].id));
    assert_eq!(
        store
            .list_activities(max.user_id, page(1, 30))
            .await
            .unwrap()
            .items
            .len(),
        1
    );
}

async fn lists_filter_by_start_and_change(db: TestContext) {
    let store = db.open().await;
    let max = athlete(&store, "max@example.com").await;
    for days in 0..5 {
        store
            .record_activity(activity(&max, T0 + Duration::days(days), None))
            .await
            .unwrap();
    }
    let query = RecordQuery {
        from: Some(T0 + Duration::days(1)),
        to: Some(T0 + Duration::days(3) - Duration::microseconds(1)),
        ..page(1, 30)
    };
    let window = store.list_activities(max.user_id, query).await.unwrap();
    let starts: Vec<_> = window.items.iter().map(|a| a.started_at).collect();
    assert_eq!(starts, [T0 + Duration::days(2), T0 + Duration::days(1)]);
    let changed = RecordQuery {
        updated_since: Some(T0 + Duration::days(4)),
        ..page(1, 30)
    };
    assert_eq!(
        store
            .list_activities(max.user_id, changed)
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    // A sync over every change, in pages: newest start first, each page knowing whether
    // another follows, as a plain list would.
    let every = |n| RecordQuery {
        updated_since: Some(T0 - Duration::days(1)),
        ..page(n, 2)
    };
    let first = store.list_activities(max.user_id, every(1)).await.unwrap();
    let starts: Vec<_> = first.items.iter().map(|a| a.started_at).collect();
    assert_eq!(starts, [T0 + Duration::days(4), T0 + Duration::days(3)]);
    assert!(first.has_next);
    let last = store.list_activities(max.user_id, every(3)).await.unwrap();
    let starts: Vec<_> = last.items.iter().map(|a| a.started_at).collect();
    assert_eq!(starts, [T0]);
    assert!(!last.has_next);
    assert_eq!(
        last.items[0].membership_id, max.id,
        "the page's rows are read whole"
    );
    let oversized = store
        .list_activities(max.user_id, page(1, 100_000))
        .await
        .unwrap();
    assert_eq!(
        oversized.items.len(),
        5,
        "a huge page is clamped, not refused here"
    );
}

async fn searches_filter_by_kind_and_title(db: TestContext) {
    let store = db.open().await;
    let max = athlete(&store, "max@example.com").await;
    let other = athlete(&store, "other@example.com").await;
    let titled = [
        (ActivityType::Run, "Evening Run"),
        (ActivityType::Ride, "Long ride to the LAKE"),
        (ActivityType::Ride, "Hill repeats"),
        (ActivityType::Run, "100% effort_5k"),
        (ActivityType::Ride, "Ötztal Radmarathon"),
    ];
    for (hours, (kind, title)) in (0..).zip(titled) {
        let mut new = activity(&max, T0 + Duration::hours(hours), None);
        new.activity_type = kind;
        new.title = Some(title.into());
        store.record_activity(new).await.unwrap();
    }
    let mut theirs = activity(&other, T0, None);
    theirs.title = Some("Long ride of someone else".into());
    store.record_activity(theirs).await.unwrap();
    let titles = |filter: ActivityFilter| {
        let store = &store;
        async move {
            let found = store
                .search_activities(max.user_id, page(1, 30), &filter)
                .await
                .unwrap();
            found
                .items
                .into_iter()
                .map(|a| a.title.unwrap_or_default())
                .collect::<Vec<_>>()
        }
    };
    let rides = ActivityFilter {
        activity_type: Some(ActivityType::Ride),
        ..ActivityFilter::default()
    };
    assert_eq!(
        titles(rides).await,
        [
            "Ötztal Radmarathon",
            "Hill repeats",
            "Long ride to the LAKE"
        ]
    );
    let search = |kind: Option<ActivityType>, text: &str| ActivityFilter {
        activity_type: kind,
        title_contains: Some(text.into()),
    };
    assert_eq!(
        titles(search(None, "lake")).await,
        ["Long ride to the LAKE"],
        "ASCII case is ignored"
    );
    assert_eq!(
        titles(search(Some(ActivityType::Run), "RIDE")).await,
        Vec::<String>::new(),
        "kind and text both narrow"
    );
    assert_eq!(
        titles(search(None, "0% e")).await,
        ["100% effort_5k"],
        "% matches itself"
    );
    assert_eq!(
        titles(search(None, "t_5")).await,
        ["100% effort_5k"],
        "_ matches itself"
    );
    assert_eq!(titles(search(None, "t%5")).await, Vec::<String>::new());
    assert_eq!(titles(search(None, "Ötztal")).await, ["Ötztal Radmarathon"]);
    assert_eq!(
        titles(ActivityFilter::default()).await.len(),
        5,
        "no filter lists all of the athlete's"
    );
}

async fn an_activity_without_a_file_is_deleted_whole(db: TestContext) {
    let store = db.open().await;
    let max = athlete(&store, "max@example.com").await;
    let other = athlete(&store, "other@example.com").await;
    let kept = store
        .record_activity(activity(&max, T0, Some(source("run-1", None))))
        .await
        .unwrap();
    assert!(
        !store.delete_activity(other.user_id, kept.id).await.unwrap(),
        "another athlete's activity is not theirs to delete"
    );
    assert!(
        store
            .get_activity(max.user_id, kept.id)
            .await
            .unwrap()
            .is_some()
    );
    assert!(store.delete_activity(max.user_id, kept.id).await.unwrap());
    assert!(
        store
            .get_activity(max.user_id, kept.id)
            .await
            .unwrap()
            .is_none()
    );
    assert!(!store.delete_activity(max.user_id, kept.id).await.unwrap());
    let again = store
        .record_activity(activity(&max, T0, Some(source("run-1", None))))
        .await
        .unwrap();
    assert!(
        !again.duplicate,
        "its source went with it: writing it again records it anew"
    );
}
