//! The login and consent pages' rows (U03-U05, U07-U10, U13).

use super::{client_with, consent_through, path_for};
use crate::browser::Browser;
use crate::harness::TestApp;
use crate::oauth::{PASSWORD, REDIRECT, authorize_path, log_in, query_of, seed};
use paceline_domain::SystemClock;
use paceline_domain::accounts::{self, UserRequest};
use paceline_domain::oauth::OAuthSettings;
use paceline_domain::password::Password;
use paceline_testkit::{TestContext, on_both_engines};

on_both_engines!(
    u04_u05_u07_u08_pages_change_nothing_on_get_and_are_safe_to_show,
    u09_public_clients_at_private_schemes_always_ask,
    u03_a_consent_page_is_answered_once,
    u10_a_consent_page_shown_to_another_account_is_stale,
    u13_cookies_are_host_bound_over_tls_and_renewed_at_login,
);

async fn u04_u05_u07_u08_pages_change_nothing_on_get_and_are_safe_to_show(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    seed(&app, "profile:read", false).await;
    let client = client_with(&app, REDIRECT, "profile:read", false).await;
    let mut browser = Browser::new(&app.base);
    let login = browser
        .get(&path_for(
            &client,
            REDIRECT,
            Some("\"><script>alert(1)</script>"),
            "",
        ))
        .await;
    let consent = log_in(&mut browser, &login).await;
    assert!(
        !consent.body.contains("<script>"),
        "reflected values are escaped"
    );
    assert!(
        consent.body.contains("Odd &#60;App&#62; &#34;quoted&#34;")
            || consent.body.contains("Odd &lt;App&gt;"),
        "{}",
        consent.body
    );
    // U04: a GET carrying a decision approves nothing.
    let get = browser
        .get(&path_for(
            &client,
            REDIRECT,
            None,
            "&decision=allow&approve=1",
        ))
        .await;
    assert_eq!(get.status, 200);
    assert!(
        get.body.contains("name=\"decision\""),
        "still the consent page"
    );
    // U05/U06/U08 on the login, consent and error pages.
    let error = browser.get("/oauth/authorize?client_id=nope").await;
    for page in [&login, &consent, &error] {
        assert_eq!(page.headers["x-frame-options"], "DENY");
        assert!(
            page.headers["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'")
        );
        assert_eq!(page.headers["referrer-policy"], "no-referrer");
        assert_eq!(page.headers["cache-control"], "no-store");
        assert!(
            !page.body.contains("http://") && !page.body.contains("https://"),
            "no third-party resources"
        );
    }
    app.stop().await;
}

async fn u09_public_clients_at_private_schemes_always_ask(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    seed(&app, "profile:read", false).await;
    let redirect = "com.example.app:/callback";
    let client = client_with(&app, redirect, "profile:read", true).await;
    let mut browser = Browser::new(&app.base);
    let first = consent_through(&mut browser, &path_for(&client, redirect, None, "")).await;
    assert_eq!(first.status, 303);
    let second = browser.get(&path_for(&client, redirect, None, "")).await;
    assert_eq!(second.status, 200, "the consent page again");
    assert!(second.body.contains("name=\"decision\""));
    let silent = browser
        .get(&path_for(&client, redirect, None, "&prompt=none"))
        .await;
    assert_eq!(query_of(silent.location())["error"], "consent_required");
    app.stop().await;
}

async fn u03_a_consent_page_is_answered_once(db: TestContext) {
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
        ("decision", "allow".to_owned()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let first = browser.post_form("/oauth/authorize", &fields).await;
    assert_eq!(first.status, 303);
    let again = browser.post_form("/oauth/authorize", &fields).await;
    assert_eq!(again.status, 409, "a double submit issues no second code");
    assert!(again.headers.get("location").is_none());

    // U02: a fresh page's ticket does not carry over to an altered request.
    let page = browser
        .get(&authorize_path(&client, "profile:read", "&prompt=consent"))
        .await;
    let altered = page.field("request").replace("st4te", "other-state");
    let fields = [
        ("csrf", page.field("csrf")),
        ("request", altered),
        ("ticket", page.field("ticket")),
        ("decision", "allow".to_owned()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let tampered = browser.post_form("/oauth/authorize", &fields).await;
    assert_eq!(
        tampered.status, 409,
        "the request shown is the request approved"
    );
    app.stop().await;
}

async fn u10_a_consent_page_shown_to_another_account_is_stale(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let client = seed(&app, "profile:read", false).await;
    let request = UserRequest {
        email: "bea@example.com".into(),
        password: Password::new(PASSWORD),
        name: "Bea".into(),
        organization: None,
        role: None,
    };
    accounts::create_user(app.store.as_ref(), &SystemClock, request)
        .await
        .unwrap();
    let mut browser = Browser::new(&app.base);
    let login = browser
        .get(&authorize_path(&client, "profile:read", ""))
        .await;
    let consent_for_max = log_in(&mut browser, &login).await;
    // The same browser signs in as Bea.
    let relogin = browser
        .get(&authorize_path(&client, "profile:read", "&prompt=login"))
        .await;
    let answer = browser
        .post_form(
            "/login",
            &[
                ("csrf", &relogin.field("csrf")),
                ("return_to", &relogin.field("return_to")),
                ("email", "bea@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(answer.status, 303);
    let fields = [
        ("csrf", consent_for_max.field("csrf")),
        ("request", consent_for_max.field("request")),
        ("ticket", consent_for_max.field("ticket")),
        ("decision", "allow".to_owned()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let stale = browser.post_form("/oauth/authorize", &fields).await;
    assert_eq!(stale.status, 409);
    assert!(
        stale.headers.get("location").is_none(),
        "no code for Bea from Max's page"
    );
    app.stop().await;
}

async fn u13_cookies_are_host_bound_over_tls_and_renewed_at_login(db: TestContext) {
    let app = TestApp::spawn_with(&db, |s| {
        s.with_oauth(OAuthSettings::new("https://paceline.example"))
    })
    .await;
    let client = seed(&app, "profile:read", false).await;
    let mut browser = Browser::new(&app.base);
    let login = browser
        .get(&authorize_path(&client, "profile:read", ""))
        .await;
    let csrf = browser
        .set_cookies
        .iter()
        .find(|c| c.starts_with("__Host-pl_csrf="))
        .unwrap();
    assert!(
        csrf.contains("Secure") && csrf.contains("Path=/") && csrf.contains("HttpOnly"),
        "{csrf}"
    );
    log_in(&mut browser, &login).await;
    let session = browser
        .set_cookies
        .iter()
        .find(|c| c.starts_with("__Host-pl_session="))
        .unwrap()
        .clone();
    assert!(
        session.contains("Secure") && session.contains("SameSite=Lax"),
        "{session}"
    );
    // A second login gives a new session id.
    let relogin = browser
        .get(&authorize_path(&client, "profile:read", "&prompt=login"))
        .await;
    log_in(&mut browser, &relogin).await;
    let renewed = browser
        .set_cookies
        .iter()
        .rfind(|c| c.starts_with("__Host-pl_session="))
        .unwrap();
    assert_ne!(*renewed, session);
    app.stop().await;
}
