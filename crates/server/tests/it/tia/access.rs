//! Who reaches what: each route's scope, each user's own data only, upserts that stay one
//! record under repetition and concurrency, and the methods each endpoint takes.

use super::{ALL_SCOPES, Api, SPEC_CLIENT, example_write};
use crate::harness::TestApp;
use paceline_domain::accounts;
use paceline_domain::entities::OrgKind;
use paceline_testkit::api;
use paceline_testkit::{TestContext, on_both_engines};
use serde_json::{Value, json};
use std::collections::HashSet;

on_both_engines!(
    b03_each_route_checks_its_scope_and_writes_nothing_without_it,
    z02_z03_lists_and_upsert_keys_belong_to_their_user,
    z05_external_ids_are_per_user_and_per_client,
    i12_upserts_are_idempotent_and_race_free,
    i11_unsupported_methods_answer_405_with_allow,
    lists_filter_by_dates_and_changes,
);

/// Each endpoint, its read and write scopes, and a valid write body.
fn endpoints() -> Vec<(&'static str, &'static str, &'static str, Value)> {
    vec![
        (
            "/activities",
            "activities:read",
            "activities:write",
            example_write("durationMin", "externalId"),
        ),
        (
            "/body-metrics",
            "body-metrics:read",
            "body-metrics:write",
            example_write("measuredAt", "weightKg"),
        ),
        (
            "/sleep-days",
            "sleep:read",
            "sleep:write",
            example_write("day", "sleepScore"),
        ),
        (
            "/nutrition-days",
            "nutrition:read",
            "nutrition:write",
            example_write("day", "energyLunchKcal"),
        ),
        (
            "/daily-wellness",
            "wellness:read",
            "wellness:write",
            example_write("day", "activityEnergyKcal"),
        ),
    ]
}

async fn b03_each_route_checks_its_scope_and_writes_nothing_without_it(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let client = api::client(app.store.as_ref(), SPEC_CLIENT).await;
    let reader = Api::new(&app, &client, "max@example.com", None, "activities:read").await;
    for (path, read, write, body) in endpoints() {
        let (status, answer) = reader.post(path, &body).await;
        assert_eq!(status, 403, "{path}");
        assert_eq!(answer["errorCode"], "insufficient_scope");
        assert!(
            answer["error"].as_str().unwrap().contains(write),
            "{answer}"
        );
        let response = app
            .client
            .post(app.url(&format!("/api/external/v1{path}")))
            .bearer_auth(reader.token())
            .json(&body)
            .send()
            .await
            .unwrap();
        let challenge = response.headers()["www-authenticate"].to_str().unwrap();
        assert!(
            challenge.contains("error=\"insufficient_scope\"")
                && challenge.contains(&format!("scope=\"{write}\"")),
            "{challenge}"
        );
        if read != "activities:read" {
            let (status, answer) = reader.get(path).await;
            assert_eq!(status, 403, "{path}");
            assert!(answer["error"].as_str().unwrap().contains(read));
        }
    }
    // Nothing was written: the same user, with every scope, finds nothing.
    let token = api::token_for(app.store.as_ref(), "max@example.com", &client, ALL_SCOPES).await;
    let full = Api {
        app: &app,
        user: api::ApiUser {
            access_token: token,
            ..reader.user.clone()
        },
    };
    for (path, ..) in endpoints() {
        assert_eq!(full.items(path).await, Vec::<Value>::new(), "{path}");
    }
    app.stop().await;
}

