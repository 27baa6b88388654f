//! Company integrations: a coaching company's own OAuth client gets its token with
//! `grant_type=client_credentials` and acts for every athlete of the company, nobody else,
//! with its scopes only; its token is revoked like any token.

use super::companies::status as call;
use crate::harness::TestApp;
use paceline_domain::SystemClock;
use paceline_domain::accounts::{self, UserRequest};
use paceline_domain::entities::Role;
use paceline_domain::oauth::company::{self, CompanyRegistration, ProvisionedCompany};
use paceline_domain::password::Password;
use paceline_testkit::api;
use paceline_testkit::{TestContext, on_both_engines};
use rand::SeedableRng;
use reqwest::Method;
use serde_json::Value;

on_both_engines!(a_company_integration_acts_for_its_company_only);

async fn athlete(app: &TestApp, email: &str, org: &str) -> i64 {
    let request = UserRequest {
        email: email.into(),
        password: Password::new("a long enough password"),
        name: "Ath Lete".into(),
        organization: Some(org.into()),
        role: Some(Role::Athlete),
    };
    accounts::create_user(app.store.as_ref(), &SystemClock, request)
        .await
        .unwrap()
        .user
        .id
        .get()
}

pub(crate) async fn provision(app: &TestApp, org: &str, scopes: &str) -> ProvisionedCompany {
    let registration = CompanyRegistration {
        organization: org.into(),
        name: format!("{org} sync"),
        scopes: scopes.into(),
        client_id: None,
    };
    company::register(
        app.store.as_ref(),
        &SystemClock,
        &mut rand::rngs::StdRng::from_os_rng(),
        registration,
    )
    .await
    .unwrap()
}

