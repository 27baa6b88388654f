//! The authorization server over HTTP: pages, redirects, the token endpoint and bearer
//! checks, driven like a browser and a client would.

use crate::browser::{Browser, Page};
use crate::harness::TestApp;
use paceline_domain::SystemClock;
use paceline_domain::accounts::{self, UserRequest};
use paceline_domain::oauth::clients::{self, Registration};
use paceline_domain::password::Password;
use paceline_testkit::{TestContext, on_both_engines};
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::Value;
use std::collections::HashMap;

on_both_engines!(
    metadata_describes_the_server,
    the_whole_flow_works_for_a_confidential_client,
    a_second_authorization_is_approved_at_once,
    denying_redirects_access_denied,
    untrusted_clients_and_redirects_get_an_error_page,
    forms_without_the_csrf_token_are_refused,
    a_wrong_password_shows_the_login_page_again,
    token_endpoint_errors_follow_rfc_6749,
    api_routes_check_token_and_scope,
);

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

async fn metadata_describes_the_server(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let meta: Value = app
        .get("/.well-known/oauth-authorization-server")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(meta["issuer"], app.base.as_str());
    assert_eq!(
        meta["authorization_endpoint"],
        format!("{}/oauth/authorize", app.base)
    );
    assert_eq!(
        meta["token_endpoint"],
        format!("{}/api/oauth/token", app.base)
    );
    assert_eq!(
        meta["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    assert_eq!(
        meta["grant_types_supported"],
        serde_json::json!(["authorization_code", "refresh_token"])
    );
    assert_eq!(meta["authorization_response_iss_parameter_supported"], true);
    assert_eq!(meta["scopes_supported"].as_array().unwrap().len(), 14);
    app.stop().await;
}

async fn the_whole_flow_works_for_a_confidential_client(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let client = seed(&app, "profile:read activities:read activities:write", false).await;
    let mut browser = Browser::new(&app.base);

    let login = browser
        .get(&authorize_path(&client, "profile:read activities:read", ""))
        .await;
    for (header, value) in [
        ("x-frame-options", "DENY"),
        ("cache-control", "no-store"),
        ("x-content-type-options", "nosniff"),
    ] {
        assert_eq!(login.headers[header], value, "{header}");
    }
    let csp = login.headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'none'"),
        "{csp}"
    );
    let consent = log_in(&mut browser, &login).await;
    let session_cookie = browser
        .set_cookies
        .iter()
        .find(|c| c.starts_with("pl_session="))
        .unwrap();
    assert!(
        session_cookie.contains("HttpOnly") && session_cookie.contains("SameSite=Lax"),
        "{session_cookie}"
    );
    assert!(!session_cookie.contains("Secure"), "plain http on loopback");
    assert!(
        consent
            .body
            .contains("See your name, e-mail address and profile picture.")
    );
    assert!(consent.body.contains("Signed in as max@example.com"));

    let redirect = allow(&mut browser, &consent).await;
    assert_eq!(redirect["state"], "st4te");
    assert_eq!(redirect["iss"], app.base);
    let response = exchange(&app, &client, &redirect["code"]).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let tokens: Value = response.json().await.unwrap();
    assert!(
        tokens["access_token"]
            .as_str()
            .unwrap()
            .starts_with("tia_at_")
    );
    assert!(
        tokens["refresh_token"]
            .as_str()
            .unwrap()
            .starts_with("tia_rt_")
    );
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 3600);
    assert_eq!(tokens["scope"], "profile:read activities:read");
    assert_eq!(
        tokens.as_object().unwrap().len(),
        5,
        "exactly the spec's fields: {tokens}"
    );

    let me: Value = profile(&app, tokens["access_token"].as_str().unwrap())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["email"], "max@example.com");
    assert_eq!(me["name"], "Max Mustermann");
    assert!(me["id"].as_str().unwrap().starts_with("usr_"));
    assert_eq!(me["image"], Value::Null);
    assert!(me["createdAt"].as_str().unwrap().ends_with('Z'));

    let replay = exchange(&app, &client, &redirect["code"]).await;
    assert_eq!(replay.status(), 400);
    let body: Value = replay.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant");
    assert_eq!(
        profile(&app, tokens["access_token"].as_str().unwrap())
            .await
            .status(),
        401,
        "replay revoked it"
    );

    let tokens = authorize(&app, &mut browser, &client, "profile:read").await;
    let first_rt = tokens["refresh_token"].as_str().unwrap().to_owned();
    let second: Value = refresh(&app, &client, &first_rt)
        .await
        .json()
        .await
        .unwrap();
    let third = refresh(&app, &client, second["refresh_token"].as_str().unwrap()).await;
    assert_eq!(third.status(), 200);
    let third: Value = third.json().await.unwrap();
    let reused = refresh(&app, &client, &first_rt).await;
    assert_eq!(reused.status(), 400);
    assert_eq!(
        reused.json::<Value>().await.unwrap()["error"],
        "invalid_grant"
    );
    let after = profile(&app, third["access_token"].as_str().unwrap()).await;
    assert_eq!(after.status(), 401, "reuse revoked the family");
    let challenge = after.headers()["www-authenticate"].to_str().unwrap();
    assert!(
        challenge.starts_with("Bearer ") && challenge.contains("error=\"invalid_token\""),
        "{challenge}"
    );

    let tokens = authorize(&app, &mut browser, &client, "profile:read").await;
    let revoke = app
        .client
        .post(app.url("/api/oauth/revoke"))
        .basic_auth(&client.id, client.secret.as_ref())
        .form(&[("token", tokens["refresh_token"].as_str().unwrap())])
        .send()
        .await
        .unwrap();
    assert_eq!(revoke.status(), 200);
    assert_eq!(
        profile(&app, tokens["access_token"].as_str().unwrap())
            .await
            .status(),
        401
    );
    app.stop().await;
}