async fn z02_z03_lists_and_upsert_keys_belong_to_their_user(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let client = api::client(app.store.as_ref(), SPEC_CLIENT).await;
    let team =
        accounts::create_organization(app.store.as_ref(), &paceline_domain::SystemClock, "Team B")
            .await
            .unwrap();
    assert_eq!(team.kind, OrgKind::Team);
    let a = Api::new(&app, &client, "a@example.com", None, ALL_SCOPES).await;
    let b = Api::new(&app, &client, "b@example.com", Some("Team B"), ALL_SCOPES).await;
    assert_ne!(
        a.user.membership.organization_id,
        b.user.membership.organization_id
    );
    for (path, _, _, body) in endpoints() {
        let (status, _) = a.post(path, &body).await;
        assert!(status == 200 || status == 201, "{path}");
        // B writes the same key (the same day, instant or externalId).
        let mut theirs = body.clone();
        for field in ["steps", "weightKg", "sleepScore", "avgHr"] {
            if theirs.get(field).is_some() {
                theirs[field] = json!(99);
            }
        }
        let (status, _) = b.post(path, &theirs).await;
        assert!(status == 200 || status == 201, "{path}");
    }
    for (path, ..) in endpoints() {
        for (api, other) in [(&a, &b), (&b, &a)] {
            let items = api.items(path).await;
            assert_eq!(items.len(), 1, "{path}: one record each");
            let item = &items[0];
            assert_eq!(item["athleteId"], api.user.membership.id.public());
            assert_eq!(
                item["organizationId"],
                api.user.membership.organization_id.public()
            );
            let ours = other.items(path).await;
            assert_ne!(item["id"], ours[0]["id"], "{path}: separate records");
        }
    }
    // A's values were not overwritten by B's.
    assert_eq!(a.items("/daily-wellness").await[0]["steps"], 8500);
    assert_eq!(b.items("/daily-wellness").await[0]["steps"], 99);
    app.stop().await;
}

