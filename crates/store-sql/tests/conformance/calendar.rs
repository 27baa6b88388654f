//! Training sessions and races on both engines: order after the day's last session, soft
//! deletion seen only by syncing lists, compare-and-swap edits, direct-access tokens.

use crate::activities::athlete;
use paceline_domain::calendar::{
    self, CalendarQuery, CalendarStore, Entry, NewSession, RacePriority, RaceValues, Replacement,
    SessionPlan, SessionValues, Splits, TrainingSession, Written,
};
use paceline_domain::coaching::Subject;
use paceline_domain::{FixedClock, StoreError};
use paceline_testkit::{TestContext, on_both_engines};
use std::sync::Arc;
use time::macros::{date, datetime};
use time::{Date, Duration, OffsetDateTime};

on_both_engines!(
    sessions_are_created_in_order_and_read_back,
    lists_leave_deleted_records_to_syncing_clients,
    edits_of_a_changed_session_are_refused_then_retried,
    concurrent_edits_of_different_fields_all_land,
    tokens_open_live_sessions_only,
    races_round_trip,
);

const T0: OffsetDateTime = datetime!(2026-01-17 18:20:00.123456 UTC);

fn values(day: Date, discipline_id: i32) -> SessionValues {
    SessionValues {
        date: day,
        order: 0,
        intensity: Some(3),
        plan: SessionPlan {
            discipline_id,
            training_plan: "4 x 8 min at threshold".into(),
            prescribed_minutes: Splits {
                total: Some(70),
                ..Splits::default()
            },
            prescribed_km: Splits {
                total: Some(1.5),
                ..Splits::default()
            },
            ..SessionPlan::default()
        },
        log: Default::default(),
        athlete_feedback: String::new(),
        coach_comments: String::new(),
    }
}

fn new_session(user: paceline_domain::ids::UserId, v: SessionValues, token: &str) -> NewSession {
    NewSession {
        user_id: user,
        planned_by: None,
        values: v,
        order_given: false,
        direct_access_token: token.into(),
        now: T0,
    }
}

fn season() -> CalendarQuery {
    CalendarQuery {
        from: date!(2025 - 11 - 01),
        to: date!(2026 - 10 - 31),
        updated_since: None,
    }
}

async fn sessions_are_created_in_order_and_read_back(db: TestContext) {
    let store = db.open().await;
    let a = athlete(&store, "a@example.com").await.user_id;
    let b = athlete(&store, "b@example.com").await.user_id;
    let day = date!(2026 - 01 - 14);
    let first = store
        .create_session(new_session(a, values(day, 6), "t1"), &[])
        .await
        .unwrap()
        .saved()
        .unwrap();
    let second = store
        .create_session(new_session(a, values(day, 8), "t2"), &[])
        .await
        .unwrap()
        .saved()
        .unwrap();
    let mut given = new_session(a, values(day, 4), "t3");
    given.values.order = 7;
    given.order_given = true;
    let third = store
        .create_session(given, &[])
        .await
        .unwrap()
        .saved()
        .unwrap();
    // Another athlete's day is another day.
    let other = store
        .create_session(new_session(b, values(day, 6), "t4"), &[])
        .await
        .unwrap()
        .saved()
        .unwrap();
    assert_eq!(
        [first.values.order, second.values.order, third.values.order],
        [1, 2, 7]
    );
    assert_eq!(other.values.order, 1);
    assert_eq!(first.values.plan.prescribed_km.total, Some(1.5));
    assert_eq!(first.created_at, T0);
    assert!(!first.deleted && !first.has_uploaded_training);
    assert_eq!(store.get_session(a, first.id).await.unwrap(), Some(first));
    assert_eq!(store.get_session(b, second.id).await.unwrap(), None);
    assert_eq!(
        store.entry_owner(Entry::Session(second.id)).await.unwrap(),
        Some(a)
    );
    assert_eq!(
        store
            .entry_owner(Entry::Session(calendar::SessionId(i64::MAX)))
            .await
            .unwrap(),
        None
    );
    let listed = store.list_sessions(a, season()).await.unwrap();
    assert_eq!(
        listed.iter().map(|s| s.values.order).collect::<Vec<_>>(),
        [1, 2, 7]
    );
}

