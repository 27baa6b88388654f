//! The race examples round trip.

use super::assert_shape;
use crate::calendar::{answer, example_after, keys, send, team};
use crate::harness::TestApp;
use paceline_testkit::{TestContext, on_both_engines};
use reqwest::Method;
use serde_json::json;

on_both_engines!(race_examples_round_trip,);

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
