//! The session examples round trip, and a session's page opens with its token only.

use super::assert_shape;
use crate::calendar::{answer, example_after, keys, send, team};
use crate::harness::TestApp;
use paceline_testkit::{TestContext, on_both_engines};
use reqwest::Method;
use serde_json::json;

on_both_engines!(
    session_examples_round_trip,
    session_pages_open_with_their_token_only,
);

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
