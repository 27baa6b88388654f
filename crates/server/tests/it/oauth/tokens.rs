//! The token endpoint's errors (RFC 6749), and API routes checking token and scope.

use super::{authorize, profile, seed};
use crate::browser::Browser;
use crate::harness::TestApp;
use paceline_testkit::{TestContext, on_both_engines};
use serde_json::Value;

on_both_engines!(
    token_endpoint_errors_follow_rfc_6749,
    api_routes_check_token_and_scope,
);

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