async fn lists_leave_deleted_records_to_syncing_clients(db: TestContext) {
    let store = db.open().await;
    let a = athlete(&store, "a@example.com").await.user_id;
    let kept = store
        .create_session(new_session(a, values(date!(2026 - 01 - 14), 6), "t1"), &[])
        .await
        .unwrap()
        .saved()
        .unwrap();
    let gone = store
        .create_session(new_session(a, values(date!(2026 - 01 - 15), 6), "t2"), &[])
        .await
        .unwrap()
        .saved()
        .unwrap();
    let outside = store
        .create_session(new_session(a, values(date!(2024 - 01 - 15), 6), "t3"), &[])
        .await
        .unwrap()
        .saved()
        .unwrap();
    let later = T0 + Duration::minutes(5);
    assert!(
        store
            .delete_entry(a, Entry::Session(gone.id), later)
            .await
            .unwrap()
    );
    assert!(
        !store
            .delete_entry(a, Entry::Session(gone.id), later)
            .await
            .unwrap()
    );
    let ids = |list: Vec<TrainingSession>| list.iter().map(|s| s.id).collect::<Vec<_>>();
    assert_eq!(
        ids(store.list_sessions(a, season()).await.unwrap()),
        [kept.id]
    );
    let sync = CalendarQuery {
        updated_since: Some(T0 + Duration::minutes(1)),
        ..season()
    };
    let changed = store.list_sessions(a, sync).await.unwrap();
    assert_eq!(ids(changed.clone()), [gone.id]);
    assert!(changed[0].deleted);
    assert_eq!(changed[0].updated_at, later);
    assert_eq!(
        ids(store
            .list_sessions(
                a,
                CalendarQuery {
                    from: date!(2024 - 01 - 01),
                    to: date!(2024 - 12 - 31),
                    updated_since: None
                }
            )
            .await
            .unwrap()),
        [outside.id]
    );
}

async fn edits_of_a_changed_session_are_refused_then_retried(db: TestContext) {
    let store = db.open().await;
    let a = athlete(&store, "a@example.com").await.user_id;
    let s = store
        .create_session(new_session(a, values(date!(2026 - 01 - 14), 6), "t1"), &[])
        .await
        .unwrap()
        .saved()
        .unwrap();
    let mut v = s.values.clone();
    v.intensity = Some(5);
    // The clock has not moved: the change still gets a later updated_at.
    let now = calendar::next_update(s.updated_at, T0);
    let saved = store
        .replace_session(Replacement {
            user: a,
            id: s.id,
            seen: s.updated_at,
            values: &v,
            files: &[],
            now,
        })
        .await
        .unwrap()
        .saved()
        .unwrap();
    assert_eq!(saved.values.intensity, Some(5));
    assert!(saved.updated_at > s.updated_at);
    // A writer who read the old version is refused.
    assert_eq!(
        store
            .replace_session(Replacement {
                user: a,
                id: s.id,
                seen: s.updated_at,
                values: &s.values,
                files: &[],
                now,
            })
            .await
            .unwrap(),
        Written::Stale
    );
    // Through the domain, with the same frozen clock, it reads again and lands.
    let clock = FixedClock::new(T0);
    let own = Subject::own(a);
    let edited = calendar::edit(
        &store,
        &clock,
        &own,
        s.id,
        &[],
        |current: &TrainingSession| {
            let mut v = current.values.clone();
            v.athlete_feedback = "Felt strong".into();
            Ok::<_, ()>(v)
        },
    )
    .await
    .unwrap();
    assert_eq!(edited.values.intensity, Some(5));
    assert_eq!(edited.values.athlete_feedback, "Felt strong");
}

