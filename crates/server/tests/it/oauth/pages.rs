//! The pages' refusals: untrusted clients and redirects, forms without the CSRF token, a
//! wrong password.

use super::{PASSWORD, authorize_path, log_in, query_of, seed};
use crate::browser::Browser;
use crate::harness::TestApp;
use paceline_testkit::{TestContext, on_both_engines};

on_both_engines!(
    untrusted_clients_and_redirects_get_an_error_page,
    forms_without_the_csrf_token_are_refused,
    a_wrong_password_shows_the_login_page_again,
);

async fn untrusted_clients_and_redirects_get_an_error_page(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let client = seed(&app, "profile:read", false).await;
    let mut browser = Browser::new(&app.base);
    let good = authorize_path(&client, "profile:read", "");
    for path in [
        good.replace(&client.id, "nope"),
        good.replace(
            "your.app%2Foauth%2Fcallback",
            "your.app%2Foauth%2Fcallback%2F",
        ),
        good.replace("https%3A%2F%2Fyour.app", "https%3A%2F%2Fevil.example"),
        good.replace("code_challenge_method=S256", "code_challenge_method=plain")
            .replace("your.app", "evil.example"),
        format!("{good}&redirect_uri=https%3A%2F%2Fyour.app%2Foauth%2Fcallback"),
    ] {
        let page = browser.get(&path).await;
        assert_eq!(page.status, 400, "{path}");
        assert!(page.headers.get("location").is_none(), "{path}");
        assert!(
            page.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
    }
    for (extra, error) in [
        ("&code_challenge_method=plain", "invalid_request"),
        ("&scope=upload", "invalid_scope"),
    ] {
        let path = good
            .replace("&code_challenge_method=S256", "")
            .replace("&scope=profile%3Aread", "")
            + extra;
        let path = if error == "invalid_scope" {
            format!("{path}&code_challenge_method=S256")
        } else {
            format!("{path}&scope=profile%3Aread")
        };
        let page = browser.get(&path).await;
        assert_eq!(page.status, 302, "{path}");
        let params = query_of(page.location());
        assert_eq!(params["error"], error, "{path}");
        assert_eq!(params["iss"], app.base);
    }
    app.stop().await;
}

async fn forms_without_the_csrf_token_are_refused(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let client = seed(&app, "profile:read", false).await;
    let mut browser = Browser::new(&app.base);
    let login = browser
        .get(&authorize_path(&client, "profile:read", ""))
        .await;
    let consent = log_in(&mut browser, &login).await;
    let request = consent.field("request");
    let ticket = consent.field("ticket");
    for csrf in ["", "csrf_forged0000000000000000000000000000000000000"] {
        let answer = browser
            .post_form(
                "/oauth/authorize",
                &[
                    ("csrf", csrf),
                    ("request", &request),
                    ("ticket", &ticket),
                    ("decision", "allow"),
                ],
            )
            .await;
        assert_eq!(answer.status, 403, "{csrf}");
        assert!(answer.headers.get("location").is_none());
    }
    // A cross-site post carries the victim's cookies but not the token, and its Origin.
    let response = app
        .client
        .post(app.url("/oauth/authorize"))
        .header(
            "cookie",
            format!(
                "pl_session={}; pl_csrf={}",
                browser.cookies["pl_session"], browser.cookies["pl_csrf"]
            ),
        )
        .header("origin", "https://evil.example")
        .form(&[
            ("csrf", browser.cookies["pl_csrf"].as_str()),
            ("request", &request),
            ("ticket", &ticket),
            ("decision", "allow"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let login_without_token = browser
        .post_form(
            "/login",
            &[("email", "max@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(login_without_token.status, 403);
    app.stop().await;
}

async fn a_wrong_password_shows_the_login_page_again(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let client = seed(&app, "profile:read", false).await;
    let mut browser = Browser::new(&app.base);
    let login = browser
        .get(&authorize_path(&client, "profile:read", ""))
        .await;
    let answer = browser
        .post_form(
            "/login",
            &[
                ("csrf", &login.field("csrf")),
                ("return_to", &login.field("return_to")),
                ("email", "max@example.com"),
                ("password", "wrong"),
            ],
        )
        .await;
    assert_eq!(answer.status, 401);
    assert!(
        answer
            .body
            .contains("The e-mail address or password is wrong.")
    );
    assert_eq!(answer.field("email"), "max@example.com");
    assert!(!browser.cookies.contains_key("pl_session"));
    app.stop().await;
}
