//! One test per example of the spec's section 5: the request as written, and the answer
//! compared field by field with the example answer (ids and instants the server makes
//! aside: those are checked for their shape).

use super::{
    ALL_SCOPES, Api, SPEC_CLIENT, example_list, example_write, is_timestamp, same_kind_of_id,
    spec_examples,
};
use crate::harness::TestApp;
use paceline_testkit::api;
use paceline_testkit::{TestContext, on_both_engines};
use serde_json::{Value, json};

on_both_engines!(
    profile_example,
    activity_examples,
    activity_pagination_example,
    body_metric_examples,
    sleep_day_examples,
    nutrition_day_examples,
    daily_wellness_examples,
);

/// Fields whose values the server makes: ids (checked for their prefix) and instants
/// (checked for their format).
const IDS: [&str; 3] = ["id", "organizationId", "athleteId"];
const INSTANTS: [&str; 3] = ["createdAt", "updatedAt", "receivedAt"];

/// Every field of `example` is in `ours` with the same value, but for generated ones and
/// those in `except`.
fn assert_matches(ours: &Value, example: &Value, except: &[&str], at: &str) {
    let Value::Object(fields) = example else {
        assert_eq!(ours, example, "{at}");
        return;
    };
    for (key, expected) in fields {
        let path = format!("{at}.{key}");
        let Some(actual) = ours.get(key) else {
            panic!("{path} is missing from {ours}");
        };
        if except.contains(&key.as_str()) {
            continue;
        }
        if IDS.contains(&key.as_str()) && expected.is_string() {
            assert!(same_kind_of_id(actual, expected), "{path}: {actual}");
        } else if INSTANTS.contains(&key.as_str()) {
            assert!(is_timestamp(actual), "{path}: {actual}");
        } else if let Value::Array(items) = expected {
            let theirs = actual.as_array().unwrap();
            assert_eq!(theirs.len(), items.len(), "{path}");
            for (i, (a, e)) in theirs.iter().zip(items).enumerate() {
                assert_matches(a, e, except, &format!("{path}[{i}]"));
            }
        } else if expected.is_object() {
            assert_matches(actual, expected, except, &path);
        } else {
            assert_eq!(actual, expected, "{path}");
        }
    }
}

async fn spec_client(app: &TestApp) -> api::ApiClient {
    api::client(app.store.as_ref(), SPEC_CLIENT).await
}

async fn profile_example(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let client = spec_client(&app).await;
    let api = Api::new(&app, &client, "user@example.com", None, "profile:read").await;
    let example = spec_examples()
        .into_iter()
        .find(|e| e.get("email").is_some())
        .unwrap();
    let (status, profile) = api.get("/profile").await;
    assert_eq!(status, 200);
    // The spec's id ("cku…") is an opaque string; ours is the user's.
    assert_matches(&profile, &example, &["id"], "profile");
    assert!(profile["id"].as_str().unwrap().starts_with("usr_"));
    app.stop().await;
}

async fn activity_examples(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let client = spec_client(&app).await;
    let api = Api::new(&app, &client, "max@example.com", None, ALL_SCOPES).await;
    let write = example_write("durationMin", "externalId");
    let list = example_list("act_");
    let expected = &list["items"][0];

    // The create example, as written.
    let (status, created) = api.post("/activities", &write).await;
    assert_eq!(status, 201, "{created}");
    assert!(same_kind_of_id(&created["id"], &json!("act_...")));
    assert_eq!(created.as_object().unwrap().len(), 1, "{created}");

    // Read back: the example item, but for what the create example does not write (the
    // list example shows calories and a time zone) and the raw payload, which the list
    // example shows trimmed.
    let items = api.items("/activities?page=1&per_page=30").await;
    assert_eq!(items.len(), 1);
    let item = &items[0];
    assert_eq!(item["id"], created["id"]);
    assert_matches(
        item,
        expected,
        &["calories", "timezone", "payload"],
        "activity",
    );
    assert_eq!(item["calories"], Value::Null);
    assert_eq!(item["timezone"], Value::Null);
    assert_eq!(
        item["sources"][0]["rawPayload"]["payload"],
        write["rawPayload"]
    );
    assert_eq!(item["athleteId"], api.user.membership.id.public());
    assert_eq!(
        item["organizationId"],
        api.user.membership.organization_id.public()
    );

    // The same externalId again from the same client: the same activity, not a second.
    let (status, again) = api.post("/activities", &write).await;
    assert_eq!(status, 200);
    assert_eq!(again, json!({ "id": created["id"], "duplicate": true }));
    assert_eq!(api.items("/activities").await.len(), 1);

    // With the fields the list example shows, another athlete's activity reads back as the
    // list example, field for field: calories written positive come back negative.
    let other = Api::new(&app, &client, "other@example.com", None, ALL_SCOPES).await;
    let mut full = write.clone();
    full["calories"] = json!(520);
    full["timezone"] = json!("Europe/Berlin");
    full["rawPayload"] = json!({ "suffer_score": 78 });
    let (status, _) = other.post("/activities", &full).await;
    assert_eq!(status, 201);
    let items = other.items("/activities?page=1&per_page=30").await;
    assert_matches(&items[0], expected, &[], "activity");
    app.stop().await;
}

