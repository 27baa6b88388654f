//! The server's metadata and the whole flow: a confidential client, a second
//! authorization approved at once, a denial.

use super::{allow, authorize, authorize_path, exchange, log_in, profile, query_of, refresh, seed};
use crate::browser::Browser;
use crate::harness::TestApp;
use paceline_testkit::{TestContext, on_both_engines};
use serde_json::Value;

on_both_engines!(
    metadata_describes_the_server,
    the_whole_flow_works_for_a_confidential_client,
    a_second_authorization_is_approved_at_once,
    denying_redirects_access_denied,
);

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
        serde_json::json!(["authorization_code", "refresh_token", "client_credentials"])
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
