//! The spec's error format (section 6) for every rule a write body or a list query
//! breaks, and that a refused request changes nothing.

use super::{ALL_SCOPES, Api, SPEC_CLIENT, example_write, spec_examples};
use crate::harness::TestApp;
use paceline_testkit::api;
use paceline_testkit::{TestContext, on_both_engines};
use serde_json::{Value, json};

on_both_engines!(
    the_error_example_comes_back_as_the_spec_shows_it,
    i01_i03_i07_malformed_json_and_other_top_levels,
    i02_wrong_media_types_and_i09_oversized_bodies,
    i04_z07_unknown_and_protected_keys_are_refused,
    i05_types_ranges_and_dates,
    i06_i08_hostile_strings_and_payloads,
    i10_list_parameters,
);

async fn setup(db: &TestContext) -> (TestApp, api::ApiClient) {
    let app = TestApp::spawn(db).await;
    let client = api::client(app.store.as_ref(), SPEC_CLIENT).await;
    (app, client)
}

/// A valid activity: the spec's create example.
fn activity() -> Value {
    example_write("durationMin", "externalId")
}

/// Asserts a 400 validation error in the spec's shape whose field errors name `field`.
fn assert_field_error(status: u16, body: &Value, field: &str, context: &str) {
    assert_eq!(status, 400, "{context}: {body}");
    assert_eq!(body["errorCode"], "validation_error", "{context}: {body}");
    assert_eq!(body["error"], "Invalid request body.", "{context}");
    assert_eq!(
        body["hint"], "Check required fields and units.",
        "{context}"
    );
    let errors = &body["details"]["validation"]["fieldErrors"][field];
    assert!(
        errors.as_array().is_some_and(|e| !e.is_empty()),
        "{context}: no field error for {field} in {body}"
    );
    assert!(
        body["details"]["issues"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["path"][0] == field && i["message"].is_string()),
        "{context}: {body}"
    );
}

/// Nothing was written by the refused requests.
async fn assert_nothing_written(api: &Api<'_>) {
    for path in [
        "/activities",
        "/body-metrics",
        "/sleep-days",
        "/nutrition-days",
        "/daily-wellness",
    ] {
        assert_eq!(api.items(path).await, Vec::<Value>::new(), "{path}");
    }
}

