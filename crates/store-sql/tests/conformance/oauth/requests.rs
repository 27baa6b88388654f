//! Authorization requests: validated in order, and consent asked once then remembered.

use super::{CHALLENGE, REDIRECT, World, query};
use paceline_domain::oauth::authorize::{self, NextStep, Rejection};
use paceline_domain::oauth::store::WebSession;
use paceline_domain::oauth::{OAuthErrorCode, Scope, ScopeSet};
use paceline_store_sql::SqlStore;
use paceline_testkit::{TestContext, on_both_engines};

on_both_engines!(
    authorization_requests_are_validated_in_order,
    consent_is_asked_once_then_remembered,
);

async fn authorization_requests_are_validated_in_order(db: TestContext) {
    let mut w = World::new(&db).await;
    let (client, _) = w.client(false, "profile:read activities:read").await;
    let good = [
        ("response_type", "code"),
        ("client_id", client.client_id.as_str()),
        ("redirect_uri", REDIRECT),
        ("scope", "profile:read"),
        ("state", "s1"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ];
    let request = authorize::validate(&w.store, &query(&good)).await.unwrap();
    assert_eq!(request.scopes, ScopeSet::of(Scope::ProfileRead));
    assert_eq!(request.state.as_deref(), Some("s1"));

    let with = |name: &str, value: &str| {
        let mut pairs = query(&good);
        pairs.retain(|(k, _)| k != name);
        if !value.is_empty() {
            pairs.push((name.to_owned(), value.to_owned()));
        }
        pairs
    };
    // Client and redirect URI problems never redirect, even combined with other errors.
    for pairs in [
        with("client_id", "nope"),
        with("client_id", ""),
        with("redirect_uri", "https://your.app/oauth/callback/"),
        with("redirect_uri", "https://YOUR.app/oauth/callback"),
        with("redirect_uri", ""),
        {
            let mut p = with("redirect_uri", "https://evil.example/cb");
            p.retain(|(k, _)| k != "code_challenge");
            p
        },
        {
            let mut p = query(&good);
            p.push(("redirect_uri".into(), REDIRECT.into()));
            p
        },
    ] {
        let rejection = authorize::validate(&w.store, &pairs).await.unwrap_err();
        assert!(
            matches!(rejection, Rejection::Page { .. }),
            "{pairs:?}: {rejection:?}"
        );
    }
    // Everything else redirects with the right code.
    for (pairs, code) in [
        (
            with("response_type", "token"),
            OAuthErrorCode::UnsupportedResponseType,
        ),
        (with("response_type", ""), OAuthErrorCode::InvalidRequest),
        (
            with("scope", "profile:read upload"),
            OAuthErrorCode::InvalidScope,
        ),
        (
            with("scope", "profile:read\nx"),
            OAuthErrorCode::InvalidScope,
        ),
        (with("code_challenge", ""), OAuthErrorCode::InvalidRequest),
        (
            with("code_challenge_method", ""),
            OAuthErrorCode::InvalidRequest,
        ),
        (
            with("code_challenge_method", "plain"),
            OAuthErrorCode::InvalidRequest,
        ),
        (
            with("code_challenge_method", "s256"),
            OAuthErrorCode::InvalidRequest,
        ),
        (
            with("code_challenge", &CHALLENGE[..42]),
            OAuthErrorCode::InvalidRequest,
        ),
        (with("prompt", "none login"), OAuthErrorCode::InvalidRequest),
        (with("prompt", "sometimes"), OAuthErrorCode::InvalidRequest),
    ] {
        match authorize::validate(&w.store, &pairs).await.unwrap_err() {
            Rejection::Redirect {
                redirect_uri,
                error,
                state,
            } => {
                assert_eq!(redirect_uri, REDIRECT);
                assert_eq!(error.code, code, "{pairs:?}");
                assert_eq!(state.as_deref(), Some("s1"));
            }
            other => panic!("{pairs:?}: {other:?}"),
        }
    }
    // An omitted scope means everything the client may request.
    let request = authorize::validate(&w.store, &with("scope", ""))
        .await
        .unwrap();
    assert_eq!(request.scopes, client.allowed_scopes);
}

async fn consent_is_asked_once_then_remembered(db: TestContext) {
    let mut w = World::new(&db).await;
    let (client, _) = w
        .client(false, "profile:read activities:read activities:write")
        .await;
    let session = w.user("max@example.com").await;
    let pairs = |scope: &str, prompt: &str| {
        let mut p = query(&[
            ("response_type", "code"),
            ("client_id", &client.client_id),
            ("redirect_uri", REDIRECT),
            ("scope", scope),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ]);
        if !prompt.is_empty() {
            p.push(("prompt".into(), prompt.into()));
        }
        p
    };
    assert_eq!(
        step(&w.store, pairs("profile:read", ""), None).await,
        Ok(NextStep::Login)
    );
    assert!(
        matches!(step(&w.store, pairs("profile:read", "none"), None).await,
        Err(Rejection::Redirect { error, .. }) if error.code == OAuthErrorCode::LoginRequired)
    );
    assert_eq!(
        step(
            &w.store,
            pairs("profile:read activities:read", ""),
            Some(session.clone())
        )
        .await,
        Ok(NextStep::Consent)
    );
    assert!(
        matches!(step(&w.store, pairs("profile:read", "none"), Some(session.clone())).await,
        Err(Rejection::Redirect { error, .. }) if error.code == OAuthErrorCode::ConsentRequired)
    );

    w.code(&client, &session, "profile:read activities:read")
        .await;
    assert_eq!(
        step(
            &w.store,
            pairs("profile:read activities:read", ""),
            Some(session.clone())
        )
        .await,
        Ok(NextStep::Approve)
    );
    assert_eq!(
        step(
            &w.store,
            pairs("activities:read", "none"),
            Some(session.clone())
        )
        .await,
        Ok(NextStep::Approve)
    );
    assert_eq!(
        step(
            &w.store,
            pairs("activities:read", "consent"),
            Some(session.clone())
        )
        .await,
        Ok(NextStep::Consent)
    );
    assert_eq!(
        step(
            &w.store,
            pairs("activities:read", "login"),
            Some(session.clone())
        )
        .await,
        Ok(NextStep::Login)
    );
    assert_eq!(
        step(
            &w.store,
            pairs("activities:write", ""),
            Some(session.clone())
        )
        .await,
        Ok(NextStep::Consent),
        "a new scope"
    );
}

async fn step(
    store: &SqlStore,
    pairs: Vec<(String, String)>,
    session: Option<WebSession>,
) -> Result<NextStep, Rejection> {
    let request = authorize::validate(store, &pairs).await.unwrap();
    authorize::next_step(store, &request, session.as_ref()).await
}
