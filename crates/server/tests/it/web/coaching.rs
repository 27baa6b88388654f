//! A coach's pages: the roster of their athletes (an owner's: the whole company), each
//! athlete's pages read as the athlete sees them, and nobody else's.

use super::*;
use crate::calendar::{Team, team};
use paceline_domain::SystemClock;
use paceline_domain::calendar::{CalendarStore, NewSession, SessionValues, Written};
use paceline_domain::ids::UserId;
use paceline_domain::messaging;
use paceline_testkit::on_both_engines;
use time::{Duration, OffsetDateTime};

on_both_engines!(
    a_coach_sees_their_athletes_and_an_owner_the_whole_company,
    nobody_reaches_the_pages_of_an_athlete_they_do_not_act_for,
);

/// An activity of `user` at `at`, written as an app would.
pub(crate) async fn activity_of(app: &TestApp, user: UserId, at: OffsetDateTime) -> ActivityId {
    let membership = accounts::home_membership(app.store.as_ref(), user)
        .await
        .unwrap()
        .unwrap();
    app.store
        .record_activity(NewActivity {
            user_id: user,
            membership_id: membership.id,
            origin: ActivityOrigin::External,
            client: None,
            activity_type: ActivityType::Run,
            title: Some("Tempo run".into()),
            started_at: at,
            timezone: None,
            figures: Figures {
                duration_sec: Some(2700.0),
                distance_m: Some(9000.0),
                load_score: Some(60),
                ..Figures::default()
            },
            notes: None,
            source: None,
            legs: Vec::new(),
            now: at,
        })
        .await
        .unwrap()
        .id
}

/// A session of `athlete` on `date` planned by `coach`, with nothing done.
pub(crate) async fn planned(
    app: &TestApp,
    athlete: UserId,
    coach: UserId,
    date: time::Date,
) -> i64 {
    let mut values = SessionValues::on(date);
    values.plan.discipline_id = 8;
    values.plan.prescribed_minutes.total = Some(60);
    let Written::Saved(session) = app
        .store
        .create_session(
            NewSession {
                user_id: athlete,
                planned_by: Some(coach),
                values,
                order_given: false,
                direct_access_token: "d".repeat(32),
                now: OffsetDateTime::now_utc(),
            },
            &[],
        )
        .await
        .unwrap()
    else {
        panic!("not saved")
    };
    session.id.0
}

/// The path of `user`'s pages as their coach reaches them.
pub(crate) fn pages_of(user: UserId) -> String {
    format!("/athletes/{}", user.public())
}

