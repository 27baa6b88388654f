//! The sync scenario: a client lists workouts with `updated_since_datetime`; the coach
//! edits one, deletes one, adds one and moves the session of another; the client's next
//! sync sees exactly those, the deletion as `"deleted": true`.

use super::{every_kind, plan, send_json, session};
use crate::calendar::{answer, send, team};
use crate::harness::TestApp;
use paceline_testkit::{TestContext, on_both_engines};
use reqwest::Method;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::format_description;

on_both_engines!(a_syncing_client_sees_edits_deletions_and_moved_sessions);

fn stamp(at: OffsetDateTime) -> String {
    at.format(format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]"
    ))
    .unwrap()
}

fn by_id(list: &Value) -> Vec<(i64, bool)> {
    let mut items: Vec<(i64, bool)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["workout_id"].as_i64().unwrap(),
                w["deleted"].as_bool().unwrap(),
            )
        })
        .collect();
    items.sort_unstable();
    items
}

async fn a_syncing_client_sees_edits_deletions_and_moved_sessions(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let team = team(&app).await;
    let client = &team.athlete.access_token;
    let coach = &team.coach.access_token;
    let start = stamp(OffsetDateTime::now_utc() - time::Duration::seconds(1));
    let moved_day = session(&app, &team, "2018-08-20", "6").await;
    let mut made = Vec::new();
    for (name, sessions) in [
        ("edited", json!([])),
        ("deleted", json!([])),
        ("untouched", json!([])),
        ("moved", json!([moved_day])),
    ] {
        let w = plan(
            &app,
            &team,
            &json!({"sport": "cycling", "name": name, "steps": every_kind(),
                    "training_session_ids": sessions}),
        )
        .await;
        made.push(w["workout_id"].as_i64().unwrap());
    }
    let sync = |since: String| {
        let app = &app;
        async move {
            answer(
                send(
                    app,
                    Method::GET,
                    &format!("/api/workouts/?updated_since_datetime={since}"),
                    client,
                    &[],
                )
                .await,
            )
            .await
        }
    };
    let (_, initial) = sync(start).await;
    assert_eq!(
        by_id(&initial),
        made.iter().map(|id| (*id, false)).collect::<Vec<_>>()
    );

    // The client's sync point: the server's time after its sync.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let since = stamp(OffsetDateTime::now_utc());
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;

    let (status, _) = answer(
        send_json(
            &app,
            Method::PATCH,
            &format!("/api/workouts/{}/", made[0]),
            coach,
            &json!({"description": "Changed"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = answer(
        send(
            &app,
            Method::DELETE,
            &format!("/api/workouts/{}/", made[1]),
            coach,
            &[],
        )
        .await,
    )
    .await;
    assert_eq!(status, 204);
    let added = plan(
        &app,
        &team,
        &json!({"sport": "cycling", "name": "added", "steps": every_kind()}),
    )
    .await["workout_id"]
        .as_i64()
        .unwrap();
    let (status, _) = answer(
        send(
            &app,
            Method::PATCH,
            &format!("/api/sessions/{moved_day}/"),
            coach,
            &[("date", "2018-08-22")],
        )
        .await,
    )
    .await;
    assert_eq!(status, 200);

    let (status, changed) = sync(since).await;
    assert_eq!(status, 200);
    assert_eq!(
        by_id(&changed),
        [
            (made[0], false),
            (made[1], true),
            (made[3], false),
            (added, false)
        ]
    );
    let moved = changed
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["workout_id"] == made[3])
        .unwrap();
    assert_eq!(moved["training_sessions"][0]["date"], "2018-08-22");
    // Without a sync, the deleted one is gone.
    let (_, live) = answer(send(&app, Method::GET, "/api/workouts/", client, &[]).await).await;
    assert_eq!(by_id(&live).len(), 4);
    assert!(!by_id(&live).iter().any(|(id, _)| *id == made[1]));
}
