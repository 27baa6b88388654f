use paceline_domain::accounts::{self, AccountError, UserRequest};
use paceline_domain::entities::{
    AthleteSettings, DistanceUnit, OrgKind, PoolUnit, Role, Season, SportZones, Zone, ZoneSport,
};
use paceline_domain::password::{Password, PasswordHash};
use paceline_domain::store::AccountStore;
use paceline_domain::training::TrainingSettings;
use paceline_domain::{Clock, FixedClock, StoreError};
use paceline_testkit::{TestContext, on_both_engines};
use std::sync::Arc;
use time::macros::{date, datetime};

on_both_engines!(
    organizations_are_created_found_and_listed,
    a_lone_user_gets_a_personal_organization_they_own,
    a_user_can_join_an_existing_organization_with_a_role,
    emails_are_unique_whatever_their_case,
    unknown_organizations_are_refused,
    memberships_are_unique_per_organization,
    coaches_are_assigned_within_one_organization,
    athlete_settings_round_trip,
    passwords_are_replaced,
    names_are_changed_and_checked,
    timestamps_keep_their_microseconds,
    concurrent_writers_all_succeed,
);

fn clock() -> FixedClock {
    FixedClock::new(datetime!(2026-01-17 18:20:00.123456 UTC))
}

fn request(email: &str, org: Option<&str>, role: Option<Role>) -> UserRequest {
    UserRequest {
        email: email.into(),
        password: Password::new("a long enough password"),
        name: "Max Mustermann".into(),
        organization: org.map(Into::into),
        role,
    }
}

async fn organizations_are_created_found_and_listed(db: TestContext) {
    let store = db.open().await;
    let clock = clock();
    let org = accounts::create_organization(&store, &clock, "  Team Alpine ")
        .await
        .unwrap();
    assert_eq!(org.name, "Team Alpine");
    assert_eq!(org.kind, OrgKind::Team);
    assert_eq!(org.created_at, datetime!(2026-01-17 18:20:00.123456 UTC));
    assert_eq!(
        store.get_organization(org.id).await.unwrap(),
        Some(org.clone())
    );
    for reference in [
        org.id.public(),
        org.id.get().to_string(),
        "team alpine".into(),
    ] {
        let found = accounts::resolve_organization(&store, &reference)
            .await
            .unwrap();
        assert_eq!(found.id, org.id, "{reference}");
    }
    accounts::create_organization(&store, &clock, "TEAM ALPINE")
        .await
        .unwrap();
    let err = accounts::resolve_organization(&store, "Team Alpine")
        .await
        .unwrap_err();
    assert!(
        matches!(err, AccountError::AmbiguousOrganization { count: 2, .. }),
        "{err}"
    );
    assert_eq!(store.list_organizations().await.unwrap().len(), 2);
    assert!(
        accounts::create_organization(&store, &clock, " ")
            .await
            .is_err()
    );
}

async fn a_lone_user_gets_a_personal_organization_they_own(db: TestContext) {
    let store = db.open().await;
    let created = accounts::create_user(&store, &clock(), request("Max@Example.com", None, None))
        .await
        .unwrap();
    assert_eq!(created.user.email.as_str(), "max@example.com");
    assert_eq!(created.organization.kind, OrgKind::Personal);
    assert_eq!(created.organization.name, "Max Mustermann (personal)");
    assert_eq!(created.membership.role, Role::Owner);
    assert_eq!(created.membership.user_id, created.user.id);
    assert!(
        created
            .user
            .password_hash
            .as_str()
            .starts_with("$argon2id$")
    );
    assert!(
        created
            .user
            .password_hash
            .verify(&Password::new("a long enough password"))
    );

    let found = store
        .find_user_by_email(&created.user.email)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found, created.user);
    assert_eq!(
        store.get_user(created.user.id).await.unwrap(),
        Some(created.user.clone())
    );
    let memberships = store.memberships_of_user(created.user.id).await.unwrap();
    assert_eq!(memberships.len(), 1);
    assert_eq!(memberships[0].membership, created.membership);
    assert_eq!(memberships[0].organization, created.organization);

    let settings = store
        .athlete_settings(created.user.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        settings,
        AthleteSettings::new_athlete(date!(2026 - 01 - 17))
    );
    assert_eq!(
        settings.seasons,
        vec![Season {
            start: date!(2025 - 11 - 01),
            end: date!(2026 - 10 - 31)
        }]
    );
}

