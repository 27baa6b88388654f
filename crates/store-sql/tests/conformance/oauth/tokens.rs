//! Access tokens: bearer checks (expiry, the client's scopes) and revocation (RFC 7009).

use super::World;
use paceline_domain::Clock;
use paceline_domain::oauth::Scope;
use paceline_domain::oauth::bearer::BearerError;
use paceline_domain::oauth::clients::{self, Update};
use paceline_domain::oauth::secret::Secret;
use paceline_domain::oauth::store::OAuthStore;
use paceline_domain::oauth::token;
use paceline_testkit::{TestContext, on_both_engines};
use time::Duration;

on_both_engines!(
    bearer_tokens_expire_and_follow_the_client_scopes,
    revocation_follows_rfc_7009,
);

async fn bearer_tokens_expire_and_follow_the_client_scopes(db: TestContext) {
    let mut w = World::new(&db).await;
    let (client, _) = w
        .client(false, "profile:read activities:read activities:write")
        .await;
    let session = w.user("max@example.com").await;
    let code = w
        .code(&client, &session, "profile:read activities:write")
        .await;
    let tokens = w.exchange(&client, &code).await.unwrap();
    let grant = w.bearer(&tokens.access_token).await.unwrap();
    assert!(grant.require(Scope::ActivitiesWrite).is_ok());
    assert_eq!(
        grant.require(Scope::ActivitiesRead),
        Err(Scope::ActivitiesRead)
    );

    clients::update(
        &w.store,
        &w.clock,
        &client.client_id,
        Update {
            scopes: Some("profile:read".into()),
            ..Update::default()
        },
    )
    .await
    .unwrap();
    let grant = w.bearer(&tokens.access_token).await.unwrap();
    assert_eq!(
        grant.require(Scope::ActivitiesWrite),
        Err(Scope::ActivitiesWrite),
        "withdrawn at once"
    );
    let refreshed = w
        .refresh(&client, &tokens.refresh_token, None)
        .await
        .unwrap();
    assert_eq!(refreshed.scope.to_string(), "profile:read");

    w.clock.advance(Duration::seconds(3600));
    assert!(matches!(
        w.bearer(&refreshed.access_token).await,
        Err(BearerError::InvalidToken(_))
    ));
    for junk in ["", "tia_at_", "tia_rt_x", "Bearer tia_at_x"] {
        assert!(w.bearer(&Secret::new(junk)).await.is_err(), "{junk}");
    }
}

async fn revocation_follows_rfc_7009(db: TestContext) {
    let mut w = World::new(&db).await;
    let (client, _) = w.client(false, "profile:read").await;
    let (other, _) = w.client(false, "profile:read").await;
    let session = w.user("max@example.com").await;
    let code = w.code(&client, &session, "profile:read").await;
    let tokens = w.exchange(&client, &code).await.unwrap();

    token::revoke(&w.store, &w.clock, &other, tokens.access_token.expose())
        .await
        .unwrap();
    assert!(
        w.bearer(&tokens.access_token).await.is_ok(),
        "another client cannot revoke it"
    );
    token::revoke(&w.store, &w.clock, &client, "not a token")
        .await
        .unwrap();

    token::revoke(&w.store, &w.clock, &client, tokens.access_token.expose())
        .await
        .unwrap();
    assert!(w.bearer(&tokens.access_token).await.is_err());
    let next = w
        .refresh(&client, &tokens.refresh_token, None)
        .await
        .unwrap();
    token::revoke(&w.store, &w.clock, &client, next.refresh_token.expose())
        .await
        .unwrap();
    assert!(
        w.bearer(&next.access_token).await.is_err(),
        "revoking the refresh token revokes the family"
    );

    // Revoking the consent revokes every family of the user for the client.
    let code = w.code(&client, &session, "profile:read").await;
    let tokens = w.exchange(&client, &code).await.unwrap();
    assert!(
        w.store
            .revoke_consent(session.user_id, client.key, w.clock.now())
            .await
            .unwrap()
    );
    assert!(w.bearer(&tokens.access_token).await.is_err());
    assert!(
        w.store
            .list_consents(session.user_id)
            .await
            .unwrap()
            .is_empty()
    );
}
