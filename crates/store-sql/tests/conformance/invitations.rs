//! One-time links on both engines: invitations make one account or one membership and then
//! close; expired and withdrawn ones do nothing; a removed member keeps their records; a
//! password reset link works once and ends the account's sessions.

use paceline_domain::accounts::{self, UserRequest};
use paceline_domain::activities::{
    ActivityOrigin, ActivityStore, ActivityType, Figures, NewActivity,
};
use paceline_domain::entities::{OrgKind, Role};
use paceline_domain::ids::OrgId;
use paceline_domain::invitations::{
    self, Acceptance, INVITATION_LIFETIME, InvitationError, InvitationStore,
};
use paceline_domain::listing::RecordQuery;
use paceline_domain::oauth::secret::Secret;
use paceline_domain::oauth::store::OAuthStore;
use paceline_domain::password::Password;
use paceline_domain::resets::{self, RESET_LIFETIME, ResetError, ResetStore};
use paceline_domain::store::{AccountStore, CreatedUser};
use paceline_domain::{FixedClock, StoreError};
use paceline_store_sql::SqlStore;
use paceline_testkit::{TestContext, on_both_engines};
use rand::SeedableRng;
use rand::rngs::StdRng;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

on_both_engines!(
    an_invitation_makes_one_account_and_closes,
    expired_and_withdrawn_invitations_do_nothing,
    a_member_joins_once_and_a_refused_join_keeps_the_link_open,
    a_removed_member_keeps_their_records_and_leaves_their_coaches,
    a_reset_link_works_once_and_ends_every_session,
);

const T0: OffsetDateTime = datetime!(2026-12-01 09:00 UTC);

fn rng() -> StdRng {
    StdRng::seed_from_u64(7)
}

async fn member(
    store: &SqlStore,
    email: &str,
    org: Option<&str>,
    role: Option<Role>,
) -> CreatedUser {
    accounts::create_user(
        store,
        &FixedClock::new(T0),
        UserRequest {
            email: email.into(),
            password: Password::new("a long enough password"),
            name: "Olive Owner".into(),
            organization: org.map(Into::into),
            role,
        },
    )
    .await
    .unwrap()
}

/// A coaching company with its owner.
async fn company(store: &SqlStore) -> (OrgId, CreatedUser) {
    let org = accounts::create_organization(store, &FixedClock::new(T0), "Tempo Coaching")
        .await
        .unwrap();
    let owner = member(
        store,
        "owner@tempo.example",
        Some("Tempo Coaching"),
        Some(Role::Owner),
    )
    .await;
    (org.id, owner)
}

fn acceptance(email: &str) -> Acceptance {
    Acceptance {
        name: "Ines Invited".into(),
        email: email.into(),
        password: Password::new("another long password"),
    }
}

async fn an_invitation_makes_one_account_and_closes(db: TestContext) {
    let store = db.open().await;
    let clock = FixedClock::new(T0);
    let (org, owner) = company(&store).await;
    let (invitation, token) = invitations::invite(
        &store,
        &clock,
        &mut rng(),
        owner.user.id,
        org,
        Role::Athlete,
        Some("ines@example.com"),
    )
    .await
    .unwrap();
    assert_eq!(invitation.expires_at, T0 + INVITATION_LIFETIME);
    assert!(token.expose().starts_with("pli_"));
    let opened = invitations::open_invitation(&store, &clock, token.expose())
        .await
        .unwrap();
    assert_eq!(opened.role, Role::Athlete);
    assert_eq!(
        opened.email.as_ref().map(|e| e.as_str()),
        Some("ines@example.com")
    );
    let created = invitations::accept(
        &store,
        &clock,
        token.expose(),
        acceptance("ines@example.com"),
    )
    .await
    .unwrap();
    assert_eq!(created.membership.organization_id, org);
    assert_eq!(created.membership.role, Role::Athlete);
    assert_eq!(created.organization.kind, OrgKind::Team);
    assert!(
        store
            .athlete_settings(created.user.id)
            .await
            .unwrap()
            .is_some(),
        "an invited athlete has settings like any other"
    );
    let again = invitations::accept(
        &store,
        &clock,
        token.expose(),
        acceptance("other@example.com"),
    )
    .await;
    assert!(matches!(again, Err(InvitationError::Closed)), "{again:?}");
    assert!(
        store
            .find_user_by_email(&paceline_domain::email::Email::parse("other@example.com").unwrap())
            .await
            .unwrap()
            .is_none(),
        "a used link makes nothing"
    );
    let listed = store.invitations_of(org).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].accepted, Some((T0, Some(created.user.id))));
    assert_eq!(
        store
            .invitation_by_token(&Secret::new("pli_unknown").hash())
            .await
            .unwrap(),
        None
    );
}

