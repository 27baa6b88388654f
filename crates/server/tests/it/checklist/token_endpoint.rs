//! The token endpoint's rows: forms by POST only (T01, T02, T13), client authentication
//! (T06, T07, T11), the shape of tokens and errors (O03, O04), no credentials in URLs and
//! no internals in errors (T03, S03).

use crate::browser::Browser;
use crate::harness::TestApp;
use crate::oauth::{authorize, authorize_path, seed};
use paceline_testkit::{TestContext, on_both_engines};
use serde_json::Value;

on_both_engines!(
    t01_t02_t13_the_token_endpoint_takes_forms_by_post_only,
    t06_t07_t11_client_authentication_fails_alike_and_is_throttled,
    o03_o04_tokens_and_errors_have_their_shape,
    t03_s03_no_credentials_in_urls_and_no_internals_in_errors,
);

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