async fn a_second_authorization_is_approved_at_once(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let client = seed(&app, "profile:read activities:read", false).await;
    let mut browser = Browser::new(&app.base);
    authorize(&app, &mut browser, &client, "profile:read activities:read").await;

    let again = browser
        .get(&authorize_path(&client, "profile:read", ""))
        .await;
    assert_eq!(again.status, 302, "same or fewer scopes: no page");
    let params = query_of(again.location());
    assert!(params.contains_key("code"));
    assert_eq!(params["iss"], app.base);

    let forced = browser
        .get(&authorize_path(&client, "profile:read", "&prompt=consent"))
        .await;
    assert_eq!(forced.status, 200);
    assert!(forced.body.contains("Allow <strong>Your App</strong>"));

    let relogin = browser
        .get(&authorize_path(&client, "profile:read", "&prompt=login"))
        .await;
    assert!(relogin.body.contains("<h1>Sign in</h1>"));
    let after = log_in(&mut browser, &relogin).await;
    assert_eq!(
        after.status, 302,
        "after the fresh login the remembered consent applies"
    );

    let mut stranger = Browser::new(&app.base);
    let none = stranger
        .get(&authorize_path(&client, "profile:read", "&prompt=none"))
        .await;
    assert_eq!(none.status, 302);
    let params = query_of(none.location());
    assert_eq!(params["error"], "login_required");
    assert_eq!(params["state"], "st4te");
    assert_eq!(params["iss"], app.base);
    app.stop().await;
}

