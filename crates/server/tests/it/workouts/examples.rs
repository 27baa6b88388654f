//! The spec's list request answered in its example's shape, and a workout with every kind
//! of step created, attached, read, changed and deleted.

use super::{canonical, every_kind, plan, send_json, session};
use crate::calendar::{answer, example_after, keys, send, team};
use crate::harness::TestApp;
use paceline_testkit::{TestContext, on_both_engines};
use reqwest::Method;
use serde_json::{Value, json};

on_both_engines!(
    the_specs_list_request_is_answered_in_its_examples_shape,
    every_duration_and_target_kind_is_kept_as_written,
    patch_changes_what_it_is_sent_and_delete_is_soft,
);

/// Whether `actual` has every member of `example`, each of the same JSON type, arrays
/// compared by their first item.
fn same_shape(example: &Value, actual: &Value, at: &str) {
    match (example, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (key, value) in e {
                let found = a
                    .get(key)
                    .unwrap_or_else(|| panic!("{at}.{key} is missing from {actual}"));
                same_shape(value, found, &format!("{at}.{key}"));
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            if let (Some(e), Some(a)) = (e.first(), a.first()) {
                same_shape(e, a, &format!("{at}[0]"));
            }
        }
        (Value::Number(_), Value::Number(_))
        | (Value::String(_), Value::String(_))
        | (Value::Bool(_), Value::Bool(_))
        | (Value::Null, Value::Null) => {}
        _ => panic!("{at}: {actual} is not shaped like {example}"),
    }
}

