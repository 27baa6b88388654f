//! The web app as a browser uses it, over HTTP, on both engines: each page's content, its
//! forms (with and without their CSRF token), and isolation between athletes.

use crate::browser::{Browser, Page};
use crate::harness::TestApp;
use paceline_domain::FixedClock;
use paceline_domain::accounts::{self, UserRequest};
use paceline_domain::activities::{
    ActivityOrigin, ActivityStore, ActivityType, Figures, NewActivity,
};
use paceline_domain::entities::Membership;
use paceline_domain::ids::ActivityId;
use paceline_domain::password::Password;
use paceline_domain::store::AccountStore;
use paceline_testkit::TestContext;
use reqwest::multipart::{Form, Part};
use time::macros::datetime;

mod activities;
mod calendar;
mod coaching;
mod home;
mod organization;
mod people;
mod session;
mod workouts;

pub(crate) const PASSWORD: &str = "a long enough password";
/// A ride with heart rate, power, cadence and laps, recorded indoors.
pub(crate) const RIDE: &str = "fit/muktihari__activity_lowbattery.fit";
/// A ride with positions.
pub(crate) const OUTDOORS: &str = "fit/pyfitparse__null_compressed_speed_dist.fit";
pub(crate) const RUN: &str = "fit/pyfitparse__garmin-fenix-5-run.fit";

pub(crate) async fn athlete(app: &TestApp, email: &str) {
    let request = UserRequest {
        email: email.into(),
        password: Password::new(PASSWORD),
        name: "Robin Rider".into(),
        organization: None,
        role: None,
    };
    accounts::create_user(
        app.store.as_ref(),
        &FixedClock::new(datetime!(2026-11-30 08:00 UTC)),
        request,
    )
    .await
    .unwrap();
}

/// The server, and Robin (an athlete) signed in.
pub(crate) async fn robin(db: &TestContext) -> (TestApp, Browser) {
    let app = TestApp::spawn(db).await;
    athlete(&app, "robin@example.com").await;
    let browser = signed_in(&app, "robin@example.com").await;
    (app, browser)
}

/// Robin's account and membership.
pub(crate) async fn robins(app: &TestApp) -> (paceline_domain::entities::User, Membership) {
    let email = paceline_domain::email::Email::parse("robin@example.com").unwrap();
    let user = app.store.find_user_by_email(&email).await.unwrap().unwrap();
    let membership = accounts::home_membership(app.store.as_ref(), user.id)
        .await
        .unwrap()
        .unwrap();
    (user, membership)
}

/// An activity of Robin's written without a file, as an app would.
pub(crate) async fn written(
    app: &TestApp,
    kind: ActivityType,
    title: &str,
    at: time::OffsetDateTime,
    figures: Figures,
) -> ActivityId {
    let (user, membership) = robins(app).await;
    app.store
        .record_activity(NewActivity {
            user_id: user.id,
            membership_id: membership.id,
            origin: ActivityOrigin::External,
            client: None,
            activity_type: kind,
            title: Some(title.into()),
            started_at: at,
            timezone: None,
            figures,
            notes: None,
            source: None,
            legs: Vec::new(),
            now: at,
        })
        .await
        .unwrap()
        .id
}

/// `email` signed in from the login page.
pub(crate) async fn signed_in(app: &TestApp, email: &str) -> Browser {
    let mut browser = Browser::new(&app.base);
    let login = browser.get("/login").await;
    let after = browser
        .post_form(
            "/login",
            &[
                ("csrf", &login.field("csrf")),
                ("return_to", "/"),
                ("email", email),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(after.status, 303, "{}", after.body);
    browser
}

/// Uploads `files` (name, bytes) from the upload page.
pub(crate) async fn upload(browser: &mut Browser, files: &[(&str, Vec<u8>)]) -> Page {
    let form_page = browser.get("/upload").await;
    assert_eq!(form_page.status, 200);
    let mut form = Form::new().text("csrf", form_page.field("csrf"));
    for (name, bytes) in files {
        form = form.part(
            "file",
            Part::bytes(bytes.clone()).file_name(name.to_string()),
        );
    }
    browser.post_multipart("/upload", form).await
}

/// The activity links of a page, in order.
pub(crate) fn activity_links(body: &str) -> Vec<String> {
    let mut links = Vec::new();
    let mut rest = body;
    while let Some(at) = rest.find("href=\"/activities/act_") {
        let start = at + "href=\"".len();
        let end = rest[start..].find('"').unwrap() + start;
        links.push(rest[start..end].to_owned());
        rest = &rest[end..];
    }
    links
}