async fn expired_and_withdrawn_invitations_do_nothing(db: TestContext) {
    let store = db.open().await;
    let clock = FixedClock::new(T0);
    let (org, owner) = company(&store).await;
    let (_, token) = invitations::invite(
        &store,
        &clock,
        &mut rng(),
        owner.user.id,
        org,
        Role::Coach,
        None,
    )
    .await
    .unwrap();
    let later = FixedClock::new(T0 + INVITATION_LIFETIME);
    assert!(matches!(
        invitations::open_invitation(&store, &later, token.expose()).await,
        Err(InvitationError::Closed)
    ));
    assert!(matches!(
        invitations::accept(
            &store,
            &later,
            token.expose(),
            acceptance("late@example.com")
        )
        .await,
        Err(InvitationError::Closed)
    ));
    let (withdrawn, token) = invitations::invite(
        &store,
        &clock,
        &mut StdRng::seed_from_u64(8),
        owner.user.id,
        org,
        Role::Coach,
        None,
    )
    .await
    .unwrap();
    assert!(
        invitations::revoke(&store, &clock, owner.user.id, org, withdrawn.id)
            .await
            .unwrap()
    );
    assert!(
        !invitations::revoke(&store, &clock, owner.user.id, org, withdrawn.id)
            .await
            .unwrap()
    );
    assert!(matches!(
        invitations::accept(
            &store,
            &clock,
            token.expose(),
            acceptance("late@example.com")
        )
        .await,
        Err(InvitationError::Closed)
    ));
    // Only an owner of the company invites or withdraws.
    let coach = member(
        &store,
        "coach@tempo.example",
        Some("Tempo Coaching"),
        Some(Role::Coach),
    )
    .await;
    assert!(matches!(
        invitations::invite(
            &store,
            &clock,
            &mut rng(),
            coach.user.id,
            org,
            Role::Athlete,
            None
        )
        .await,
        Err(InvitationError::NotOwner)
    ));
    let outsider = member(&store, "lone@example.com", None, None).await;
    assert!(
        matches!(
            invitations::invite(
                &store,
                &clock,
                &mut rng(),
                outsider.user.id,
                outsider.organization.id,
                Role::Athlete,
                None
            )
            .await,
            Err(InvitationError::NotOwner)
        ),
        "a personal organization invites nobody"
    );
}

async fn a_member_joins_once_and_a_refused_join_keeps_the_link_open(db: TestContext) {
    let store = db.open().await;
    let clock = FixedClock::new(T0);
    let (org, owner) = company(&store).await;
    let existing = member(&store, "runner@example.com", None, None).await;
    let mut rng = rng();
    let (_, first) = invitations::invite(
        &store,
        &clock,
        &mut rng,
        owner.user.id,
        org,
        Role::Athlete,
        None,
    )
    .await
    .unwrap();
    let joined = invitations::join(&store, &clock, first.expose(), &existing.user)
        .await
        .unwrap();
    assert_eq!((joined.organization_id, joined.role), (org, Role::Athlete));
    let (second, token) = invitations::invite(
        &store,
        &clock,
        &mut rng,
        owner.user.id,
        org,
        Role::Athlete,
        None,
    )
    .await
    .unwrap();
    assert!(matches!(
        invitations::join(&store, &clock, token.expose(), &existing.user).await,
        Err(InvitationError::AlreadyMember)
    ));
    let kept = store
        .invitation_by_token(&token.hash())
        .await
        .unwrap()
        .unwrap();
    assert!(kept.is_open(T0), "the refused join wrote nothing: {kept:?}");
    assert_eq!(kept.id, second.id);
}