/// The token endpoint's answer to a client_credentials request.
pub(crate) async fn token(
    app: &TestApp,
    id: &str,
    secret: &str,
    scope: Option<&str>,
) -> (u16, Value) {
    let mut form = vec![("grant_type", "client_credentials")];
    if let Some(scope) = scope {
        form.push(("scope", scope));
    }
    let response = app
        .client
        .post(app.url("/api/oauth/token"))
        .basic_auth(id, Some(secret))
        .form(&form)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

async fn a_company_integration_acts_for_its_company_only(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let store = app.store.as_ref();
    for name in ["Company A", "Company B"] {
        accounts::create_organization(store, &SystemClock, name)
            .await
            .unwrap();
    }
    let first = athlete(&app, "one@a.example", "Company A").await;
    let second = athlete(&app, "two@a.example", "Company A").await;
    let rival = athlete(&app, "one@b.example", "Company B").await;
    let a = provision(&app, "Company A", "read write").await;
    let b = provision(&app, "Company B", "read").await;

    let (status, issued) = token(&app, &a.client.client_id, a.secret.expose(), None).await;
    assert_eq!(status, 200, "{issued}");
    assert_eq!(issued["token_type"], "Bearer");
    assert_eq!(issued["scope"], "read write");
    assert!(
        issued.get("refresh_token").is_none(),
        "RFC 6749 4.4.3: {issued}"
    );
    let a_token = issued["access_token"].as_str().unwrap().to_owned();

    // Every athlete of the company, and only them.
    let (status, listed) = call(&app, &a_token, Method::GET, "/api/athletes/").await;
    assert_eq!(status, 200, "{listed}");
    let mut ids: Vec<i64> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    ids.sort();
    assert_eq!(ids, [first, second]);
    for (path, expected) in [
        (format!("/api/sessions/?athlete={first}"), 200),
        (format!("/api/races/?athlete={second}"), 200),
        (format!("/api/workouts/?athlete={first}"), 200),
        (format!("/api/sessions/?athlete={rival}"), 403),
        (format!("/api/uploads/pending/?athlete={rival}"), 403),
    ] {
        let (status, body) = call(&app, &a_token, Method::GET, &path).await;
        assert_eq!(status, expected, "{path}: {body}");
    }
    let (status, session) = call(
        &app,
        &a_token,
        Method::POST,
        &format!("/api/sessions/?athlete={first}"),
    )
    .await;
    assert_eq!(status, 201, "{session}");
    assert_eq!(session["athlete"], first);

    // The rest of the surface: the session's direct-access token is the company's to
    // rotate, as it is the athlete's coach's; who it is shows the user its tokens act as;
    // coach-athlete conversations are the people's own, not the company's.
    let rotate = format!("/api/sessions/{}/direct_access_token/", session["id"]);
    let (status, rotated) = call(&app, &a_token, Method::POST, &rotate).await;
    assert_eq!(status, 200, "{rotated}");
    assert!(rotated["direct_access_token"].is_string(), "{rotated}");
    let (status, me) = call(&app, &a_token, Method::GET, "/api/users/current/").await;
    assert_eq!(status, 200, "{me}");
    assert_ne!(me["id"], first);
    let (status, contacts) = call(&app, &a_token, Method::GET, "/api/contacts/").await;
    assert_eq!((status, contacts), (200, Value::Array(Vec::new())));
    let conversation = format!("/api/contacts/{first}/messages/");
    assert_eq!(
        call(&app, &a_token, Method::GET, &conversation).await.0,
        404
    );
    let sent = app
        .client
        .post(app.url(&conversation))
        .bearer_auth(&a_token)
        .form(&[("content", "Hello from the company")])
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 404, "nothing is sent");

    // Another company's integration, with read only: its scope and its company.
    let (_, issued) = token(&app, &b.client.client_id, b.secret.expose(), None).await;
    let b_token = issued["access_token"].as_str().unwrap().to_owned();
    let path = format!("/api/sessions/?athlete={rival}");
    assert_eq!(call(&app, &b_token, Method::GET, &path).await.0, 200);
    assert_eq!(call(&app, &b_token, Method::POST, &path).await.0, 403);
    let theirs = format!("/api/sessions/{}/", session["id"]);
    assert_eq!(call(&app, &b_token, Method::GET, &theirs).await.0, 404);
    for (method, path, expected) in [
        (Method::GET, format!("/api/workouts/?athlete={first}"), 403),
        (
            Method::GET,
            format!("/api/uploads/pending/?athlete={first}"),
            403,
        ),
        // Read only: refused for its scope before anything is looked up.
        (Method::POST, rotate.clone(), 403),
        (Method::GET, format!("/api/contacts/{first}/messages/"), 404),
    ] {
        let (status, body) = call(&app, &b_token, method.clone(), &path).await;
        assert_eq!(status, expected, "{method} {path}: {body}");
    }
    let (status, refused) =
        token(&app, &b.client.client_id, b.secret.expose(), Some("write")).await;
    assert_eq!(
        (status, refused["error"].as_str()),
        (400, Some("invalid_scope"))
    );

    // Not for other clients, nor with a wrong secret.
    let app_client = api::client(store, "user-app").await;
    let (status, refused) = token(&app, &app_client.client_id, &app_client.secret, None).await;
    assert_eq!(
        (status, refused["error"].as_str()),
        (400, Some("unauthorized_client"))
    );
    let (status, _) = token(&app, &a.client.client_id, "not-the-secret", None).await;
    assert_eq!(status, 401);

    // Revoked like any token.
    let revoked = app
        .client
        .post(app.url("/api/oauth/revoke"))
        .basic_auth(&a.client.client_id, Some(a.secret.expose()))
        .form(&[("token", a_token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 200);
    assert_eq!(
        call(&app, &a_token, Method::GET, "/api/athletes/").await.0,
        401
    );

    let metadata: Value = app
        .get("/.well-known/oauth-authorization-server")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        metadata["grant_types_supported"]
            .as_array()
            .unwrap()
            .contains(&Value::from("client_credentials"))
    );
    app.stop().await;
}
