//! Refresh tokens: rotation, reuse revoking the family, narrowing scopes, concurrent
//! refreshes and the grace period.

use super::World;
use paceline_domain::oauth::OAuthErrorCode;
use paceline_domain::oauth::token;
use paceline_testkit::{TestContext, on_both_engines};
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::sync::Arc;
use time::Duration;

on_both_engines!(
    refresh_rotates_and_reuse_revokes_the_family,
    refresh_narrows_but_never_widens,
    concurrent_refreshes_give_exactly_one_success,
    a_grace_period_allows_one_retry,
);

async fn refresh_rotates_and_reuse_revokes_the_family(db: TestContext) {
    let mut w = World::new(&db).await;
    let (client, _) = w.client(false, "profile:read activities:read").await;
    let session = w.user("max@example.com").await;
    let code = w
        .code(&client, &session, "profile:read activities:read")
        .await;
    let first = w.exchange(&client, &code).await.unwrap();
    let second = w
        .refresh(&client, &first.refresh_token, None)
        .await
        .unwrap();
    assert_ne!(second.refresh_token, first.refresh_token);
    let third = w
        .refresh(&client, &second.refresh_token, None)
        .await
        .unwrap();
    assert!(w.bearer(&third.access_token).await.is_ok());

    let reuse = w
        .refresh(&client, &first.refresh_token, None)
        .await
        .unwrap_err();
    assert_eq!(reuse.code, OAuthErrorCode::InvalidGrant);
    assert!(
        w.refresh(&client, &third.refresh_token, None)
            .await
            .is_err(),
        "the family is revoked"
    );
    for tokens in [&first, &second, &third] {
        assert!(w.bearer(&tokens.access_token).await.is_err());
    }
    // A token of another client, an access token as refresh token: invalid_grant.
    let (other, _) = w.client(false, "profile:read").await;
    let code = w.code(&client, &session, "profile:read").await;
    let fresh = w.exchange(&client, &code).await.unwrap();
    assert_eq!(
        w.refresh(&other, &fresh.refresh_token, None)
            .await
            .unwrap_err()
            .code,
        OAuthErrorCode::InvalidGrant
    );
    assert!(
        w.refresh(&client, &fresh.refresh_token, None).await.is_ok(),
        "another client's try did not burn it"
    );
    assert!(w.refresh(&client, &fresh.access_token, None).await.is_err());
}

async fn refresh_narrows_but_never_widens(db: TestContext) {
    let mut w = World::new(&db).await;
    let (client, _) = w
        .client(false, "profile:read activities:read activities:write")
        .await;
    let session = w.user("max@example.com").await;
    let code = w
        .code(&client, &session, "profile:read activities:read")
        .await;
    let first = w.exchange(&client, &code).await.unwrap();
    let widened = w
        .refresh(
            &client,
            &first.refresh_token,
            Some("profile:read activities:write"),
        )
        .await;
    assert_eq!(widened.unwrap_err().code, OAuthErrorCode::InvalidScope);
    let narrowed = w
        .refresh(&client, &first.refresh_token, Some("profile:read"))
        .await
        .unwrap();
    assert_eq!(narrowed.scope.to_string(), "profile:read");
    assert_eq!(
        w.bearer(&narrowed.access_token).await.unwrap().scopes,
        narrowed.scope
    );
    let full = w
        .refresh(&client, &narrowed.refresh_token, None)
        .await
        .unwrap();
    assert_eq!(
        full.scope.to_string(),
        "profile:read activities:read",
        "the refresh token kept every scope"
    );
}

async fn concurrent_refreshes_give_exactly_one_success(db: TestContext) {
    let mut w = World::new(&db).await;
    let (client, _) = w.client(false, "profile:read").await;
    let session = w.user("max@example.com").await;
    let code = w.code(&client, &session, "profile:read").await;
    let first = w.exchange(&client, &code).await.unwrap();
    let World {
        store,
        clock,
        settings,
        ..
    } = w;
    let shared = Arc::new((store, clock, settings, client));
    let mut tasks = Vec::new();
    for seed in 0..5 {
        let shared = shared.clone();
        let rt = first.refresh_token.clone();
        tasks.push(tokio::spawn(async move {
            let (store, clock, settings, client) = shared.as_ref();
            let mut rng = StdRng::seed_from_u64(seed);
            token::refresh(store, clock, &mut rng, settings, client, rt.expose(), None).await
        }));
    }
    let mut successes = 0;
    for task in tasks {
        if task.await.unwrap().is_ok() {
            successes += 1;
        }
    }
    assert_eq!(successes, 1);
}

async fn a_grace_period_allows_one_retry(db: TestContext) {
    let mut w = World::new(&db).await;
    w.settings.refresh_grace = Duration::seconds(10);
    let (client, _) = w.client(false, "profile:read").await;
    let session = w.user("max@example.com").await;
    let code = w.code(&client, &session, "profile:read").await;
    let first = w.exchange(&client, &code).await.unwrap();
    let lost = w
        .refresh(&client, &first.refresh_token, None)
        .await
        .unwrap();
    w.clock.advance(Duration::seconds(5));
    let retried = w
        .refresh(&client, &first.refresh_token, None)
        .await
        .unwrap();
    assert!(w.bearer(&retried.access_token).await.is_ok());
    assert!(
        w.bearer(&lost.access_token).await.is_err(),
        "the lost pair stops working"
    );
    assert!(w.refresh(&client, &lost.refresh_token, None).await.is_err());
    let again = w.refresh(&client, &first.refresh_token, None).await;
    assert_eq!(
        again.unwrap_err().code,
        OAuthErrorCode::InvalidGrant,
        "only one retry"
    );
    assert!(
        w.bearer(&retried.access_token).await.is_err(),
        "a second retry revokes the family"
    );

    // A stolen spent token is no retry once the client has moved on: reuse, family revoked.
    let code = w.code(&client, &session, "profile:read").await;
    let first = w.exchange(&client, &code).await.unwrap();
    let second = w
        .refresh(&client, &first.refresh_token, None)
        .await
        .unwrap();
    let third = w
        .refresh(&client, &second.refresh_token, None)
        .await
        .unwrap();
    assert!(
        w.refresh(&client, &first.refresh_token, None)
            .await
            .is_err()
    );
    assert!(
        w.bearer(&third.access_token).await.is_err(),
        "the family is revoked"
    );

    let code = w.code(&client, &session, "profile:read").await;
    let first = w.exchange(&client, &code).await.unwrap();
    let next = w
        .refresh(&client, &first.refresh_token, None)
        .await
        .unwrap();
    w.clock.advance(Duration::seconds(11));
    assert!(
        w.refresh(&client, &first.refresh_token, None)
            .await
            .is_err(),
        "after the window"
    );
    assert!(
        w.bearer(&next.access_token).await.is_err(),
        "reuse after the window revokes the family"
    );
}
