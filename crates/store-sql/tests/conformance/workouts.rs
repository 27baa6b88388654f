//! Planned workouts on both engines: steps kept as written, attachments to the athlete's
//! live sessions only, list filters (sport, scheduled days, sync), compare-and-swap edits,
//! soft deletion, and who may write them.

use crate::activities::athlete;
use paceline_domain::accounts::{self, UserRequest};
use paceline_domain::calendar::{self, CalendarStore, Entry, NewSession, SessionId, SessionValues};
use paceline_domain::coaching::Subject;
use paceline_domain::entities::Role;
use paceline_domain::ids::UserId;
use paceline_domain::password::Password;
use paceline_domain::workouts::{
    self, NewWorkout, WorkoutId, WorkoutPatch, WorkoutQuery, WorkoutSport, WorkoutStore,
    WorkoutValues, WriteError, steps,
};
use paceline_domain::{FixedClock, StoreError};
use paceline_store_sql::SqlStore;
use paceline_testkit::{TestContext, on_both_engines};
use serde_json::json;
use std::sync::Arc;
use time::macros::{date, datetime};
use time::{Date, Duration, OffsetDateTime};

on_both_engines!(
    workouts_round_trip_with_their_sessions,
    only_the_athletes_live_sessions_are_attached,
    lists_filter_by_sport_schedule_and_sync,
    edits_are_compare_and_swap_and_replace_attachments,
    concurrent_edits_of_different_fields_all_land,
    coached_athletes_read_but_do_not_write,
);

const T0: OffsetDateTime = datetime!(2026-01-17 18:20:00.123456 UTC);

async fn session(store: &SqlStore, user: UserId, day: Date, discipline_id: i32) -> SessionId {
    let values = SessionValues {
        date: day,
        order: 0,
        intensity: None,
        plan: calendar::SessionPlan {
            discipline_id,
            ..Default::default()
        },
        log: Default::default(),
        athlete_feedback: String::new(),
        coach_comments: String::new(),
    };
    store
        .create_session(
            NewSession {
                user_id: user,
                planned_by: None,
                values,
                order_given: false,
                direct_access_token: format!("token-{}-{day}-{discipline_id}", user.get()),
                now: T0,
            },
            &[],
        )
        .await
        .unwrap()
        .saved()
        .unwrap()
        .id
}

fn values(sport: &str, name: &str) -> WorkoutValues {
    WorkoutValues {
        sport: WorkoutSport::from_name(sport).unwrap(),
        name: name.into(),
        description: "Keep it smooth".into(),
        steps: steps::from_json(&json!([
            {"type": "step", "name": "Warm up", "intensity": "warmup",
             "duration": {"type": "time", "seconds": 600},
             "target": {"type": "heart_rate_zone", "zone": 2}},
            {"type": "repeat", "times": 4, "steps": [
                {"type": "step", "intensity": "interval",
                 "duration": {"type": "distance", "meters": 1000},
                 "target": {"type": "speed", "low_mps": 4.167, "high_mps": 4.386}},
                {"type": "repeat", "times": 2, "steps": [
                    {"type": "step", "duration": {"type": "time", "seconds": 45.5},
                     "target": {"type": "power", "low_watts": 200, "high_watts": 220}}
                ]}
            ]},
            {"type": "step", "notes": "spin", "intensity": "cooldown",
             "duration": {"type": "open"}, "target": {"type": "cadence", "low": 85, "high": 95}}
        ]))
        .unwrap(),
    }
}

fn new(
    user: UserId,
    values: WorkoutValues,
    sessions: &[SessionId],
    now: OffsetDateTime,
) -> NewWorkout {
    NewWorkout {
        user_id: user,
        author: user,
        values,
        sessions: sessions.to_vec(),
        now,
    }
}