async fn the_error_example_comes_back_as_the_spec_shows_it(db: TestContext) {
    let (app, client) = setup(&db).await;
    let api = Api::new(&app, &client, "max@example.com", None, ALL_SCOPES).await;
    let example = spec_examples()
        .into_iter()
        .find(|e| e.get("errorCode").is_some())
        .unwrap();
    // The example: an invalid day and an extra field in a daily-wellness write.
    let (status, body) = api
        .post_raw(
            "/daily-wellness",
            "application/json",
            br#"{ "day": "2026-02-30", "steps": 8500, "extraField": true }"#.to_vec(),
        )
        .await;
    assert_eq!(status, 400);
    for key in ["error", "errorCode", "hint"] {
        assert_eq!(body[key], example[key], "{key}");
    }
    let details = &body["details"];
    assert_eq!(details["receivedKeys"], example["details"]["receivedKeys"]);
    assert_eq!(details["allowedKeys"], example["details"]["allowedKeys"]);
    assert!(details["validation"]["fieldErrors"]["day"].is_array());
    assert_eq!(
        details["validation"]["formErrors"],
        json!(["Unrecognized key(s) in object: 'extraField'"])
    );
    assert_eq!(details["missingFields"], json!([]));
    let codes: Vec<&str> = details["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["unrecognized_keys", "invalid_string"]);

    // Without the day: missingFields names it.
    let (status, body) = api.post("/daily-wellness", &json!({ "steps": 8500 })).await;
    assert_field_error(status, &body, "day", "missing day");
    assert_eq!(body["details"]["missingFields"], json!(["day"]));
    assert_eq!(
        body["details"]["validation"]["fieldErrors"]["day"],
        json!(["Required"])
    );
    assert_nothing_written(&api).await;
    app.stop().await;
}

async fn i01_i03_i07_malformed_json_and_other_top_levels(db: TestContext) {
    let (app, client) = setup(&db).await;
    let api = Api::new(&app, &client, "max@example.com", None, ALL_SCOPES).await;
    let malformed: [&[u8]; 8] = [
        br#"{"title": "Evening Run""#,
        br#"{"title": "Evening Run",}"#,
        br#"{'title': 'Evening Run'}"#,
        b"\xEF\xBB\xBF{\"title\": \"x\"}",
        br#"{"durationMin": NaN}"#,
        b"{\"title\": \"\xFF\xFE\"}",
        br#"{"title": "x"} {"title": "y"}"#,
        b"",
    ];
    for body in malformed {
        let (status, answer) = api
            .post_raw("/activities", "application/json", body.to_vec())
            .await;
        let shown = String::from_utf8_lossy(body);
        assert_eq!(status, 400, "{shown}: {answer}");
        assert_eq!(answer["errorCode"], "invalid_json", "{shown}");
        assert!(answer["details"]["allowedKeys"].is_array(), "{shown}");
    }
    for (body, kind) in [
        ("[]", "array"),
        ("null", "null"),
        ("\"x\"", "string"),
        ("42", "number"),
        ("true", "boolean"),
    ] {
        let (status, answer) = api
            .post_raw("/sleep-days", "application/json", body.into())
            .await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(answer["errorCode"], "validation_error");
        assert_eq!(
            answer["details"]["validation"]["formErrors"],
            json!([format!("Expected object, received {kind}")])
        );
    }
    // A repeated key is refused, not resolved silently either way.
    let (status, answer) = api
        .post_raw(
            "/daily-wellness",
            "application/json",
            br#"{"day":"2026-01-01","day":"2026-01-02"}"#.to_vec(),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        answer["details"]["validation"]["formErrors"],
        json!(["Duplicate key in object: 'day'"])
    );
    assert_nothing_written(&api).await;
    app.stop().await;
}

async fn i02_wrong_media_types_and_i09_oversized_bodies(db: TestContext) {
    let (app, client) = setup(&db).await;
    let api = Api::new(&app, &client, "max@example.com", None, ALL_SCOPES).await;
    let body = activity().to_string().into_bytes();
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "",
        "application/json; charset=latin1",
    ] {
        let (status, answer) = api
            .post_raw("/activities", content_type, body.clone())
            .await;
        assert_eq!(status, 415, "{content_type:?}");
        assert_eq!(answer["errorCode"], "unsupported_media_type");
    }
    let (status, _) = api
        .post_raw("/activities", "application/json; charset=utf-8", body)
        .await;
    assert_eq!(status, 201);

    // One byte over the limit, in a raw payload, sent without a length: 413 in the spec's
    // format.
    let mut big = activity();
    big["externalId"] = json!("big");
    big["rawPayload"] = json!({ "blob": "" });
    let overhead = big.to_string().len();
    big["rawPayload"]["blob"] = json!("x".repeat(1024 * 1024 - overhead + 1));
    let big = big.to_string().into_bytes();
    assert_eq!(big.len(), 1024 * 1024 + 1);
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = vec![Ok(big)];
    let response = app
        .client
        .post(app.url("/api/external/v1/activities"))
        .bearer_auth(api.token())
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(futures::stream::iter(chunks)))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["errorCode"], "payload_too_large");

    // A declared length over the limit is answered before any of the body is read.
    let mut socket = tokio::net::TcpStream::connect(app.base.trim_start_matches("http://"))
        .await
        .unwrap();
    let head = format!(
        "POST /api/external/v1/activities HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000000000000\r\n\r\n{{}}",
        api.token()
    );
    tokio::io::AsyncWriteExt::write_all(&mut socket, head.as_bytes())
        .await
        .unwrap();
    let mut reply = vec![0u8; 4096];
    let n = tokio::io::AsyncReadExt::read(&mut socket, &mut reply)
        .await
        .unwrap();
    let reply = String::from_utf8_lossy(&reply[..n]);
    assert!(reply.starts_with("HTTP/1.1 413"), "{reply}");
    assert!(reply.contains("payload_too_large"), "{reply}");
    assert_eq!(api.items("/activities").await.len(), 1);
    app.stop().await;
}

