//! Bad bodies and parameters: one 400 naming every bad field, the bad step by where it is,
//! and nothing written.

use super::{every_kind, plan, send_json, session};
use crate::calendar::{answer, send, team};
use crate::harness::TestApp;
use paceline_testkit::{TestContext, on_both_engines};
use reqwest::Method;
use serde_json::json;

on_both_engines!(
    bad_bodies_name_their_fields_and_write_nothing,
    forms_carry_steps_as_json_text,
    bad_list_parameters_are_named,
);

async fn bad_bodies_name_their_fields_and_write_nothing(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let team = team(&app).await;
    let day = session(&app, &team, "2018-08-20", "6").await;
    let token = &team.loner.access_token;
    let post = |body: serde_json::Value| {
        let app = &app;
        async move { answer(send_json(app, Method::POST, "/api/workouts/", token, &body).await).await }
    };
    let cases = [
        (
            json!({}),
            json!({
                "sport": ["This field is required."],
                "name": ["This field is required."],
                "steps": ["This field is required."],
            }),
        ),
        (
            json!({"sport": "biking", "name": " ", "steps": every_kind(), "colour": "red"}),
            json!({
                "sport": ["\"biking\" is not a valid choice."],
                "name": ["This field may not be blank."],
                "colour": ["Unknown field: this API does not take it."],
            }),
        ),
        (
            json!({"sport": "cycling", "name": "X", "steps": [
                {"type": "step", "duration": {"type": "open"}},
                {"type": "repeat", "times": 3, "steps": [
                    {"type": "step", "duration": {"type": "time", "seconds": 60}},
                    {"type": "step", "duration": {"type": "time", "seconds": 60},
                     "target": {"type": "power_zone", "zone": 8}}
                ]}
            ]}),
            json!({"steps": ["Step 2.2, target.zone: Ensure this value is less than or equal to 7."]}),
        ),
        (
            json!({"sport": "cycling", "name": "X", "steps": [
                {"type": "step", "duration": {"type": "time", "seconds": 60},
                 "target": {"type": "heart_rate", "low_bpm": 150, "high_bpm": 140}}
            ]}),
            json!({"steps": ["Step 1, target.low_bpm: Ensure low_bpm is no higher than high_bpm."]}),
        ),
        (
            json!({"sport": "cycling", "name": "X", "steps": "not json"}),
            json!({"steps": ["Invalid JSON - expected ident at line 1 column 2."]}),
        ),
        (
            json!({"sport": "cycling", "name": "X", "steps": []}),
            json!({"steps": ["This list may not be empty."]}),
        ),
        (
            json!({"sport": "cycling", "name": "X", "steps": null, "description": 5}),
            json!({"steps": ["This field may not be null."],
                   "description": ["Not a valid string."]}),
        ),
        (
            json!({"sport": "cycling", "name": "X", "steps": every_kind(),
                   "training_session_ids": ["abc", 0]}),
            json!({"training_session_ids": [
                "Incorrect type. Expected pk value, received \"abc\".",
                "Incorrect type. Expected pk value, received \"0\"."
            ]}),
        ),
        (
            json!({"sport": "cycling", "name": "X", "steps": every_kind(),
                   "training_session_ids": (1..=101).collect::<Vec<i64>>()}),
            json!({"training_session_ids": ["Ensure this field has no more than 100 elements."]}),
        ),
        (
            json!({"sport": "cycling", "name": "X", "steps": every_kind(),
                   "training_session_ids": [day]}),
            json!({"training_session_ids": [format!("Invalid pk \"{day}\" - object does not exist.")]}),
        ),
    ];
    for (body, expected) in cases {
        let (status, answer) = post(body.clone()).await;
        assert_eq!((status, &answer), (400, &expected), "{body}");
    }
    // Malformed JSON, and another media type.
    let response = app
        .client
        .post(app.url("/api/workouts/"))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body("{\"sport\": ")
        .send()
        .await
        .unwrap();
    let (status, body) = answer(response).await;
    assert_eq!(status, 400);
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .starts_with("JSON parse error - "),
        "{body}"
    );
    let response = app
        .client
        .post(app.url("/api/workouts/"))
        .bearer_auth(token)
        .header("content-type", "text/xml")
        .body("<workout/>")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 415);
    // Nothing was written.
    let (_, list) = answer(send(&app, Method::GET, "/api/workouts/", token, &[]).await).await;
    assert_eq!(list, json!([]));

    // A PATCH is checked the same way and changes nothing when refused.
    let created = plan(
        &app,
        &team,
        &json!({"sport": "cycling", "name": "Plan", "steps": every_kind()}),
    )
    .await;
    let record = format!("/api/workouts/{}/", created["workout_id"]);
    let (status, body) = answer(
        send_json(
            &app,
            Method::PATCH,
            &record,
            &team.coach.access_token,
            &json!({"name": "", "sport": null, "steps": [{"type": "jump"}]}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({
                "name": ["This field may not be blank."],
                "sport": ["This field may not be null."],
                "steps": ["Step 1, type: \"jump\" is not a valid choice: one of step, repeat."],
            })
        )
    );
    let (_, after) =
        answer(send(&app, Method::GET, &record, &team.coach.access_token, &[]).await).await;
    assert_eq!(after, created);
}

async fn forms_carry_steps_as_json_text(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let team = team(&app).await;
    let first = session(&app, &team, "2018-08-20", "6").await;
    let second = session(&app, &team, "2018-08-22", "6").await;
    let steps = every_kind().to_string();
    let ids = format!("{first},{second}");
    let (status, created) = answer(
        send(
            &app,
            Method::POST,
            &format!("/api/workouts/?athlete={}", team.athlete.user.id.get()),
            &team.coach.access_token,
            &[
                ("sport", "cycling"),
                ("name", "From a form"),
                ("steps", &steps),
                ("training_session_ids", &ids),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["steps"], super::canonical(&every_kind()));
    assert_eq!(created["training_sessions"].as_array().unwrap().len(), 2);
    let (status, body) = answer(
        send(
            &app,
            Method::POST,
            &format!("/api/workouts/?athlete={}", team.athlete.user.id.get()),
            &team.coach.access_token,
            &[("sport", "cycling"), ("name", "Bad"), ("steps", "[{")],
        )
        .await,
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body["steps"][0]
            .as_str()
            .unwrap()
            .starts_with("Invalid JSON - "),
        "{body}"
    );
}

async fn bad_list_parameters_are_named(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let team = team(&app).await;
    let (status, body) = answer(
        send(
            &app,
            Method::GET,
            "/api/workouts/?sport=biking&scheduled_date_earliest=2018-13-01&updated_since_datetime=soon&page=2",
            &team.athlete.access_token,
            &[],
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({
                "sport": ["\"biking\" is not a valid choice."],
                "scheduled_date_earliest": ["Enter a valid date."],
                "updated_since_datetime": ["Enter a valid date/time."],
                "page": ["Unknown parameter."],
            })
        )
    );
}
