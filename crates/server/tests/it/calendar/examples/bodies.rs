//! Bodies: bad session bodies name their fields and change nothing; bodies come as JSON
//! too.

use crate::calendar::{answer, send, team};
use crate::harness::TestApp;
use paceline_testkit::{TestContext, on_both_engines};
use reqwest::Method;
use serde_json::{Value, json};

on_both_engines!(
    bad_session_bodies_name_their_fields_and_change_nothing,
    bodies_come_as_json_too,
);

async fn bad_session_bodies_name_their_fields_and_change_nothing(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let team = team(&app).await;
    let token = &team.athlete.access_token;
    let cases: &[(&[(&str, &str)], Value)] = &[
        (
            &[],
            json!({"date": ["This field is required."], "discipline_id": ["This field is required."]}),
        ),
        (
            &[("date", "14/01/2015"), ("discipline_id", "6")],
            json!({"date": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]}),
        ),
        (
            &[("date", "2015-01-14"), ("discipline_id", "24288")],
            json!({"discipline_id": ["Invalid pk \"24288\" - object does not exist."]}),
        ),
        (
            &[
                ("date", "2015-01-14"),
                ("discipline_id", "6"),
                ("intensity", "9"),
            ],
            json!({"intensity": ["Ensure this value is less than or equal to 5."]}),
        ),
        (
            &[("date", "2015-01-14"), ("discipline_id", "six")],
            json!({"discipline_id": ["A valid integer is required."]}),
        ),
        (
            &[
                ("date", "2015-01-14"),
                ("discipline_id", "6"),
                ("prescribed_km", "far"),
            ],
            json!({"prescribed_km": ["A valid number is required."]}),
        ),
        (
            &[
                ("date", "2015-01-14"),
                ("discipline_id", "6"),
                ("key_session", "maybe"),
            ],
            json!({"key_session": ["Must be a valid boolean."]}),
        ),
        (
            &[
                ("date", "2015-01-14"),
                ("discipline_id", "6"),
                ("colour", "red"),
            ],
            json!({"colour": ["Unknown field: this API does not take it."]}),
        ),
        (
            &[
                ("date", "2015-01-14"),
                ("discipline_id", "6"),
                ("coach_comments", "Well done"),
            ],
            json!({"coach_comments": ["This field is read-only: only the athlete's coach writes it."]}),
        ),
    ];
    for (form, expected) in cases {
        let (status, body) =
            answer(send(&app, Method::POST, "/api/sessions/", token, form).await).await;
        assert_eq!((status, &body), (400, expected), "{form:?}");
    }
    // Read-only fields sent back as read are accepted and not written.
    let (status, created) = answer(
        send(
            &app,
            Method::POST,
            "/api/sessions/",
            token,
            &[
                ("date", "2015-01-14"),
                ("discipline_id", "6"),
                ("id", "999"),
                ("deleted", "true"),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(status, 201);
    assert_ne!(created["id"], 999);
    assert_eq!(created["deleted"], false);
    let response = app
        .client
        .post(app.url("/api/sessions/"))
        .bearer_auth(token)
        .header("content-type", "text/plain")
        .body("date=2015-01-14")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 415);
    let (_, list) = answer(
        send(
            &app,
            Method::GET,
            "/api/sessions/?start_date=2000-01-01",
            token,
            &[],
        )
        .await,
    )
    .await;
    assert_eq!(
        list.as_array().unwrap().len(),
        1,
        "only the good create landed"
    );
    for bad in [
        "start_date=2015-13-01",
        "updated_since_datetime=soon",
        "athlete=me",
        "colour=red",
    ] {
        let (status, body) = answer(
            send(
                &app,
                Method::GET,
                &format!("/api/sessions/?{bad}"),
                token,
                &[],
            )
            .await,
        )
        .await;
        let name = bad.split('=').next().unwrap();
        assert_eq!(status, 400, "{bad}");
        assert!(body[name].is_array(), "{bad}: {body}");
    }
    for path in [
        "/api/sessions/abc/",
        "/api/sessions/0/",
        "/api/sessions/99999/",
    ] {
        let (status, body) = answer(send(&app, Method::GET, path, token, &[]).await).await;
        assert_eq!((status, body), (404, json!({"detail": "Not found."})));
    }
    let response = send(
        &app,
        Method::POST,
        &format!("/api/sessions/{}/", created["id"]),
        token,
        &[],
    )
    .await;
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "GET, HEAD, PUT, PATCH, DELETE");
    app.stop().await;
}

async fn bodies_come_as_json_too(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let team = team(&app).await;
    let token = &team.athlete.access_token;
    let response = app
        .client
        .post(app.url("/api/sessions/"))
        .bearer_auth(token)
        .json(&json!({"date": "2015-01-14", "discipline_id": 17, "brief_description": "Skiing", "order": 4, "prescribed_km": null}))
        .send()
        .await
        .unwrap();
    let (status, created) = answer(response).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["discipline_category"], "diary");
    assert_eq!(created["brief_description"], "Skiing");
    assert_eq!(created["order"], "4");
    let response = app
        .client
        .patch(app.url(&format!("/api/sessions/{}/", created["id"])))
        .bearer_auth(token)
        .json(&json!({"intensity": "7"}))
        .send()
        .await
        .unwrap();
    let (status, body) = answer(response).await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"intensity": ["Ensure this value is less than or equal to 5."]})
        )
    );
    let response = app
        .client
        .post(app.url("/api/sessions/"))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body("{\"date\": ")
        .send()
        .await
        .unwrap();
    let (status, body) = answer(response).await;
    assert_eq!(status, 400);
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .starts_with("JSON parse error")
    );
    app.stop().await;
}
