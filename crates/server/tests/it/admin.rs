//! The admin HTTP API for OAuth clients: absent without an administrator token, refused
//! with a wrong one, and the same operations as `paceline admin clients` with the right one.

use crate::harness::TestApp;
use paceline_testkit::{TestContext, on_both_engines};
use serde_json::{Value, json};

on_both_engines!(the_admin_api_needs_its_token, the_admin_api_manages_clients);

const TOKEN: &str = "admin-token-0123456789-abcdefghijklmnop";

async fn the_admin_api_needs_its_token(db: TestContext) {
    let closed = TestApp::spawn(&db).await;
    let response = closed
        .client
        .get(closed.url("/api/admin/clients"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404, "no token configured: no admin API");
    closed.stop().await;

    let app = TestApp::spawn_with(&db, |s| s.with_admin_token(TOKEN)).await;
    for auth in [None, Some("wrong-token"), Some("tia_at_whatever")] {
        let mut request = app.client.get(app.url("/api/admin/clients"));
        if let Some(token) = auth {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401, "{auth:?}");
        assert!(response.headers().contains_key("www-authenticate"));
    }
    app.stop().await;
}

async fn the_admin_api_manages_clients(db: TestContext) {
    let app = TestApp::spawn_with(&db, |s| s.with_admin_token(TOKEN)).await;
    let url = |path: &str| app.url(&format!("/api/admin/clients{path}"));
    let created = app
        .client
        .post(url(""))
        .bearer_auth(TOKEN)
        .json(&json!({ "name": "Your App", "redirect_uris": ["https://your.app/cb"], "scope": "profile:read" }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let client: Value = created.json().await.unwrap();
    let id = client["client_id"].as_str().unwrap().to_owned();
    assert_eq!(client["type"], "confidential");
    assert_eq!(client["client_secret"].as_str().unwrap().len(), 48);

    let listed: Value = app
        .client
        .get(url(""))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert!(
        listed[0].get("client_secret").is_none(),
        "the secret is shown once"
    );

    let patched = app
        .client
        .patch(url(&format!("/{id}")))
        .bearer_auth(TOKEN)
        .json(&json!({ "scope": "profile:read activities:read" }))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), 200);
    assert_eq!(
        patched.json::<Value>().await.unwrap()["scope"],
        "profile:read activities:read"
    );

    let rotated = app
        .client
        .post(url(&format!("/{id}/rotate-secret")))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(rotated.status(), 200);
    assert_ne!(
        rotated.json::<Value>().await.unwrap()["client_secret"],
        client["client_secret"]
    );

    for (body, status, code) in [
        (
            json!({ "name": "X", "redirect_uris": ["http://evil.example/cb"], "scope": "read" }),
            400,
            "invalid-redirect-uri",
        ),
        (
            json!({ "name": "X", "redirect_uris": ["https://a/cb"], "scope": "admin" }),
            400,
            "invalid-scope",
        ),
        (
            json!({ "name": "X", "redirect_uris": ["https://a/cb"], "scope": "read", "client_id": id }),
            409,
            "duplicate-client-id",
        ),
        (
            json!({ "name": "X", "redirect_uris": ["https://a/cb"], "scope": "read", "extra": 1 }),
            400,
            "invalid-body",
        ),
    ] {
        let response = app
            .client
            .post(url(""))
            .bearer_auth(TOKEN)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), status, "{body}");
        assert_eq!(
            response.json::<Value>().await.unwrap()["code"],
            code,
            "{body}"
        );
    }

    let deleted = app
        .client
        .delete(url(&format!("/{id}")))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    let gone = app
        .client
        .get(url(&format!("/{id}")))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 404);
    assert_eq!(
        gone.json::<Value>().await.unwrap()["code"],
        "unknown-client"
    );
    app.stop().await;
}
