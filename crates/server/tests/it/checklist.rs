//! Black-box tests of rows of `oauth-checklist.md` not covered by the flow tests in
//! `oauth.rs`, named by their row ids.

use crate::browser::Browser;
use crate::harness::TestApp;
use crate::oauth::{
    CHALLENGE, Client, PASSWORD, REDIRECT, VERIFIER, allow, authorize, authorize_path, exchange,
    log_in, query_of, register, seed,
};
use paceline_domain::SystemClock;
use paceline_domain::accounts::{self, UserRequest};
use paceline_domain::oauth::OAuthSettings;
use paceline_domain::password::Password;
use paceline_testkit::{TestContext, on_both_engines};
use serde_json::Value;
use std::sync::Arc;

on_both_engines!(
    r01_r02_r03_redirects_keep_the_registered_query_state_and_iss,
    u04_u05_u07_u08_pages_change_nothing_on_get_and_are_safe_to_show,
    u09_public_clients_at_private_schemes_always_ask,
    a10_authorization_requests_may_come_as_forms_but_not_json,
    u03_a_consent_page_is_answered_once,
    u10_a_consent_page_shown_to_another_account_is_stale,
    u13_cookies_are_host_bound_over_tls_and_renewed_at_login,
    t01_t02_t13_the_token_endpoint_takes_forms_by_post_only,
    t06_t07_t11_client_authentication_fails_alike_and_is_throttled,
    c02_c05_c06_codes_are_spent_once_and_checked_before_spending,
    c07_withdrawn_consent_stops_the_exchange,
    o03_o04_tokens_and_errors_have_their_shape,
    t03_s03_no_credentials_in_urls_and_no_internals_in_errors,
    b04_b06_b07_b09_bearer_headers,
    m04_a11_no_host_poisoning_and_no_cors_at_the_authorization_endpoint,
);

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

async fn r01_r02_r03_redirects_keep_the_registered_query_state_and_iss(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    seed(&app, "profile:read", false).await;
    let redirect = "https://your.app/cb?tenant=a";
    let client = client_with(&app, redirect, "profile:read", false).await;
    let mut browser = Browser::new(&app.base);
    let odd_state = format!("+ % & = space é \"><script>{}", "x".repeat(2000));
    let answer = consent_through(
        &mut browser,
        &path_for(&client, redirect, Some(&odd_state), ""),
    )
    .await;
    assert_eq!(answer.status, 303);
    let location = answer.location();
    assert!(
        location.starts_with("https://your.app/cb?tenant=a&code="),
        "{location}"
    );
    let params = query_of(location);
    assert_eq!(params["state"], odd_state, "state comes back byte for byte");
    assert_eq!(params["iss"], app.base);
    assert_eq!(answer.headers["cache-control"], "no-store");

    let again = browser.get(&path_for(&client, redirect, None, "")).await;
    assert_eq!(again.status, 302, "auto-approved");
    let params = query_of(again.location());
    assert!(!params.contains_key("state"), "no state when none was sent");
    assert_eq!(params["iss"], app.base);

    let refused = browser
        .get(&path_for(&client, redirect, Some("s"), "&prompt=bogus"))
        .await;
    let params = query_of(refused.location());
    assert_eq!(
        (params["error"].as_str(), params["iss"].as_str()),
        ("invalid_request", app.base.as_str())
    );
    app.stop().await;
}

async fn u04_u05_u07_u08_pages_change_nothing_on_get_and_are_safe_to_show(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    seed(&app, "profile:read", false).await;
    let client = client_with(&app, REDIRECT, "profile:read", false).await;
    let mut browser = Browser::new(&app.base);
    let login = browser
        .get(&path_for(
            &client,
            REDIRECT,
            Some("\"><script>alert(1)</script>"),
            "",
        ))
        .await;
    let consent = log_in(&mut browser, &login).await;
    assert!(
        !consent.body.contains("<script>"),
        "reflected values are escaped"
    );
    assert!(
        consent.body.contains("Odd &#60;App&#62; &#34;quoted&#34;")
            || consent.body.contains("Odd &lt;App&gt;"),
        "{}",
        consent.body
    );
    // U04: a GET carrying a decision approves nothing.
    let get = browser
        .get(&path_for(
            &client,
            REDIRECT,
            None,
            "&decision=allow&approve=1",
        ))
        .await;
    assert_eq!(get.status, 200);
    assert!(
        get.body.contains("name=\"decision\""),
        "still the consent page"
    );
    // U05/U06/U08 on the login, consent and error pages.
    let error = browser.get("/oauth/authorize?client_id=nope").await;
    for page in [&login, &consent, &error] {
        assert_eq!(page.headers["x-frame-options"], "DENY");
        assert!(
            page.headers["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'")
        );
        assert_eq!(page.headers["referrer-policy"], "no-referrer");
        assert_eq!(page.headers["cache-control"], "no-store");
        assert!(
            !page.body.contains("http://") && !page.body.contains("https://"),
            "no third-party resources"
        );
    }
    app.stop().await;
}

