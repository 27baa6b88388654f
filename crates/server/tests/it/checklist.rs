//! Black-box tests of rows of `oauth-checklist.md` not covered by the flow tests in
//! `oauth.rs`, named by their row ids.
//!
//! Here the helpers the rows share and O05 (white-box); the rows by area beside it:
//! `authorization` (R, A and M rows), `pages` (U rows), `token_endpoint` (T, O and S rows),
//! `codes` (C rows), `bearer` (B rows).

mod authorization;
mod bearer;
mod codes;
mod pages;
mod token_endpoint;

use crate::browser::Browser;
use crate::harness::TestApp;
use crate::oauth::{
    CHALLENGE, Client, PASSWORD, allow, authorize_path, exchange, log_in, register, seed,
};
use serde_json::Value;

async fn client_with(app: &TestApp, redirect: &str, scopes: &str, public: bool) -> Client {
    register(app, "Odd <App> \"quoted\"", redirect, scopes, public).await
}

fn path_for(client: &Client, redirect: &str, state: Option<&str>, extra: &str) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query
        .append_pair("response_type", "code")
        .append_pair("client_id", &client.id)
        .append_pair("redirect_uri", redirect)
        .append_pair("scope", "profile:read")
        .append_pair("code_challenge", CHALLENGE)
        .append_pair("code_challenge_method", "S256");
    if let Some(state) = state {
        query.append_pair("state", state);
    }
    format!("/oauth/authorize?{}{extra}", query.finish())
}

/// Logs in and consents through the pages (any consent text), returning the last answer.
async fn consent_through(browser: &mut Browser, path: &str) -> crate::browser::Page {
    let first = browser.get(path).await;
    let page = if first.body.contains("<h1>Sign in</h1>") {
        log_in(browser, &first).await
    } else {
        first
    };
    if page.status != 200 {
        return page;
    }
    let fields = [
        ("csrf", page.field("csrf")),
        ("request", page.field("request")),
        ("ticket", page.field("ticket")),
        ("decision", "allow".to_owned()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    browser.post_form("/oauth/authorize", &fields).await
}

/// O05 (white-box): after a whole flow, neither the database file nor its write-ahead log
/// holds a token, a code, a session cookie or a client secret in clear.
#[tokio::test]
async fn o05_no_credential_is_stored_in_clear() {
    paceline_testkit::with_database(paceline_testkit::Engine::Sqlite, "o05", |db| async move {
        let app = TestApp::spawn(&db).await;
        let client = seed(&app, "profile:read", false).await;
        let mut browser = Browser::new(&app.base);
        let login = browser
            .get(&authorize_path(&client, "profile:read", ""))
            .await;
        let consent = log_in(&mut browser, &login).await;
        let code = allow(&mut browser, &consent).await["code"].clone();
        let tokens: Value = exchange(&app, &client, &code).await.json().await.unwrap();
        let secrets = [
            tokens["access_token"].as_str().unwrap().to_owned(),
            tokens["refresh_token"].as_str().unwrap().to_owned(),
            code,
            browser.cookies["pl_session"].clone(),
            client.secret.clone().unwrap(),
            PASSWORD.to_owned(),
        ];
        app.stop().await;
        let paceline_store_sql::Database::Sqlite(path) = &db.database else {
            unreachable!()
        };
        let mut bytes = std::fs::read(path).unwrap();
        if let Ok(wal) = std::fs::read(path.with_extension("sqlite3-wal")) {
            bytes.extend(wal);
        }
        let hash = paceline_domain::oauth::secret::SecretHash::of(&secrets[0]);
        let hashed = bytes.windows(64).any(|w| w == hash.as_str().as_bytes());
        assert!(
            hashed,
            "the scan sees stored data: the access token's hash is there"
        );
        for secret in &secrets {
            let found = bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
            assert!(!found, "{secret:.12}… is stored in clear");
        }
    })
    .await;
}