async fn concurrent_edits_of_different_fields_all_land(db: TestContext) {
    let store = Arc::new(db.open().await);
    let a = athlete(&store, "a@example.com").await.user_id;
    let s = store
        .create_session(new_session(a, values(date!(2026 - 01 - 14), 6), "t1"), &[])
        .await
        .unwrap()
        .saved()
        .unwrap();
    let mut tasks = Vec::new();
    for minutes in 1..=6 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let clock = FixedClock::new(T0);
            let own = Subject::own(a);
            calendar::edit(
                store.as_ref(),
                &clock,
                &own,
                s.id,
                &[],
                |current: &TrainingSession| {
                    let mut v = current.values.clone();
                    match minutes {
                        1 => v.log.completed_minutes.total = Some(65),
                        2 => v.log.completed_km.total = Some(31.5),
                        3 => v.athlete_feedback = "Windy".into(),
                        4 => v.log.bike_average_power_watts = Some(210),
                        5 => v.log.missed_session = false,
                        _ => v.intensity = Some(4),
                    }
                    Ok::<_, ()>(v)
                },
            )
            .await
        }));
    }
    let mut landed = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => landed += 1,
            Err(calendar::EditError::Contended) => {}
            Err(e) => panic!("{e}"),
        }
    }
    let v = store.get_session(a, s.id).await.unwrap().unwrap().values;
    assert_eq!(landed, 6, "every edit lands within its attempts");
    assert_eq!(v.log.completed_minutes.total, Some(65));
    assert_eq!(v.log.completed_km.total, Some(31.5));
    assert_eq!(v.athlete_feedback, "Windy");
    assert_eq!(v.log.bike_average_power_watts, Some(210));
    assert_eq!(v.intensity, Some(4));
}

async fn tokens_open_live_sessions_only(db: TestContext) {
    let store = db.open().await;
    let a = athlete(&store, "a@example.com").await.user_id;
    let s = store
        .create_session(
            new_session(a, values(date!(2026 - 01 - 14), 6), "tok-1"),
            &[],
        )
        .await
        .unwrap()
        .saved()
        .unwrap();
    assert!(
        store
            .session_by_token(s.id, "tok-1")
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        store
            .session_by_token(s.id, "tok-2")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .set_session_token(a, s.id, "tok-2", T0 + Duration::seconds(1))
            .await
            .unwrap()
    );
    assert!(
        store
            .session_by_token(s.id, "tok-1")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .session_by_token(s.id, "tok-2")
            .await
            .unwrap()
            .is_some()
    );
    store
        .delete_entry(a, Entry::Session(s.id), T0 + Duration::seconds(2))
        .await
        .unwrap();
    assert!(
        store
            .session_by_token(s.id, "tok-2")
            .await
            .unwrap()
            .is_none()
    );
    // Tokens are unique.
    let clash = store
        .create_session(
            new_session(a, values(date!(2026 - 01 - 15), 6), "tok-2"),
            &[],
        )
        .await;
    assert!(matches!(
        clash,
        Err(StoreError::Other(_) | StoreError::Conflict(_))
    ));
}

async fn races_round_trip(db: TestContext) {
    let store = db.open().await;
    let a = athlete(&store, "a@example.com").await.user_id;
    let b = athlete(&store, "b@example.com").await.user_id;
    let v = RaceValues {
        date: date!(2026 - 03 - 14),
        race_name: "Rubicon 70.3".into(),
        distance: Some(3),
        taper_days: Some(5),
        attendance_probability: Some(1),
        athletes_plan: "Even pacing".into(),
        coach_plan: String::new(),
        athlete_feedback: String::new(),
        coach_comments: String::new(),
        event_url: "http://example.com".into(),
        position_overall: None,
        position_age_group: None,
        race_priority: Some(RacePriority::B),
    };
    let race = store
        .create_race(a, &v, &[], T0)
        .await
        .unwrap()
        .saved()
        .unwrap();
    assert_eq!(race.values, v);
    assert_eq!(store.get_race(b, race.id).await.unwrap(), None);
    let mut changed = v.clone();
    changed.position_overall = Some(15);
    let saved = store
        .replace_race(Replacement {
            user: a,
            id: race.id,
            seen: race.updated_at,
            values: &changed,
            files: &[],
            now: T0 + Duration::hours(1),
        })
        .await
        .unwrap()
        .saved()
        .unwrap();
    assert_eq!(saved.values.position_overall, Some(15));
    assert_eq!(
        store.list_races(a, season()).await.unwrap(),
        vec![saved.clone()]
    );
    store
        .delete_entry(a, Entry::Race(race.id), T0 + Duration::hours(2))
        .await
        .unwrap();
    assert!(store.list_races(a, season()).await.unwrap().is_empty());
    let sync = CalendarQuery {
        updated_since: Some(T0 + Duration::hours(2)),
        ..season()
    };
    let synced = store.list_races(a, sync).await.unwrap();
    assert!(synced.len() == 1 && synced[0].deleted);
}
