//! Bad bodies, queries and methods are refused.

use super::{FORM, get, people, post};
use crate::harness::TestApp;
use paceline_testkit::{TestContext, on_both_engines};
use serde_json::{Value, json};

on_both_engines!(bad_bodies_queries_and_methods_are_refused,);

async fn bad_bodies_queries_and_methods_are_refused(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let p = people(&app).await;
    let token = &p.coach_a.token;
    let path = format!("/api/contacts/{}/messages/", p.athlete_a.id());
    let json_type = "application/json";
    let too_long = "x".repeat(10_001);
    let cases: Vec<(&str, String, Value)> = vec![
        (
            FORM,
            String::new(),
            json!({"content": ["This field is required."]}),
        ),
        (
            FORM,
            "contents=typo".into(),
            json!({"content": ["This field is required."], "contents": ["Unknown field: this API does not take it."]}),
        ),
        (
            FORM,
            "content=".into(),
            json!({"content": ["This field may not be blank."]}),
        ),
        (
            FORM,
            "content=+%0A+".into(),
            json!({"content": ["This field may not be blank."]}),
        ),
        (
            FORM,
            format!("content={too_long}"),
            json!({"content": ["Ensure this field has no more than 10000 characters."]}),
        ),
        (
            FORM,
            "content=a%00b".into(),
            json!({"content": ["Null characters are not allowed."]}),
        ),
        (
            FORM,
            "content=a&content=b".into(),
            json!({"content": ["Expected a single value, not a list."]}),
        ),
        (
            json_type,
            "{}".into(),
            json!({"content": ["This field is required."]}),
        ),
        (
            json_type,
            r#"{"content": null}"#.into(),
            json!({"content": ["This field may not be null."]}),
        ),
        (
            json_type,
            r#"{"content": 5}"#.into(),
            json!({"content": ["Not a valid string."]}),
        ),
        (
            json_type,
            "[]".into(),
            json!({"non_field_errors": ["Invalid data. Expected a dictionary, but got array."]}),
        ),
    ];
    for (content_type, body, expected) in cases {
        let answer = post(&app, token, &path, content_type, &body).await;
        assert_eq!(answer, (400, expected), "{content_type} {body:.40}");
    }
    let (status, body) = post(&app, token, &path, json_type, "{\"content\": ").await;
    assert_eq!(status, 400);
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .starts_with("JSON parse error"),
        "{body}"
    );
    let (status, body) = post(&app, token, &path, "text/plain", "content=hi").await;
    assert_eq!(status, 415, "{body}");
    assert!(body["detail"].is_string());

    // Read-only fields sent back are ignored; the longest message passes.
    let echo = json!({"content": "x".repeat(10_000), "id": 1, "sender_user_id": 1, "recipient_user_id": 1});
    let (status, sent) = post(&app, token, &path, json_type, &echo.to_string()).await;
    assert_eq!(status, 201);
    assert_eq!(sent["recipient_user_id"], p.athlete_a.id());
    assert_eq!(sent["content"].as_str().unwrap().len(), 10_000);

    // Malformed list queries; unknown parameters are ignored.
    for (query, field, message) in [
        ("before_id=abc", "before_id", "A valid integer is required."),
        (
            "limit=0",
            "limit",
            "Ensure this value is greater than or equal to 1.",
        ),
        (
            "limit=1001",
            "limit",
            "Ensure this value is less than or equal to 1000.",
        ),
    ] {
        let mut expected = serde_json::Map::new();
        expected.insert(field.to_owned(), json!([message]));
        let answer = get(&app, token, &format!("{path}?{query}")).await;
        assert_eq!(answer, (400, Value::Object(expected)), "{query}");
    }
    let (status, body) = get(&app, token, &format!("{path}?format=json&page=2")).await;
    assert_eq!(status, 200);
    assert_eq!(body.as_array().unwrap().len(), 1);

    // Other methods: 405 with Allow.
    let one = format!("{path}{}/", sent["id"]);
    for (route, allow) in [
        ("/api/contacts/", "GET, HEAD"),
        (path.as_str(), "GET, HEAD, POST"),
        (one.as_str(), "GET, HEAD"),
    ] {
        for method in [
            reqwest::Method::PUT,
            reqwest::Method::PATCH,
            reqwest::Method::DELETE,
        ] {
            let response = app
                .client
                .request(method.clone(), app.url(route))
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 405, "{method} {route}");
            assert_eq!(response.headers()["allow"], allow, "{method} {route}");
            let body: Value = response.json().await.unwrap();
            assert_eq!(
                body,
                json!({ "detail": format!("Method \"{method}\" not allowed.") })
            );
        }
    }
    let response = app
        .client
        .post(app.url("/api/contacts/"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    let response = app
        .client
        .post(app.url(&one))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    app.stop().await;
}
