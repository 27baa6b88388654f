//! Health, messages and settings.

use super::*;
use paceline_domain::daily::{Attribution, DailyStore, NewRecord, SleepValues};
use paceline_testkit::on_both_engines;

on_both_engines!(
    health_shows_the_days_as_charts_and_tables,
    messages_mark_what_was_unread_and_send,
    settings_change_each_part_and_refuse_what_breaks_a_rule,
    a_password_change_keeps_this_browser_and_ends_the_others,
);

async fn health_shows_the_days_as_charts_and_tables(db: TestContext) {
    let (app, mut browser) = robin(&db).await;
    let empty = browser.get("/health").await;
    assert!(empty.body.contains("No sleep recorded in this span."));
    let (_, membership) = robins(&app).await;
    let now = time::OffsetDateTime::now_utc();
    for (back, hours) in [(3, 7.5), (2, 6.0), (1, 8.5)] {
        app.store
            .upsert_sleep_day(NewRecord {
                by: Attribution {
                    user_id: membership.user_id,
                    membership_id: membership.id,
                    client: None,
                },
                key: now.date() - time::Duration::days(back),
                values: SleepValues {
                    sleep_seconds: Some((hours * 3600.0) as i32),
                    sleep_score: Some(80),
                    ..SleepValues::default()
                },
                external_id: None,
                raw_payload: None,
                now,
            })
            .await
            .unwrap();
    }
    let page = browser.get("/health?days=30").await;
    let body = &page.body;
    assert!(body.contains(r#"<a href="/health?days=30" aria-current="page">"#));
    assert!(body.contains(r#"class="line sleep""#), "a sleep chart");
    assert!(body.contains("Sleep: 8.5 h on"), "{body}");
    assert!(body.contains("up 1.0 h since"));
    assert!(
        body.contains("<td>8 h 30 min</td>"),
        "the nights as a table too"
    );
    assert_eq!(body.matches("<td>7 h 30 min</td>").count(), 1);
    // Another athlete sees none of it.
    athlete(&app, "eve@example.com").await;
    let mut eve = signed_in(&app, "eve@example.com").await;
    assert!(!eve.get("/health").await.body.contains("8 h 30 min"));
    app.stop().await;
}

async fn messages_mark_what_was_unread_and_send(db: TestContext) {
    use paceline_domain::messaging;
    let app = TestApp::spawn(&db).await;
    let clock = FixedClock::new(datetime!(2026-11-30 08:00 UTC));
    let team = accounts::create_organization(app.store.as_ref(), &clock, "Team")
        .await
        .unwrap();
    let mut people = Vec::new();
    for (email, name, role) in [
        (
            "coach@example.com",
            "Casey Coach",
            paceline_domain::entities::Role::Coach,
        ),
        (
            "sam@example.com",
            "Sam Athlete",
            paceline_domain::entities::Role::Athlete,
        ),
    ] {
        let request = UserRequest {
            email: email.into(),
            password: Password::new(PASSWORD),
            name: name.into(),
            organization: Some(team.id.public()),
            role: Some(role),
        };
        people.push(
            accounts::create_user(app.store.as_ref(), &clock, request)
                .await
                .unwrap()
                .user,
        );
    }
    let (coach, sam) = (people[0].clone(), people[1].clone());
    let mut browser = signed_in(&app, "sam@example.com").await;
    let none = browser.get("/messages").await;
    assert!(none.body.contains("You have nobody to write to yet"));
    accounts::assign_coach(
        app.store.as_ref(),
        &clock,
        "coach@example.com",
        "sam@example.com",
        Some(&team.id.public()),
    )
    .await
    .unwrap();
    messaging::send(
        app.store.as_ref(),
        &clock,
        coach.id,
        sam.id,
        "How did the tempo run go?",
    )
    .await
    .unwrap();
    let home = browser.get("/").await;
    assert!(
        home.body
            .contains(r#"<span class="badge" aria-label="1 unread">1</span>"#)
    );
    let first = browser.get("/messages").await;
    assert!(first.body.contains("How did the tempo run go?"));
    assert!(
        first.body.contains("<strong>new</strong>"),
        "marked as unread until now"
    );
    assert!(
        !first.body.contains(r#"aria-label="1 unread""#),
        "and read now"
    );
    let again = browser.get("/messages").await;
    assert!(!again.body.contains("<strong>new</strong>"));
    let to = coach.id.public();
    let blank = browser
        .post_form(
            "/messages",
            &[
                ("csrf", &again.field("csrf")),
                ("to", &to),
                ("content", "   "),
            ],
        )
        .await;
    assert_eq!(blank.status, 422);
    assert!(blank.body.contains("Not sent: a message may not be blank."));
    let forged = browser
        .post_form("/messages", &[("to", &to), ("content", "Forged")])
        .await;
    assert_eq!(forged.status, 403);
    let sent = browser
        .post_form(
            "/messages",
            &[
                ("csrf", &again.field("csrf")),
                ("to", &to),
                ("content", "Strong, thanks!"),
            ],
        )
        .await;
    assert_eq!(sent.status, 303);
    let thread = browser.get(sent.location()).await;
    assert!(thread.body.contains("Strong, thanks!"));
    assert!(!thread.body.contains("Forged"));
    // Somebody who is not a contact is nobody here.
    athlete(&app, "eve@example.com").await;
    let eve = accounts::user_by_email(app.store.as_ref(), "eve@example.com")
        .await
        .unwrap();
    let stranger = browser
        .get(&format!("/messages?with={}", eve.id.public()))
        .await;
    assert_eq!(stranger.status, 404);
    let to_eve = browser
        .post_form(
            "/messages",
            &[
                ("csrf", &again.field("csrf")),
                ("to", &eve.id.public()),
                ("content", "Hi"),
            ],
        )
        .await;
    assert_eq!(to_eve.status, 404);
    app.stop().await;
}

async fn settings_change_each_part_and_refuse_what_breaks_a_rule(db: TestContext) {
    let (app, mut browser) = robin(&db).await;
    let page = browser.get("/settings").await;
    let csrf = page.field("csrf");
    let saved = browser
        .post_form(
            "/settings",
            &[
                ("csrf", &csrf),
                ("form", "profile"),
                ("name", " Robin Rouleur "),
            ],
        )
        .await;
    assert_eq!(saved.location(), "/settings?saved=profile#profile");
    let units = browser
        .post_form(
            "/settings",
            &[
                ("csrf", &csrf),
                ("form", "units"),
                ("distance", "miles"),
                ("pool", "yards"),
            ],
        )
        .await;
    assert_eq!(units.status, 303);
    let training = browser
        .post_form(
            "/settings",
            &[
                ("csrf", &csrf),
                ("form", "training"),
                ("max_heart_rate", "190"),
                ("ftp_watts", "260"),
                ("threshold_pace", "4:10"),
                ("weight_kg", "70,5"),
            ],
        )
        .await;
    assert_eq!(training.status, 303);
    let shown = browser.get("/settings?saved=training").await;
    assert!(shown.body.contains(r#"value="Robin Rouleur""#));
    assert!(shown.body.contains(r#"value="miles" checked"#));
    assert!(shown.body.contains(r#"value="4:10""#));
    assert!(
        shown.body.contains("Cycling zones"),
        "zones follow from the figures"
    );
    assert!(shown.body.contains("Saved."));
    // What breaks a rule is refused with the reason, and nothing changes.
    let refused = browser
        .post_form(
            "/settings",
            &[
                ("csrf", &csrf),
                ("form", "training"),
                ("max_heart_rate", "400"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("Not saved: "), "{}", refused.body);
    let unreadable = browser
        .post_form(
            "/settings",
            &[("csrf", &csrf), ("form", "training"), ("ftp_watts", "lots")],
        )
        .await;
    assert_eq!(unreadable.status, 422);
    assert!(
        unreadable
            .body
            .contains("FTP: “lots” is not a number this field takes")
    );
    let backwards = browser
        .post_form(
            "/settings",
            &[
                ("csrf", &csrf),
                ("form", "season"),
                ("start", "2027-10-31"),
                ("end", "2026-11-01"),
            ],
        )
        .await;
    assert_eq!(backwards.status, 422);
    let blank = browser
        .post_form(
            "/settings",
            &[("csrf", &csrf), ("form", "profile"), ("name", " ")],
        )
        .await;
    assert_eq!(blank.status, 422);
    let forged = browser
        .post_form("/settings", &[("form", "profile"), ("name", "Mallory")])
        .await;
    assert_eq!(forged.status, 403);
    let (user, _) = robins(&app).await;
    assert_eq!(user.name, "Robin Rouleur");
    let settings = app.store.athlete_settings(user.id).await.unwrap().unwrap();
    assert_eq!(settings.training.max_heart_rate, Some(190));
    assert_eq!(settings.training.weight_kg, Some(70.5));
    assert_eq!(
        settings.distance_unit,
        paceline_domain::entities::DistanceUnit::Miles
    );
    // Distances now read in miles.
    written(
        &app,
        ActivityType::Run,
        "Ten k",
        datetime!(2026-11-30 07:00 UTC),
        Figures {
            distance_m: Some(10_000.0),
            duration_sec: Some(2700.0),
            ..Figures::default()
        },
    )
    .await;
    assert!(browser.get("/activities").await.body.contains("6.21 mi"));
    app.stop().await;
}

async fn a_password_change_keeps_this_browser_and_ends_the_others(db: TestContext) {
    let (app, mut here) = robin(&db).await;
    let mut elsewhere = signed_in(&app, "robin@example.com").await;
    let page = here.get("/settings").await;
    let csrf = page.field("csrf");
    let wrong = here
        .post_form(
            "/settings",
            &[
                ("csrf", &csrf),
                ("form", "password"),
                ("current", "not my password"),
                ("new", "a brand new password"),
                ("repeat", "a brand new password"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert!(
        wrong
            .body
            .contains("The current password is wrong; nothing changed.")
    );
    let changed = here
        .post_form(
            "/settings",
            &[
                ("csrf", &csrf),
                ("form", "password"),
                ("current", PASSWORD),
                ("new", "a brand new password"),
                ("repeat", "a brand new password"),
            ],
        )
        .await;
    assert_eq!(changed.status, 303, "{}", changed.body);
    assert_eq!(
        here.get("/settings").await.status,
        200,
        "this browser stays signed in"
    );
    assert_eq!(
        elsewhere.get("/settings").await.status,
        303,
        "the other is signed out"
    );
    // Signing out everywhere ends this one too.
    let out = here
        .post_form("/settings", &[("csrf", &csrf), ("form", "everywhere")])
        .await;
    assert_eq!(out.location(), "/login");
    assert_eq!(here.get("/").await.status, 303);
    app.stop().await;
}
