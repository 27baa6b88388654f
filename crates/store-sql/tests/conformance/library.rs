//! A coach's library on both engines: kept as written, listed by name, changed and deleted
//! by its owner only.

use paceline_domain::FixedClock;
use paceline_domain::accounts::{self, UserRequest};
use paceline_domain::password::Password;
use paceline_domain::workouts::WorkoutSport;
use paceline_domain::workouts::library::{self, LibraryError, LibraryId, LibraryStore};
use paceline_store_sql::SqlStore;
use paceline_testkit::{TestContext, on_both_engines};
use time::Duration;
use time::macros::datetime;

on_both_engines!(
    a_library_is_its_owners_alone,
    what_does_not_read_is_not_kept
);

async fn user(store: &SqlStore, email: &str) -> paceline_domain::ids::UserId {
    accounts::create_user(
        store,
        &FixedClock::new(datetime!(2026-12-01 08:00 UTC)),
        UserRequest {
            email: email.into(),
            password: Password::new("a long enough password"),
            name: "Coach".into(),
            organization: None,
            role: None,
        },
    )
    .await
    .unwrap()
    .user
    .id
}

async fn a_library_is_its_owners_alone(db: TestContext) {
    let store = db.open().await;
    let clock = FixedClock::new(datetime!(2026-12-01 09:00:00.123456 UTC));
    let coach = user(&store, "coach@example.com").await;
    let other = user(&store, "other@example.com").await;
    let threshold = library::check(
        " Threshold 2x20 ",
        "cycling",
        "Steady, no surges.",
        "15 min warm up @ Z2 power\n2 x\n  20 min @ 95-100% FTP\n  5 min rest\n10 min cool down\n\n",
    )
    .unwrap();
    assert_eq!(threshold.name, "Threshold 2x20");
    assert!(
        threshold.text.ends_with("cool down"),
        "trailing blank lines dropped"
    );
    let kept = library::add(&store, &clock, coach, &threshold)
        .await
        .unwrap();
    assert_eq!(kept.values, threshold);
    assert_eq!(kept.created_at, datetime!(2026-12-01 09:00:00.123456 UTC));
    let tempo = library::check(
        "Hill tempo",
        "running",
        "",
        "3 x\n  8 min @ 90-95% LTHR\n  2 min easy",
    )
    .unwrap();
    assert_eq!(tempo.sport, WorkoutSport::from_name("running").unwrap());
    library::add(&store, &clock, coach, &tempo).await.unwrap();
    let names: Vec<String> = store
        .library_of(coach)
        .await
        .unwrap()
        .into_iter()
        .map(|w| w.values.name)
        .collect();
    assert_eq!(names, ["Hill tempo", "Threshold 2x20"], "by name");
    assert!(store.library_of(other).await.unwrap().is_empty());
    assert_eq!(
        store.get_library_workout(other, kept.id).await.unwrap(),
        None
    );
    assert!(matches!(
        library::replace(&store, &clock, other, kept.id, &tempo).await,
        Err(LibraryError::NotFound)
    ));
    assert!(!store.delete_library_workout(other, kept.id).await.unwrap());
    let later = FixedClock::new(datetime!(2026-12-01 09:00 UTC) + Duration::hours(1));
    library::replace(&store, &later, coach, kept.id, &tempo)
        .await
        .unwrap();
    let changed = store
        .get_library_workout(coach, kept.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(changed.values, tempo);
    assert_eq!(changed.updated_at, datetime!(2026-12-01 10:00 UTC));
    assert!(store.delete_library_workout(coach, kept.id).await.unwrap());
    assert_eq!(
        store.get_library_workout(coach, kept.id).await.unwrap(),
        None
    );
    assert_eq!(
        store
            .get_library_workout(coach, LibraryId(999_999))
            .await
            .unwrap(),
        None
    );
}

async fn what_does_not_read_is_not_kept(db: TestContext) {
    let store = db.open().await;
    user(&store, "coach@example.com").await;
    for (name, sport, text, expected) in [
        ("", "cycling", "5 min", "name"),
        ("Intervals", "curling", "5 min", "sport"),
        ("Intervals", "cycling", "5 minutes of fun @ lots", "Line 1"),
        ("Intervals", "cycling", "", "at least one step"),
    ] {
        let error = library::check(name, sport, "", text).unwrap_err();
        let text = error.to_string();
        assert!(text.contains(expected), "{name}/{sport}: {text}");
    }
}
