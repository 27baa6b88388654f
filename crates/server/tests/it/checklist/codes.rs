//! Authorization codes' rows: spent once and checked before spending (C02, C05, C06), and
//! no exchange once consent is withdrawn (C07).

use crate::browser::Browser;
use crate::harness::TestApp;
use crate::oauth::{Client, REDIRECT, VERIFIER, allow, authorize_path, exchange, log_in, seed};
use paceline_testkit::{TestContext, on_both_engines};
use serde_json::Value;

on_both_engines!(
    c02_c05_c06_codes_are_spent_once_and_checked_before_spending,
    c07_withdrawn_consent_stops_the_exchange,
);

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
