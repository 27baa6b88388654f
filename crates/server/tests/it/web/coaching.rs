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
    a_coach_plans_an_athletes_week_and_the_api_sees_each_change,
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
    assert!(
        all.body.contains("0 min · no plan"),
        "an athlete with nothing planned this week"
    );
    assert!(
        !all.body.contains("<span>-0</span>"),
        "no negative zero load"
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

/// Sessions listed by the athlete's own Xhale client since `since` (all when `None`).
async fn synced(app: &TestApp, token: &str, since: Option<&str>) -> Vec<serde_json::Value> {
    let path = match since {
        Some(since) => format!(
            "/api/sessions/?start_date=2026-01-01&end_date=2027-12-31&updated_since_datetime={since}"
        ),
        None => "/api/sessions/?start_date=2026-01-01&end_date=2027-12-31".to_owned(),
    };
    let (status, body) = crate::calendar::answer(
        crate::calendar::send(app, reqwest::Method::GET, &path, token, &[]).await,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body.as_array().unwrap().clone()
}

/// The server's idea of now, as a sync point.
fn stamp() -> String {
    OffsetDateTime::now_utc()
        .format(time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]"
        ))
        .unwrap()
}

async fn pause() {
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
}

async fn a_coach_plans_an_athletes_week_and_the_api_sees_each_change(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let team = team(&app).await;
    let athlete = team.athlete.user.id;
    let token = team.athlete.access_token.clone();
    let base = pages_of(athlete);
    let mut coach = signed_in(&app, "coach@example.com").await;
    let form = coach
        .get(&format!("{base}/calendar/sessions/new?date=2026-12-08"))
        .await;
    assert_eq!(form.status, 200);
    assert!(
        form.body
            .contains(r#"<label for="coach_comments">Your comments</label>"#)
    );
    assert!(
        !form.body.contains("completed_minutes") && !form.body.contains("athlete_feedback"),
        "nothing done or said yet to log on a session being planned"
    );
    let csrf = form.field("csrf");
    let created = coach
        .post_form(
            &format!("{base}/calendar/sessions"),
            &[
                ("csrf", &csrf),
                ("date", "2026-12-08"),
                ("discipline_id", "7"),
                ("brief_description", "Track 6 × 800 m"),
                ("intensity", "4"),
                ("prescribed_minutes", "70"),
                ("prescribed_km", "12"),
                (
                    "training_plan",
                    "Warm up 20 min; 6 × 800 m at 10 km pace, 400 m jog",
                ),
                ("coach_comments", "Even splits, please."),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    assert_eq!(
        created.location(),
        format!("{base}/calendar?week=2026-12-08"),
        "back to the week being planned"
    );
    let listed = synced(&app, &token, None).await;
    assert_eq!(listed.len(), 1, "the athlete's client sees the session");
    let session = &listed[0];
    let id = session["id"].as_i64().unwrap();
    assert_eq!(
        session["training_plan"],
        "Warm up 20 min; 6 × 800 m at 10 km pace, 400 m jog"
    );
    assert_eq!(session["coach_comments"], "Even splits, please.");
    assert_eq!(session["prescribed_minutes"], 70);

    let edit = coach.get(&format!("{base}/calendar/sessions/{id}")).await;
    assert!(
        edit.body
            .contains(r#"name="athlete_feedback" rows="4" disabled"#),
        "the athlete's words are theirs"
    );

    // The coach moves it; the client's next sync returns exactly that change.
    pause().await;
    let since = stamp();
    pause().await;
    let week = coach.get(&format!("{base}/calendar?week=2026-12-08")).await;
    let moves = format!("{base}/calendar/sessions/{id}/move");
    assert!(
        week.body.contains(&format!(r#"data-move="{moves}""#)),
        "{}",
        week.body
    );
    let moved = coach
        .post_form(
            &moves,
            &[
                ("csrf", &csrf),
                ("date", "2026-12-10"),
                ("back", &format!("{base}/calendar?week=2026-12-08")),
            ],
        )
        .await;
    assert_eq!(moved.status, 303, "{}", moved.body);
    assert_eq!(moved.location(), format!("{base}/calendar?week=2026-12-08"));
    let changes = synced(&app, &token, Some(&since)).await;
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0]["id"], id);
    assert_eq!(changes[0]["date"], "2026-12-10");
    assert_eq!(
        changes[0]["training_plan"], session["training_plan"],
        "only the day changed"
    );
    let refused = coach
        .post_form(&moves, &[("csrf", &csrf), ("date", "the tenth")])
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("the session stays where it was"));

    // A race, added and changed by the coach.
    let race_form = coach
        .get(&format!("{base}/calendar/races/new?date=2027-03-14"))
        .await;
    assert!(
        race_form
            .body
            .contains(r#"name="athletes_plan" rows="3" disabled"#)
    );
    let race = coach
        .post_form(
            &format!("{base}/calendar/races"),
            &[
                ("csrf", &csrf),
                ("race_name", "Spring Half"),
                ("date", "2027-03-14"),
                ("race_priority", "a"),
                ("coach_plan", "Start at 4:10 per km"),
                ("event_url", "not a url"),
            ],
        )
        .await;
    assert_eq!(race.status, 422);
    assert!(
        race.body.contains("Enter a valid URL."),
        "the API's own words"
    );
    let race = coach
        .post_form(
            &format!("{base}/calendar/races"),
            &[
                ("csrf", &csrf),
                ("race_name", "Spring Half"),
                ("date", "2027-03-14"),
                ("race_priority", "a"),
                ("coach_plan", "Start at 4:10 per km"),
            ],
        )
        .await;
    assert_eq!(race.status, 303, "{}", race.body);
    let (_, races) = crate::calendar::answer(
        crate::calendar::send(
            &app,
            reqwest::Method::GET,
            "/api/races/?start_date=2027-01-01&end_date=2027-12-31",
            &token,
            &[],
        )
        .await,
    )
    .await;
    assert_eq!(races[0]["race_name"], "Spring Half");
    assert_eq!(races[0]["race_priority"], "a");
    assert_eq!(races[0]["coach_plan"], "Start at 4:10 per km");
    let race_id = races[0]["id"].as_i64().unwrap();
    let march = coach
        .get(&format!("{base}/calendar?month=2027-03-01"))
        .await;
    assert!(march.body.contains(&format!(
        r#"<a href="{base}/calendar/races/{race_id}">🏁 Spring Half</a>"#
    )));

    // The week copied onto the next: the plan comes with its workout, nothing done or said.
    let workout = crate::calendar::answer(
        crate::calendar::send(
            &app,
            reqwest::Method::POST,
            &format!("/api/workouts/?athlete={}", athlete.get()),
            &team.coach.access_token,
            &[
                ("sport", "running"),
                ("name", "800s"),
                ("steps", r#"[{"type":"step","duration":{"type":"time","seconds":600},"target":{"type":"open"}}]"#),
                ("training_session_ids", &id.to_string()),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(workout.0, 201, "{}", workout.1);
    assert_eq!(
        workout.1["training_sessions"][0]["id"], id,
        "the coach's workout is on the athlete's session"
    );
    pause().await;
    let since = stamp();
    pause().await;
    let copied = coach
        .post_form(
            &format!("{base}/calendar/copy"),
            &[
                ("csrf", &csrf),
                ("from", "2026-12-07"),
                ("to", "2026-12-16"),
            ],
        )
        .await;
    assert_eq!(copied.status, 303, "{}", copied.body);
    let after = coach.get(copied.location()).await;
    assert!(
        after.body.contains("Copied 1 session to this week."),
        "{}",
        after.body
    );
    let changes = synced(&app, &token, Some(&since)).await;
    assert_eq!(changes.len(), 1, "exactly the copy: {changes:?}");
    assert_eq!(changes[0]["date"], "2026-12-17", "same weekday, a week on");
    assert_eq!(changes[0]["training_plan"], session["training_plan"]);
    assert_eq!(
        changes[0]["coach_comments"], "",
        "comments stay with the session they were on"
    );
    let (_, workouts) = crate::calendar::answer(
        crate::calendar::send(&app, reqwest::Method::GET, "/api/workouts/", &token, &[]).await,
    )
    .await;
    let workouts = workouts.as_array().unwrap();
    assert_eq!(
        workouts.len(),
        2,
        "the workout copied with its session: {workouts:?}"
    );
    let copy = workouts
        .iter()
        .find(|w| w["training_sessions"][0]["id"] == changes[0]["id"])
        .unwrap_or_else(|| panic!("a workout on the copied session: {workouts:?}"));
    assert_eq!(copy["name"], "800s");
    assert_eq!(copy["training_sessions"][0]["date"], "2026-12-17");
    let same = coach
        .post_form(
            &format!("{base}/calendar/copy"),
            &[
                ("csrf", &csrf),
                ("from", "2026-12-07"),
                ("to", "2026-12-09"),
            ],
        )
        .await;
    assert_eq!(same.status, 422);
    assert!(same.body.contains("Choose a day of another week"));

    // Deleted by the coach: the client's sync sees the deletion.
    pause().await;
    let since = stamp();
    pause().await;
    let deleted = coach
        .post_form(
            &format!("{base}/calendar/sessions/{id}/delete"),
            &[("csrf", &csrf), ("confirm", "yes")],
        )
        .await;
    assert_eq!(deleted.status, 303);
    let changes = synced(&app, &token, Some(&since)).await;
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0]["id"], id);
    assert_eq!(changes[0]["deleted"], true);
    app.stop().await;
}