async fn workouts_round_trip_with_their_sessions(db: TestContext) {
    let store = db.open().await;
    let a = athlete(&store, "a@example.com").await.user_id;
    let b = athlete(&store, "b@example.com").await.user_id;
    let later = session(&store, a, date!(2018 - 09 - 02), 8).await;
    let earlier = session(&store, a, date!(2018 - 08 - 20), 6).await;
    let w = store
        .create_workout(&new(
            a,
            values("cycling", "Over-unders"),
            &[later, earlier],
            T0,
        ))
        .await
        .unwrap();
    assert_eq!(w.values, values("cycling", "Over-unders"));
    assert_eq!(
        w.sessions
            .iter()
            .map(|s| (s.id, s.date, s.name()))
            .collect::<Vec<_>>(),
        [
            (earlier, date!(2018 - 08 - 20), "Bike Endurance"),
            (later, date!(2018 - 09 - 02), "Run Endurance"),
        ]
    );
    assert_eq!((w.created_at, w.updated_at, w.last_changed), (T0, T0, T0));
    assert_eq!((w.author, w.deleted), (Some(a), false));
    assert_eq!(store.get_workout(a, w.id).await.unwrap(), Some(w.clone()));
    assert_eq!(store.get_workout(b, w.id).await.unwrap(), None);
    assert_eq!(store.workout_owner(w.id).await.unwrap(), Some(a));
    assert_eq!(
        store.workout_owner(WorkoutId(i64::MAX)).await.unwrap(),
        None
    );
    // A workout without sessions is a workout too.
    let library = store
        .create_workout(&new(a, values("running", "Strides"), &[], T0))
        .await
        .unwrap();
    assert!(library.sessions.is_empty());
    assert_eq!(
        store
            .list_workouts(a, &WorkoutQuery::default())
            .await
            .unwrap(),
        [w, library]
    );
}

async fn only_the_athletes_live_sessions_are_attached(db: TestContext) {
    let store = db.open().await;
    let a = athlete(&store, "a@example.com").await.user_id;
    let b = athlete(&store, "b@example.com").await.user_id;
    let own = session(&store, a, date!(2018 - 09 - 02), 6).await;
    let theirs = session(&store, b, date!(2018 - 09 - 02), 6).await;
    let gone = session(&store, a, date!(2018 - 09 - 03), 6).await;
    assert!(
        store
            .delete_entry(a, Entry::Session(gone), T0)
            .await
            .unwrap()
    );
    for sessions in [vec![own, theirs], vec![gone], vec![SessionId(i64::MAX)]] {
        let err = store
            .create_workout(&new(a, values("cycling", "X"), &sessions, T0))
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::NotFound("training session")),
            "{sessions:?}: {err}"
        );
    }
    // Nothing was written.
    assert!(
        store
            .list_workouts(a, &WorkoutQuery::default())
            .await
            .unwrap()
            .is_empty()
    );
    // The domain names the sessions it refuses.
    let clock = FixedClock::new(T0);
    let err = workouts::create_workout(
        &store,
        &clock,
        &Subject::own(a),
        values("cycling", "X"),
        &[own, theirs, gone],
    )
    .await
    .unwrap_err();
    let WriteError::UnknownSessions(ids) = err else {
        panic!("{err}")
    };
    let mut expected = vec![theirs.0, gone.0];
    expected.sort_unstable();
    assert_eq!(ids, expected);
}