async fn a_user_can_join_an_existing_organization_with_a_role(db: TestContext) {
    let store = db.open().await;
    let clock = clock();
    let org = accounts::create_organization(&store, &clock, "Team Alpine")
        .await
        .unwrap();
    let coach = accounts::create_user(
        &store,
        &clock,
        request(
            "coach@example.com",
            Some(&org.id.public()),
            Some(Role::Coach),
        ),
    )
    .await
    .unwrap();
    assert_eq!(coach.organization.id, org.id);
    assert_eq!(coach.membership.role, Role::Coach);
    let athlete = accounts::create_user(
        &store,
        &clock,
        request("a@example.com", Some("Team Alpine"), None),
    )
    .await
    .unwrap();
    assert_eq!(
        athlete.membership.role,
        Role::Athlete,
        "athlete is the default role"
    );
    assert_eq!(
        store.list_organizations().await.unwrap().len(),
        1,
        "no personal org"
    );
    let err = accounts::create_user(
        &store,
        &clock,
        request("b@example.com", None, Some(Role::Coach)),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, AccountError::RoleWithoutOrganization),
        "{err}"
    );
}

async fn emails_are_unique_whatever_their_case(db: TestContext) {
    let store = db.open().await;
    let clock = clock();
    accounts::create_user(&store, &clock, request("max@example.com", None, None))
        .await
        .unwrap();
    let err = accounts::create_user(&store, &clock, request(" MAX@example.COM", None, None))
        .await
        .unwrap_err();
    assert!(
        matches!(err, AccountError::DuplicateEmail(ref e) if e.as_str() == "max@example.com"),
        "{err}"
    );
    assert_eq!(store.list_users().await.unwrap().len(), 1);
    assert_eq!(
        store.list_organizations().await.unwrap().len(),
        1,
        "the refused user left nothing"
    );

    // The store itself refuses a duplicate that slipped past the service's check.
    let existing = store.list_users().await.unwrap().remove(0);
    let again = paceline_domain::store::NewUser {
        email: existing.email.clone(),
        name: "Other".into(),
        password_hash: PasswordHash::from_stored("x".into()),
        home: paceline_domain::store::NewUserHome::Personal {
            org_name: "Other".into(),
        },
        settings: AthleteSettings::new_athlete(date!(2026 - 01 - 01)),
        now: datetime!(2026-01-17 00:00 UTC),
    };
    assert!(matches!(
        store.create_user(again).await,
        Err(StoreError::Conflict("email"))
    ));
    assert_eq!(
        store.list_organizations().await.unwrap().len(),
        1,
        "the transaction rolled back"
    );
}

async fn unknown_organizations_are_refused(db: TestContext) {
    let store = db.open().await;
    let clock = clock();
    for reference in ["Nobody's Team", "org_0000000000000", "999"] {
        let err = accounts::create_user(
            &store,
            &clock,
            request("a@example.com", Some(reference), None),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(err, AccountError::UnknownOrganization(_)),
            "{reference}: {err}"
        );
    }
    assert!(store.list_users().await.unwrap().is_empty());
    let err = accounts::add_member(
        &store,
        &clock,
        "Nobody's Team",
        "a@example.com",
        Role::Athlete,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, AccountError::UnknownOrganization(_)), "{err}");
}

async fn memberships_are_unique_per_organization(db: TestContext) {
    let store = db.open().await;
    let clock = clock();
    let org = accounts::create_organization(&store, &clock, "Team Alpine")
        .await
        .unwrap();
    let user = accounts::create_user(&store, &clock, request("a@example.com", None, None))
        .await
        .unwrap();
    let (membership, in_org) = accounts::add_member(
        &store,
        &clock,
        "Team Alpine",
        "A@example.com",
        Role::Athlete,
    )
    .await
    .unwrap();
    assert_eq!((membership.organization_id, in_org.id), (org.id, org.id));
    assert_eq!(membership.user_id, user.user.id);
    let err = accounts::add_member(&store, &clock, "Team Alpine", "a@example.com", Role::Coach)
        .await
        .unwrap_err();
    assert!(matches!(err, AccountError::AlreadyMember { .. }), "{err}");
    let err = accounts::add_member(
        &store,
        &clock,
        "Team Alpine",
        "nobody@example.com",
        Role::Coach,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, AccountError::UnknownUser(_)), "{err}");
    assert_eq!(
        store.memberships_of_user(user.user.id).await.unwrap().len(),
        2
    );
}

