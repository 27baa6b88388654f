//! Login sessions, and a password change ending them and revoking the tokens.

use super::World;
use paceline_domain::accounts;
use paceline_domain::oauth::sessions::{self, LoginError};
use paceline_domain::password::Password;
use paceline_testkit::{TestContext, on_both_engines};
use rand::SeedableRng;
use rand::rngs::StdRng;
use time::Duration;

on_both_engines!(
    login_sessions,
    a_password_change_ends_sessions_and_revokes_tokens,
);

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
