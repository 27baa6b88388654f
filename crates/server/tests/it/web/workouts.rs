//! The workout builder: a coach writes a structured workout for an athlete's session,
//! previews its chart, saves it (with a copy in their library), and the athlete's own
//! client lists it and downloads its FIT, which Garmin's SDK reads; the library plans a
//! workout again; nobody else reaches either.

use super::coaching::{pages_of, planned};
use super::*;
use crate::calendar::{answer, send, team};
use paceline_domain::workouts::library::LibraryStore;
use paceline_domain::workouts::{WorkoutQuery, WorkoutStore};
use paceline_testkit::on_both_engines;
use reqwest::Method;
use time::{Duration, OffsetDateTime};

on_both_engines!(
    a_coach_builds_a_workout_the_athletes_client_downloads,
    the_library_keeps_workouts_to_plan_again,
);

/// Posts `fields` (owned values) as a form.
async fn post(browser: &mut Browser, path: &str, fields: &[(&'static str, String)]) -> Page {
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    browser.post_form(path, &borrowed).await
}

const WORKOUT: &str = "15 min warm up @ 60-70% FTP\n3 x\n  8 min @ 95-100% FTP // stay seated\n  2 min recovery @ 55% FTP\n10 min cool down @ 50% FTP\n";

async fn a_coach_builds_a_workout_the_athletes_client_downloads(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let team = team(&app).await;
    let athlete = team.athlete.user.id;
    let day = OffsetDateTime::now_utc().date() + Duration::days(3);
    let session = planned(&app, athlete, team.coach.user.id, day).await;
    let base = pages_of(athlete);
    let mut coach = signed_in(&app, "coach@example.com").await;
    let form = coach
        .get(&format!("{base}/workouts/new?session={session}"))
        .await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(
        form.body
            .contains(&format!(r#"<option value="{session}" selected>"#)),
        "{}",
        form.body
    );
    assert!(form.body.contains("How to write steps"));
    assert!(
        form.body.contains(r#"<option value="running" selected>"#),
        "a run session's workout is a running one"
    );
    assert!(
        form.body.contains("@ Z4 HR"),
        "with a running example to start from"
    );
    let csrf = form.field("csrf");
    let fields = |action: &'static str, text: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("name", "Threshold 3x8".to_owned()),
            ("sport", "cycling".to_owned()),
            ("session", session.to_string()),
            ("text", text.to_owned()),
            ("description", "Hold it steady.".to_owned()),
            ("keep", "yes".to_owned()),
            ("action", action.to_owned()),
        ]
    };
    let preview = post(
        &mut coach,
        &format!("{base}/workouts"),
        &fields("preview", WORKOUT),
    )
    .await;
    assert_eq!(preview.status, 200);
    assert!(preview.body.contains(r#"<figure class="workout-chart">"#));
    assert!(
        preview
            .body
            .contains("8 steps, 55 min, of which 24 min at or above 90% of threshold."),
        "{}",
        preview.body
    );
    assert!(
        app.store
            .list_workouts(athlete, &WorkoutQuery::default())
            .await
            .unwrap()
            .is_empty(),
        "a preview saves nothing"
    );
    let wrong = post(
        &mut coach,
        &format!("{base}/workouts"),
        &fields("save", "10 min @ Z2 HR\n3 x\n  5 min @ lots"),
    )
    .await;
    assert_eq!(wrong.status, 422);
    assert!(
        wrong
            .body
            .contains("Line 3: `lots` is not a target I can read."),
        "{}",
        wrong.body
    );
    let relative = post(
        &mut coach,
        &format!("{base}/workouts"),
        &fields("save", "20 min @ 95% LTHR"),
    )
    .await;
    assert_eq!(
        relative.status, 422,
        "the athlete has no threshold heart rate yet"
    );
    assert!(
        relative
            .body
            .contains("needs the athlete&#39;s threshold heart rate"),
        "{}",
        relative.body
    );
    let saved = post(
        &mut coach,
        &format!("{base}/workouts"),
        &fields("save", WORKOUT),
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(saved.location(), format!("/session/{session}/"));
    assert_eq!(
        app.store
            .library_of(team.coach.user.id)
            .await
            .unwrap()
            .len(),
        1,
        "a copy kept in the coach's library"
    );

    // The athlete's own client sees it and downloads its FIT.
    let token = &team.athlete.access_token;
    let (status, listed) =
        answer(send(&app, Method::GET, "/api/workouts/", token, &[]).await).await;
    assert_eq!(status, 200);
    let workout = &listed[0];
    assert_eq!(workout["name"], "Threshold 3x8");
    assert_eq!(workout["steps"][1]["type"], "repeat");
    assert_eq!(workout["steps"][1]["steps"][0]["notes"], "stay seated");
    assert_eq!(
        workout["steps"][1]["steps"][0]["target"]["type"],
        "power_percent_ftp"
    );
    let id = workout["workout_id"].as_i64().unwrap();
    let fit = app
        .client
        .get(app.url(&format!("/api/sessions/{session}/workouts/{id}.fit")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(fit.status(), 200);
    let bytes = fit.bytes().await.unwrap().to_vec();
    // The web app's download is the same file.
    let web = coach
        .download(&format!("{base}/workouts/{id}/file.fit"))
        .await;
    assert_eq!(web.0, 200);
    assert_eq!(web.1, bytes);
    let dir = crate::garmin_sdk::scratch_dir("web-builder");
    std::fs::write(dir.join("built.fit"), &bytes).unwrap();
    if let Some(python) = crate::garmin_sdk::python_or_skip() {
        let json = crate::garmin_sdk::check_dir(&python, &dir);
        let file = &json["files"][dir.join("built.fit").display().to_string()];
        assert_eq!(file["ok"], true, "{file}");
        assert_eq!(
            file["messages"]["workout_mesgs"][0]["wkt_name"],
            "Threshold 3x8"
        );
        // Warm up, the repeat's two steps and its closing step, cool down.
        assert_eq!(
            file["messages"]["workout_step_mesgs"]
                .as_array()
                .unwrap()
                .len(),
            5
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    let zwo = coach
        .download(&format!("{base}/workouts/{id}/file.zwo"))
        .await;
    assert_eq!(
        zwo.0, 200,
        "percent of FTP needs no figure of the athlete's"
    );
    assert!(String::from_utf8_lossy(&zwo.1).contains("<workout_file>"));

    // The session page shows it with its chart and files; the builder edits it.
    let page = coach.get(&format!("/session/{session}/")).await;
    assert!(
        page.body.contains("<h3>Threshold 3x8</h3>"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains(&format!("{base}/workouts/{id}/file.erg"))
    );
    let edit = coach.get(&format!("{base}/workouts/{id}")).await;
    assert!(
        edit.body
            .contains("3 x\n  8 min @ 95-100% FTP // stay seated"),
        "{}",
        edit.body
    );
    let edited = coach
        .post_form(
            &format!("{base}/workouts/{id}"),
            &[
                ("csrf", &csrf),
                ("name", "Threshold 3x10"),
                ("sport", "cycling"),
                ("text", "3 x\n  10 min @ 95% FTP\n  2 min rest"),
                ("description", ""),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(edited.status, 303, "{}", edited.body);
    let kept = app
        .store
        .list_workouts(athlete, &WorkoutQuery::default())
        .await
        .unwrap();
    assert_eq!(kept[0].values.name, "Threshold 3x10");
    assert_eq!(kept[0].sessions[0].id.0, session, "still on its session");

    // A coached athlete reads it but plans nothing.
    let mut them = signed_in(&app, "athlete@example.com").await;
    let theirs = them.get(&format!("/session/{session}/")).await;
    assert!(theirs.body.contains("<h3>Threshold 3x10</h3>"));
    assert!(theirs.body.contains("/file.fit"), "their files");
    assert!(
        !theirs.body.contains("Add a structured workout") && !theirs.body.contains(">Edit</a>"),
        "no builder for a coached athlete"
    );
    assert_eq!(
        them.get(&format!("/workouts/{id}/file.fit")).await.status,
        200
    );
    let own = them.get(&format!("/workouts/new?session={session}")).await;
    let refused = them
        .post_form(
            "/workouts",
            &[
                ("csrf", &own.field("csrf")),
                ("name", "Mine"),
                ("sport", "cycling"),
                ("session", &session.to_string()),
                ("text", "30 min @ Z2 HR"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("Your coach plans your workouts"));
    // Nobody else reaches it.
    let mut other = signed_in(&app, "coach2@example.com").await;
    for path in [
        format!("{base}/workouts/{id}"),
        format!("{base}/workouts/{id}/file.fit"),
        format!("{base}/workouts/new"),
    ] {
        assert_eq!(other.get(&path).await.status, 404, "{path}");
    }
    // Deleted by the coach.
    let deleted = coach
        .post_form(
            &format!("{base}/workouts/{id}/delete"),
            &[("csrf", &csrf), ("confirm", "yes")],
        )
        .await;
    assert_eq!(deleted.status, 303);
    assert!(
        app.store
            .list_workouts(athlete, &WorkoutQuery::default())
            .await
            .unwrap()
            .is_empty()
    );
    app.stop().await;
}

async fn the_library_keeps_workouts_to_plan_again(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let team = team(&app).await;
    let mut coach = signed_in(&app, "coach@example.com").await;
    let empty = coach.get("/library").await;
    assert!(empty.body.contains("No workouts yet."));
    let form = coach.get("/library/new").await;
    let csrf = form.field("csrf");
    let saved = coach
        .post_form(
            "/library",
            &[
                ("csrf", &csrf),
                ("name", "Tempo run"),
                ("sport", "running"),
                (
                    "text",
                    "10 min warm up\n3 x\n  8 min @ 88-92% LTHR\n  2 min easy\n10 min cool down",
                ),
                ("description", "By feel if the watch disagrees."),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let list = coach.get("/library").await;
    assert!(list.body.contains("<strong>Tempo run</strong>"));
    assert!(list.body.contains(r#"<figure class="workout-chart">"#));
    let id = app.store.library_of(team.coach.user.id).await.unwrap()[0]
        .id
        .0;
    let athlete = team.athlete.user.id;
    let plan = coach
        .get(&format!("/library/{id}/plan?athlete={}", athlete.public()))
        .await;
    assert_eq!(plan.status, 303);
    assert_eq!(
        plan.location(),
        format!("{}/workouts/new?from={id}", pages_of(athlete))
    );
    let builder = coach.get(plan.location()).await;
    assert!(builder.body.contains(r#"value="Tempo run""#));
    assert!(builder.body.contains("8 min @ 88-92% LTHR"));
    // Another coach's library is not theirs.
    let mut other = signed_in(&app, "coach2@example.com").await;
    assert_eq!(other.get(&format!("/library/{id}")).await.status, 404);
    assert_eq!(
        other
            .get(&format!(
                "{}/workouts/new?from={id}",
                pages_of(team.other_athlete.user.id)
            ))
            .await
            .status,
        404
    );
    let csrf2 = other.get("/library").await.field("csrf");
    let theirs = other
        .post_form(
            &format!("/library/{id}/delete"),
            &[("csrf", &csrf2), ("confirm", "yes")],
        )
        .await;
    assert_eq!(theirs.status, 404);
    let forged = coach
        .post_form(&format!("/library/{id}/delete"), &[("confirm", "yes")])
        .await;
    assert_eq!(forged.status, 403);
    let deleted = coach
        .post_form(
            &format!("/library/{id}/delete"),
            &[("csrf", &csrf), ("confirm", "yes")],
        )
        .await;
    assert_eq!(deleted.status, 303);
    assert!(
        app.store
            .library_of(team.coach.user.id)
            .await
            .unwrap()
            .is_empty()
    );
    app.stop().await;
}