async fn denying_redirects_access_denied(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let client = seed(&app, "profile:read", false).await;
    let mut browser = Browser::new(&app.base);
    let login = browser
        .get(&authorize_path(&client, "profile:read", ""))
        .await;
    let consent = log_in(&mut browser, &login).await;
    let fields = [
        ("csrf", consent.field("csrf")),
        ("request", consent.field("request")),
        ("ticket", consent.field("ticket")),
        ("decision", "deny".into()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let answer = browser.post_form("/oauth/authorize", &fields).await;
    assert_eq!(answer.status, 303, "a redirect after a form post is a 303");
    let params = query_of(answer.location());
    assert_eq!(params["error"], "access_denied");
    assert_eq!(params["state"], "st4te");
    assert_eq!(params["iss"], app.base);
    assert!(!params.contains_key("code"));
    app.stop().await;
}

async fn untrusted_clients_and_redirects_get_an_error_page(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let client = seed(&app, "profile:read", false).await;
    let mut browser = Browser::new(&app.base);
    let good = authorize_path(&client, "profile:read", "");
    for path in [
        good.replace(&client.id, "nope"),
        good.replace(
            "your.app%2Foauth%2Fcallback",
            "your.app%2Foauth%2Fcallback%2F",
        ),
        good.replace("https%3A%2F%2Fyour.app", "https%3A%2F%2Fevil.example"),
        good.replace("code_challenge_method=S256", "code_challenge_method=plain")
            .replace("your.app", "evil.example"),
        format!("{good}&redirect_uri=https%3A%2F%2Fyour.app%2Foauth%2Fcallback"),
    ] {
        let page = browser.get(&path).await;
        assert_eq!(page.status, 400, "{path}");
        assert!(page.headers.get("location").is_none(), "{path}");
        assert!(
            page.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
    }
    for (extra, error) in [
        ("&code_challenge_method=plain", "invalid_request"),
        ("&scope=upload", "invalid_scope"),
    ] {
        let path = good
            .replace("&code_challenge_method=S256", "")
            .replace("&scope=profile%3Aread", "")
            + extra;
        let path = if error == "invalid_scope" {
            format!("{path}&code_challenge_method=S256")
        } else {
            format!("{path}&scope=profile%3Aread")
        };
        let page = browser.get(&path).await;
        assert_eq!(page.status, 302, "{path}");
        let params = query_of(page.location());
        assert_eq!(params["error"], error, "{path}");
        assert_eq!(params["iss"], app.base);
    }
    app.stop().await;
}

async fn forms_without_the_csrf_token_are_refused(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let client = seed(&app, "profile:read", false).await;
    let mut browser = Browser::new(&app.base);
    let login = browser
        .get(&authorize_path(&client, "profile:read", ""))
        .await;
    let consent = log_in(&mut browser, &login).await;
    let request = consent.field("request");
    let ticket = consent.field("ticket");
    for csrf in ["", "csrf_forged0000000000000000000000000000000000000"] {
        let answer = browser
            .post_form(
                "/oauth/authorize",
                &[
                    ("csrf", csrf),
                    ("request", &request),
                    ("ticket", &ticket),
                    ("decision", "allow"),
                ],
            )
            .await;
        assert_eq!(answer.status, 403, "{csrf}");
        assert!(answer.headers.get("location").is_none());
    }
    // A cross-site post carries the victim's cookies but not the token, and its Origin.
    let response = app
        .client
        .post(app.url("/oauth/authorize"))
        .header(
            "cookie",
            format!(
                "pl_session={}; pl_csrf={}",
                browser.cookies["pl_session"], browser.cookies["pl_csrf"]
            ),
        )
        .header("origin", "https://evil.example")
        .form(&[
            ("csrf", browser.cookies["pl_csrf"].as_str()),
            ("request", &request),
            ("ticket", &ticket),
            ("decision", "allow"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let login_without_token = browser
        .post_form(
            "/login",
            &[("email", "max@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(login_without_token.status, 403);
    app.stop().await;
}

async fn a_wrong_password_shows_the_login_page_again(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let client = seed(&app, "profile:read", false).await;
    let mut browser = Browser::new(&app.base);
    let login = browser
        .get(&authorize_path(&client, "profile:read", ""))
        .await;
    let answer = browser
        .post_form(
            "/login",
            &[
                ("csrf", &login.field("csrf")),
                ("return_to", &login.field("return_to")),
                ("email", "max@example.com"),
                ("password", "wrong"),
            ],
        )
        .await;
    assert_eq!(answer.status, 401);
    assert!(
        answer
            .body
            .contains("The e-mail address or password is wrong.")
    );
    assert_eq!(answer.field("email"), "max@example.com");
    assert!(!browser.cookies.contains_key("pl_session"));
    app.stop().await;
}

async fn token_endpoint_errors_follow_rfc_6749(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let client = seed(&app, "profile:read", false).await;
    let token = app.url("/api/oauth/token");
    let secret = client.secret.clone().unwrap();
    let cases: Vec<(reqwest::RequestBuilder, u16, &str)> = vec![
        (
            app.client
                .post(&token)
                .basic_auth(&client.id, Some("wrong"))
                .form(&[("grant_type", "refresh_token"), ("refresh_token", "x")]),
            401,
            "invalid_client",
        ),
        (
            app.client
                .post(&token)
                .form(&[("grant_type", "refresh_token"), ("refresh_token", "x")]),
            401,
            "invalid_client",
        ),
        (
            app.client
                .post(&token)
                .basic_auth(&client.id, Some(&secret))
                .json(&serde_json::json!({"grant_type": "refresh_token"})),
            400,
            "invalid_request",
        ),
        (
            app.client
                .post(&token)
                .basic_auth(&client.id, Some(&secret))
                .form(&[("grant_type", "password")]),
            400,
            "unsupported_grant_type",
        ),
        (
            app.client
                .post(&token)
                .basic_auth(&client.id, Some(&secret))
                .form(&[("refresh_token", "x")]),
            400,
            "invalid_request",
        ),
        (
            app.client
                .post(&token)
                .basic_auth(&client.id, Some(&secret))
                .form(&[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", "tia_rt_nope"),
                ]),
            400,
            "invalid_grant",
        ),
        (
            app.client
                .post(&token)
                .basic_auth(&client.id, Some(&secret))
                .form(&[
                    ("grant_type", "authorization_code"),
                    ("code", "nope"),
                    ("grant_type", "authorization_code"),
                ]),
            400,
            "invalid_request",
        ),
        (
            app.client
                .post(&token)
                .basic_auth(&client.id, Some(&secret))
                .form(&[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", "x"),
                    ("client_secret", &secret),
                ]),
            400,
            "invalid_request",
        ),
    ];
    for (i, (request, status, error)) in cases.into_iter().enumerate() {
        let response = request.send().await.unwrap();
        assert_eq!(response.status().as_u16(), status, "case {i}");
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json"),
            "case {i}"
        );
        if status == 401 {
            assert!(
                response.headers().contains_key("www-authenticate"),
                "case {i}"
            );
        }
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], error, "case {i}: {body}");
        assert!(body["error_description"].is_string());
    }
    app.stop().await;
}

async fn api_routes_check_token_and_scope(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let client = seed(&app, "profile:read activities:read", false).await;
    let missing = app.get("/api/external/v1/profile").await;
    assert_eq!(missing.status(), 401);
    assert_eq!(
        missing.headers()["www-authenticate"],
        "Bearer realm=\"paceline\""
    );
    let body: Value = missing.json().await.unwrap();
    assert_eq!(body["errorCode"], "unauthorized");
    for bad in ["tia_at_nope", "garbage", "tia_rt_x"] {
        let response = profile(&app, bad).await;
        assert_eq!(response.status(), 401, "{bad}");
        assert!(
            response.headers()["www-authenticate"]
                .to_str()
                .unwrap()
                .contains("invalid_token")
        );
    }
    let mut browser = Browser::new(&app.base);
    let tokens = authorize(&app, &mut browser, &client, "activities:read").await;
    let response = profile(&app, tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(response.status(), 403);
    let challenge = response.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        challenge.contains("error=\"insufficient_scope\"")
            && challenge.contains("scope=\"profile:read\""),
        "{challenge}"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errorCode"], "insufficient_scope");
    assert!(body["error"].as_str().unwrap().contains("profile:read"));
    app.stop().await;
}
