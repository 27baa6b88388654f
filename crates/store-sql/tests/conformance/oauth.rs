//! The authorization server's engine over both engines: clients, codes, rotation, bearer
//! checks, revocation and login sessions.

use paceline_domain::accounts::{self, UserRequest};
use paceline_domain::oauth::authorize::{self, NextStep, Rejection};
use paceline_domain::oauth::bearer::{self, BearerError};
use paceline_domain::oauth::client::OAuthClient;
use paceline_domain::oauth::clients::{self, ClientError, Registration, Update};
use paceline_domain::oauth::secret::Secret;
use paceline_domain::oauth::sessions::{self, LoginError};
use paceline_domain::oauth::store::{OAuthStore, WebSession};
use paceline_domain::oauth::token::{self, ClientAuth, CodeExchange, IssuedTokens};
use paceline_domain::oauth::{OAuthErrorCode, OAuthSettings, Scope, ScopeSet};
use paceline_domain::password::Password;
use paceline_domain::{Clock, FixedClock};
use paceline_store_sql::SqlStore;
use paceline_testkit::{TestContext, on_both_engines};
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::sync::Arc;
use time::Duration;
use time::macros::datetime;

on_both_engines!(
    clients_are_registered_updated_rotated_and_deleted,
    bad_client_registrations_are_refused,
    clients_authenticate_by_their_kind,
    authorization_requests_are_validated_in_order,
    consent_is_asked_once_then_remembered,
    codes_exchange_once_and_replay_revokes,
    code_exchange_checks_client_redirect_expiry_and_verifier,
    refresh_rotates_and_reuse_revokes_the_family,
    refresh_narrows_but_never_widens,
    concurrent_refreshes_give_exactly_one_success,
    a_grace_period_allows_one_retry,
    bearer_tokens_expire_and_follow_the_client_scopes,
    revocation_follows_rfc_7009,
    login_sessions,
    a_password_change_ends_sessions_and_revokes_tokens,
);

const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const REDIRECT: &str = "https://your.app/oauth/callback";

/// A store with a clock and a seeded RNG; shared with the suites that need real clients.
pub(crate) struct World {
    pub(crate) store: SqlStore,
    clock: FixedClock,
    rng: StdRng,
    settings: OAuthSettings,
}

impl World {
    pub(crate) async fn new(db: &TestContext) -> Self {
        Self {
            store: db.open().await,
            clock: FixedClock::new(datetime!(2026-01-17 18:20:00 UTC)),
            rng: StdRng::seed_from_u64(42),
            settings: OAuthSettings::new("http://127.0.0.1:8080"),
        }
    }

    pub(crate) async fn client(
        &mut self,
        public: bool,
        scopes: &str,
    ) -> (OAuthClient, Option<Secret>) {
        let registration = Registration {
            name: "Your App".into(),
            redirect_uris: vec![REDIRECT.into(), "http://127.0.0.1/cb".into()],
            scopes: scopes.into(),
            public,
            client_id: None,
            secret: None,
        };
        clients::register(&self.store, &self.clock, &mut self.rng, registration)
            .await
            .unwrap()
    }

    async fn user(&self, email: &str) -> WebSession {
        let request = UserRequest {
            email: email.into(),
            password: Password::new("a long enough password"),
            name: "Max".into(),
            organization: None,
            role: None,
        };
        accounts::create_user(&self.store, &self.clock, request)
            .await
            .unwrap();
        let mut rng = StdRng::seed_from_u64(email.len() as u64);
        let (_, session) = sessions::login(
            &self.store,
            &self.clock,
            &mut rng,
            &self.settings,
            email,
            Password::new("a long enough password"),
        )
        .await
        .unwrap();
        session
    }