async fn coaches_are_assigned_within_one_organization(db: TestContext) {
    let store = db.open().await;
    let clock = clock();
    let team = accounts::create_organization(&store, &clock, "Team Alpine")
        .await
        .unwrap();
    accounts::create_organization(&store, &clock, "Other Club")
        .await
        .unwrap();
    let coach = accounts::create_user(
        &store,
        &clock,
        request("coach@example.com", Some("Team Alpine"), Some(Role::Coach)),
    )
    .await
    .unwrap();
    let athlete = accounts::create_user(
        &store,
        &clock,
        request("ath@example.com", Some("Team Alpine"), None),
    )
    .await
    .unwrap();
    let stranger = accounts::create_user(
        &store,
        &clock,
        request("far@example.com", Some("Other Club"), None),
    )
    .await
    .unwrap();

    let (assignment, org) =
        accounts::assign_coach(&store, &clock, "coach@example.com", "ath@example.com", None)
            .await
            .unwrap();
    assert_eq!(org.id, team.id);
    assert_eq!(assignment.coach_membership_id, coach.membership.id);
    assert_eq!(assignment.athlete_membership_id, athlete.membership.id);
    assert_eq!(
        store
            .assignments_of_coach(coach.membership.id)
            .await
            .unwrap(),
        vec![assignment]
    );
    assert!(store.coaches(coach.user.id, athlete.user.id).await.unwrap());
    assert!(!store.coaches(athlete.user.id, coach.user.id).await.unwrap());
    assert!(
        !store
            .coaches(coach.user.id, stranger.user.id)
            .await
            .unwrap()
    );
    let ids = |users: Vec<paceline_domain::entities::User>| {
        users.into_iter().map(|u| u.id).collect::<Vec<_>>()
    };
    assert_eq!(
        ids(store.contacts(coach.user.id).await.unwrap()),
        vec![athlete.user.id]
    );
    assert_eq!(
        ids(store.contacts(athlete.user.id).await.unwrap()),
        vec![coach.user.id]
    );
    assert!(store.contacts(stranger.user.id).await.unwrap().is_empty());

    let err = accounts::assign_coach(&store, &clock, "coach@example.com", "ath@example.com", None)
        .await
        .unwrap_err();
    assert!(matches!(err, AccountError::AlreadyAssigned { .. }), "{err}");
    let err = accounts::assign_coach(&store, &clock, "coach@example.com", "far@example.com", None)
        .await
        .unwrap_err();
    assert!(
        matches!(err, AccountError::NoSharedOrganization { .. }),
        "{err}"
    );
    let err = accounts::assign_coach(&store, &clock, "ath@example.com", "coach@example.com", None)
        .await
        .unwrap_err();
    assert!(
        matches!(err, AccountError::NoSharedOrganization { .. }),
        "an athlete cannot coach: {err}"
    );
    let err = accounts::assign_coach(
        &store,
        &clock,
        "coach@example.com",
        "coach@example.com",
        None,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, AccountError::SelfCoaching), "{err}");

    // The store refuses memberships of another organization even if asked directly.
    let err = store
        .assign_coach(
            team.id,
            coach.membership.id,
            stranger.membership.id,
            clock.now(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err}");
}

async fn athlete_settings_round_trip(db: TestContext) {
    let store = db.open().await;
    let clock = clock();
    let user = accounts::create_user(&store, &clock, request("a@example.com", None, None))
        .await
        .unwrap();
    let zone = |number: u8, name: &str, hr: (i32, i32), speed: Option<(f64, f64)>| Zone {
        number,
        name: name.into(),
        heart_rate_min: Some(hr.0),
        heart_rate_max: Some(hr.1),
        power_min: None,
        power_max: None,
        speed_min_mps: speed.map(|s| s.0),
        speed_max_mps: speed.map(|s| s.1),
    };
    let settings = AthleteSettings {
        distance_unit: DistanceUnit::Miles,
        pool_unit: PoolUnit::Yards,
        seasons: vec![
            Season {
                start: date!(2020 - 11 - 01),
                end: date!(2021 - 10 - 31),
            },
            Season {
                start: date!(2021 - 11 - 01),
                end: date!(2022 - 10 - 31),
            },
        ],
        zones: vec![
            SportZones {
                sport: ZoneSport::Run,
                max_heart_rate: Some(180),
                zones: vec![
                    zone(
                        1,
                        "Easy",
                        (117, 134),
                        Some((3.3557046979865772, 3.4602076124567476)),
                    ),
                    zone(
                        2,
                        "Steady",
                        (135, 147),
                        Some((3.4722222222222223, 3.7037037037037033)),
                    ),
                ],
            },
            SportZones {
                sport: ZoneSport::Bike,
                max_heart_rate: None,
                zones: vec![Zone {
                    power_min: Some(175),
                    power_max: Some(190),
                    ..zone(1, "Easy", (114, 130), None)
                }],
            },
        ],
        training: TrainingSettings {
            max_heart_rate: Some(186),
            resting_heart_rate: Some(44),
            threshold_heart_rate: Some(168),
            ftp_watts: Some(275),
            threshold_pace_s_per_km: Some(245),
            swim_css_s_per_100m: Some(98),
            weight_kg: Some(68.4),
            suggested_max_heart_rate: Some(191),
        },
    };
    store
        .replace_athlete_settings(user.user.id, &settings, clock.now())
        .await
        .unwrap();
    assert_eq!(
        store.athlete_settings(user.user.id).await.unwrap(),
        Some(settings.clone())
    );

    let mut fewer = settings.clone();
    fewer.zones.truncate(1);
    fewer.seasons.truncate(1);
    fewer.training = TrainingSettings {
        ftp_watts: Some(280),
        ..TrainingSettings::default()
    };
    store
        .replace_athlete_settings(user.user.id, &fewer, clock.now())
        .await
        .unwrap();
    assert_eq!(
        store.athlete_settings(user.user.id).await.unwrap(),
        Some(fewer)
    );

    let missing = paceline_domain::ids::UserId(user.user.id.get() + 1000);
    assert_eq!(store.athlete_settings(missing).await.unwrap(), None);
    assert!(matches!(
        store
            .replace_athlete_settings(missing, &settings, clock.now())
            .await,
        Err(StoreError::NotFound("user"))
    ));
}

