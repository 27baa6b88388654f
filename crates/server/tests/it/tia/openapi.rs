//! The OpenAPI document and the reference page describe what the server really does.

use super::{ALL_SCOPES, Api, SPEC_CLIENT, example_list};
use crate::harness::TestApp;
use paceline_testkit::api;
use paceline_testkit::{TestContext, on_both_engines};
use serde_json::{Value, json};
use std::collections::BTreeSet;

on_both_engines!(
    the_document_matches_the_answers,
    the_reference_page_is_self_contained,
);

fn keys(value: &Value) -> BTreeSet<String> {
    value.as_object().unwrap().keys().cloned().collect()
}

/// The property names of a schema, following a `$ref` into the components.
fn properties(document: &Value, schema: &Value) -> BTreeSet<String> {
    let schema = match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference.rsplit('/').next().unwrap();
            &document["components"]["schemas"][name]
        }
        None => schema,
    };
    keys(&schema["properties"])
}

async fn the_document_matches_the_answers(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let client = api::client(app.store.as_ref(), SPEC_CLIENT).await;
    let api = Api::new(&app, &client, "max@example.com", None, ALL_SCOPES).await;
    let response = app.get("/api/external/v1/openapi.json").await;
    assert_eq!(response.status(), 200);
    let document: Value = response.json().await.unwrap();
    assert!(document["openapi"].as_str().unwrap().starts_with("3.1"));
    let served = crate::harness::served_operations(&app, &document).await;
    assert!(served >= 13, "only {served} operations documented");
    let flow = &document["components"]["securitySchemes"]["oauth2"]["flows"]["authorizationCode"];
    assert_eq!(flow["authorizationUrl"], "/oauth/authorize");
    assert_eq!(flow["tokenUrl"], "/api/oauth/token");
    assert_eq!(flow["scopes"].as_object().unwrap().len(), 11);

    for (path, prefix) in [
        ("/activities", "act_"),
        ("/body-metrics", "bm_"),
        ("/sleep-days", "sl_"),
        ("/nutrition-days", "nu_"),
        ("/daily-wellness", "dw_"),
    ] {
        let full = format!("/api/external/v1{path}");
        let operations = &document["paths"][&full];
        // The body schema lists exactly the keys the server allows.
        let body = &operations["post"]["requestBody"]["content"]["application/json"]["schema"];
        let (status, refused) = api.post(path, &json!({ "bogus": 1 })).await;
        assert_eq!(status, 400);
        let allowed: BTreeSet<String> = refused["details"]["allowedKeys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k.as_str().unwrap().to_owned())
            .collect();
        assert_eq!(properties(&document, body), allowed, "{path}");

        // The list's item schema names exactly the keys of a real item.
        let mut write = example_list(prefix)["items"][0].clone();
        if path == "/activities" {
            write = super::example_write("durationMin", "externalId");
        } else {
            for field in [
                "id",
                "organizationId",
                "athleteId",
                "source",
                "sourceName",
                "updatedAt",
            ] {
                write.as_object_mut().unwrap().remove(field);
            }
        }
        let (status, _) = api.post(path, &write).await;
        assert!(status == 200 || status == 201, "{path}");
        let item = api.items(path).await.remove(0);
        let list = &operations["get"]["responses"]["200"]["content"]["application/json"]["schema"];
        let list = properties(&document, list);
        assert_eq!(list, BTreeSet::from(["items".into(), "pagination".into()]));
        let list_name =
            operations["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap();
        let item_schema =
            &document["components"]["schemas"][list_name]["properties"]["items"]["items"];
        assert_eq!(properties(&document, item_schema), keys(&item), "{path}");
        let params: BTreeSet<&str> = operations["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            params,
            BTreeSet::from(["page", "per_page", "from", "to", "updated_since"])
        );
        if path == "/activities" {
            let source = &document["components"]["schemas"]["ActivitySource"];
            assert_eq!(keys(&source["properties"]), keys(&item["sources"][0]));
        }
    }
    let profile = &document["components"]["schemas"]["Profile"];
    let (_, real) = api.get("/profile").await;
    assert_eq!(keys(&profile["properties"]), keys(&real));
    app.stop().await;
}

async fn the_reference_page_is_self_contained(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let response = app.get("/api/external/v1/docs").await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("default-src 'none'"));
    let page = response.text().await.unwrap();
    for path in [
        "/api/external/v1/profile",
        "/api/external/v1/activities",
        "/api/external/v1/body-metrics",
        "/api/external/v1/sleep-days",
        "/api/external/v1/nutrition-days",
        "/api/external/v1/daily-wellness",
    ] {
        assert!(page.contains(path), "{path}");
    }
    for field in [
        "durationMin",
        "perceivedExertion",
        "circumferences",
        "energyTotalKcal",
    ] {
        assert!(page.contains(field), "{field}");
    }
    assert!(!page.contains("src=\"http") && !page.contains("href=\"http"));
    let css = app.get("/static/paceline.css").await;
    assert_eq!(css.status(), 200);
    app.stop().await;
}
