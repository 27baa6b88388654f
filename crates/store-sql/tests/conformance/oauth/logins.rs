//! Login sessions, and a password change ending them and revoking the tokens.

use super::World;
use paceline_domain::accounts;
use paceline_domain::oauth::sessions::{self, LoginError};
use paceline_domain::password::Password;
use paceline_domain::store::AccountStore;
use paceline_testkit::{TestContext, on_both_engines};
use rand::SeedableRng;
use rand::rngs::StdRng;
use time::Duration;

on_both_engines!(
    login_sessions,
    a_password_change_ends_sessions_and_revokes_tokens,
    a_password_changed_by_its_owner_keeps_only_their_new_session,
    signing_out_everywhere_ends_every_session_of_one_user,
);

/// Opens a login session of `email` with the demo password.
async fn logged_in(
    w: &World,
    rng: &mut StdRng,
    email: &str,
) -> paceline_domain::oauth::secret::Secret {
    sessions::login(
        &w.store,
        &w.clock,
        rng,
        &w.settings,
        email,
        Password::new("a long enough password"),
    )
    .await
    .unwrap()
    .0
}

async fn live(w: &World, cookie: &paceline_domain::oauth::secret::Secret) -> bool {
    sessions::current(&w.store, &w.clock, cookie.expose())
        .await
        .unwrap()
        .is_some()
}

async fn login_sessions(db: TestContext) {
    let w = World::new(&db).await;
    let session = w.user("max@example.com").await;
    let mut rng = StdRng::seed_from_u64(1);
    for (email, password) in [
        ("max@example.com", "wrong password"),
        ("nobody@example.com", "a long enough password"),
        ("not an email", "x"),
    ] {
        let result = sessions::login(
            &w.store,
            &w.clock,
            &mut rng,
            &w.settings,
            email,
            Password::new(password),
        )
        .await;
        assert!(matches!(result, Err(LoginError::BadCredentials)), "{email}");
    }
    let (cookie, opened) = sessions::login(
        &w.store,
        &w.clock,
        &mut rng,
        &w.settings,
        "MAX@example.com",
        Password::new("a long enough password"),
    )
    .await
    .unwrap();
    assert_eq!(opened.user_id, session.user_id);
    assert_eq!(
        sessions::current(&w.store, &w.clock, cookie.expose())
            .await
            .unwrap(),
        Some(opened.clone())
    );
    assert_eq!(
        sessions::current(&w.store, &w.clock, "pl_ses_forged")
            .await
            .unwrap(),
        None
    );
    w.clock.advance(Duration::hours(12));
    assert_eq!(
        sessions::current(&w.store, &w.clock, cookie.expose())
            .await
            .unwrap(),
        None,
        "expired"
    );
    sessions::logout(&w.store, cookie.expose()).await.unwrap();
}

async fn a_password_change_ends_sessions_and_revokes_tokens(db: TestContext) {
    let mut w = World::new(&db).await;
    let (client, _) = w.client(false, "profile:read").await;
    let session = w.user("max@example.com").await;
    let code = w.code(&client, &session, "profile:read").await;
    let tokens = w.exchange(&client, &code).await.unwrap();
    let mut rng = StdRng::seed_from_u64(9);
    let (cookie, _) = sessions::login(
        &w.store,
        &w.clock,
        &mut rng,
        &w.settings,
        "max@example.com",
        Password::new("a long enough password"),
    )
    .await
    .unwrap();
    accounts::set_password(
        &w.store,
        &w.clock,
        "max@example.com",
        Password::new("a brand new password"),
    )
    .await
    .unwrap();
    assert!(
        w.bearer(&tokens.access_token).await.is_err(),
        "tokens are revoked"
    );
    assert!(
        w.refresh(&client, &tokens.refresh_token, None)
            .await
            .is_err()
    );
    assert_eq!(
        sessions::current(&w.store, &w.clock, cookie.expose())
            .await
            .unwrap(),
        None,
        "sessions end"
    );
}

async fn a_password_changed_by_its_owner_keeps_only_their_new_session(db: TestContext) {
    use paceline_domain::oauth::sessions::PasswordChangeError;
    let w = World::new(&db).await;
    let session = w.user("max@example.com").await;
    let mut rng = StdRng::seed_from_u64(3);
    let here = logged_in(&w, &mut rng, "max@example.com").await;
    let elsewhere = logged_in(&w, &mut rng, "max@example.com").await;
    let user = w.store.get_user(session.user_id).await.unwrap().unwrap();
    let change = |current: &'static str, new: &'static str| {
        let (store, clock, settings, user) = (&w.store, &w.clock, &w.settings, user.clone());
        async move {
            let mut rng = StdRng::seed_from_u64(4);
            sessions::change_password(
                store,
                clock,
                &mut rng,
                settings,
                &user,
                Password::new(current),
                new,
            )
            .await
        }
    };
    assert!(matches!(
        change("not my password", "a brand new password").await,
        Err(PasswordChangeError::WrongPassword)
    ));
    assert!(matches!(
        change("a long enough password", "short").await,
        Err(PasswordChangeError::Weak(_))
    ));
    assert!(
        live(&w, &here).await && live(&w, &elsewhere).await,
        "refusals change nothing"
    );
    let (fresh, opened) = change("a long enough password", "a brand new password")
        .await
        .unwrap();
    assert_eq!(opened.user_id, session.user_id);
    assert!(!live(&w, &here).await && !live(&w, &elsewhere).await);
    assert!(
        live(&w, &fresh).await,
        "the person who changed it stays signed in"
    );
    let stored = w.store.get_user(session.user_id).await.unwrap().unwrap();
    assert!(
        stored
            .password_hash
            .verify(&Password::new("a brand new password"))
    );
}

async fn signing_out_everywhere_ends_every_session_of_one_user(db: TestContext) {
    let w = World::new(&db).await;
    let max = w.user("max@example.com").await;
    w.user("evelyn@example.com").await;
    let mut rng = StdRng::seed_from_u64(5);
    let one = logged_in(&w, &mut rng, "max@example.com").await;
    let two = logged_in(&w, &mut rng, "max@example.com").await;
    let eves = logged_in(&w, &mut rng, "evelyn@example.com").await;
    // Max's two, and the one `user` opened.
    assert_eq!(
        sessions::sign_out_everywhere(&w.store, max.user_id)
            .await
            .unwrap(),
        3
    );
    assert!(!live(&w, &one).await && !live(&w, &two).await);
    assert!(live(&w, &eves).await, "another user's session stays");
    assert_eq!(
        sessions::sign_out_everywhere(&w.store, max.user_id)
            .await
            .unwrap(),
        0
    );
}
