//! The authorization server over HTTP: pages, redirects, the token endpoint and bearer
//! checks, driven like a browser and a client would.
//!
//! Here the helpers the other suites use too; the tests beside it: `flow` (metadata and the
//! whole flow), `pages` (refusals on the pages), `tokens` (the token endpoint's errors, API
//! routes' token and scope checks).

mod flow;
mod pages;
mod tokens;

use crate::browser::{Browser, Page};
use crate::harness::TestApp;
use paceline_domain::SystemClock;
use paceline_domain::accounts::{self, UserRequest};
use paceline_domain::oauth::clients::{self, Registration};
use paceline_domain::password::Password;
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::Value;
use std::collections::HashMap;

pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
pub const REDIRECT: &str = "https://your.app/oauth/callback";
pub const PASSWORD: &str = "a long enough password";

pub struct Client {
    pub id: String,
    pub secret: Option<String>,
}

pub async fn seed(app: &TestApp, scopes: &str, public: bool) -> Client {
    let request = UserRequest {
        email: "max@example.com".into(),
        password: Password::new(PASSWORD),
        name: "Max Mustermann".into(),
        organization: None,
        role: None,
    };
    let _ = accounts::create_user(app.store.as_ref(), &SystemClock, request).await;
    register(app, "Your App", REDIRECT, scopes, public).await
}

/// Registers a client named `name` with one redirect URI.
pub async fn register(
    app: &TestApp,
    name: &str,
    redirect: &str,
    scopes: &str,
    public: bool,
) -> Client {
    let registration = Registration {
        name: name.into(),
        redirect_uris: vec![redirect.into()],
        scopes: scopes.into(),
        public,
        client_id: None,
        secret: None,
    };
    let (client, secret) = clients::register(
        app.store.as_ref(),
        &SystemClock,
        &mut StdRng::from_os_rng(),
        registration,
    )
    .await
    .unwrap();
    Client {
        id: client.client_id,
        secret: secret.map(|s| s.expose().to_owned()),
    }
}

pub fn authorize_path(client: &Client, scope: &str, extra: &str) -> String {
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("response_type", "code")
        .append_pair("client_id", &client.id)
        .append_pair("redirect_uri", REDIRECT)
        .append_pair("scope", scope)
        .append_pair("state", "st4te")
        .append_pair("code_challenge", CHALLENGE)
        .append_pair("code_challenge_method", "S256")
        .finish();
    format!("/oauth/authorize?{query}{extra}")
}

pub fn query_of(location: &str) -> HashMap<String, String> {
    let query = location.split_once('?').map_or("", |(_, q)| q);
    form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

/// Logs in on the login page `page` and follows the redirect back.
pub async fn log_in(browser: &mut Browser, page: &Page) -> Page {
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("<h1>Sign in</h1>"), "{}", page.body);
    let csrf = page.field("csrf");
    let return_to = page.field("return_to");
    let after = browser
        .post_form(
            "/login",
            &[
                ("csrf", &csrf),
                ("return_to", &return_to),
                ("email", "max@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(after.status, 303, "{}", after.body);
    browser.get(after.location()).await
}

/// Allows on the consent page `page`; returns the redirect's query.
pub async fn allow(browser: &mut Browser, page: &Page) -> HashMap<String, String> {
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("Allow <strong>Your App</strong>"),
        "{}",
        page.body
    );
    let fields = [
        ("csrf", page.field("csrf")),
        ("request", page.field("request")),
        ("ticket", page.field("ticket")),
        ("decision", "allow".into()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let answer = browser.post_form("/oauth/authorize", &fields).await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert!(
        answer.location().starts_with(REDIRECT),
        "{}",
        answer.location()
    );
    query_of(answer.location())
}

pub async fn exchange(app: &TestApp, client: &Client, code: &str) -> reqwest::Response {
    let mut request = app.client.post(app.url("/api/oauth/token"));
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ];
    match &client.secret {
        Some(secret) => request = request.basic_auth(&client.id, Some(secret)),
        None => form.push(("client_id", &client.id)),
    }
    request.form(&form).send().await.unwrap()
}

pub async fn refresh(app: &TestApp, client: &Client, refresh_token: &str) -> reqwest::Response {
    let mut request = app.client.post(app.url("/api/oauth/token"));
    let mut form = vec![
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
    ];
    match &client.secret {
        Some(secret) => request = request.basic_auth(&client.id, Some(secret)),
        None => form.push(("client_id", &client.id)),
    }
    request.form(&form).send().await.unwrap()
}

async fn profile(app: &TestApp, token: &str) -> reqwest::Response {
    app.client
        .get(app.url("/api/external/v1/profile"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

/// Runs a whole authorization for `scope` and returns the token response.
pub async fn authorize(
    app: &TestApp,
    browser: &mut Browser,
    client: &Client,
    scope: &str,
) -> Value {
    let first = browser.get(&authorize_path(client, scope, "")).await;
    let page = if first.body.contains("<h1>Sign in</h1>") {
        log_in(browser, &first).await
    } else {
        first
    };
    let redirect = if page.status == 302 {
        query_of(page.location())
    } else {
        allow(browser, &page).await
    };
    let response = exchange(app, client, &redirect["code"]).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}