    /// Validates and approves an authorization request; returns the code.
    async fn code(&mut self, client: &OAuthClient, session: &WebSession, scope: &str) -> Secret {
        let pairs = query(&[
            ("response_type", "code"),
            ("client_id", &client.client_id),
            ("redirect_uri", REDIRECT),
            ("scope", scope),
            ("state", "xyz"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ]);
        let request = authorize::validate(&self.store, &pairs).await.unwrap();
        authorize::approve(
            &self.store,
            &self.clock,
            &mut self.rng,
            &self.settings,
            &request,
            session,
        )
        .await
        .unwrap()
    }

    async fn exchange(
        &mut self,
        client: &OAuthClient,
        code: &Secret,
    ) -> Result<IssuedTokens, paceline_domain::oauth::OAuthError> {
        token::exchange_code(
            &self.store,
            &self.clock,
            &mut self.rng,
            &self.settings,
            client,
            CodeExchange {
                code: code.expose(),
                redirect_uri: Some(REDIRECT),
                code_verifier: Some(VERIFIER),
            },
        )
        .await
    }

    async fn refresh(
        &mut self,
        client: &OAuthClient,
        rt: &Secret,
        scope: Option<&str>,
    ) -> Result<IssuedTokens, paceline_domain::oauth::OAuthError> {
        token::refresh(
            &self.store,
            &self.clock,
            &mut self.rng,
            &self.settings,
            client,
            rt.expose(),
            scope,
        )
        .await
    }

    async fn bearer(&self, at: &Secret) -> Result<bearer::AccessGrant, BearerError> {
        bearer::authenticate(&self.store, &self.clock, at.expose()).await
    }
}

fn query(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

async fn clients_are_registered_updated_rotated_and_deleted(db: TestContext) {
    let mut w = World::new(&db).await;
    let (client, secret) = w.client(false, "profile:read activities:read").await;
    let secret = secret.unwrap();
    assert!(client.client_id.starts_with("pcl_"));
    assert_eq!(secret.expose().len(), 48);
    assert_eq!(
        client.secret_hash,
        Some(secret.hash()),
        "only the hash is kept"
    );
    assert_eq!(
        w.store.find_client(&client.client_id).await.unwrap(),
        Some(client.clone())
    );

    let (public, none) = w.client(true, "read write upload").await;
    assert!(none.is_none() && public.secret_hash.is_none());
    assert_eq!(
        w.store.list_clients().await.unwrap(),
        vec![client.clone(), public.clone()]
    );

    let updated = clients::update(
        &w.store,
        &w.clock,
        &client.client_id,
        Update {
            name: Some("Renamed".into()),
            redirect_uris: Some(vec!["https://new.app/cb".into()]),
            scopes: Some("profile:read".into()),
        },
    )
    .await
    .unwrap();
    assert_eq!(
        w.store.find_client(&client.client_id).await.unwrap(),
        Some(updated.clone())
    );
    assert_eq!(updated.redirect_uris, vec!["https://new.app/cb".to_owned()]);

    let (_, new_secret) = clients::rotate_secret(&w.store, &w.clock, &mut w.rng, &client.client_id)
        .await
        .unwrap();
    let old = ClientAuth::Basic {
        client_id: client.client_id.clone(),
        secret: secret.clone(),
    };
    assert!(token::authenticate_client(&w.store, &old).await.is_err());
    let new = ClientAuth::Basic {
        client_id: client.client_id.clone(),
        secret: new_secret,
    };
    assert!(token::authenticate_client(&w.store, &new).await.is_ok());
    assert!(matches!(
        clients::rotate_secret(&w.store, &w.clock, &mut w.rng, &public.client_id).await,
        Err(ClientError::PublicClient(_))
    ));

    clients::delete(&w.store, &client.client_id).await.unwrap();
    assert_eq!(w.store.find_client(&client.client_id).await.unwrap(), None);
    assert!(matches!(
        clients::delete(&w.store, &client.client_id).await,
        Err(ClientError::UnknownClient(_))
    ));
}

async fn bad_client_registrations_are_refused(db: TestContext) {
    let mut w = World::new(&db).await;
    let base = Registration {
        name: "App".into(),
        redirect_uris: vec![REDIRECT.into()],
        scopes: "read".into(),
        public: false,
        client_id: Some("my-app".into()),
        secret: Some(Secret::new("abcdefghijklmnopqrstuvwxyz-_.~0123456789")),
    };
    let (client, secret) = clients::register(&w.store, &w.clock, &mut w.rng, base.clone())
        .await
        .unwrap();
    assert_eq!(client.client_id, "my-app");
    assert_eq!(
        secret.unwrap().expose(),
        "abcdefghijklmnopqrstuvwxyz-_.~0123456789"
    );
    let cases: Vec<(Registration, &str)> = vec![
        (base.clone(), "duplicate"),
        (
            Registration {
                client_id: None,
                redirect_uris: vec![],
                ..base.clone()
            },
            "no uri",
        ),
        (
            Registration {
                client_id: None,
                redirect_uris: vec!["http://evil.example/cb".into()],
                ..base.clone()
            },
            "http",
        ),
        (
            Registration {
                client_id: None,
                scopes: "read admin".into(),
                ..base.clone()
            },
            "scope",
        ),
        (
            Registration {
                client_id: Some("bad id".into()),
                ..base.clone()
            },
            "id",
        ),
        (
            Registration {
                client_id: None,
                secret: Some(Secret::new("short")),
                ..base.clone()
            },
            "secret",
        ),
        (
            Registration {
                client_id: None,
                name: " ".into(),
                ..base.clone()
            },
            "name",
        ),
    ];
    for (registration, what) in cases {
        assert!(
            clients::register(&w.store, &w.clock, &mut w.rng, registration)
                .await
                .is_err(),
            "{what}"
        );
    }
    assert_eq!(w.store.list_clients().await.unwrap().len(), 1);
}

async fn clients_authenticate_by_their_kind(db: TestContext) {
    let mut w = World::new(&db).await;
    let (confidential, secret) = w.client(false, "read").await;
    let secret = secret.unwrap();
    let (public, _) = w.client(true, "read").await;
    let id = |c: &OAuthClient| c.client_id.clone();
    for (auth, ok) in [
        (
            ClientAuth::Basic {
                client_id: id(&confidential),
                secret: secret.clone(),
            },
            true,
        ),
        (
            ClientAuth::Post {
                client_id: id(&confidential),
                secret: secret.clone(),
            },
            true,
        ),
        (
            ClientAuth::Basic {
                client_id: id(&confidential),
                secret: Secret::new("wrong"),
            },
            false,
        ),
        (
            ClientAuth::Public {
                client_id: id(&confidential),
            },
            false,
        ),
        (
            ClientAuth::Public {
                client_id: id(&public),
            },
            true,
        ),
        (
            ClientAuth::Basic {
                client_id: id(&public),
                secret: Secret::new(""),
            },
            true,
        ),
        (
            ClientAuth::Basic {
                client_id: id(&confidential),
                secret: Secret::new(""),
            },
            false,
        ),
        (
            ClientAuth::Post {
                client_id: id(&public),
                secret: secret.clone(),
            },
            false,
        ),
        (
            ClientAuth::Public {
                client_id: "nobody".into(),
            },
            false,
        ),
    ] {
        let result = token::authenticate_client(&w.store, &auth).await;
        assert_eq!(result.is_ok(), ok, "{auth:?}");
        if let Err(e) = result {
            assert_eq!(e.code, OAuthErrorCode::InvalidClient);
        }
    }
}

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