async fn i04_z07_unknown_and_protected_keys_are_refused(db: TestContext) {
    let (app, client) = setup(&db).await;
    let api = Api::new(&app, &client, "max@example.com", None, ALL_SCOPES).await;
    let other = Api::new(&app, &client, "other@example.com", None, ALL_SCOPES).await;
    for (key, value) in [
        ("foo", json!(1)),
        ("athleteId", json!(other.user.membership.id.public())),
        (
            "organizationId",
            json!(other.user.membership.organization_id.public()),
        ),
        ("source", json!("MANUAL")),
        ("sourceName", json!("someone-else")),
        ("id", json!("act_0000000000000")),
        ("createdAt", json!("2026-01-17T18:21:00.000Z")),
        ("updatedAt", json!("2026-01-17T18:21:00.000Z")),
        ("durationSec", json!(2700)),
    ] {
        let mut body = activity();
        body[key] = value;
        let (status, answer) = api.post("/activities", &body).await;
        assert_eq!(status, 400, "{key}");
        assert_eq!(answer["errorCode"], "validation_error");
        let details = &answer["details"];
        assert_eq!(
            details["validation"]["formErrors"],
            json!([format!("Unrecognized key(s) in object: '{key}'")])
        );
        assert!(
            details["receivedKeys"]
                .as_array()
                .unwrap()
                .contains(&json!(key))
        );
        assert!(
            !details["allowedKeys"]
                .as_array()
                .unwrap()
                .contains(&json!(key))
        );
    }
    assert_nothing_written(&api).await;
    assert_nothing_written(&other).await;
    app.stop().await;
}

async fn i05_types_ranges_and_dates(db: TestContext) {
    let (app, client) = setup(&db).await;
    let api = Api::new(&app, &client, "max@example.com", None, ALL_SCOPES).await;
    let activity_cases = [
        ("avgHr", json!("151")),
        ("avgHr", json!(151.5)),
        ("avgHr", json!(300)),
        ("avgHr", json!(5)),
        ("maxHr", json!(140)),
        ("durationMin", json!(-45)),
        ("durationMin", json!(0)),
        ("durationMin", json!("45")),
        ("distanceKm", json!(-1)),
        ("perceivedExertion", json!(0)),
        ("perceivedExertion", json!(11)),
        ("perceivedExertion", json!(9_223_372_036_854_775_808u64)),
        ("calories", json!(-520)),
        ("type", json!("JOGGING")),
        ("type", json!(null)),
        ("startedAt", json!("2026-02-30T18:20:00.000Z")),
        ("startedAt", json!("2026-13-01T18:20:00.000Z")),
        ("startedAt", json!("2026-01-17T18:20:00")),
        ("startedAt", json!("0000-01-17T18:20:00Z")),
        ("startedAt", json!("17.01.2026")),
        ("startedAt", json!(1_768_674_000)),
        ("timezone", json!("Not a zone!")),
        ("title", json!("x".repeat(201))),
        ("rawPayload", json!([1, 2])),
        ("rawPayload", json!("text")),
    ];
    for (field, value) in activity_cases {
        let mut body = activity();
        body[field] = value.clone();
        let (status, answer) = api.post("/activities", &body).await;
        assert_field_error(status, &answer, field, &format!("{field} = {value}"));
    }
    let (status, answer) = api
        .post_raw(
            "/activities",
            "application/json",
            br#"{"type":"RUN","startedAt":"2026-01-17T18:20:00Z","durationMin":1e309}"#.to_vec(),
        )
        .await;
    assert_eq!(status, 400, "{answer}");
    let day_cases = [
        ("/sleep-days", "day", json!("2026-02-30")),
        ("/sleep-days", "day", json!("10000-01-01")),
        ("/sleep-days", "day", json!("2026-1-5")),
        ("/sleep-days", "sleepScore", json!(101)),
        ("/sleep-days", "sleepSeconds", json!(-1)),
        ("/nutrition-days", "steps", json!(1.5)),
        ("/nutrition-days", "energyLunchKcal", json!(-650)),
        ("/daily-wellness", "waterMl", json!("2200")),
        ("/body-metrics", "weightKg", json!(0)),
        ("/body-metrics", "restingHr", json!(400)),
    ];
    for (path, field, value) in day_cases {
        let mut body = match path {
            "/body-metrics" => json!({ "measuredAt": "2026-01-17T06:30:00.000Z" }),
            _ => json!({ "day": "2026-01-16" }),
        };
        body[field] = value.clone();
        let (status, answer) = api.post(path, &body).await;
        assert_field_error(status, &answer, field, &format!("{path} {field} = {value}"));
    }
    // Rules across fields: sleep ends after it starts; circumferences are known and positive.
    let (status, answer) = api
        .post(
            "/sleep-days",
            &json!({ "day": "2026-01-16", "sleepStartAt": "2026-01-16T06:15:00.000Z",
                     "sleepEndAt": "2026-01-15T22:45:00.000Z" }),
        )
        .await;
    assert_field_error(status, &answer, "sleepEndAt", "sleep ends before it starts");
    for circumferences in [
        json!({ "tailCm": 20 }),
        json!({ "waistCm": -82 }),
        json!([82]),
    ] {
        let (status, answer) = api
            .post(
                "/body-metrics",
                &json!({ "measuredAt": "2026-01-17T06:30:00.000Z", "circumferences": circumferences }),
            )
            .await;
        assert_field_error(
            status,
            &answer,
            "circumferences",
            &circumferences.to_string(),
        );
    }
    assert_nothing_written(&api).await;
    app.stop().await;
}

