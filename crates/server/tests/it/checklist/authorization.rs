//! The authorization endpoint's rows: redirects keep the registered query, `state` and
//! `iss` (R01-R03); requests as forms, never JSON (A10); no host poisoning, no CORS (M04, A11).

use super::{client_with, consent_through, path_for};
use crate::browser::Browser;
use crate::harness::TestApp;
use crate::oauth::{authorize_path, query_of, seed};
use paceline_testkit::{TestContext, on_both_engines};
use serde_json::Value;

on_both_engines!(
    r01_r02_r03_redirects_keep_the_registered_query_state_and_iss,
    a10_authorization_requests_may_come_as_forms_but_not_json,
    m04_a11_no_host_poisoning_and_no_cors_at_the_authorization_endpoint,
);

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
