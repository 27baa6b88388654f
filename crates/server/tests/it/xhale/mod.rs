//! The Xhale surface over HTTP: the current user as the spec's example shows it (read from
//! `docs/spec`), and its refusals in the `{"detail": ...}` shape; messaging in
//! `messages`.

mod companies;
pub(crate) mod company_clients;
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
    zones_follow_from_the_training_settings,
    refusals_are_details
);

/// Settings changed as the CLI and the pages change them show at once as the spec's zones.
async fn zones_follow_from_the_training_settings(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let store = app.store.as_ref();
    let example = example();
    let client = api::client(store, "xhale-app").await;
    let athlete = api::user_named(
        store,
        "zones@example.com",
        "Zed Ones",
        None,
        &client,
        "read",
    )
    .await;
    let current = || async {
        let response = app
            .client
            .get(app.url("/api/users/current/"))
            .bearer_auth(&athlete.access_token)
            .send()
            .await
            .unwrap();
        response.json::<Value>().await.unwrap()
    };
    let before = current().await;
    assert_eq!(before["zones"]["run"]["max_heart_rate"], Value::Null);
    assert_eq!(before["zones"]["run"]["zones"], Value::Array(Vec::new()));

    let edit = paceline_domain::settings::SettingsEdit {
        max_heart_rate: Some(Some(180)),
        ftp_watts: Some(Some(275)),
        threshold_pace_s_per_km: Some(Some(240)),
        ..Default::default()
    };
    paceline_domain::settings::change(store, &SystemClock, athlete.user.id, &edit)
        .await
        .unwrap();
    let user = current().await;
    let run = &user["zones"]["run"];
    assert_eq!(run["max_heart_rate"], 180);
    let zones = run["zones"].as_array().unwrap();
    assert_eq!(zones.len(), 5);
    let spec = example["zones"]["run"]["zones"].as_array().unwrap();
    for (zone, spec) in zones.iter().zip(spec) {
        let mut keys: Vec<&String> = zone.as_object().unwrap().keys().collect();
        let mut spec_keys: Vec<&String> = spec.as_object().unwrap().keys().collect();
        keys.sort();
        spec_keys.sort();
        assert_eq!(keys, spec_keys, "every key of the spec's run zone");
        for key in ["name", "number", "heart_rate_min", "heart_rate_max"] {
            assert_eq!(zone[key], spec[key], "{key}");
        }
        assert!(zone["meters_per_second_fastest"].as_f64().unwrap() > 0.0);
    }
    let bike = &user["zones"]["bike"]["zones"];
    assert_eq!(bike[3]["power_max"], 275, "zone 4 ends at FTP");
    assert!(bike[0].get("meters_per_second_fastest").is_none());
}

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