async fn the_specs_list_request_is_answered_in_its_examples_shape(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let team = team(&app).await;
    let in_window = session(&app, &team, "2018-08-20", "6").await;
    let later = session(&app, &team, "2018-10-15", "6").await;
    let steps = json!([{"type": "step", "duration": {"type": "time", "seconds": 3600},
                        "target": {"type": "power_zone", "zone": 2}}]);
    let listed = plan(
        &app,
        &team,
        &json!({"sport": "cycling", "name": "Endurance", "steps": steps,
                "training_session_ids": [in_window]}),
    )
    .await;
    plan(
        &app,
        &team,
        &json!({"sport": "running", "name": "Run", "steps": steps,
                "training_session_ids": [in_window]}),
    )
    .await;
    plan(
        &app,
        &team,
        &json!({"sport": "cycling", "name": "Later", "steps": steps,
                "training_session_ids": [later]}),
    )
    .await;

    // curl -X GET -G https://trainxhale.com/api/workouts/ -d scheduled_date_earliest=...
    let path = "/api/workouts/?scheduled_date_earliest=2018-08-17&scheduled_date_latest=2018-09-30&sport=cycling&updated_since_datetime=2018-09-01T12:12:00";
    let (status, body) =
        answer(send(&app, Method::GET, path, &team.athlete.access_token, &[]).await).await;
    assert_eq!(status, 200, "{body}");
    let example = example_after("To obtain the file data for the planned workouts");
    same_shape(&example, &body, "");
    let items = body.as_array().unwrap();
    assert_eq!(items.len(), 1, "{body}");
    let item = &items[0];
    assert_eq!(item["workout_id"], listed["workout_id"]);
    assert_eq!(item["sport"], "cycling");
    assert_eq!(
        item["training_sessions"],
        json!([{"id": in_window, "date": "2018-08-20", "name": "Bike Endurance"}])
    );
    assert_eq!(
        keys(&item["training_sessions"][0]),
        keys(&example[0]["training_sessions"][0])
    );
    let stamp = item["last_updated_datetime"].as_str().unwrap();
    assert_eq!(stamp.len(), "2018-09-02T10:11:27.623172".len(), "{stamp}");
    assert_eq!((&stamp[10..11], &stamp[19..20]), ("T", "."));
    assert_eq!(
        keys(item),
        [
            "athlete",
            "datetime_added",
            "deleted",
            "description",
            "editable",
            "last_updated_datetime",
            "name",
            "sport",
            "steps",
            "training_sessions",
            "workout_id",
        ]
    );
    // The coach lists the same with ?athlete=.
    let (_, coach_view) = answer(
        send(
            &app,
            Method::GET,
            &format!("{path}&athlete={}", team.athlete.user.id.get()),
            &team.coach.access_token,
            &[],
        )
        .await,
    )
    .await;
    assert_eq!(coach_view[0]["workout_id"], listed["workout_id"]);
    assert_eq!(
        (&coach_view[0]["editable"], &body[0]["editable"]),
        (&json!(true), &json!(false))
    );
    // Without filters: every workout, whatever its day.
    let (_, all) = answer(
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
    assert_eq!(all.as_array().unwrap().len(), 3);
}

async fn every_duration_and_target_kind_is_kept_as_written(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let team = team(&app).await;
    let monday = session(&app, &team, "2018-08-20", "4").await;
    let sunday = session(&app, &team, "2018-08-26", "6").await;
    let created = plan(
        &app,
        &team,
        &json!({
            "sport": "cycling",
            "name": "Over-unders <&> \"quoted\"",
            "description": "Threshold work.\nStay seated.",
            "steps": every_kind(),
            "training_session_ids": [sunday, monday],
        }),
    )
    .await;
    assert_eq!(created["steps"], canonical(&every_kind()));
    assert_eq!(created["name"], "Over-unders <&> \"quoted\"");
    assert_eq!(created["description"], "Threshold work.\nStay seated.");
    assert_eq!(created["athlete"], team.athlete.user.id.get());
    assert_eq!(created["deleted"], false);
    assert_eq!(
        created["training_sessions"],
        json!([
            {"id": monday, "date": "2018-08-20", "name": "Bike Intervals"},
            {"id": sunday, "date": "2018-08-26", "name": "Bike Endurance"},
        ])
    );
    // The athlete and the coach read it back the same.
    let path = format!("/api/workouts/{}/", created["workout_id"]);
    for token in [&team.athlete.access_token, &team.coach.access_token] {
        let (status, read) = answer(send(&app, Method::GET, &path, token, &[]).await).await;
        assert_eq!(status, 200);
        let mut read = read;
        let mut expected = created.clone();
        read["editable"] = Value::Null;
        expected["editable"] = Value::Null;
        assert_eq!(read, expected);
    }
}

async fn patch_changes_what_it_is_sent_and_delete_is_soft(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let team = team(&app).await;
    let first = session(&app, &team, "2018-08-20", "4").await;
    let second = session(&app, &team, "2018-08-21", "4").await;
    let created = plan(
        &app,
        &team,
        &json!({"sport": "cycling", "name": "Ride", "steps": every_kind(),
                "training_session_ids": [first]}),
    )
    .await;
    let path = format!("/api/workouts/{}/", created["workout_id"]);
    let token = &team.coach.access_token;
    let (status, renamed) = answer(
        send_json(
            &app,
            Method::PATCH,
            &path,
            token,
            &json!({"name": "Ride, longer"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{renamed}");
    assert_eq!(renamed["name"], "Ride, longer");
    assert_eq!(renamed["steps"], created["steps"]);
    assert_eq!(renamed["training_sessions"], created["training_sessions"]);
    assert!(renamed["last_updated_datetime"].as_str() > created["last_updated_datetime"].as_str());
    // Everything at once, as a form; the read-only fields sent back are ignored.
    let steps = json!([{"type": "step", "duration": {"type": "distance", "meters": 400},
                        "target": {"type": "speed", "low_mps": 5, "high_mps": 5.5}}]);
    let (status, changed) = answer(
        send(
            &app,
            Method::PATCH,
            &path,
            token,
            &[
                ("sport", "running"),
                ("description", "On the track"),
                ("steps", &steps.to_string()),
                ("training_session_ids", &second.to_string()),
                ("workout_id", "1"),
                ("deleted", "true"),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["sport"], "running");
    assert_eq!(changed["description"], "On the track");
    assert_eq!(changed["steps"], canonical(&steps));
    assert_eq!(changed["deleted"], false);
    assert_eq!(changed["training_sessions"][0]["id"], second);
    assert_eq!(changed["training_sessions"].as_array().unwrap().len(), 1);
    // An empty list detaches it from every session.
    let (_, detached) = answer(
        send_json(
            &app,
            Method::PATCH,
            &path,
            token,
            &json!({"training_session_ids": []}),
        )
        .await,
    )
    .await;
    assert_eq!(detached["training_sessions"], json!([]));

    let (status, _) = answer(send(&app, Method::DELETE, &path, token, &[]).await).await;
    assert_eq!(status, 204);
    for method in [Method::GET, Method::DELETE] {
        let (status, body) = answer(send(&app, method, &path, token, &[]).await).await;
        assert_eq!((status, body), (404, json!({"detail": "Not found."})));
    }
    let (status, _) =
        answer(send_json(&app, Method::PATCH, &path, token, &json!({"name": "Back"})).await).await;
    assert_eq!(status, 404);
    let (_, list) = answer(
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
    assert_eq!(list, json!([]));
    // PUT is not a method of workouts.
    let response = send(&app, Method::PUT, &path, token, &[("name", "x")]).await;
    assert_eq!(response.status().as_u16(), 405);
    assert_eq!(
        response.headers()["allow"].to_str().unwrap(),
        "GET, HEAD, PATCH, DELETE"
    );
}
