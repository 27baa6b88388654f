//! The calendar: a self-coached athlete plans and edits sessions under the API's rules, a
//! coached one writes feedback on the coach's plan without changing it, files waiting for a
//! session are attached, and nobody reaches another athlete's sessions.

use super::*;
use paceline_activity::workout::{Step, StepDuration, StepTarget};
use paceline_domain::calendar::{CalendarStore, NewSession, SessionId, SessionValues, Written};
use paceline_domain::workouts::{NewWorkout, SPORTS, WorkoutStore, WorkoutValues};
use paceline_testkit::on_both_engines;

on_both_engines!(
    a_self_coached_athlete_plans_edits_and_deletes_sessions,
    a_coached_athlete_writes_feedback_and_cannot_change_the_plan,
    a_waiting_file_is_attached_to_a_session,
);

/// The number of the session a page's location names (`/session/7/`).
fn session_of(location: &str) -> i64 {
    location
        .trim_start_matches("/session/")
        .trim_end_matches('/')
        .parse()
        .unwrap()
}

async fn a_self_coached_athlete_plans_edits_and_deletes_sessions(db: TestContext) {
    let (app, mut browser) = robin(&db).await;
    let form = browser.get("/calendar/sessions/new?date=2026-12-08").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains(r#"value="2026-12-08""#));
    let csrf = form.field("csrf");
    let created = browser
        .post_form(
            "/calendar/sessions",
            &[
                ("csrf", &csrf),
                ("date", "2026-12-08"),
                ("discipline_id", "7"),
                ("brief_description", "Hill repeats"),
                ("intensity", "4"),
                ("prescribed_minutes", "50"),
                ("prescribed_km", "9.5"),
                ("training_plan", "8 × 90 s uphill, jog down"),
                ("key_session", "true"),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    let id = session_of(created.location());
    // A planned workout attached to it shows in the calendar and on its page.
    let (user, _) = robins(&app).await;
    app.store
        .create_workout(&NewWorkout {
            user_id: user.id,
            author: user.id,
            values: WorkoutValues {
                sport: SPORTS[1],
                name: "Hill sprints 8x90s".into(),
                description: "Walk back down.".into(),
                steps: vec![paceline_activity::workout::WorkoutStep::Step(Step {
                    name: None,
                    notes: None,
                    intensity: None,
                    duration: StepDuration::Time { seconds: 90.0 },
                    target: StepTarget::Open,
                })],
            },
            sessions: vec![SessionId(id)],
            now: time::OffsetDateTime::now_utc(),
        })
        .await
        .unwrap();
    let month = browser.get("/calendar?month=2026-12-01").await;
    assert!(
        month.body.contains("Run Intervals: Hill repeats"),
        "{}",
        month.body
    );
    assert!(
        month.body.contains("▸ Hill sprints 8x90s"),
        "the planned workout"
    );
    let page = browser.get(created.location()).await;
    assert!(page.body.contains("<h3>Hill sprints 8x90s</h3>"));
    assert!(
        page.body.contains(r#"<figure class="workout-chart">"#),
        "with its intensity chart"
    );
    assert!(page.body.contains("/file.fit"), "and its files");
    assert!(page.body.contains("Walk back down."));
    assert!(month.body.contains("plan 50 min"));
    let week = browser.get("/calendar?week=2026-12-10").await;
    assert!(week.body.contains("Run Intervals: Hill repeats"));
    // The API's rules, the API's words: intensity runs 0 to 5.
    let edit = format!("/calendar/sessions/{id}");
    let refused = browser
        .post_form(&edit, &[("csrf", &csrf), ("intensity", "9")])
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .body
            .contains("Ensure this value is less than or equal to 5."),
        "{}",
        refused.body
    );
    let changed = browser
        .post_form(
            &edit,
            &[
                ("csrf", &csrf),
                ("prescribed_minutes", "60"),
                ("athlete_feedback", "Legs!"),
            ],
        )
        .await;
    assert_eq!(changed.status, 303);
    let kept = app
        .store
        .get_session(user.id, SessionId(id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        kept.values.intensity,
        Some(4),
        "the refused edit changed nothing"
    );
    assert_eq!(kept.values.plan.prescribed_minutes.total, Some(60));
    assert_eq!(kept.values.athlete_feedback, "Legs!");
    assert!(!kept.values.plan.key_session, "an unticked box is unticked");
    // Without the form's token nothing changes.
    let forged = browser
        .post_form(&edit, &[("prescribed_minutes", "5")])
        .await;
    assert_eq!(forged.status, 403);
    // Another athlete finds none of it.
    athlete(&app, "eve@example.com").await;
    let mut eve = signed_in(&app, "eve@example.com").await;
    assert_eq!(eve.get(&edit).await.status, 404);
    let eves = eve.get("/calendar").await.field("csrf");
    assert_eq!(
        eve.post_form(&edit, &[("csrf", &eves), ("prescribed_minutes", "5")])
            .await
            .status,
        404
    );
    assert_eq!(
        eve.post_form(
            &format!("{edit}/delete"),
            &[("csrf", &eves), ("confirm", "yes")]
        )
        .await
        .status,
        404
    );
    assert!(
        !eve.get("/calendar?month=2026-12-01")
            .await
            .body
            .contains("Hill repeats")
    );
    // Deleting asks for the box to be ticked.
    let unconfirmed = browser
        .post_form(&format!("{edit}/delete"), &[("csrf", &csrf)])
        .await;
    assert_eq!(unconfirmed.location(), edit);
    let deleted = browser
        .post_form(
            &format!("{edit}/delete"),
            &[("csrf", &csrf), ("confirm", "yes")],
        )
        .await;
    assert_eq!(deleted.location(), "/calendar?month=2026-12-08");
    assert_eq!(browser.get(&edit).await.status, 404);
    app.stop().await;
}

async fn a_coached_athlete_writes_feedback_and_cannot_change_the_plan(db: TestContext) {
    let (app, mut browser) = robin(&db).await;
    let (user, _) = robins(&app).await;
    // A session the coach planned (planned_by someone else).
    let coach = accounts::create_user(
        app.store.as_ref(),
        &FixedClock::new(datetime!(2026-11-30 08:00 UTC)),
        UserRequest {
            email: "coach@example.com".into(),
            password: Password::new(PASSWORD),
            name: "Casey Coach".into(),
            organization: None,
            role: None,
        },
    )
    .await
    .unwrap();
    let mut values = SessionValues::on(time::macros::date!(2026 - 12 - 09));
    values.plan.discipline_id = 6;
    values.plan.training_plan = "2 h steady".into();
    values.coach_comments = "Keep it easy.".into();
    let Written::Saved(session) = app
        .store
        .create_session(
            NewSession {
                user_id: user.id,
                planned_by: Some(coach.user.id),
                values,
                order_given: false,
                direct_access_token: "c".repeat(32),
                now: time::OffsetDateTime::now_utc(),
            },
            &[],
        )
        .await
        .unwrap()
    else {
        panic!("not saved")
    };
    let edit = format!("/calendar/sessions/{}", session.id.0);
    let form = browser.get(&edit).await;
    assert!(form.body.contains("Your coach planned this session"));
    assert!(
        form.body
            .contains(r#"name="training_plan" rows="4" disabled"#),
        "{}",
        form.body
    );
    assert!(form.body.contains("Keep it easy."));
    assert!(
        !form.body.contains("Yes, delete this session"),
        "the coach's session is not the athlete's to delete"
    );
    let csrf = form.field("csrf");
    let refused = browser
        .post_form(&edit, &[("csrf", &csrf), ("training_plan", "1 h easy")])
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.body.contains(
            "This field is read-only: the session was planned by the athlete&#39;s coach."
        ),
        "the API's refusal: {}",
        refused.body
    );
    let saved = browser
        .post_form(
            &edit,
            &[
                ("csrf", &csrf),
                ("athlete_feedback", "Felt great"),
                ("completed_minutes", "118"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let kept = app
        .store
        .get_session(user.id, session.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.values.plan.training_plan, "2 h steady");
    assert_eq!(kept.values.athlete_feedback, "Felt great");
    assert_eq!(kept.values.log.completed_minutes.total, Some(118));
    app.stop().await;
}

async fn a_waiting_file_is_attached_to_a_session(db: TestContext) {
    let (app, mut browser) = robin(&db).await;
    upload(&mut browser, &[("ride.fit", paceline_testdata::file(RIDE))]).await;
    let today = time::OffsetDateTime::now_utc().date();
    let form = browser
        .get(&format!("/calendar/sessions/new?date={today}"))
        .await;
    let csrf = form.field("csrf");
    let created = browser
        .post_form(
            "/calendar/sessions",
            &[
                ("csrf", &csrf),
                ("date", &today.to_string()),
                ("discipline_id", "6"),
            ],
        )
        .await;
    let id = session_of(created.location());
    let calendar = browser.get("/calendar").await;
    assert!(calendar.body.contains("Files waiting for a session"));
    assert!(calendar.body.contains("ride.fit"));
    let (user, _) = robins(&app).await;
    let file = paceline_domain::files::FileStore::pending_files(app.store.as_ref(), user.id, 10)
        .await
        .unwrap()[0]
        .id;
    // Another athlete cannot attach it, even to their own session.
    athlete(&app, "eve@example.com").await;
    let mut eve = signed_in(&app, "eve@example.com").await;
    let eves = eve.get("/calendar").await.field("csrf");
    let stolen = eve
        .post_form(
            "/calendar/attach",
            &[
                ("csrf", &eves),
                ("file", &file.0.to_string()),
                ("session", &id.to_string()),
            ],
        )
        .await;
    assert_eq!(stolen.status, 404, "not her session");
    let attached = browser
        .post_form(
            "/calendar/attach",
            &[
                ("csrf", &csrf),
                ("file", &file.0.to_string()),
                ("session", &id.to_string()),
            ],
        )
        .await;
    assert_eq!(attached.location(), format!("/session/{id}/"));
    let page = browser.get(attached.location()).await;
    assert!(
        page.body.contains(r#"class="line hr""#),
        "the session charts its file"
    );
    let kept = app
        .store
        .get_session(user.id, SessionId(id))
        .await
        .unwrap()
        .unwrap();
    assert!(kept.has_uploaded_training);
    assert!(
        kept.values.log.completed_minutes.total.is_some(),
        "the file counts as done"
    );
    assert!(
        !browser
            .get("/calendar")
            .await
            .body
            .contains(r#"value="ride.fit""#)
    );
    app.stop().await;
}
