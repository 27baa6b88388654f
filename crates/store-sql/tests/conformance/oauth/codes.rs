//! Authorization codes: exchanged once (a replay revokes), checked against the client,
//! redirect, expiry and verifier.

use super::{REDIRECT, VERIFIER, World};
use paceline_domain::oauth::OAuthErrorCode;
use paceline_domain::oauth::secret::Secret;
use paceline_domain::oauth::token::{self, CodeExchange};
use paceline_testkit::{TestContext, on_both_engines};
use time::Duration;

on_both_engines!(
    codes_exchange_once_and_replay_revokes,
    code_exchange_checks_client_redirect_expiry_and_verifier,
);

async fn codes_exchange_once_and_replay_revokes(db: TestContext) {
    let mut w = World::new(&db).await;
    let (client, _) = w.client(false, "profile:read activities:read").await;
    let session = w.user("max@example.com").await;
    let code = w.code(&client, &session, "profile:read").await;
    let tokens = w.exchange(&client, &code).await.unwrap();
    assert!(tokens.access_token.expose().starts_with("tia_at_"));
    assert!(tokens.refresh_token.expose().starts_with("tia_rt_"));
    assert_eq!(tokens.expires_in, 3600);
    assert_eq!(tokens.scope.to_string(), "profile:read");
    let grant = w.bearer(&tokens.access_token).await.unwrap();
    assert_eq!(grant.user_id, session.user_id);
    assert_eq!(grant.client_id, client.client_id);

    let replay = w.exchange(&client, &code).await.unwrap_err();
    assert_eq!(replay.code, OAuthErrorCode::InvalidGrant);
    assert!(
        w.bearer(&tokens.access_token).await.is_err(),
        "the replay revoked the tokens"
    );
    assert!(
        w.refresh(&client, &tokens.refresh_token, None)
            .await
            .is_err()
    );
}

async fn code_exchange_checks_client_redirect_expiry_and_verifier(db: TestContext) {
    let mut w = World::new(&db).await;
    let (client, _) = w.client(false, "profile:read").await;
    let (other, _) = w.client(false, "profile:read").await;
    let session = w.user("max@example.com").await;

    let code = w.code(&client, &session, "profile:read").await;
    assert_eq!(
        w.exchange(&other, &code).await.unwrap_err().code,
        OAuthErrorCode::InvalidGrant
    );
    assert!(
        w.exchange(&client, &code).await.is_err(),
        "a code tried by another client is spent"
    );

    for (redirect, verifier) in [
        (Some("https://your.app/oauth/callback/"), Some(VERIFIER)),
        (None, Some(VERIFIER)),
        (Some(REDIRECT), None),
        (
            Some(REDIRECT),
            Some("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXK"),
        ),
        (Some(REDIRECT), Some("short")),
    ] {
        let code = w.code(&client, &session, "profile:read").await;
        let result = token::exchange_code(
            &w.store,
            &w.clock,
            &mut w.rng,
            &w.settings,
            &client,
            CodeExchange {
                code: code.expose(),
                redirect_uri: redirect,
                code_verifier: verifier,
            },
        )
        .await;
        assert_eq!(
            result.unwrap_err().code,
            OAuthErrorCode::InvalidGrant,
            "{redirect:?} {verifier:?}"
        );
    }

    let code = w.code(&client, &session, "profile:read").await;
    w.clock.advance(Duration::seconds(61));
    assert_eq!(
        w.exchange(&client, &code).await.unwrap_err().code,
        OAuthErrorCode::InvalidGrant
    );
    let unknown = Secret::new("no-such-code");
    assert_eq!(
        w.exchange(&client, &unknown).await.unwrap_err().code,
        OAuthErrorCode::InvalidGrant
    );
}