async fn u09_public_clients_at_private_schemes_always_ask(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    seed(&app, "profile:read", false).await;
    let redirect = "com.example.app:/callback";
    let client = client_with(&app, redirect, "profile:read", true).await;
    let mut browser = Browser::new(&app.base);
    let first = consent_through(&mut browser, &path_for(&client, redirect, None, "")).await;
    assert_eq!(first.status, 303);
    let second = browser.get(&path_for(&client, redirect, None, "")).await;
    assert_eq!(second.status, 200, "the consent page again");
    assert!(second.body.contains("name=\"decision\""));
    let silent = browser
        .get(&path_for(&client, redirect, None, "&prompt=none"))
        .await;
    assert_eq!(query_of(silent.location())["error"], "consent_required");
    app.stop().await;
}

async fn a10_authorization_requests_may_come_as_forms_but_not_json(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let client = seed(&app, "profile:read", false).await;
    let path = authorize_path(&client, "profile:read", "");
    let query = path.split_once('?').unwrap().1.to_owned();
    let form = app
        .client
        .post(app.url("/oauth/authorize"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(query)
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 200);
    assert!(
        form.text().await.unwrap().contains("<h1>Sign in</h1>"),
        "the same answer as GET"
    );
    let json = app
        .client
        .post(app.url("/oauth/authorize"))
        .json(&serde_json::json!({ "client_id": client.id }))
        .send()
        .await
        .unwrap();
    assert_eq!(json.status(), 400);
    assert!(json.headers().get("location").is_none());
    app.stop().await;
}

async fn u03_a_consent_page_is_answered_once(db: TestContext) {
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
        ("decision", "allow".to_owned()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let first = browser.post_form("/oauth/authorize", &fields).await;
    assert_eq!(first.status, 303);
    let again = browser.post_form("/oauth/authorize", &fields).await;
    assert_eq!(again.status, 409, "a double submit issues no second code");
    assert!(again.headers.get("location").is_none());

    // U02: a fresh page's ticket does not carry over to an altered request.
    let page = browser
        .get(&authorize_path(&client, "profile:read", "&prompt=consent"))
        .await;
    let altered = page.field("request").replace("st4te", "other-state");
    let fields = [
        ("csrf", page.field("csrf")),
        ("request", altered),
        ("ticket", page.field("ticket")),
        ("decision", "allow".to_owned()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let tampered = browser.post_form("/oauth/authorize", &fields).await;
    assert_eq!(
        tampered.status, 409,
        "the request shown is the request approved"
    );
    app.stop().await;
}

async fn u10_a_consent_page_shown_to_another_account_is_stale(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let client = seed(&app, "profile:read", false).await;
    let request = UserRequest {
        email: "bea@example.com".into(),
        password: Password::new(PASSWORD),
        name: "Bea".into(),
        organization: None,
        role: None,
    };
    accounts::create_user(app.store.as_ref(), &SystemClock, request)
        .await
        .unwrap();
    let mut browser = Browser::new(&app.base);
    let login = browser
        .get(&authorize_path(&client, "profile:read", ""))
        .await;
    let consent_for_max = log_in(&mut browser, &login).await;
    // The same browser signs in as Bea.
    let relogin = browser
        .get(&authorize_path(&client, "profile:read", "&prompt=login"))
        .await;
    let answer = browser
        .post_form(
            "/login",
            &[
                ("csrf", &relogin.field("csrf")),
                ("return_to", &relogin.field("return_to")),
                ("email", "bea@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(answer.status, 303);
    let fields = [
        ("csrf", consent_for_max.field("csrf")),
        ("request", consent_for_max.field("request")),
        ("ticket", consent_for_max.field("ticket")),
        ("decision", "allow".to_owned()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let stale = browser.post_form("/oauth/authorize", &fields).await;
    assert_eq!(stale.status, 409);
    assert!(
        stale.headers.get("location").is_none(),
        "no code for Bea from Max's page"
    );
    app.stop().await;
}

async fn u13_cookies_are_host_bound_over_tls_and_renewed_at_login(db: TestContext) {
    let app = TestApp::spawn_with(&db, |mut s| {
        s.oauth = Arc::new(OAuthSettings::new("https://paceline.example"));
        s
    })
    .await;
    let client = seed(&app, "profile:read", false).await;
    let mut browser = Browser::new(&app.base);
    let login = browser
        .get(&authorize_path(&client, "profile:read", ""))
        .await;
    let csrf = browser
        .set_cookies
        .iter()
        .find(|c| c.starts_with("__Host-pl_csrf="))
        .unwrap();
    assert!(
        csrf.contains("Secure") && csrf.contains("Path=/") && csrf.contains("HttpOnly"),
        "{csrf}"
    );
    log_in(&mut browser, &login).await;
    let session = browser
        .set_cookies
        .iter()
        .find(|c| c.starts_with("__Host-pl_session="))
        .unwrap()
        .clone();
    assert!(
        session.contains("Secure") && session.contains("SameSite=Lax"),
        "{session}"
    );
    // A second login gives a new session id.
    let relogin = browser
        .get(&authorize_path(&client, "profile:read", "&prompt=login"))
        .await;
    log_in(&mut browser, &relogin).await;
    let renewed = browser
        .set_cookies
        .iter()
        .rfind(|c| c.starts_with("__Host-pl_session="))
        .unwrap();
    assert_ne!(*renewed, session);
    app.stop().await;
}

async fn t01_t02_t13_the_token_endpoint_takes_forms_by_post_only(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let client = seed(&app, "profile:read", false).await;
    let url = app.url("/api/oauth/token");
    for method in [
        reqwest::Method::GET,
        reqwest::Method::PUT,
        reqwest::Method::DELETE,
    ] {
        let response = app
            .client
            .request(method.clone(), &url)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 405, "{method}");
        assert_eq!(response.headers()["allow"], "POST");
        assert_eq!(
            response.json::<Value>().await.unwrap()["error"],
            "invalid_request"
        );
    }
    let secret = client.secret.clone().unwrap();
    let charset = app
        .client
        .post(&url)
        .basic_auth(&client.id, Some(&secret))
        .header(
            "content-type",
            "application/x-www-form-urlencoded;charset=UTF-8",
        )
        .body("grant_type=refresh_token&refresh_token=tia_rt_unknown")
        .send()
        .await
        .unwrap();
    assert_eq!(
        charset.json::<Value>().await.unwrap()["error"],
        "invalid_grant",
        "the charset form is read"
    );
    let multipart = reqwest::multipart::Form::new().text("grant_type", "refresh_token");
    let response = app
        .client
        .post(&url)
        .basic_auth(&client.id, Some(&secret))
        .multipart(multipart)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    // Just over the 2 MiB limit: the server answers without reading the rest, and a body
    // much larger than the socket buffers could still be in flight when it closes.
    let huge = "x".repeat(2 * 1024 * 1024 + 1024);
    let response = app
        .client
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    app.stop().await;
}

async fn t06_t07_t11_client_authentication_fails_alike_and_is_throttled(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let client = seed(&app, "profile:read", false).await;
    let url = app.url("/api/oauth/token");
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", "tia_rt_x"),
    ];
    let mut bodies = Vec::new();
    for (id, secret) in [
        (client.id.as_str(), "wrong"),
        ("unknown-client", "whatever"),
        (client.id.as_str(), ""),
    ] {
        let response = app
            .client
            .post(&url)
            .basic_auth(id, Some(secret))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401, "{id}:{secret}");
        assert!(
            response.headers()["www-authenticate"]
                .to_str()
                .unwrap()
                .starts_with("Basic")
        );
        bodies.push(response.json::<Value>().await.unwrap());
    }
    assert_eq!(
        bodies[0], bodies[1],
        "unknown client and wrong secret look the same"
    );
    let only_id = app
        .client
        .post(&url)
        .form(&[
            ("client_id", client.id.as_str()),
            ("grant_type", "refresh_token"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(only_id.status(), 401);
    // T11: the default allows 20 failures a minute per client id.
    let mut limited = None;
    for _ in 0..25 {
        let response = app
            .client
            .post(&url)
            .basic_auth(&client.id, Some("guess"))
            .form(&form)
            .send()
            .await
            .unwrap();
        if response.status() == 429 {
            limited = Some(response);
            break;
        }
    }
    let limited = limited.expect("guessing a client secret runs into 429");
    assert!(limited.headers().contains_key("retry-after"));
    assert_eq!(
        limited.json::<Value>().await.unwrap()["error"],
        "temporarily_unavailable"
    );
    app.stop().await;
}

async fn c02_c05_c06_codes_are_spent_once_and_checked_before_spending(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let client = seed(&app, "profile:read", false).await;
    let mut browser = Browser::new(&app.base);
    let login = browser
        .get(&authorize_path(&client, "profile:read", ""))
        .await;
    let consent = log_in(&mut browser, &login).await;
    let code = allow(&mut browser, &consent).await["code"].clone();
    // C05: without redirect_uri the request is refused and the code stays usable.
    let secret = client.secret.clone().unwrap();
    let missing = app
        .client
        .post(app.url("/api/oauth/token"))
        .basic_auth(&client.id, Some(&secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("code_verifier", VERIFIER),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        missing.json::<Value>().await.unwrap()["error"],
        "invalid_request"
    );
    // C02: ten parallel exchanges, exactly one success.
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let (client, code) = (
            Client {
                id: client.id.clone(),
                secret: client.secret.clone(),
            },
            code.clone(),
        );
        let (http, base) = (app.client.clone(), app.base.clone());
        tasks.push(tokio::spawn(async move {
            http.post(format!("{base}/api/oauth/token"))
                .basic_auth(&client.id, client.secret.as_ref())
                .form(&[
                    ("grant_type", "authorization_code"),
                    ("code", code.as_str()),
                    ("redirect_uri", REDIRECT),
                    ("code_verifier", VERIFIER),
                ])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 400),
        "{statuses:?}"
    );
    // C06: garbage is invalid_grant, never a 500.
    for garbage in [
        "x",
        &"y".repeat(10_000),
        &format!(" {code} "),
        "tia_at_abc",
        "tia_rt_abc",
    ] {
        let response = exchange(&app, &client, garbage).await;
        assert_eq!(response.status(), 400);
        assert_eq!(
            response.json::<Value>().await.unwrap()["error"],
            "invalid_grant"
        );
    }
    app.stop().await;
}

async fn c07_withdrawn_consent_stops_the_exchange(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let client = seed(&app, "profile:read", false).await;
    let mut browser = Browser::new(&app.base);
    let login = browser
        .get(&authorize_path(&client, "profile:read", ""))
        .await;
    let consent = log_in(&mut browser, &login).await;
    let code = allow(&mut browser, &consent).await["code"].clone();
    let apps = browser.get("/account/apps").await;
    let revoked = browser
        .post_form(
            "/account/apps/revoke",
            &[("csrf", &apps.field("csrf")), ("client_id", &client.id)],
        )
        .await;
    assert_eq!(revoked.status, 303);
    let response = exchange(&app, &client, &code).await;
    assert_eq!(response.status(), 400);
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"],
        "invalid_grant"
    );
    app.stop().await;
}

async fn o03_o04_tokens_and_errors_have_their_shape(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let client = seed(&app, "profile:read", false).await;
    let mut browser = Browser::new(&app.base);
    let tokens = authorize(&app, &mut browser, &client, "profile:read").await;
    for (field, prefix) in [("access_token", "tia_at_"), ("refresh_token", "tia_rt_")] {
        let token = tokens[field].as_str().unwrap();
        let random = token.strip_prefix(prefix).unwrap();
        assert_eq!(random.len(), 43, "256 bits in base64url");
        assert!(
            random
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
    }
    let response = app
        .client
        .post(app.url("/api/oauth/token"))
        .basic_auth(&client.id, client.secret.as_ref())
        .body("grant_type=x&ev\"il\\=1&ev\"il\\=2")
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert_eq!(response.headers()["pragma"], "no-cache");
    let body: Value = response.json().await.unwrap();
    let description = body["error_description"].as_str().unwrap();
    assert!(
        description
            .bytes()
            .all(|b| (0x20..=0x7e).contains(&b) && b != b'"' && b != b'\\'),
        "{description}"
    );
    app.stop().await;
}

async fn t03_s03_no_credentials_in_urls_and_no_internals_in_errors(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let client = seed(&app, "profile:read", false).await;
    let secret = client.secret.clone().unwrap();
    let in_url = app
        .client
        .post(app.url(&format!(
            "/api/oauth/token?client_id={}&client_secret={secret}&grant_type=refresh_token&refresh_token=x",
            client.id
        )))
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert!(
        [400, 401].contains(&in_url.status().as_u16()),
        "credentials in the URL are not read"
    );

    // With the database gone, every surface answers without naming what failed inside.
    app.store.close().await;
    let token = app
        .client
        .post(app.url("/api/oauth/token"))
        .basic_auth(&client.id, Some(&secret))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", "tia_rt_x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), 503);
    let page = app.get(&authorize_path(&client, "profile:read", "")).await;
    assert_eq!(page.status(), 503);
    let api = app
        .client
        .get(app.url("/api/external/v1/profile"))
        .bearer_auth("tia_at_x")
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 503);
    for body in [
        token.text().await.unwrap(),
        page.text().await.unwrap(),
        api.text().await.unwrap(),
    ] {
        let lower = body.to_lowercase();
        for leak in [
            "sqlx", "sqlite", "postgres", "pool", "select ", "panicked", ".rs:",
        ] {
            assert!(!lower.contains(leak), "{leak} in {body}");
        }
    }
    app.stop().await;
}

async fn b04_b06_b07_b09_bearer_headers(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let client = seed(&app, "profile:read", false).await;
    let mut browser = Browser::new(&app.base);
    let tokens = authorize(&app, &mut browser, &client, "profile:read").await;
    let access = tokens["access_token"].as_str().unwrap();
    let url = app.url("/api/external/v1/profile");
    for scheme in ["bearer", "BEARER", "Bearer"] {
        let response = app
            .client
            .get(&url)
            .header("authorization", format!("{scheme} {access}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{scheme}");
        assert_eq!(response.headers()["cache-control"], "no-store");
        assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    }
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let long = format!("Bearer {}", "a".repeat(16 * 1024));
    for value in [
        "Bearer",
        "Bearer a b",
        "Basic eHh4",
        long.as_str(),
        &format!("Bearer {refresh}"),
    ] {
        let response = app
            .client
            .get(&url)
            .header("authorization", value)
            .send()
            .await
            .unwrap();
        assert!(
            [400, 401].contains(&response.status().as_u16()),
            "{value:.40}: {}",
            response.status()
        );
    }
    let non_ascii = reqwest::header::HeaderValue::from_bytes(b"Bearer \xe9t\xe9").unwrap();
    let response = app
        .client
        .get(&url)
        .header("authorization", non_ascii)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let in_query = app
        .client
        .get(format!("{url}?access_token={access}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        in_query.status(),
        401,
        "tokens in the query string are not read"
    );
    app.stop().await;
}

async fn m04_a11_no_host_poisoning_and_no_cors_at_the_authorization_endpoint(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let client = seed(&app, "profile:read", false).await;
    let meta: Value = app
        .client
        .get(app.url("/.well-known/oauth-authorization-server"))
        .header("host", "evil.example")
        .header("x-forwarded-host", "evil.example")
        .header("x-forwarded-proto", "http")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(meta["issuer"], app.base);
    assert!(!meta.to_string().contains("evil.example"));
    let path = authorize_path(&client, "profile:read", "");
    for method in [reqwest::Method::GET, reqwest::Method::OPTIONS] {
        let response = app
            .client
            .request(method.clone(), app.url(&path))
            .header("origin", "https://evil.example")
            .header("access-control-request-method", "GET")
            .send()
            .await
            .unwrap();
        assert!(
            response
                .headers()
                .keys()
                .all(|k| !k.as_str().starts_with("access-control-")),
            "{method}"
        );
    }
    app.stop().await;
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