async fn passwords_are_replaced(db: TestContext) {
    let store = db.open().await;
    let clock = clock();
    accounts::create_user(&store, &clock, request("a@example.com", None, None))
        .await
        .unwrap();
    clock.advance(time::Duration::minutes(5));
    let user = accounts::set_password(
        &store,
        &clock,
        "a@example.com",
        Password::new("another password"),
    )
    .await
    .unwrap();
    let stored = store.get_user(user.id).await.unwrap().unwrap();
    assert!(
        stored
            .password_hash
            .verify(&Password::new("another password"))
    );
    assert!(
        !stored
            .password_hash
            .verify(&Password::new("a long enough password"))
    );
    assert_eq!(
        stored.updated_at,
        stored.created_at + time::Duration::minutes(5)
    );
    let err = accounts::set_password(&store, &clock, "a@example.com", Password::new("short")).await;
    assert!(matches!(err, Err(AccountError::WeakPassword(_))));
}

async fn names_are_changed_and_checked(db: TestContext) {
    let store = db.open().await;
    let clock = clock();
    let created = accounts::create_user(&store, &clock, request("a@example.com", None, None))
        .await
        .unwrap();
    clock.advance(time::Duration::minutes(5));
    let id = created.user.id;
    let name = accounts::rename(&store, &clock, id, "  Maxine Muster ")
        .await
        .unwrap();
    assert_eq!(name, "Maxine Muster");
    let stored = store.get_user(id).await.unwrap().unwrap();
    assert_eq!(stored.name, "Maxine Muster");
    assert_eq!(
        stored.updated_at,
        created.user.created_at + time::Duration::minutes(5)
    );
    for bad in ["", "   ", "bell\u{7}"] {
        assert!(matches!(
            accounts::rename(&store, &clock, id, bad).await,
            Err(AccountError::InvalidName(_))
        ));
    }
    assert_eq!(
        store.get_user(id).await.unwrap().unwrap().name,
        "Maxine Muster"
    );
    let nobody = paceline_domain::ids::UserId(i64::MAX);
    assert!(matches!(
        store.rename_user(nobody, "Nobody", clock.now()).await,
        Err(StoreError::NotFound("user"))
    ));
}

async fn timestamps_keep_their_microseconds(db: TestContext) {
    let store = db.open().await;
    for at in [
        datetime!(1969-07-20 20:17:40.000001 UTC),
        datetime!(2026-01-17 18:20:00 UTC),
        datetime!(2038-01-19 03:14:08.999999 UTC),
    ] {
        let org = store
            .create_organization("T", OrgKind::Team, at)
            .await
            .unwrap();
        assert_eq!(
            store
                .get_organization(org.id)
                .await
                .unwrap()
                .unwrap()
                .created_at,
            at
        );
    }
}

async fn concurrent_writers_all_succeed(db: TestContext) {
    let store = Arc::new(db.open().await);
    let clock = Arc::new(clock());
    accounts::create_organization(store.as_ref(), clock.as_ref(), "Team")
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for i in 0..24 {
        let (store, clock) = (store.clone(), clock.clone());
        tasks.push(tokio::spawn(async move {
            let email = format!("user{i}@example.com");
            let reference = if i % 2 == 0 { Some("Team") } else { None };
            accounts::create_user(
                store.as_ref(),
                clock.as_ref(),
                request(&email, reference, None),
            )
            .await
            .map(|created| created.user.email)
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(store.list_users().await.unwrap().len(), 24);
    assert_eq!(store.list_organizations().await.unwrap().len(), 13);
}