async fn a_removed_member_keeps_their_records_and_leaves_their_coaches(db: TestContext) {
    let store = db.open().await;
    let clock = FixedClock::new(T0);
    let (org, owner) = company(&store).await;
    let coach = member(
        &store,
        "coach@tempo.example",
        Some("Tempo Coaching"),
        Some(Role::Coach),
    )
    .await;
    let athlete = member(&store, "ath@tempo.example", Some("Tempo Coaching"), None).await;
    accounts::assign_coach(
        &store,
        &clock,
        "coach@tempo.example",
        "ath@tempo.example",
        None,
    )
    .await
    .unwrap();
    let activity = store
        .record_activity(NewActivity {
            user_id: athlete.user.id,
            membership_id: athlete.membership.id,
            origin: ActivityOrigin::External,
            client: None,
            activity_type: ActivityType::Ride,
            title: Some("Before leaving".into()),
            started_at: T0,
            timezone: None,
            figures: Figures::default(),
            notes: None,
            source: None,
            legs: Vec::new(),
            now: T0,
        })
        .await
        .unwrap();
    assert!(
        store
            .acts_for(coach.user.id, athlete.user.id)
            .await
            .unwrap()
    );
    assert!(matches!(
        invitations::remove_member(&store, &clock, coach.user.id, org, athlete.membership.id).await,
        Err(InvitationError::NotOwner)
    ));
    assert!(matches!(
        invitations::remove_member(&store, &clock, owner.user.id, org, owner.membership.id).await,
        Err(InvitationError::OwnSelf)
    ));
    invitations::remove_member(&store, &clock, owner.user.id, org, athlete.membership.id)
        .await
        .unwrap();
    assert!(
        !store
            .acts_for(coach.user.id, athlete.user.id)
            .await
            .unwrap()
    );
    assert!(
        !store
            .acts_for(owner.user.id, athlete.user.id)
            .await
            .unwrap()
    );
    let memberships = store.memberships_of_user(athlete.user.id).await.unwrap();
    assert_eq!(memberships.len(), 1);
    assert_eq!(
        memberships[0].membership.id, athlete.membership.id,
        "the same membership"
    );
    assert_eq!(memberships[0].organization.kind, OrgKind::Personal);
    assert_eq!(memberships[0].membership.role, Role::Owner);
    assert_eq!(memberships[0].organization.name, "Olive Owner (personal)");
    let kept = store
        .get_activity(athlete.user.id, activity.id)
        .await
        .unwrap()
        .expect("the athlete's activity stays theirs");
    assert_eq!(kept.organization_id, memberships[0].organization.id);
    assert_eq!(
        store
            .list_activities(athlete.user.id, RecordQuery::page(1, 10))
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    let members: Vec<_> = store
        .members_of(org)
        .await
        .unwrap()
        .into_iter()
        .map(|(m, _)| m.user_id)
        .collect();
    assert_eq!(members, vec![owner.user.id, coach.user.id]);
    assert!(matches!(
        invitations::remove_member(&store, &clock, owner.user.id, org, athlete.membership.id).await,
        Err(InvitationError::NoMember)
    ));
}

async fn a_reset_link_works_once_and_ends_every_session(db: TestContext) {
    let store = db.open().await;
    let clock = FixedClock::new(T0);
    let user = member(&store, "forgetful@example.com", None, None).await;
    let cookie = Secret::new("session-cookie");
    store
        .create_web_session(&cookie.hash(), user.user.id, T0, T0 + Duration::days(1))
        .await
        .unwrap();
    let token = resets::reset_link(&store, &clock, &mut rng(), user.user.id)
        .await
        .unwrap();
    assert_eq!(
        resets::open(&store, &clock, token.expose()).await.unwrap(),
        user.user.id
    );
    assert!(matches!(
        resets::reset(&store, &clock, token.expose(), "short").await,
        Err(ResetError::Account(_))
    ));
    assert_eq!(
        resets::reset(&store, &clock, token.expose(), "a brand new password")
            .await
            .unwrap(),
        user.user.id
    );
    let changed = store.get_user(user.user.id).await.unwrap().unwrap();
    assert!(
        changed
            .password_hash
            .verify(&Password::new("a brand new password"))
    );
    assert!(
        store
            .find_web_session(&cookie.hash(), T0)
            .await
            .unwrap()
            .is_none(),
        "signed out everywhere"
    );
    assert!(matches!(
        resets::reset(&store, &clock, token.expose(), "yet another password").await,
        Err(ResetError::Closed)
    ));
    let late = resets::reset_link(&store, &clock, &mut StdRng::seed_from_u64(9), user.user.id)
        .await
        .unwrap();
    let after = FixedClock::new(T0 + RESET_LIFETIME);
    assert!(matches!(
        resets::open(&store, &after, late.expose()).await,
        Err(ResetError::Closed)
    ));
    assert!(matches!(
        store
            .create_password_reset(
                &Secret::new("x").hash(),
                paceline_domain::ids::UserId(999_999),
                T0,
                T0
            )
            .await,
        Err(StoreError::NotFound("user"))
    ));
}
