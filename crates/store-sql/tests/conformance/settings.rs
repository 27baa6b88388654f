//! Changing athlete settings: read, changed and written in one transaction, so concurrent
//! changes all land; a refused change writes nothing; an unknown user is told apart.

use paceline_domain::accounts::{self, UserRequest};
use paceline_domain::entities::AthleteSettings;
use paceline_domain::ids::UserId;
use paceline_domain::settings::{self, ChangeError, SettingsEdit};
use paceline_domain::store::AccountStore;
use paceline_domain::training::SettingsError;
use paceline_domain::{Clock, FixedClock};
use paceline_testkit::{TestContext, on_both_engines};
use std::sync::Arc;
use time::macros::datetime;

on_both_engines!(
    concurrent_changes_all_land,
    a_refused_change_writes_nothing,
    an_upload_above_the_maximum_is_offered
);

fn clock() -> FixedClock {
    FixedClock::new(datetime!(2026-03-01 08:00 UTC))
}

async fn athlete(store: &dyn paceline_domain::Store, email: &str) -> UserId {
    let request = UserRequest {
        email: email.into(),
        password: paceline_domain::password::Password::new("long enough"),
        name: "Ath Lete".into(),
        organization: None,
        role: None,
    };
    accounts::create_user(store, &clock(), request)
        .await
        .unwrap()
        .user
        .id
}

async fn concurrent_changes_all_land(db: TestContext) {
    let store = Arc::new(db.open().await);
    let user = athlete(store.as_ref(), "a@example.com").await;
    let edit = SettingsEdit {
        weight_kg: Some(Some(50.0)),
        ..SettingsEdit::default()
    };
    settings::change(store.as_ref(), &clock(), user, &edit)
        .await
        .unwrap();
    // Sixteen writers each add a kilogram: a lost update would leave fewer.
    let writers = (0..16).map(|_| {
        let store = Arc::clone(&store);
        tokio::spawn(async move {
            let add = |s: &mut AthleteSettings| {
                s.training.weight_kg = s.training.weight_kg.map(|kg| kg + 1.0);
                Ok::<(), SettingsError>(())
            };
            store
                .update_athlete_settings(user, &add, clock().now())
                .await
                .unwrap()
                .unwrap()
                .unwrap();
        })
    });
    for writer in writers.collect::<Vec<_>>() {
        writer.await.unwrap();
    }
    let kept = store.athlete_settings(user).await.unwrap().unwrap();
    assert_eq!(kept.training.weight_kg, Some(66.0));
}

async fn a_refused_change_writes_nothing(db: TestContext) {
    let store = db.open().await;
    let user = athlete(&store, "b@example.com").await;
    let before = store.athlete_settings(user).await.unwrap().unwrap();
    let edit = SettingsEdit {
        ftp_watts: Some(Some(250)),
        max_heart_rate: Some(Some(400)),
        ..SettingsEdit::default()
    };
    let refused = settings::change(&store, &clock(), user, &edit)
        .await
        .unwrap_err();
    assert!(
        matches!(
            refused,
            ChangeError::Refused(SettingsError::OutOfRange { .. })
        ),
        "{refused}"
    );
    assert_eq!(store.athlete_settings(user).await.unwrap().unwrap(), before);
    let nobody = settings::change(&store, &clock(), UserId(999_999), &SettingsEdit::default())
        .await
        .unwrap_err();
    assert!(matches!(nobody, ChangeError::NoSuchUser), "{nobody}");
}

async fn an_upload_above_the_maximum_is_offered(db: TestContext) {
    let store = db.open().await;
    let user = athlete(&store, "c@example.com").await;
    let now = clock().now();
    let edit = SettingsEdit {
        max_heart_rate: Some(Some(180)),
        ..SettingsEdit::default()
    };
    settings::change(&store, &clock(), user, &edit)
        .await
        .unwrap();
    settings::saw_heart_rate(&store, now, user, 176)
        .await
        .unwrap();
    let kept = store.athlete_settings(user).await.unwrap().unwrap();
    assert_eq!(kept.training.suggested_max_heart_rate, None);
    settings::saw_heart_rate(&store, now, user, 187)
        .await
        .unwrap();
    let kept = store.athlete_settings(user).await.unwrap().unwrap();
    assert_eq!(kept.training.suggested_max_heart_rate, Some(187));
    assert_eq!(
        kept.training.max_heart_rate,
        Some(180),
        "offered, not imposed"
    );
    let accept = SettingsEdit {
        accept_suggested_max_heart_rate: true,
        ..SettingsEdit::default()
    };
    let accepted = settings::change(&store, &clock(), user, &accept)
        .await
        .unwrap();
    assert_eq!(accepted.training.max_heart_rate, Some(187));
    assert_eq!(accepted.training.suggested_max_heart_rate, None);
}
