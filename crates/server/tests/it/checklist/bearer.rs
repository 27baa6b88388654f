//! Bearer headers' rows (B04, B06, B07, B09).

use crate::browser::Browser;
use crate::harness::TestApp;
use crate::oauth::{authorize, seed};
use paceline_testkit::{TestContext, on_both_engines};

on_both_engines!(b04_b06_b07_b09_bearer_headers,);

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
