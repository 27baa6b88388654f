//! The sync scenario: a client lists with `updated_since_datetime`; another client edits,
//! deletes and adds; the first client's next sync sees exactly those changes, the deletion
//! included.

use super::{answer, send, team};
use crate::harness::TestApp;
use paceline_testkit::api;
use paceline_testkit::{TestContext, on_both_engines};
use reqwest::Method;
use serde_json::Value;
use time::OffsetDateTime;
use time::macros::format_description;

on_both_engines!(a_second_client_changes_reach_the_first_clients_next_sync);

fn stamp(at: OffsetDateTime) -> String {
    at.format(format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]"
    ))
    .unwrap()
}

fn ids(list: &Value) -> Vec<i64> {
    let mut ids: Vec<i64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect();
    ids.sort_unstable();
    ids
}

async fn a_second_client_changes_reach_the_first_clients_next_sync(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let team = team(&app).await;
    let first = &team.athlete.access_token;
    let other_app = api::client(app.store.as_ref(), "other-app").await;
    let second = api::token_for(
        app.store.as_ref(),
        "athlete@example.com",
        &other_app,
        "read write",
    )
    .await;

    let start = stamp(OffsetDateTime::now_utc() - time::Duration::seconds(1));
    let mut made = Vec::new();
    for day in ["2015-01-12", "2015-01-13", "2015-01-14", "2015-01-15"] {
        let (status, s) = answer(
            send(
                &app,
                Method::POST,
                "/api/sessions/",
                first,
                &[("date", day), ("discipline_id", "8")],
            )
            .await,
        )
        .await;
        assert_eq!(status, 201);
        made.push(s["id"].as_i64().unwrap());
    }
    let (_, initial) = answer(
        send(
            &app,
            Method::GET,
            &format!("/api/sessions/?updated_since_datetime={start}"),
            first,
            &[],
        )
        .await,
    )
    .await;
    assert_eq!(ids(&initial), made);

    // The first client's sync point: the server's time after its sync.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let since = stamp(OffsetDateTime::now_utc());
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;

    // The second client edits one, deletes one, adds one.
    let (status, _) = answer(
        send(
            &app,
            Method::PATCH,
            &format!("/api/sessions/{}/", made[1]),
            &second,
            &[("completed_minutes", "40")],
        )
        .await,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        send(
            &app,
            Method::DELETE,
            &format!("/api/sessions/{}/", made[2]),
            &second,
            &[]
        )
        .await
        .status(),
        204
    );
    let (_, added) = answer(
        send(
            &app,
            Method::POST,
            "/api/sessions/",
            &second,
            &[("date", "2015-01-16"), ("discipline_id", "14")],
        )
        .await,
    )
    .await;
    let added = added["id"].as_i64().unwrap();

    let (status, changes) = answer(
        send(
            &app,
            Method::GET,
            &format!("/api/sessions/?updated_since_datetime={since}"),
            first,
            &[],
        )
        .await,
    )
    .await;
    assert_eq!(status, 200);
    let mut expected = vec![made[1], made[2], added];
    expected.sort_unstable();
    assert_eq!(ids(&changes), expected, "exactly the changes");
    for s in changes.as_array().unwrap() {
        let id = s["id"].as_i64().unwrap();
        assert_eq!(s["deleted"], id == made[2], "{id}");
        if id == made[1] {
            assert_eq!(s["completed_minutes"], 40);
        }
    }
    // A plain list no longer shows the deleted one.
    let (_, plain) = answer(
        send(
            &app,
            Method::GET,
            "/api/sessions/?start_date=2015-01-01&end_date=2015-12-31",
            first,
            &[],
        )
        .await,
    )
    .await;
    assert_eq!(ids(&plain), vec![made[0], made[1], made[3], added]);
    app.stop().await;
}
