//! Every session and race example request of the spec, sent as written (form-encoded),
//! answered in the shape of the spec's example responses; and the refusals of bad bodies,
//! which change nothing.

use super::{answer, example_after, keys, send, team};
use crate::harness::TestApp;
use paceline_testkit::{TestContext, on_both_engines};
use reqwest::Method;
use serde_json::{Value, json};

on_both_engines!(
    session_examples_round_trip,
    race_examples_round_trip,
    bad_session_bodies_name_their_fields_and_change_nothing,
    bodies_come_as_json_too,
    session_pages_open_with_their_token_only,
);

/// Whether `got` has the JSON type of `example` (null matches anything, as examples show
/// null where a value may be).
fn same_shape(got: &Value, example: &Value) -> bool {
    matches!(
        (got, example),
        (_, Value::Null)
            | (Value::Null, _)
            | (Value::Number(_), Value::Number(_))
            | (Value::String(_), Value::String(_))
            | (Value::Bool(_), Value::Bool(_))
    )
}

fn assert_shape(got: &Value, example: &Value) {
    for (key, value) in example.as_object().unwrap() {
        assert!(
            same_shape(&got[key], value),
            "{key}: {} against the example's {value}",
            got[key]
        );
    }
}

async fn session_examples_round_trip(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let team = team(&app).await;
    let token = &team.athlete.access_token;
    let retrieve = example_after("Retreive a single training session");
    let listed = example_after("List all training sessions");

    // Create: curl -d date='2015-01-14' -d intensity=3 -d discipline_id=6
    let (status, created) = answer(
        send(
            &app,
            Method::POST,
            "/api/sessions/",
            token,
            &[
                ("date", "2015-01-14"),
                ("intensity", "3"),
                ("discipline_id", "6"),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{created}");
    // Every field of both examples ("order" appears in the list's example only).
    let mut expected = keys(&retrieve);
    expected.push("order".into());
    expected.sort();
    assert_eq!(keys(&created), expected);
    assert_eq!(keys(&listed[0]), expected);
    assert_shape(&created, &retrieve);
    assert_shape(&created, &listed[0]);
    assert_eq!(created["date"], "2015-01-14");
    assert_eq!(created["intensity"], 3);
    assert_eq!(created["discipline_id"], 6);
    assert_eq!(created["discipline_title"], "Bike Endurance");
    assert_eq!(created["discipline_category"], "bike");
    assert_eq!(created["athlete"], team.athlete.user.id.get());
    assert_eq!(created["order"], "1");
    assert_eq!(created["deleted"], false);
    assert_eq!(created["session_plan_editable"], true);
    assert_eq!(created["has_uploaded_training"], false);
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["url"], format!("{}/session/{id}/", app.base));
    let token_text = created["direct_access_token"].as_str().unwrap();
    assert!(token_text.len() == 32 && token_text.bytes().all(|b| b.is_ascii_hexdigit()));
    let added = created["datetime_added"].as_str().unwrap();
    assert_eq!(added.len(), "2015-06-18T02:03:14.513292".len(), "{added}");

    // A second session that day goes after the first.
    let (_, second) = answer(
        send(
            &app,
            Method::POST,
            "/api/sessions/",
            token,
            &[("date", "2015-01-14"), ("discipline_id", "8")],
        )
        .await,
    )
    .await;
    assert_eq!(second["order"], "2");

    // Update: curl -X PATCH -d discipline_id=6, then a change.
    let path = format!("/api/sessions/{id}/");
    let (status, patched) =
        answer(send(&app, Method::PATCH, &path, token, &[("discipline_id", "6")]).await).await;
    assert_eq!(status, 200, "{patched}");
    let (status, patched) = answer(
        send(
            &app,
            Method::PATCH,
            &path,
            token,
            &[
                ("prescribed_km", "1.5"),
                ("prescribed_minutes", "70"),
                ("key_session", "True"),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["prescribed_km"], 1.5);
    assert_eq!(patched["prescribed_minutes"], 70);
    assert_eq!(patched["key_session"], true);
    assert_eq!(patched["intensity"], 3, "PATCH leaves other fields alone");
    assert!(patched["datetime_updated"].as_str() > created["datetime_updated"].as_str());

    // Retrieve gives what the write answered; PUT demands the required fields.
    let (status, got) = answer(send(&app, Method::GET, &path, token, &[]).await).await;
    assert_eq!((status, &got), (200, &patched));
    let (status, body) =
        answer(send(&app, Method::PUT, &path, token, &[("intensity", "2")]).await).await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({"date": ["This field is required."], "discipline_id": ["This field is required."]})
    );
    let (status, put) = answer(
        send(
            &app,
            Method::PUT,
            &path,
            token,
            &[
                ("date", "2015-01-15"),
                ("discipline_id", "7"),
                ("intensity", "2"),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{put}");
    assert_eq!(
        (put["date"].clone(), put["discipline_title"].clone()),
        (json!("2015-01-15"), json!("Run Intervals"))
    );
    assert_eq!(
        put["prescribed_km"], 1.5,
        "PUT keeps fields it was not sent"
    );

    // List: the spec's example request, then by dates.
    let (status, list) = answer(
        send(
            &app,
            Method::GET,
            "/api/sessions/?updated_since_datetime=2015-06-17T03%3A00%3A00",
            token,
            &[],
        )
        .await,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().unwrap().len(), 2);
    let (_, by_day) = answer(
        send(
            &app,
            Method::GET,
            "/api/sessions/?start_date=2015-01-15&end_date=2015-01-15",
            token,
            &[],
        )
        .await,
    )
    .await;
    assert_eq!(by_day, json!([put]));
    // The default window is the current season: these 2015 sessions are not in it.
    let (_, season) = answer(send(&app, Method::GET, "/api/sessions/", token, &[]).await).await;
    assert_eq!(season, json!([]));

    // Delete: 204, then gone, except to a syncing client.
    let response = send(&app, Method::DELETE, &path, token, &[]).await;
    assert_eq!(response.status(), 204);
    assert!(response.text().await.unwrap().is_empty());
    let (status, _) = answer(send(&app, Method::GET, &path, token, &[]).await).await;
    assert_eq!(status, 404);
    let (status, _) = answer(send(&app, Method::DELETE, &path, token, &[]).await).await;
    assert_eq!(status, 404);
    let (_, synced) = answer(
        send(
            &app,
            Method::GET,
            "/api/sessions/?updated_since_datetime=2015-06-17T03:00:00",
            token,
            &[],
        )
        .await,
    )
    .await;
    let gone = synced
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap();
    assert_eq!(gone["deleted"], true);
    app.stop().await;
}

async fn race_examples_round_trip(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let team = team(&app).await;
    let token = &team.athlete.access_token;
    let retrieve = example_after("Retreive a single race");
    // Create: curl -d date='2015-01-14' -d race_name='Rubicon 70.3'
    let (status, race) = answer(
        send(
            &app,
            Method::POST,
            "/api/races/",
            token,
            &[("date", "2015-01-14"), ("race_name", "Rubicon 70.3")],
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{race}");
    assert_eq!(keys(&race), keys(&retrieve));
    assert_shape(&race, &retrieve);
    assert_eq!(race["race_name"], "Rubicon 70.3");
    let path = format!("/api/races/{}/", race["id"]);
    // Update: curl -X PATCH -d taper_days=5; then the rest of the example's fields.
    let (status, patched) =
        answer(send(&app, Method::PATCH, &path, token, &[("taper_days", "5")]).await).await;
    assert_eq!((status, patched["taper_days"].clone()), (200, json!(5)));
    let (status, patched) = answer(
        send(
            &app,
            Method::PATCH,
            &path,
            token,
            &[
                ("distance", "3"),
                ("attendance_probability", "1"),
                ("athletes_plan", "Lorem"),
                ("athlete_feedback", "Lorem"),
                ("event_url", "http://example.com"),
                ("position_overall", "15"),
                ("position_age_group", "3"),
                ("race_priority", "b"),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{patched}");
    for same in [
        "distance",
        "taper_days",
        "attendance_probability",
        "athletes_plan",
        "coach_plan",
        "athlete_feedback",
        "coach_comments",
        "event_url",
        "position_overall",
        "position_age_group",
        "race_priority",
        "has_uploaded_training",
        "deleted",
    ] {
        assert_eq!(patched[same], retrieve[same], "{same}");
    }
    let (status, body) = answer(
        send(
            &app,
            Method::PATCH,
            &path,
            token,
            &[("race_priority", "d"), ("event_url", "not a url")],
        )
        .await,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({"race_priority": ["\"d\" is not a valid choice."], "event_url": ["Enter a valid URL."]})
    );
    let (status, body) = answer(
        send(
            &app,
            Method::POST,
            "/api/races/",
            token,
            &[("date", "2015-01-14")],
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, body),
        (400, json!({"race_name": ["This field is required."]}))
    );
    let (_, list) = answer(
        send(
            &app,
            Method::GET,
            "/api/races/?updated_since_datetime=2015-06-17T03%3A00%3A00",
            token,
            &[],
        )
        .await,
    )
    .await;
    assert_eq!(list, json!([patched]));
    assert_eq!(
        send(&app, Method::DELETE, &path, token, &[]).await.status(),
        204
    );
    let (status, _) = answer(send(&app, Method::GET, &path, token, &[]).await).await;
    assert_eq!(status, 404);
    app.stop().await;
}

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

async fn session_pages_open_with_their_token_only(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let team = team(&app).await;
    let token = &team.athlete.access_token;
    let (_, session) = answer(
        send(
            &app,
            Method::POST,
            "/api/sessions/",
            token,
            &[
                ("date", "2015-01-14"),
                ("discipline_id", "6"),
                ("training_plan", "3 x 10 min <tempo>"),
            ],
        )
        .await,
    )
    .await;
    let id = session["id"].as_i64().unwrap();
    let secret = session["direct_access_token"].as_str().unwrap().to_owned();
    let page = |t: String| {
        let app = &app;
        async move {
            app.get(&format!("/session/{id}/?direct_access_token={t}"))
                .await
        }
    };
    let response = page(secret.clone()).await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("Bike Endurance") && html.contains("2015-01-14"));
    assert!(
        html.contains("3 x 10 min &#60;tempo&#62;") || html.contains("3 x 10 min &lt;tempo&gt;"),
        "escaped"
    );
    assert_eq!(page("0".repeat(32)).await.status(), 404);
    assert_eq!(app.get(&format!("/session/{id}/")).await.status(), 404);
    // The owner rotates it: the old link stops working.
    let (status, rotated) = answer(
        send(
            &app,
            Method::POST,
            &format!("/api/sessions/{id}/direct_access_token/"),
            token,
            &[],
        )
        .await,
    )
    .await;
    assert_eq!(status, 200);
    let fresh = rotated["direct_access_token"].as_str().unwrap().to_owned();
    assert_ne!(fresh, secret);
    assert_eq!(page(secret).await.status(), 404);
    assert_eq!(page(fresh.clone()).await.status(), 200);
    let (_, read) = answer(
        send(
            &app,
            Method::GET,
            &format!("/api/sessions/{id}/"),
            token,
            &[],
        )
        .await,
    )
    .await;
    assert_eq!(read["direct_access_token"], fresh.as_str());
    // Nobody else can rotate it.
    let (status, _) = answer(
        send(
            &app,
            Method::POST,
            &format!("/api/sessions/{id}/direct_access_token/"),
            &team.loner.access_token,
            &[],
        )
        .await,
    )
    .await;
    assert_eq!(status, 404);
    app.stop().await;
}
