//! Who reaches whose workouts: a coach their athletes' (with `?athlete=` for lists and
//! creates, by id otherwise), an athlete their own; everyone else gets 404 for a workout or
//! its file and 403 for a list or create. A coached athlete reads their coach's workouts
//! but may not write them; a self-coached athlete writes their own. Scopes are checked on
//! every route.

use super::{every_kind, plan, send_json, session};
use crate::calendar::{answer, send, team};
use crate::harness::TestApp;
use paceline_testkit::api;
use paceline_testkit::{TestContext, on_both_engines};
use reqwest::Method;
use serde_json::{Value, json};

on_both_engines!(
    every_route_against_every_token,
    coached_athletes_read_but_do_not_write,
    scopes_are_checked,
);

async fn every_route_against_every_token(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let team = team(&app).await;
    let athlete = team.athlete.user.id.get();
    let day = session(&app, &team, "2018-08-20", "6").await;
    let created = plan(
        &app,
        &team,
        &json!({"sport": "cycling", "name": "Plan", "steps": every_kind(),
                "training_session_ids": [day]}),
    )
    .await;
    let id = created["workout_id"].as_i64().unwrap();
    let record = format!("/api/workouts/{id}/");
    let file = format!("/api/sessions/{day}/workouts/{id}.fit");
    let list = format!("/api/workouts/?athlete={athlete}");

    // The coach, the company's owner and integration, and the athlete reach it; the coach's list needs
    // ?athlete=.
    for token in [
        &team.coach.access_token,
        &team.owner.access_token,
        &team.company.access_token,
        &team.athlete.access_token,
    ] {
        for path in [&record, &file] {
            let response = send(&app, Method::GET, path, token, &[]).await;
            assert_eq!(response.status().as_u16(), 200, "{path}");
        }
    }
    for token in [
        &team.coach.access_token,
        &team.owner.access_token,
        &team.company.access_token,
    ] {
        let (status, listed) = answer(send(&app, Method::GET, &list, token, &[]).await).await;
        assert_eq!((status, listed.as_array().unwrap().len()), (200, 1));
    }
    let (_, own) = answer(
        send(
            &app,
            Method::GET,
            "/api/workouts/",
            &team.athlete.access_token,
            &[],
        )
        .await,
    )
    .await;
    assert_eq!(own[0]["workout_id"], id);
    let (_, coach_own) = answer(
        send(
            &app,
            Method::GET,
            "/api/workouts/",
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
        for (method, body) in [
            (Method::GET, json!({})),
            (Method::PATCH, json!({"name": "Mine now"})),
            (Method::DELETE, json!({})),
        ] {
            let (status, body) =
                answer(send_json(&app, method.clone(), &record, token, &body).await).await;
            assert_eq!(
                (status, body),
                (404, json!({"detail": "Not found."})),
                "{method} {record}"
            );
        }
        for ext in ["fit", "zwo", "erg"] {
            let path = format!("/api/sessions/{day}/workouts/{id}.{ext}");
            let (status, body) = answer(send(&app, Method::GET, &path, token, &[]).await).await;
            assert_eq!(
                (status, body),
                (404, json!({"detail": "Not found."})),
                "{path}"
            );
        }
        let (status, body) = answer(send(&app, Method::GET, &list, token, &[]).await).await;
        assert_eq!(status, 403, "{body}");
        let (status, body) = answer(
            send_json(
                &app,
                Method::POST,
                &list,
                token,
                &json!({"sport": "cycling", "name": "X", "steps": every_kind()}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 403, "{body}");
        assert!(
            body["detail"]
                .as_str()
                .unwrap()
                .contains(&format!("you do not coach athlete {athlete}")),
            "{body}"
        );
    }
    // A coach cannot attach a workout to another athlete's session, even one they coach
    // elsewhere: the sessions must be the athlete's own.
    let other_day = {
        let (status, s) = answer(
            send(
                &app,
                Method::POST,
                &format!(
                    "/api/sessions/?athlete={}",
                    team.other_athlete.user.id.get()
                ),
                &team.other_coach.access_token,
                &[("date", "2018-08-20"), ("discipline_id", "6")],
            )
            .await,
        )
        .await;
        assert_eq!(status, 201);
        s["id"].as_i64().unwrap()
    };
    let (status, body) = answer(
        send_json(
            &app,
            Method::POST,
            &list,
            &team.coach.access_token,
            &json!({"sport": "cycling", "name": "X", "steps": every_kind(),
                    "training_session_ids": [day, other_day]}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"training_session_ids": [format!("Invalid pk \"{other_day}\" - object does not exist.")]})
        )
    );
    // Nothing changed.
    let (_, after) =
        answer(send(&app, Method::GET, &record, &team.athlete.access_token, &[]).await).await;
    assert_eq!(after["name"], "Plan");
    assert_eq!(
        after["last_updated_datetime"],
        created["last_updated_datetime"]
    );
    let (_, listed) =
        answer(send(&app, Method::GET, &list, &team.coach.access_token, &[]).await).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
}

async fn coached_athletes_read_but_do_not_write(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let team = team(&app).await;
    let day = session(&app, &team, "2018-08-20", "6").await;
    let created = plan(
        &app,
        &team,
        &json!({"sport": "cycling", "name": "Plan", "steps": every_kind(),
                "training_session_ids": [day]}),
    )
    .await;
    let record = format!("/api/workouts/{}/", created["workout_id"]);
    let token = &team.athlete.access_token;
    let refused = |status: u16, body: &Value| {
        assert_eq!(status, 403, "{body}");
        assert!(
            body["detail"]
                .as_str()
                .unwrap()
                .contains("a coached athlete's workouts are planned by their coach"),
            "{body}"
        );
    };
    let (status, body) = answer(
        send_json(
            &app,
            Method::POST,
            "/api/workouts/",
            token,
            &json!({"sport": "cycling", "name": "Mine", "steps": every_kind()}),
        )
        .await,
    )
    .await;
    refused(status, &body);
    // Refused before the body is read: even a bad body gets the 403.
    let (status, body) =
        answer(send_json(&app, Method::POST, "/api/workouts/", token, &json!({})).await).await;
    refused(status, &body);
    let (status, body) = answer(
        send_json(
            &app,
            Method::PATCH,
            &record,
            token,
            &json!({"name": "Mine"}),
        )
        .await,
    )
    .await;
    refused(status, &body);
    let (status, body) = answer(send(&app, Method::DELETE, &record, token, &[]).await).await;
    refused(status, &body);
    let (status, read) = answer(send(&app, Method::GET, &record, token, &[]).await).await;
    assert_eq!(status, 200);
    assert_eq!(read["name"], "Plan");
    assert_eq!(read["editable"], false);
    assert_eq!(
        read["last_updated_datetime"],
        created["last_updated_datetime"]
    );

    // A self-coached athlete plans their own, and nobody else sees them.
    let loner = &team.loner.access_token;
    let (status, own) = answer(
        send_json(
            &app,
            Method::POST,
            "/api/workouts/",
            loner,
            &json!({"sport": "running", "name": "Strides", "steps": every_kind()}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{own}");
    assert_eq!(own["athlete"], team.loner.user.id.get());
    assert_eq!(own["editable"], true);
    let own_record = format!("/api/workouts/{}/", own["workout_id"]);
    let (status, patched) = answer(
        send_json(
            &app,
            Method::PATCH,
            &own_record,
            loner,
            &json!({"name": "Hills"}),
        )
        .await,
    )
    .await;
    assert_eq!((status, &patched["name"]), (200, &json!("Hills")));
    for other in [&team.coach, &team.athlete] {
        let (status, _) =
            answer(send(&app, Method::GET, &own_record, &other.access_token, &[]).await).await;
        assert_eq!(status, 404);
    }
    let (status, _) = answer(send(&app, Method::DELETE, &own_record, loner, &[]).await).await;
    assert_eq!(status, 204);
}

async fn scopes_are_checked(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let team = team(&app).await;
    let day = session(&app, &team, "2018-08-20", "6").await;
    let created = plan(
        &app,
        &team,
        &json!({"sport": "cycling", "name": "Plan", "steps": every_kind(),
                "training_session_ids": [day]}),
    )
    .await;
    let id = created["workout_id"].as_i64().unwrap();
    let store = app.store.as_ref();
    let read_only = api::token_for(store, "coach@example.com", &team.client, "read").await;
    let write_only = api::token_for(store, "coach@example.com", &team.client, "write").await;
    let athlete = team.athlete.user.id.get();
    let record = format!("/api/workouts/{id}/");
    let body = json!({"sport": "cycling", "name": "X", "steps": every_kind()});
    for (method, path, token, scope) in [
        (
            Method::GET,
            format!("/api/workouts/?athlete={athlete}"),
            &write_only,
            "read",
        ),
        (Method::GET, record.clone(), &write_only, "read"),
        (
            Method::GET,
            format!("/api/sessions/{day}/workouts/{id}.fit"),
            &write_only,
            "read",
        ),
        (
            Method::POST,
            format!("/api/workouts/?athlete={athlete}"),
            &read_only,
            "write",
        ),
        (Method::PATCH, record.clone(), &read_only, "write"),
        (Method::DELETE, record.clone(), &read_only, "write"),
    ] {
        let response = send_json(&app, method.clone(), &path, token, &body).await;
        let challenge = response.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .to_owned();
        let (status, answer_body) = answer(response).await;
        assert_eq!(status, 403, "{method} {path}: {answer_body}");
        assert!(
            answer_body["detail"]
                .as_str()
                .unwrap()
                .ends_with(&format!("lacks the scope {scope}.")),
            "{answer_body}"
        );
        assert!(challenge.contains("insufficient_scope"), "{challenge}");
    }
    // Without a token: 401.
    let response = app.get("/api/workouts/").await;
    assert_eq!(response.status().as_u16(), 401);
    // Nothing was changed by the refused writes.
    let (_, after) =
        answer(send(&app, Method::GET, &record, &team.coach.access_token, &[]).await).await;
    assert_eq!(
        after["last_updated_datetime"],
        created["last_updated_datetime"]
    );
}
