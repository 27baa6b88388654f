//! The Xhale surface over HTTP: the current user as the spec's example shows it (read from
//! `docs/spec`), and its refusals in the `{"detail": ...}` shape; messaging in
//! `messages`.

mod messages;

use crate::harness::TestApp;
use paceline_domain::SystemClock;
use paceline_domain::accounts;
use paceline_domain::entities::{Role, Season, SportZones, Zone, ZoneSport};
use paceline_domain::store::AccountStore;
use paceline_testkit::api;
use paceline_testkit::{TestContext, on_both_engines};
use serde_json::Value;

on_both_engines!(
    the_current_user_matches_the_spec_example,
    refusals_are_details
);

/// The example response of "Get current user".
fn example() -> Value {
    let text = paceline_testdata::spec("xhale-athlete-api.txt");
    let start = text.find("Example Response\n\n{").unwrap() + "Example Response\n\n".len();
    let mut depth = 0;
    let mut end = start;
    for (i, c) in text[start..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    end = start + i + 1;
                    break;
                }
            }
            _ => {}
        }
    }
    serde_json::from_str(&text[start..end]).unwrap()
}

/// The example's zones as settings.
fn zones_of(example: &Value, sport: ZoneSport) -> SportZones {
    let z = &example["zones"][sport.as_str()];
    let zones = z["zones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|zone| Zone {
            number: zone["number"].as_u64().unwrap() as u8,
            name: zone["name"].as_str().unwrap().into(),
            heart_rate_min: zone["heart_rate_min"].as_i64().map(|v| v as i32),
            heart_rate_max: zone["heart_rate_max"].as_i64().map(|v| v as i32),
            power_min: zone["power_min"].as_i64().map(|v| v as i32),
            power_max: zone["power_max"].as_i64().map(|v| v as i32),
            speed_min_mps: zone["meters_per_second_slowest"].as_f64(),
            speed_max_mps: zone["meters_per_second_fastest"].as_f64(),
        })
        .collect();
    SportZones {
        sport,
        max_heart_rate: z["max_heart_rate"].as_i64().map(|v| v as i32),
        zones,
    }
}

async fn the_current_user_matches_the_spec_example(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let store = app.store.as_ref();
    let example = example();
    // The example's user coaches in one coaching company and is coached in another.
    for name in ["Mentors", "Squad"] {
        accounts::create_organization(store, &SystemClock, name)
            .await
            .unwrap();
    }
    let client = api::client(store, "xhale-app").await;
    let mentor = api::user_named(
        store,
        "mentor@example.com",
        "Mentor User",
        Some("Squad"),
        &client,
        "read",
    )
    .await;
    accounts::add_member(
        store,
        &SystemClock,
        "Mentors",
        "mentor@example.com",
        Role::Coach,
    )
    .await
    .unwrap();
    let mut settings = store
        .athlete_settings(mentor.user.id)
        .await
        .unwrap()
        .unwrap();
    let today = time::OffsetDateTime::now_utc().date();
    settings.seasons = vec![Season::default_containing(today)];
    settings.zones = vec![
        zones_of(&example, ZoneSport::Run),
        zones_of(&example, ZoneSport::Bike),
    ];
    store
        .replace_athlete_settings(mentor.user.id, &settings, time::OffsetDateTime::now_utc())
        .await
        .unwrap();

    let response = app
        .client
        .get(app.url("/api/users/current/"))
        .bearer_auth(&mentor.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let user: Value = response.json().await.unwrap();
    let keys = |v: &Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&user), keys(&example), "every field of the example");
    assert_eq!(user["id"], mentor.user.id.get());
    assert_eq!(user["email"], example["email"]);
    for same in [
        "discipline_options",
        "distance_unit_preference",
        "pool_unit_preference",
        "can_create_future_sessions",
        "first_name",
        "last_name",
        "diary_type",
        "account_type",
        "zones",
    ] {
        assert_eq!(user[same], example[same], "{same}");
    }
    let season = Season::default_containing(today);
    let dates = [season.start.to_string(), season.end.to_string()];
    assert_eq!(user["season_dates"], serde_json::json!(dates));
    assert_eq!(user["seasons"], serde_json::json!([dates]));
    assert_eq!(user["beta_access_list"], serde_json::json!([]));
    app.stop().await;
}

async fn refusals_are_details(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let client = api::client(app.store.as_ref(), "xhale-app").await;
    let reader = api::user(
        app.store.as_ref(),
        "a@example.com",
        None,
        &client,
        "profile:read",
    )
    .await;
    let missing = app.get("/api/users/current/").await;
    assert_eq!(missing.status(), 401);
    let body: Value = missing.json().await.unwrap();
    assert_eq!(
        body["detail"],
        "Authentication credentials were not provided."
    );
    let response = app
        .client
        .get(app.url("/api/users/current/"))
        .bearer_auth(&reader.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert!(
        response.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("scope=\"read\"")
    );
    let body: Value = response.json().await.unwrap();
    assert!(
        body["detail"].as_str().unwrap().contains("scope read"),
        "{body}"
    );
    let response = app
        .client
        .post(app.url("/api/users/current/"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "GET, HEAD");
    app.stop().await;
}