async fn lists_filter_by_sport_schedule_and_sync(db: TestContext) {
    let store = db.open().await;
    let a = athlete(&store, "a@example.com").await.user_id;
    let august = session(&store, a, date!(2018 - 08 - 20), 6).await;
    let october = session(&store, a, date!(2018 - 10 - 02), 8).await;
    let ride = store
        .create_workout(&new(a, values("cycling", "Ride"), &[august], T0))
        .await
        .unwrap();
    let run = store
        .create_workout(&new(a, values("running", "Run"), &[october], T0))
        .await
        .unwrap();
    let library = store
        .create_workout(&new(a, values("cycling", "Library"), &[], T0))
        .await
        .unwrap();
    let ids = |list: Vec<workouts::PlannedWorkout>| list.iter().map(|w| w.id).collect::<Vec<_>>();
    let list = |query: WorkoutQuery| {
        let store = &store;
        async move { ids(store.list_workouts(a, &query).await.unwrap()) }
    };
    let cycling = WorkoutSport::from_name("cycling");
    assert_eq!(
        list(WorkoutQuery::default()).await,
        [ride.id, run.id, library.id]
    );
    assert_eq!(
        list(WorkoutQuery {
            sport: cycling,
            ..WorkoutQuery::default()
        })
        .await,
        [ride.id, library.id]
    );
    let window = WorkoutQuery {
        scheduled_from: Some(date!(2018 - 08 - 17)),
        scheduled_to: Some(date!(2018 - 09 - 30)),
        ..WorkoutQuery::default()
    };
    assert_eq!(list(window).await, [ride.id]);
    assert_eq!(
        list(WorkoutQuery {
            scheduled_from: Some(date!(2018 - 09 - 01)),
            ..WorkoutQuery::default()
        })
        .await,
        [run.id]
    );
    assert_eq!(
        list(WorkoutQuery {
            scheduled_to: Some(date!(2018 - 08 - 19)),
            ..WorkoutQuery::default()
        })
        .await,
        Vec::<WorkoutId>::new()
    );

    // The run is deleted, and the ride's session too: a sync sees both, nothing else.
    let later = T0 + Duration::minutes(5);
    assert!(store.delete_workout(a, run.id, later).await.unwrap());
    assert!(!store.delete_workout(a, run.id, later).await.unwrap());
    assert!(
        store
            .delete_entry(a, Entry::Session(august), later + Duration::minutes(1))
            .await
            .unwrap()
    );
    assert_eq!(list(WorkoutQuery::default()).await, [ride.id, library.id]);
    let sync = WorkoutQuery {
        updated_since: Some(T0 + Duration::minutes(1)),
        ..WorkoutQuery::default()
    };
    let changed = store.list_workouts(a, &sync).await.unwrap();
    assert_eq!(ids(changed.clone()), [ride.id, run.id]);
    assert!(changed[0].sessions.is_empty(), "its session is gone");
    assert_eq!(changed[0].last_changed, later + Duration::minutes(1));
    assert_eq!(changed[0].updated_at, T0);
    assert!(changed[1].deleted);
    assert_eq!(changed[1].updated_at, later);
    // A syncing client with a window still learns of both.
    assert_eq!(
        list(WorkoutQuery {
            scheduled_from: Some(date!(2018 - 08 - 01)),
            scheduled_to: Some(date!(2018 - 12 - 31)),
            ..sync
        })
        .await,
        [ride.id, run.id]
    );
    // A sport narrows a sync too.
    assert_eq!(
        list(WorkoutQuery {
            sport: cycling,
            ..sync
        })
        .await,
        [ride.id]
    );
    // Without a sync, the ride's window has nothing left.
    assert_eq!(list(window).await, Vec::<WorkoutId>::new());

    // A workout planned on two sessions of one window is listed once, with both.
    let first = session(&store, a, date!(2018 - 11 - 05), 6).await;
    let second = session(&store, a, date!(2018 - 11 - 07), 6).await;
    let twice = store
        .create_workout(&new(a, values("cycling", "Twice"), &[first, second], later))
        .await
        .unwrap();
    let november = WorkoutQuery {
        scheduled_from: Some(date!(2018 - 11 - 01)),
        scheduled_to: Some(date!(2018 - 11 - 30)),
        ..WorkoutQuery::default()
    };
    let listed = store.list_workouts(a, &november).await.unwrap();
    assert_eq!(ids(listed.clone()), [twice.id]);
    assert_eq!(listed[0].sessions.len(), 2);
    assert_eq!(
        list(WorkoutQuery {
            updated_since: Some(later),
            ..november
        })
        .await,
        [twice.id]
    );
}

async fn edits_are_compare_and_swap_and_replace_attachments(db: TestContext) {
    let store = db.open().await;
    let a = athlete(&store, "a@example.com").await.user_id;
    let first = session(&store, a, date!(2018 - 08 - 20), 6).await;
    let second = session(&store, a, date!(2018 - 08 - 21), 6).await;
    let w = store
        .create_workout(&new(a, values("cycling", "Ride"), &[first], T0))
        .await
        .unwrap();
    let mut v = w.values.clone();
    v.name = "Ride, longer".into();
    let now = calendar::next_update(w.updated_at, T0);
    let saved = store
        .replace_workout(a, w.id, w.updated_at, &v, &[second], now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(saved.values.name, "Ride, longer");
    assert_eq!(
        saved.sessions.iter().map(|s| s.id).collect::<Vec<_>>(),
        [second]
    );
    assert!(saved.updated_at > w.updated_at);
    // A writer who read the old version is refused, and changes nothing.
    assert_eq!(
        store
            .replace_workout(a, w.id, w.updated_at, &w.values, &[first], now)
            .await
            .unwrap(),
        None
    );
    // Attaching to a session that is not the athlete's writes nothing.
    let b = athlete(&store, "b@example.com").await.user_id;
    let theirs = session(&store, b, date!(2018 - 08 - 21), 6).await;
    let err = store
        .replace_workout(
            a,
            w.id,
            saved.updated_at,
            &w.values,
            &[theirs],
            now + Duration::seconds(1),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::NotFound("training session")),
        "{err}"
    );
    assert_eq!(
        store.get_workout(a, w.id).await.unwrap(),
        Some(saved.clone())
    );
    // Another athlete's key reaches nothing.
    assert_eq!(
        store
            .replace_workout(b, w.id, saved.updated_at, &v, &[], now)
            .await
            .unwrap(),
        None
    );
    assert!(!store.delete_workout(b, w.id, now).await.unwrap());
    // Deletion is soft, moves updated_at forward even when the clock has not, and ends
    // edits.
    assert!(
        store
            .delete_workout(a, w.id, saved.updated_at)
            .await
            .unwrap()
    );
    let deleted = store.get_workout(a, w.id).await.unwrap().unwrap();
    assert!(deleted.deleted);
    assert_eq!(
        deleted.updated_at,
        saved.updated_at + Duration::microseconds(1)
    );
    assert_eq!(
        store
            .replace_workout(a, w.id, deleted.updated_at, &v, &[], now)
            .await
            .unwrap(),
        None
    );
}