async fn z05_external_ids_are_per_user_and_per_client(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let x = api::client(app.store.as_ref(), "app-x").await;
    let y = api::client(app.store.as_ref(), "app-y").await;
    let a = Api::new(&app, &x, "a@example.com", None, ALL_SCOPES).await;
    let b = Api::new(&app, &x, "b@example.com", None, ALL_SCOPES).await;
    let a_via_y = Api {
        app: &app,
        user: api::ApiUser {
            access_token: api::token_for(app.store.as_ref(), "a@example.com", &y, ALL_SCOPES).await,
            ..a.user.clone()
        },
    };
    let body = example_write("durationMin", "externalId");
    let (s1, first) = a.post("/activities", &body).await;
    let (s2, by_b) = b.post("/activities", &body).await;
    let (s3, by_y) = a_via_y.post("/activities", &body).await;
    let (s4, again) = a.post("/activities", &body).await;
    assert_eq!((s1, s2, s3, s4), (201, 201, 201, 200));
    assert_ne!(first["id"], by_b["id"], "never merged across users");
    assert_ne!(
        first["id"], by_y["id"],
        "each client has its own externalIds"
    );
    assert_eq!(again["id"], first["id"]);
    let sources: HashSet<String> = a
        .items("/activities")
        .await
        .iter()
        .map(|item| item["sourceName"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(sources, HashSet::from(["app-x".into(), "app-y".into()]));
    assert_eq!(b.items("/activities").await.len(), 1);

    // Without an externalId nothing is deduplicated, and the raw payload is still kept.
    let mut anonymous = body.clone();
    anonymous.as_object_mut().unwrap().remove("externalId");
    let (s1, one) = b.post("/activities", &anonymous).await;
    let (s2, two) = b.post("/activities", &anonymous).await;
    assert_eq!((s1, s2), (201, 201));
    assert_ne!(one["id"], two["id"]);
    let kept = b.items("/activities").await;
    assert_eq!(kept.len(), 3);
    let newest = kept.iter().find(|a| a["id"] == two["id"]).unwrap();
    assert_eq!(newest["externalId"], Value::Null);
    assert_eq!(newest["sources"][0]["externalId"], Value::Null);
    assert_eq!(
        newest["sources"][0]["rawPayload"]["payload"],
        anonymous["rawPayload"]
    );

    // Sleep and wellness days are kept per client; nutrition per day, whoever writes it.
    for (path, per_client) in [
        ("/sleep-days", true),
        ("/daily-wellness", true),
        ("/nutrition-days", false),
    ] {
        let body = json!({ "day": "2026-01-16", "steps": 1 });
        let body = if path == "/sleep-days" {
            json!({ "day": "2026-01-16", "sleepScore": 80 })
        } else {
            body
        };
        let (_, one) = a.post(path, &body).await;
        let (_, two) = a_via_y.post(path, &body).await;
        let items = a.items(path).await;
        if per_client {
            assert_ne!(one["id"], two["id"], "{path}");
            assert_eq!(items.len(), 2, "{path}");
        } else {
            assert_eq!(one["id"], two["id"], "{path}");
            assert_eq!(items.len(), 1, "{path}");
            assert_eq!(items[0]["sourceName"], "app-y", "the last writer");
        }
    }
    app.stop().await;
}

async fn i12_upserts_are_idempotent_and_race_free(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let client = api::client(app.store.as_ref(), SPEC_CLIENT).await;
    let api = Api::new(&app, &client, "max@example.com", None, ALL_SCOPES).await;
    for (path, _, _, body) in endpoints() {
        let mut ids = HashSet::new();
        for _ in 0..3 {
            let (_, answer) = api.post(path, &body).await;
            ids.insert(answer["id"].clone());
        }
        let parallel = (0..10).map(|_| api.post(path, &body));
        for (status, answer) in futures::future::join_all(parallel).await {
            assert!(status == 200 || status == 201, "{path}: {answer}");
            ids.insert(answer["id"].clone());
        }
        assert_eq!(ids.len(), 1, "{path}: {ids:?}");
        assert_eq!(api.items(path).await.len(), 1, "{path}");
    }
    app.stop().await;
}

async fn i11_unsupported_methods_answer_405_with_allow(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let client = api::client(app.store.as_ref(), SPEC_CLIENT).await;
    let api = Api::new(&app, &client, "max@example.com", None, ALL_SCOPES).await;
    for (path, ..) in endpoints() {
        for method in ["PUT", "PATCH", "DELETE"] {
            let response = app
                .client
                .request(
                    method.parse().unwrap(),
                    app.url(&format!("/api/external/v1{path}")),
                )
                .bearer_auth(api.token())
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 405, "{method} {path}");
            assert_eq!(response.headers()["allow"], "GET, HEAD, POST");
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["errorCode"], "method_not_allowed");
        }
    }
    let response = app
        .client
        .post(app.url("/api/external/v1/profile"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "GET, HEAD");
    app.stop().await;
}

async fn lists_filter_by_dates_and_changes(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let client = api::client(app.store.as_ref(), SPEC_CLIENT).await;
    let api = Api::new(&app, &client, "max@example.com", None, ALL_SCOPES).await;
    for day in 10..=20 {
        let (status, _) = api
            .post(
                "/daily-wellness",
                &json!({ "day": format!("2026-01-{day}"), "steps": day }),
            )
            .await;
        assert_eq!(status, 200);
        let (status, _) = api
            .post(
                "/activities",
                &json!({ "type": "RIDE", "startedAt": format!("2026-01-{day}T07:00:00Z"),
                         "durationMin": 60 }),
            )
            .await;
        assert_eq!(status, 201);
    }
    let days: Vec<Value> = api
        .items("/daily-wellness?from=2026-01-12&to=2026-01-14")
        .await
        .iter()
        .map(|d| d["day"].clone())
        .collect();
    assert_eq!(
        days,
        [
            json!("2026-01-14"),
            json!("2026-01-13"),
            json!("2026-01-12")
        ]
    );
    let rides = api.items("/activities?from=2026-01-12&to=2026-01-14").await;
    assert_eq!(rides.len(), 3, "a day `to` reaches the end of that day");
    let rides = api
        .items("/activities?from=2026-01-12T07:00:00Z&to=2026-01-14T06:59:59Z")
        .await;
    assert_eq!(rides.len(), 2, "instants bound exactly");

    // A sync: nothing changed since the last write; a rewrite of one day shows up.
    let mark = time::OffsetDateTime::now_utc();
    let since = mark
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let path = format!(
        "/daily-wellness?updated_since={}",
        since.replace('+', "%2B")
    );
    assert_eq!(api.items(&path).await.len(), 0);
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let (_, _) = api
        .post(
            "/daily-wellness",
            &json!({ "day": "2026-01-15", "steps": 1 }),
        )
        .await;
    let changed = api.items(&path).await;
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0]["day"], "2026-01-15");
    app.stop().await;
}
