//! Rate limits: 429 with `Retry-After` and an explanation, per token, per client, per
//! account and address on the login form, and shared between processes when counted in
//! the database.

use crate::browser::Browser;
use crate::harness::TestApp;
use crate::oauth::{PASSWORD, authorize, authorize_path, seed};
use paceline_domain::ratelimit::{Limit, Limits, MemoryLimiter, RateLimiter};
use paceline_testkit::{TestContext, on_both_engines};
use serde_json::Value;
use std::sync::Arc;

on_both_engines!(
    api_requests_over_the_token_limit_get_429,
    login_brute_force_gets_429,
    shared_limits_hold_across_processes,
    failed_logins_are_limited_per_address_too,
    bursts_of_authenticated_client_requests_are_not_throttled,
);

fn tight(api_per_token: u32, login_per_account: u32) -> Limits {
    let defaults = Limits::default();
    Limits {
        api_per_token: Limit::per_minute(api_per_token),
        login_per_account: Limit {
            requests: login_per_account,
            period: defaults.login_per_account.period,
        },
        ..defaults
    }
}

async fn profile(app: &TestApp, token: &str) -> reqwest::Response {
    app.client
        .get(app.url("/api/external/v1/profile"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn api_requests_over_the_token_limit_get_429(db: TestContext) {
    let app = TestApp::spawn_with(&db, |s| {
        s.with_limits(tight(3, 100), Arc::new(MemoryLimiter::new()))
    })
    .await;
    let client = seed(&app, "profile:read", false).await;
    let mut browser = Browser::new(&app.base);
    let tokens = authorize(&app, &mut browser, &client, "profile:read").await;
    let token = tokens["access_token"].as_str().unwrap();
    for _ in 0..3 {
        assert_eq!(profile(&app, token).await.status(), 200);
    }
    let limited = profile(&app, token).await;
    assert_eq!(limited.status(), 429);
    let retry_after: i64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=20).contains(&retry_after), "{retry_after}");
    let body: Value = limited.json().await.unwrap();
    assert_eq!(body["errorCode"], "rate_limited");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("3 requests per 60 seconds"),
        "{body}"
    );

    // Another token has its own count.
    let other = authorize(&app, &mut browser, &client, "profile:read").await;
    assert_eq!(
        profile(&app, other["access_token"].as_str().unwrap())
            .await
            .status(),
        200
    );
    app.stop().await;
}

async fn login_brute_force_gets_429(db: TestContext) {
    let app = TestApp::spawn_with(&db, |s| {
        s.with_limits(tight(100, 3), Arc::new(MemoryLimiter::new()))
    })
    .await;
    let client = seed(&app, "profile:read", false).await;
    let mut browser = Browser::new(&app.base);
    let login = browser
        .get(&authorize_path(&client, "profile:read", ""))
        .await;
    let (csrf, return_to) = (login.field("csrf"), login.field("return_to"));
    let attempt = |password: &'static str| {
        [
            ("csrf", csrf.clone()),
            ("return_to", return_to.clone()),
            ("email", "max@example.com".into()),
            ("password", password.into()),
        ]
    };
    for _ in 0..3 {
        let fields = attempt("wrong");
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(browser.post_form("/login", &fields).await.status, 401);
    }
    let fields = attempt(PASSWORD);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let limited = browser.post_form("/login", &fields).await;
    assert_eq!(limited.status, 429, "even the right password waits");
    // RL04: a forwarded-for header is not trusted, so rotating it changes nothing.
    for spoofed in ["10.0.0.1", "203.0.113.9"] {
        let response = app
            .client
            .post(app.url("/login"))
            .header("x-forwarded-for", spoofed)
            .header("cookie", format!("pl_csrf={}", browser.cookies["pl_csrf"]))
            .form(&fields)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 429, "{spoofed}");
    }
    assert!(limited.headers.contains_key("retry-after"));
    assert!(limited.body.contains("Too many sign-in attempts"));
    assert!(!browser.cookies.contains_key("pl_session"));
    app.stop().await;
}

async fn shared_limits_hold_across_processes(db: TestContext) {
    // Two servers on one database, counting in it: a token gets 4 requests in all.
    let limiter_a: Arc<dyn RateLimiter> = Arc::new(db.open().await);
    let limiter_b: Arc<dyn RateLimiter> = Arc::new(db.open().await);
    let a = TestApp::spawn_with(&db, |s| s.with_limits(tight(4, 100), limiter_a)).await;
    let b = TestApp::spawn_with(&db, |s| s.with_limits(tight(4, 100), limiter_b)).await;
    let client = seed(&a, "profile:read", false).await;
    let mut browser = Browser::new(&a.base);
    let tokens = authorize(&a, &mut browser, &client, "profile:read").await;
    let token = tokens["access_token"].as_str().unwrap();
    for app in [&a, &b, &a, &b] {
        assert_eq!(profile(app, token).await.status(), 200);
    }
    assert_eq!(profile(&b, token).await.status(), 429);
    assert_eq!(profile(&a, token).await.status(), 429);
    a.stop().await;
    b.stop().await;
}

async fn failed_logins_are_limited_per_address_too(db: TestContext) {
    let limits = Limits {
        login_per_address: Limit {
            requests: 3,
            period: time::Duration::minutes(15),
        },
        ..Limits::default()
    };
    let app = TestApp::spawn_with(&db, |s| {
        s.with_limits(limits, Arc::new(MemoryLimiter::new()))
    })
    .await;
    let client = seed(&app, "profile:read", false).await;
    let mut browser = Browser::new(&app.base);
    let login = browser
        .get(&authorize_path(&client, "profile:read", ""))
        .await;
    let (csrf, return_to) = (login.field("csrf"), login.field("return_to"));
    let mut statuses = Vec::new();
    for i in 0..4 {
        let email = format!("guess{i}@example.com");
        let fields = [
            ("csrf", csrf.as_str()),
            ("return_to", return_to.as_str()),
            ("email", email.as_str()),
            ("password", "nope"),
        ];
        statuses.push(browser.post_form("/login", &fields).await.status);
    }
    assert_eq!(
        statuses,
        [401, 401, 401, 429],
        "one address guessing across accounts is limited"
    );
    app.stop().await;
}

/// Only failed client authentications count: forty requests in flight at once from one
/// client and address, each with the right secret, all reach the grant (which refuses the
/// made-up refresh tokens), none gets 429. Wrong secrets still do.
async fn bursts_of_authenticated_client_requests_are_not_throttled(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let client = seed(&app, "profile:read", false).await;
    let secret = client.secret.clone().unwrap();
    let send = |token: String, secret: String| {
        app.client
            .post(app.url("/api/oauth/token"))
            .basic_auth(&client.id, Some(secret))
            .form(&[("grant_type", "refresh_token"), ("refresh_token", &token)])
            .send()
    };
    let burst = (0..40).map(|i| send(format!("tia_rt_unknown{i}"), secret.clone()));
    for response in futures::future::join_all(burst).await {
        let response = response.unwrap();
        assert_eq!(response.status(), 400);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "invalid_grant");
    }
    let mut statuses = Vec::new();
    for _ in 0..25 {
        statuses.push(
            send("tia_rt_x".into(), "wrong".into())
                .await
                .unwrap()
                .status(),
        );
    }
    assert_eq!(statuses[0], 401);
    assert_eq!(*statuses.last().unwrap(), 429, "{statuses:?}");
    app.stop().await;
}