async fn activity_pagination_example(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let client = spec_client(&app).await;
    let api = Api::new(&app, &client, "max@example.com", None, ALL_SCOPES).await;
    let write = example_write("durationMin", "externalId");
    for n in 0..31 {
        let mut body = write.clone();
        body["externalId"] = json!(format!("partner-activity-{n}"));
        body["startedAt"] = json!(format!("2026-01-{:02}T18:20:00.000Z", n + 1));
        let (status, _) = api.post("/activities", &body).await;
        assert_eq!(status, 201);
    }
    let (status, page) = api.get("/activities?page=1&per_page=30").await;
    assert_eq!(status, 200);
    assert_eq!(page["pagination"], example_list("act_")["pagination"]);
    let starts: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["startedAt"].as_str().unwrap())
        .collect();
    assert_eq!(starts.len(), 30);
    assert_eq!(starts[0], "2026-01-31T18:20:00.000Z", "newest first");
    assert!(starts.windows(2).all(|w| w[0] > w[1]));
    let (_, last) = api.get("/activities?page=2&per_page=30").await;
    assert_eq!(
        last["pagination"],
        json!({ "page": 2, "perPage": 30, "prevPage": 1, "nextPage": null, "hasNextPage": false })
    );
    assert_eq!(
        last["items"][0]["startedAt"],
        json!("2026-01-01T18:20:00.000Z")
    );
    let (_, beyond) = api.get("/activities?page=9").await;
    assert_eq!(beyond["items"], json!([]));
    app.stop().await;
}

/// Keys of a list item the client does not write.
const READ_ONLY: [&str; 7] = [
    "id",
    "organizationId",
    "athleteId",
    "source",
    "sourceName",
    "createdAt",
    "updatedAt",
];

/// A daily resource's examples: the create example as written, then a write of every
/// field the list example shows (the same key, so an upsert of the same record), and the
/// list compared with the list example.
async fn daily_examples(db: TestContext, path: &str, prefix: &str, key: &str, and: &str) {
    let app = TestApp::spawn(&db).await;
    let client = spec_client(&app).await;
    let api = Api::new(&app, &client, "max@example.com", None, ALL_SCOPES).await;
    let list = example_list(prefix);
    let expected = &list["items"][0];

    let (status, created) = api.post(path, &example_write(key, and)).await;
    assert_eq!(status, 200, "{created}");
    assert!(
        same_kind_of_id(&created["id"], &expected["id"]),
        "{created}"
    );
    assert_eq!(created.as_object().unwrap().len(), 1, "{created}");
    if path == "/nutrition-days" {
        // The create example writes three meals and no total: the total is their sum, as
        // the list example shows (450 + 650 + 800 = 1900).
        let items = api.items(path).await;
        assert_eq!(items[0]["energyTotalKcal"], expected["energyTotalKcal"]);
        assert_eq!(items[0]["goalEnergyKcal"], Value::Null);
    }

    let mut full = expected.clone();
    for field in READ_ONLY {
        full.as_object_mut().unwrap().remove(field);
    }
    let (status, upserted) = api.post(path, &full).await;
    assert_eq!(status, 200, "{upserted}");
    assert_eq!(upserted, created, "the same key is the same record");

    let (status, page) = api.get(&format!("{path}?page=1&per_page=30")).await;
    assert_eq!(status, 200);
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], created["id"]);
    assert_matches(&items[0], expected, &[], path);
    assert_eq!(items[0]["athleteId"], api.user.membership.id.public());
    // One record: the spec's pagination, without a next page.
    let mut pagination = list["pagination"].clone();
    pagination["nextPage"] = Value::Null;
    pagination["hasNextPage"] = json!(false);
    assert_eq!(page["pagination"], pagination);
    app.stop().await;
}

async fn body_metric_examples(db: TestContext) {
    daily_examples(db, "/body-metrics", "bm_", "measuredAt", "weightKg").await;
}

async fn sleep_day_examples(db: TestContext) {
    daily_examples(db, "/sleep-days", "sl_", "day", "sleepScore").await;
}

async fn nutrition_day_examples(db: TestContext) {
    daily_examples(db, "/nutrition-days", "nu_", "day", "energyLunchKcal").await;
}

async fn daily_wellness_examples(db: TestContext) {
    daily_examples(db, "/daily-wellness", "dw_", "day", "activityEnergyKcal").await;
}
