//! API users for tests and benchmarks: an account with an access token from a registered
//! client, issued through the domain's own authorization flow (login, authorize, approve,
//! exchange) without going through HTTP.

use paceline_domain::accounts::{self, UserRequest};
use paceline_domain::entities::{Membership, User};
use paceline_domain::oauth::clients::{self, Registration};
use paceline_domain::oauth::token::{self, CodeExchange, IssuedTokens};
use paceline_domain::oauth::{OAuthSettings, authorize, sessions};
use paceline_domain::password::Password;
use paceline_domain::{Store, SystemClock};
use rand::SeedableRng;
use rand::rngs::StdRng;

/// The PKCE verifier of every authorization made here.
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
/// Its S256 challenge.
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
/// The one redirect URI of every client registered here.
pub const REDIRECT: &str = "https://your.app/oauth/callback";
/// The password of every user made here.
pub const PASSWORD: &str = "a long enough password";

/// A registered client that may ask for every scope of both surfaces.
#[derive(Debug, Clone)]
pub struct ApiClient {
    /// Its public id: the `sourceName` of its writes.
    pub client_id: String,
    /// Its secret, for client authentication at the token endpoint.
    pub secret: String,
    client: paceline_domain::oauth::client::OAuthClient,
}

/// A user with an access token.
#[derive(Debug, Clone)]
pub struct ApiUser {
    /// The account.
    pub user: User,
    /// Its first membership (the Train it All athlete).
    pub membership: Membership,
    /// A `tia_at_…` access token.
    pub access_token: String,
}

/// Registers a confidential client with the public id `client_id`.
pub async fn client(store: &dyn Store, client_id: &str) -> ApiClient {
    let registration = Registration {
        name: format!("Test app {client_id}"),
        redirect_uris: vec![REDIRECT.into()],
        scopes: paceline_domain::oauth::Scope::ALL
            .iter()
            .map(|s| s.name())
            .collect::<Vec<_>>()
            .join(" "),
        public: false,
        client_id: Some(client_id.into()),
        secret: None,
    };
    let (client, secret) = clients::register(
        store,
        &SystemClock,
        &mut StdRng::from_os_rng(),
        registration,
    )
    .await
    .unwrap_or_else(|e| panic!("registering {client_id}: {e}"));
    ApiClient {
        client_id: client.client_id.clone(),
        secret: secret.map(|s| s.expose().to_owned()).unwrap_or_default(),
        client,
    }
}

/// Creates the user `email`, named Max Mustermann (in `organization`, by id or name, or a
/// personal one) and issues them a token of `client` for `scopes`.
pub async fn user(
    store: &dyn Store,
    email: &str,
    organization: Option<&str>,
    client: &ApiClient,
    scopes: &str,
) -> ApiUser {
    user_named(store, email, "Max Mustermann", organization, client, scopes).await
}

/// As [`user`], with a name.
pub async fn user_named(
    store: &dyn Store,
    email: &str,
    name: &str,
    organization: Option<&str>,
    client: &ApiClient,
    scopes: &str,
) -> ApiUser {
    let request = UserRequest {
        email: email.into(),
        password: Password::new(PASSWORD),
        name: name.into(),
        organization: organization.map(str::to_owned),
        role: None,
    };
    let created = accounts::create_user(store, &SystemClock, request)
        .await
        .unwrap_or_else(|e| panic!("creating {email}: {e}"));
    let access_token = token_for(store, email, client, scopes).await;
    ApiUser {
        user: created.user,
        membership: created.membership,
        access_token,
    }
}

/// Issues another access token of `client` for `scopes` to the existing user `email`.
pub async fn token_for(store: &dyn Store, email: &str, client: &ApiClient, scopes: &str) -> String {
    issue(store, email, client, scopes)
        .await
        .access_token
        .expose()
        .to_owned()
}

/// Runs a whole authorization of `client` for `scopes` by the existing user `email`:
/// a new token family (access and refresh token).
pub async fn issue(
    store: &dyn Store,
    email: &str,
    client: &ApiClient,
    scopes: &str,
) -> IssuedTokens {
    let clock = SystemClock;
    let mut rng = StdRng::from_os_rng();
    let settings = OAuthSettings::new("http://127.0.0.1");
    let (_, session) = sessions::login(
        store,
        &clock,
        &mut rng,
        &settings,
        email,
        Password::new(PASSWORD),
    )
    .await
    .unwrap_or_else(|e| panic!("logging in {email}: {e}"));
    let pairs: Vec<(String, String)> = [
        ("response_type", "code"),
        ("client_id", client.client_id.as_str()),
        ("redirect_uri", REDIRECT),
        ("scope", scopes),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    let request = authorize::validate(store, &pairs)
        .await
        .unwrap_or_else(|_| panic!("authorization request for {scopes} refused"));
    let code = authorize::approve(store, &clock, &mut rng, &settings, &request, &session)
        .await
        .unwrap_or_else(|e| panic!("approving: {e}"));
    let exchange = CodeExchange {
        code: code.expose(),
        redirect_uri: Some(REDIRECT),
        code_verifier: Some(VERIFIER),
    };
    token::exchange_code(store, &clock, &mut rng, &settings, &client.client, exchange)
        .await
        .unwrap_or_else(|e| panic!("exchanging the code: {e}"))
}
