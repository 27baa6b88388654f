//! The Train it All External API v1 over HTTP, checked against the spec's own examples
//! (read from `docs/spec`), its error format, its scopes and its isolation rules.

mod access;
mod examples;
mod files;
mod openapi;
mod validation;

use crate::harness::TestApp;
use paceline_testkit::api::{self, ApiClient, ApiUser};
use serde_json::Value;

/// Every Train it All scope.
pub const ALL_SCOPES: &str = "profile:read activities:read activities:write body-metrics:read \
     body-metrics:write sleep:read sleep:write nutrition:read nutrition:write wellness:read \
     wellness:write";

/// The spec's client id in its examples; registering it makes `sourceName` match.
pub const SPEC_CLIENT: &str = "YOUR_CLIENT_ID";

/// The JSON examples of the spec, in order: every block that starts with a line `{` and
/// ends with a line `}`, comments removed.
pub fn spec_examples() -> Vec<Value> {
    let text = paceline_testdata::spec("train-it-all-external-api-v1.txt");
    let mut examples = Vec::new();
    let mut block: Option<String> = None;
    for line in text.lines() {
        if line == "{" {
            block = Some(String::new());
        }
        if let Some(b) = block.as_mut() {
            let line = match (line.find("/*"), line.find("*/")) {
                (Some(start), Some(end)) => format!("{}{}", &line[..start], &line[end + 2..]),
                _ => line.to_owned(),
            };
            b.push_str(&line);
            b.push('\n');
        }
        if line == "}"
            && let Some(b) = block.take()
        {
            examples
                .push(serde_json::from_str(&b).unwrap_or_else(|e| panic!("spec example {b}: {e}")));
        }
    }
    examples
}

/// The spec's example list response whose items have ids with `prefix`.
pub fn example_list(prefix: &str) -> Value {
    spec_examples()
        .into_iter()
        .find(|e| {
            e["items"][0]["id"]
                .as_str()
                .is_some_and(|id| id.starts_with(prefix))
        })
        .unwrap_or_else(|| panic!("no list example of {prefix}"))
}

/// The spec's example write body that has `key` (and no `items`).
pub fn example_write(key: &str, and: &str) -> Value {
    spec_examples()
        .into_iter()
        .find(|e| e.get(key).is_some() && e.get(and).is_some() && e.get("items").is_none())
        .unwrap_or_else(|| panic!("no write example with {key}"))
}

/// A client of the API for one user.
pub struct Api<'a> {
    pub app: &'a TestApp,
    pub user: ApiUser,
}

impl<'a> Api<'a> {
    /// A new user `email` with a token of `client` for `scopes`.
    pub async fn new(
        app: &'a TestApp,
        client: &ApiClient,
        email: &str,
        organization: Option<&str>,
        scopes: &str,
    ) -> Self {
        let user = api::user(app.store.as_ref(), email, organization, client, scopes).await;
        Self { app, user }
    }

    pub fn token(&self) -> &str {
        &self.user.access_token
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let response = self
            .app
            .client
            .get(self.app.url(&format!("/api/external/v1{path}")))
            .bearer_auth(self.token())
            .send()
            .await
            .unwrap();
        answer(response).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        self.post_raw(path, "application/json", body.to_string().into_bytes())
            .await
    }

    pub async fn post_raw(&self, path: &str, content_type: &str, body: Vec<u8>) -> (u16, Value) {
        let mut request = self
            .app
            .client
            .post(self.app.url(&format!("/api/external/v1{path}")))
            .bearer_auth(self.token())
            .body(body);
        if !content_type.is_empty() {
            request = request.header("content-type", content_type);
        }
        answer(request.send().await.unwrap()).await
    }

    /// The items of a list.
    pub async fn items(&self, path: &str) -> Vec<Value> {
        let (status, body) = self.get(path).await;
        assert_eq!(status, 200, "{path}: {body}");
        body["items"].as_array().unwrap().clone()
    }
}

async fn answer(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let body = match serde_json::from_str(&text) {
        Ok(json) => json,
        Err(_) => Value::String(text),
    };
    (status, body)
}

/// Whether `text` is an instant as the spec writes them: `2026-01-17T10:11:12.000Z`.
pub fn is_timestamp(value: &Value) -> bool {
    value.as_str().is_some_and(|s| {
        s.len() == 24
            && s.ends_with('Z')
            && time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
                .is_ok()
    })
}

/// Whether `value` is an opaque id with the same prefix as the spec's `example`
/// (`"act_..."`).
pub fn same_kind_of_id(value: &Value, example: &Value) -> bool {
    let prefix = example.as_str().unwrap().split('_').next().unwrap();
    value.as_str().is_some_and(|id| {
        id.strip_prefix(prefix)
            .and_then(|rest| rest.strip_prefix('_'))
            .is_some_and(|rest| rest.len() == 13 && rest.chars().all(|c| c.is_ascii_alphanumeric()))
    })
}
