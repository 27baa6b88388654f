//! The authorization server's engine over both engines: clients, codes, rotation, bearer
//! checks, revocation and login sessions.
//!
//! Here the [`World`] the tests share; the tests by area beside it: `registration`
//! (clients), `requests` (authorization requests and consent), `codes`, `refresh`, `tokens`
//! (bearer checks and revocation) and `logins` (login sessions).

mod codes;
mod logins;
mod refresh;
mod registration;
mod requests;
mod tokens;

use paceline_domain::FixedClock;
use paceline_domain::accounts::{self, UserRequest};
use paceline_domain::oauth::OAuthSettings;
use paceline_domain::oauth::authorize;
use paceline_domain::oauth::bearer::{self, BearerError};
use paceline_domain::oauth::client::OAuthClient;
use paceline_domain::oauth::clients::{self, Registration};
use paceline_domain::oauth::secret::Secret;
use paceline_domain::oauth::sessions;
use paceline_domain::oauth::store::WebSession;
use paceline_domain::oauth::token::{self, CodeExchange, IssuedTokens};
use paceline_domain::password::Password;
use paceline_store_sql::SqlStore;
use paceline_testkit::TestContext;
use rand::SeedableRng;
use rand::rngs::StdRng;
use time::macros::datetime;

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