async fn concurrent_edits_of_different_fields_all_land(db: TestContext) {
    let store = Arc::new(db.open().await);
    let a = athlete(&store, "a@example.com").await.user_id;
    let s = session(&store, a, date!(2018 - 08 - 20), 6).await;
    let w = store
        .create_workout(&new(a, values("cycling", "Ride"), &[], T0))
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for field in 0..4 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let clock = FixedClock::new(T0);
            let patch = match field {
                0 => WorkoutPatch {
                    name: Some("Renamed".into()),
                    ..WorkoutPatch::default()
                },
                1 => WorkoutPatch {
                    description: Some("New words".into()),
                    ..WorkoutPatch::default()
                },
                2 => WorkoutPatch {
                    sport: WorkoutSport::from_name("running"),
                    ..WorkoutPatch::default()
                },
                _ => WorkoutPatch {
                    sessions: Some(vec![s]),
                    ..WorkoutPatch::default()
                },
            };
            workouts::edit_workout(store.as_ref(), &clock, &Subject::own(a), w.id, &patch).await
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let after = store.get_workout(a, w.id).await.unwrap().unwrap();
    assert_eq!(after.values.name, "Renamed");
    assert_eq!(after.values.description, "New words");
    assert_eq!(after.values.sport.name(), "running");
    assert_eq!(after.values.steps, w.values.steps);
    assert_eq!(after.sessions.iter().map(|x| x.id).collect::<Vec<_>>(), [s]);
    assert!(after.updated_at >= w.updated_at + Duration::microseconds(4));
}

async fn coached_athletes_read_but_do_not_write(db: TestContext) {
    let store = db.open().await;
    let clock = FixedClock::new(T0);
    accounts::create_organization(&store, &clock, "Squad")
        .await
        .unwrap();
    let user = |email: &str, role: Role| UserRequest {
        email: email.into(),
        password: Password::new("a long enough password"),
        name: "Sam".into(),
        organization: Some("Squad".into()),
        role: Some(role),
    };
    let coach = accounts::create_user(&store, &clock, user("c@example.com", Role::Coach))
        .await
        .unwrap()
        .user
        .id;
    let athlete_id = accounts::create_user(&store, &clock, user("a@example.com", Role::Athlete))
        .await
        .unwrap()
        .user
        .id;
    accounts::assign_coach(
        &store,
        &clock,
        "c@example.com",
        "a@example.com",
        Some("Squad"),
    )
    .await
    .unwrap();
    let loner = athlete(&store, "loner@example.com").await.user_id;
    let by_coach = Subject {
        actor: coach,
        athlete: athlete_id,
    };
    let own = Subject::own(athlete_id);
    assert!(workouts::may_write(&store, &by_coach).await.unwrap());
    assert!(!workouts::may_write(&store, &own).await.unwrap());
    assert!(
        workouts::may_write(&store, &Subject::own(loner))
            .await
            .unwrap()
    );

    let planned =
        workouts::create_workout(&store, &clock, &by_coach, values("cycling", "Plan"), &[])
            .await
            .unwrap();
    assert_eq!((planned.user_id, planned.author), (athlete_id, Some(coach)));
    for refused in [
        workouts::create_workout(&store, &clock, &own, values("cycling", "Mine"), &[])
            .await
            .map(drop),
        workouts::edit_workout(&store, &clock, &own, planned.id, &WorkoutPatch::default())
            .await
            .map(drop),
        workouts::delete_workout(&store, &clock, &own, planned.id).await,
    ] {
        assert!(
            matches!(refused, Err(WriteError::CoachPlans)),
            "{refused:?}"
        );
    }
    let renamed = workouts::edit_workout(
        &store,
        &clock,
        &by_coach,
        planned.id,
        &WorkoutPatch {
            name: Some("Plan B".into()),
            ..WorkoutPatch::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(renamed.values.name, "Plan B");
    workouts::delete_workout(&store, &clock, &by_coach, planned.id)
        .await
        .unwrap();
    assert!(matches!(
        workouts::delete_workout(&store, &clock, &by_coach, planned.id).await,
        Err(WriteError::NotFound)
    ));
}
