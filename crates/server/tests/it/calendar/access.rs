//! Who reaches whose calendar: a coach their athletes' and an owner their company's
//! athletes' (with `?athlete=` for lists and creates, by id otherwise), an athlete their
//! own; everyone else gets 404 for a record and 403 for a list or create. A coach's plan is
//! read-only to the athlete.

use super::{Team, answer, send, team};
use crate::browser::Browser;
use crate::harness::TestApp;
use paceline_testkit::{TestContext, on_both_engines};
use reqwest::Method;
use serde_json::{Value, json};

on_both_engines!(
    every_route_against_every_token,
    the_session_page_opens_signed_in_for_whoever_reaches_the_session,
    a_coach_plan_is_read_only_to_the_athlete,
    scopes_are_checked,
);

/// A session and a race of the athlete, the session planned by their coach.
async fn planned(app: &TestApp, team: &Team) -> (Value, Value) {
    let athlete = team.athlete.user.id.get();
    let (status, session) = answer(
        send(
            app,
            Method::POST,
            &format!("/api/sessions/?athlete={athlete}"),
            &team.coach.access_token,
            &[
                ("date", "2015-01-14"),
                ("discipline_id", "4"),
                ("training_plan", "5 x 5 min"),
                ("prescribed_minutes", "70"),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{session}");
    let (status, race) = answer(
        send(
            app,
            Method::POST,
            &format!("/api/races/?athlete={athlete}"),
            &team.coach.access_token,
            &[
                ("date", "2015-03-14"),
                ("race_name", "Rubicon 70.3"),
                ("coach_plan", "Hold back on the bike"),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{race}");
    (session, race)
}

async fn every_route_against_every_token(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let team = team(&app).await;
    let (session, race) = planned(&app, &team).await;
    let athlete = team.athlete.user.id.get();
    let records = [
        format!("/api/sessions/{}/", session["id"]),
        format!("/api/races/{}/", race["id"]),
    ];
    let lists = [
        format!("/api/sessions/?athlete={athlete}&start_date=2015-01-01"),
        format!("/api/races/?athlete={athlete}&start_date=2015-01-01"),
    ];
    // The coach, the company's owner and integration, and the athlete reach both; the coach's and the
    // owner's lists need ?athlete=.
    for token in [
        &team.coach.access_token,
        &team.owner.access_token,
        &team.company.access_token,
        &team.athlete.access_token,
    ] {
        for path in &records {
            let (status, body) = answer(send(&app, Method::GET, path, token, &[]).await).await;
            assert_eq!(status, 200, "{path}: {body}");
            assert_eq!(body["athlete"], athlete);
        }
    }
    for token in [
        &team.coach.access_token,
        &team.owner.access_token,
        &team.company.access_token,
    ] {
        for path in &lists {
            let (status, body) = answer(send(&app, Method::GET, path, token, &[]).await).await;
            assert_eq!((status, body.as_array().unwrap().len()), (200, 1), "{path}");
        }
    }
    let (_, own) = answer(
        send(
            &app,
            Method::GET,
            "/api/sessions/?start_date=2015-01-01",
            &team.athlete.access_token,
            &[],
        )
        .await,
    )
    .await;
    assert_eq!(own.as_array().unwrap().len(), 1);
    let (_, coach_own) = answer(
        send(
            &app,
            Method::GET,
            "/api/sessions/?start_date=2015-01-01",
            &team.coach.access_token,
            &[],
        )
        .await,
    )
    .await;
    assert_eq!(
        coach_own,
        json!([]),
        "without ?athlete= a coach lists their own"
    );

    // Another coach, another athlete, a self-coached athlete and another company's owner
    // and integration reach nothing.
    for stranger in [
        &team.other_coach,
        &team.other_athlete,
        &team.loner,
        &team.rival_owner,
        &team.rival_company,
    ] {
        let token = &stranger.access_token;
        for path in &records {
            for (method, form) in [
                (Method::GET, &[][..]),
                (Method::PATCH, &[("intensity", "1")][..]),
                (
                    Method::PUT,
                    &[
                        ("date", "2015-01-14"),
                        ("discipline_id", "4"),
                        ("race_name", "X"),
                    ][..],
                ),
                (Method::DELETE, &[][..]),
            ] {
                let (status, body) =
                    answer(send(&app, method.clone(), path, token, form).await).await;
                assert_eq!(
                    (status, body),
                    (404, json!({"detail": "Not found."})),
                    "{method} {path}"
                );
            }
        }
        for path in &lists {
            let (status, _) = answer(send(&app, Method::GET, path, token, &[]).await).await;
            assert_eq!(status, 403, "{path}");
        }
        for path in [
            format!("/api/sessions/?athlete={athlete}"),
            format!("/api/races/?athlete={athlete}"),
        ] {
            let (status, body) = answer(
                send(
                    &app,
                    Method::POST,
                    &path,
                    token,
                    &[
                        ("date", "2015-01-14"),
                        ("discipline_id", "4"),
                        ("race_name", "X"),
                    ],
                )
                .await,
            )
            .await;
            assert_eq!(status, 403, "{path}: {body}");
        }
        let (status, _) = answer(
            send(
                &app,
                Method::POST,
                &format!("/api/sessions/{}/direct_access_token/", session["id"]),
                token,
                &[],
            )
            .await,
        )
        .await;
        assert_eq!(status, 404);
    }
    // An athlete cannot act for their coach, nor for another athlete.
    let coach = team.coach.user.id.get();
    let (status, _) = answer(
        send(
            &app,
            Method::GET,
            &format!("/api/sessions/?athlete={coach}"),
            &team.athlete.access_token,
            &[],
        )
        .await,
    )
    .await;
    assert_eq!(status, 403);
    // Nothing changed.
    let (_, after) = answer(
        send(
            &app,
            Method::GET,
            &records[0],
            &team.athlete.access_token,
            &[],
        )
        .await,
    )
    .await;
    assert_eq!(after["datetime_updated"], session["datetime_updated"]);
    // The coach deletes; the athlete sees it gone.
    assert_eq!(
        send(
            &app,
            Method::DELETE,
            &records[1],
            &team.coach.access_token,
            &[]
        )
        .await
        .status(),
        204
    );
    let (status, _) = answer(
        send(
            &app,
            Method::GET,
            &records[1],
            &team.athlete.access_token,
            &[],
        )
        .await,
    )
    .await;
    assert_eq!(status, 404);
    app.stop().await;
}

async fn a_coach_plan_is_read_only_to_the_athlete(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let team = team(&app).await;
    let (session, race) = planned(&app, &team).await;
    let path = format!("/api/sessions/{}/", session["id"]);
    let athlete = &team.athlete.access_token;
    let coach = &team.coach.access_token;
    assert_eq!(session["session_plan_editable"], true, "to the coach");
    let (_, seen) = answer(send(&app, Method::GET, &path, athlete, &[]).await).await;
    assert_eq!(seen["session_plan_editable"], false, "to the athlete");

    let refused = |field: &str, why: &str| json!({ field: [why] });
    let plan = "This field is read-only: the session was planned by the athlete's coach.";
    for (field, value) in [
        ("discipline_id", "8"),
        ("training_plan", "easy"),
        ("prescribed_minutes", "30"),
        ("key_session", "true"),
    ] {
        let (status, body) =
            answer(send(&app, Method::PATCH, &path, athlete, &[(field, value)]).await).await;
        assert_eq!((status, body), (400, refused(field, plan)), "{field}");
    }
    // Sending the plan back unchanged is fine, and the log is the athlete's to write.
    let (status, body) = answer(
        send(
            &app,
            Method::PATCH,
            &path,
            athlete,
            &[
                ("discipline_id", "4"),
                ("training_plan", "5 x 5 min"),
                ("completed_minutes", "65"),
                ("athlete_feedback", "Hard"),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (
            body["completed_minutes"].clone(),
            body["athlete_feedback"].clone()
        ),
        (json!(65), json!("Hard"))
    );
    let (status, body) = answer(
        send(
            &app,
            Method::PATCH,
            &path,
            athlete,
            &[("coach_comments", "Nice")],
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, body),
        (
            400,
            refused(
                "coach_comments",
                "This field is read-only: only the athlete's coach writes it."
            )
        )
    );
    // The coach changes the plan and comments, not the athlete's feedback.
    let (status, body) = answer(
        send(
            &app,
            Method::PATCH,
            &path,
            coach,
            &[("discipline_id", "5"), ("coach_comments", "Nice")],
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["discipline_title"], "Turbo Intervals");
    let (status, body) = answer(
        send(
            &app,
            Method::PATCH,
            &path,
            coach,
            &[("athlete_feedback", "Easy")],
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, body),
        (
            400,
            refused(
                "athlete_feedback",
                "This field is read-only: only the athlete writes it."
            )
        )
    );
    // The athlete's own sessions are theirs to plan.
    let (status, own) = answer(
        send(
            &app,
            Method::POST,
            "/api/sessions/",
            athlete,
            &[("date", "2015-01-15"), ("discipline_id", "8")],
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, own["session_plan_editable"].clone()),
        (201, json!(true))
    );
    // Race plans: the coach's plan is the coach's.
    let race_path = format!("/api/races/{}/", race["id"]);
    let (status, body) = answer(
        send(
            &app,
            Method::PATCH,
            &race_path,
            athlete,
            &[("coach_plan", "Go hard")],
        )
        .await,
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let (status, _) = answer(
        send(
            &app,
            Method::PATCH,
            &race_path,
            athlete,
            &[("athletes_plan", "Go hard")],
        )
        .await,
    )
    .await;
    assert_eq!(status, 200);
    app.stop().await;
}

async fn scopes_are_checked(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let team = team(&app).await;
    let reader = paceline_testkit::api::token_for(
        app.store.as_ref(),
        "athlete@example.com",
        &team.client,
        "read",
    )
    .await;
    let writer = paceline_testkit::api::token_for(
        app.store.as_ref(),
        "athlete@example.com",
        &team.client,
        "write",
    )
    .await;
    let (status, body) = answer(
        send(
            &app,
            Method::POST,
            "/api/sessions/",
            &reader,
            &[("date", "2015-01-14"), ("discipline_id", "4")],
        )
        .await,
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("scope write"));
    let (status, _) = answer(send(&app, Method::GET, "/api/sessions/", &writer, &[]).await).await;
    assert_eq!(status, 403);
    let (status, _) = answer(send(&app, Method::GET, "/api/races/", &reader, &[]).await).await;
    assert_eq!(status, 200);
    let (status, _) =
        answer(send(&app, Method::GET, "/api/races/", "not-a-token", &[]).await).await;
    assert_eq!(status, 401);
    app.stop().await;
}

/// Signs `email` in on the web, as a person does from the sign-in page.
async fn signed_in(app: &TestApp, email: &str) -> Browser {
    let mut browser = Browser::new(&app.base);
    let page = browser.get("/account/apps").await;
    assert!(page.body.contains("<h1>Sign in</h1>"), "{}", page.body);
    let after = browser
        .post_form(
            "/login",
            &[
                ("csrf", &page.field("csrf")),
                ("return_to", &page.field("return_to")),
                ("email", email),
                ("password", paceline_testkit::api::PASSWORD),
            ],
        )
        .await;
    assert_eq!(after.status, 303, "{}", after.body);
    browser
}

/// "a token that allows access to session charts page when logged out": signed in, the
/// athlete, their coach and their company's owner reach the page without the token; anyone
/// else gets the same 404 as for an unknown session.
async fn the_session_page_opens_signed_in_for_whoever_reaches_the_session(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let team = team(&app).await;
    let (session, _) = planned(&app, &team).await;
    let page = format!("/session/{}/", session["id"]);
    for email in [
        "athlete@example.com",
        "coach@example.com",
        "owner@example.com",
    ] {
        let mut browser = signed_in(&app, email).await;
        let shown = browser.get(&page).await;
        assert_eq!(shown.status, 200, "{email}: {}", shown.body);
        assert!(shown.body.contains("5 x 5 min"), "{email}: the plan");
    }
    for email in [
        "coach2@example.com",
        "athlete2@example.com",
        "loner@example.com",
        "owner@rivals.example",
    ] {
        let mut browser = signed_in(&app, email).await;
        assert_eq!(browser.get(&page).await.status, 404, "{email}");
        // Their own session cookie does not stand in for the token, nor spoil it.
        let with_token = format!(
            "{page}?direct_access_token={}",
            session["direct_access_token"].as_str().unwrap()
        );
        assert_eq!(browser.get(&with_token).await.status, 200, "{email}");
    }
    // Signed out, without the token: not found.
    assert_eq!(app.get(&page).await.status(), 404);
    // A deleted session is gone for everyone.
    let (status, _) = answer(
        send(
            &app,
            Method::DELETE,
            &page.replace("/session/", "/api/sessions/"),
            &team.coach.access_token,
            &[],
        )
        .await,
    )
    .await;
    assert_eq!(status, 204);
    let mut browser = signed_in(&app, "athlete@example.com").await;
    assert_eq!(browser.get(&page).await.status, 404);
    app.stop().await;
}