async fn a_coach_sees_their_athletes_and_an_owner_the_whole_company(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let Team {
        coach,
        athlete,
        other_athlete,
        owner,
        ..
    } = team(&app).await;
    let now = OffsetDateTime::now_utc();
    let act = activity_of(&app, athlete.user.id, now - Duration::days(1)).await;
    planned(
        &app,
        athlete.user.id,
        coach.user.id,
        now.date() - Duration::days(2),
    )
    .await;
    messaging::send(
        app.store.as_ref(),
        &SystemClock,
        athlete.user.id,
        coach.user.id,
        "Knee is fine again",
    )
    .await
    .unwrap();

    let mut browser = signed_in(&app, "coach@example.com").await;
    let home = browser.get("/").await;
    assert_eq!(
        home.status, 303,
        "a coach without training starts at the roster"
    );
    assert_eq!(home.location(), "/athletes");
    let roster = browser.get("/athletes").await;
    assert_eq!(roster.status, 200);
    let base = pages_of(athlete.user.id);
    assert!(
        roster.body.contains(&format!(r#"<a href="{base}">"#)),
        "{}",
        roster.body
    );
    assert!(
        !roster.body.contains(&pages_of(other_athlete.user.id)),
        "another coach's athlete is not on this coach's roster"
    );
    assert!(
        roster.body.contains("Tempo run · yesterday"),
        "{}",
        roster.body
    );
    assert!(
        roster
            .body
            .contains(r#"<td data-label="Missed" class="count alert">1</td>"#),
        "a session two days ago with nothing done is missed: {}",
        roster.body
    );
    assert!(
        roster.body.contains(&format!(
            r#"<a href="/messages?with={}">1</a>"#,
            athlete.user.id.public()
        )),
        "one unread message, linked to the conversation"
    );
    assert!(
        roster
            .body
            .contains(r#"aria-label="Load per week, the last 6 weeks:"#)
    );
    // Sorted and filtered by the query string.
    let sorted = browser.get("/athletes?sort=missed&dir=desc").await;
    assert!(
        sorted.body.contains(
            r#"<th scope="col" aria-sort="descending"><a href="/athletes?sort=missed">Missed ▼"#
        ),
        "{}",
        sorted.body
    );
    let filtered = browser.get("/athletes?q=nobody-called-this").await;
    assert!(filtered.body.contains("No athlete matches these filters."));
    let attention = browser.get("/athletes?attention=1").await;
    assert!(
        attention.body.contains(&base),
        "missed and unread: needs attention"
    );

    // The athlete's pages, as the coach sees them.
    let overview = browser.get(&base).await;
    assert_eq!(overview.status, 200, "{}", overview.body);
    assert!(overview.body.contains("<h1>Overview</h1>"));
    assert!(
        overview
            .body
            .contains(&format!(r#"<a href="{base}/calendar""#))
    );
    let list = browser.get(&format!("{base}/activities")).await;
    let link = format!("{base}/activities/{}", act.public());
    assert!(
        list.body.contains(&format!(r#"href="{link}""#)),
        "{}",
        list.body
    );
    let page = browser.get(&link).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Tempo run"));
    assert!(
        !page.body.contains("Delete this activity"),
        "the athlete's activity is not the coach's to delete"
    );
    assert_eq!(browser.get(&format!("{link}/fit")).await.status, 200);
    assert_eq!(browser.get(&format!("{base}/health")).await.status, 200);
    let calendar = browser.get(&format!("{base}/calendar")).await;
    assert_eq!(calendar.status, 200);
    assert!(
        !calendar.body.contains("Files waiting for a session"),
        "the athlete attaches their own files"
    );

    // The owner sees every athlete of the company, with their coaches.
    let mut owner_browser = signed_in(&app, &owner.user.email.to_string()).await;
    let all = owner_browser.get("/athletes").await;
    assert!(all.body.contains(&base));
    assert!(all.body.contains(&pages_of(other_athlete.user.id)));
    assert!(
        all.body.contains(r#"<select id="r-coach" name="coach">"#),
        "filter by coach"
    );
    let by_coach = owner_browser
        .get(&format!("/athletes?coach={}", coach.user.id.public()))
        .await;
    assert!(by_coach.body.contains(&base));
    assert!(!by_coach.body.contains(&pages_of(other_athlete.user.id)));
    app.stop().await;
}

async fn nobody_reaches_the_pages_of_an_athlete_they_do_not_act_for(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let team = team(&app).await;
    let athlete = team.athlete.user.id;
    let act = activity_of(&app, athlete, OffsetDateTime::now_utc()).await;
    let session = planned(
        &app,
        athlete,
        team.coach.user.id,
        OffsetDateTime::now_utc().date(),
    )
    .await;
    let base = pages_of(athlete);
    let pages = [
        String::new(),
        "/activities".into(),
        format!("/activities/{}", act.public()),
        format!("/activities/{}/fit", act.public()),
        format!("/activities/{}/original", act.public()),
        "/calendar".into(),
        "/calendar/sessions/new".into(),
        format!("/calendar/sessions/{session}"),
        "/health".into(),
    ];
    for (who, email) in [
        (
            "a coach of the company not assigned to them",
            "coach2@example.com",
        ),
        ("the owner of another company", "owner@rivals.example"),
        ("another athlete", "athlete2@example.com"),
        ("an athlete elsewhere", "loner@example.com"),
        (
            "the athlete, whose own pages are at the root",
            "athlete@example.com",
        ),
    ] {
        let mut browser = signed_in(&app, email).await;
        for page in &pages {
            let got = browser.get(&format!("{base}{page}")).await;
            assert_eq!(got.status, 404, "{who}: {base}{page}");
        }
        let csrf = browser.get("/settings").await.field("csrf");
        let posted = browser
            .post_form(
                &format!("{base}/calendar/sessions"),
                &[
                    ("csrf", &csrf),
                    ("date", "2026-12-08"),
                    ("discipline_id", "8"),
                ],
            )
            .await;
        assert_eq!(posted.status, 404, "{who} plans nothing");
        let edit = browser
            .post_form(
                &format!("{base}/calendar/sessions/{session}"),
                &[("csrf", &csrf), ("training_plan", "mine now")],
            )
            .await;
        assert_eq!(edit.status, 404, "{who} changes nothing");
    }
    // An unknown or malformed athlete is not found either.
    let mut coach = signed_in(&app, "coach@example.com").await;
    assert_eq!(coach.get("/athletes/usr_0000000000000/").await.status, 404);
    assert_eq!(coach.get("/athletes/42/calendar").await.status, 404);
    // The coach reads but does not delete, and plans only with the form's token.
    assert_eq!(
        coach
            .get(&format!("{base}/activities/{}/delete", act.public()))
            .await
            .status,
        404
    );
    let csrf = coach.get("/athletes").await.field("csrf");
    let deleted = coach
        .post_form(
            &format!("/activities/{}/delete", act.public()),
            &[("csrf", &csrf), ("confirm", "yes")],
        )
        .await;
    assert_eq!(deleted.status, 404);
    let forged = coach
        .post_form(
            &format!("{base}/calendar/sessions"),
            &[("date", "2026-12-08"), ("discipline_id", "8")],
        )
        .await;
    assert_eq!(forged.status, 403, "no CSRF token, nothing planned");
    let kept = app
        .store
        .list_sessions(
            athlete,
            paceline_domain::calendar::CalendarQuery {
                from: time::macros::date!(2026 - 01 - 01),
                to: time::macros::date!(2027 - 12 - 31),
                updated_since: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(kept.len(), 1, "only the session planned before");
    assert!(
        app.store
            .get_activity(athlete, act)
            .await
            .unwrap()
            .is_some()
    );
    app.stop().await;
}