async fn i06_i08_hostile_strings_and_payloads(db: TestContext) {
    let (app, client) = setup(&db).await;
    let api = Api::new(&app, &client, "max@example.com", None, ALL_SCOPES).await;
    // NUL cannot be kept by PostgreSQL: refused on both engines, never a 500.
    for (field, value) in [
        ("title", json!("Evening\u{0}Run")),
        ("rawPayload", json!({ "note": "a\u{0}b" })),
        ("rawPayload", json!({ "a\u{0}b": 1 })),
    ] {
        let mut body = activity();
        body[field] = value;
        let (status, answer) = api.post("/activities", &body).await;
        assert_field_error(status, &answer, field, "NUL");
    }
    // A lone surrogate is not UTF-8: malformed JSON.
    let (status, _) = api
        .post_raw(
            "/activities",
            "application/json",
            br#"{"type":"RUN","startedAt":"2026-01-17T18:20:00Z","durationMin":45,"title":"\ud800"}"#.to_vec(),
        )
        .await;
    assert_eq!(status, 400);
    // Deep nesting stops at the parser's depth limit.
    let deep = format!(
        r#"{{"type":"RUN","startedAt":"2026-01-17T18:20:00Z","durationMin":45,"rawPayload":{}{}}}"#,
        "{\"a\":".repeat(10_000),
        "1".to_owned() + &"}".repeat(10_000)
    );
    let (status, answer) = api
        .post_raw("/activities", "application/json", deep.into_bytes())
        .await;
    assert_eq!(status, 400, "{answer}");
    assert_nothing_written(&api).await;

    // Markup, quotes and direction marks are kept verbatim and come back JSON-escaped.
    let hostile = "<script>alert(1)</script> ' OR 1=1-- \u{202e}";
    let mut body = activity();
    body["title"] = json!(hostile);
    body["notes"] = json!("");
    let (status, _) = api.post("/activities", &body).await;
    assert_eq!(status, 201);
    let items = api.items("/activities").await;
    assert_eq!(items[0]["title"], json!(hostile));
    assert_eq!(items[0]["notes"], json!(""));
    app.stop().await;
}

async fn i10_list_parameters(db: TestContext) {
    let (app, client) = setup(&db).await;
    let api = Api::new(&app, &client, "max@example.com", None, ALL_SCOPES).await;
    for query in [
        "page=0",
        "page=-1",
        "page=abc",
        "page=1e9",
        "per_page=0",
        "per_page=1000",
        "per_page=-5",
        "page=1&page=2",
        "from=2026-02-30",
        "updated_since=yesterday",
        "sort=asc",
    ] {
        for path in ["/activities", "/sleep-days"] {
            let (status, answer) = api.get(&format!("{path}?{query}")).await;
            assert_eq!(status, 400, "{path}?{query}");
            assert_eq!(answer["errorCode"], "validation_error");
            assert_eq!(answer["error"], "Invalid query parameters.");
            assert!(answer["details"]["issues"].as_array().unwrap().len() == 1);
        }
    }
    let (status, answer) = api.get("/activities?page=1000000&per_page=200").await;
    assert_eq!(status, 200);
    assert_eq!(answer["items"], json!([]));
    assert_eq!(answer["pagination"]["perPage"], 200);
    app.stop().await;
}
