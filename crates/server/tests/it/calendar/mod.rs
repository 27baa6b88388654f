//! The Xhale training calendar over HTTP: sessions and races as the spec's examples show
//! them, validation, the sync scenario and the coach/athlete isolation matrix.

mod access;
mod converted;
mod examples;
mod openapi;
mod sync;
mod uploads;

use crate::harness::TestApp;
use paceline_domain::SystemClock;
use paceline_domain::accounts::{self, UserRequest};
use paceline_domain::entities::Role;
use paceline_domain::password::Password;
use paceline_domain::store::AccountStore;
use paceline_testkit::api::{self, ApiClient, ApiUser};
use serde_json::Value;

/// The Xhale spec's text.
pub fn spec() -> String {
    paceline_testdata::spec("xhale-athlete-api.txt")
}

/// The first JSON value after `marker` and then "Example Response", read leniently: the
/// spec's examples miss commas between members, and one list is shown as two arrays (the
/// first is taken).
pub fn example_after(marker: &str) -> Value {
    let text = spec();
    let from = text.find(marker).unwrap_or_else(|| panic!("{marker}"));
    let rest = &text[from..];
    let start = rest.find("Example Response").unwrap();
    let rest = &rest[start + "Example Response".len()..];
    let open = rest.find(['{', '[']).unwrap();
    let body = &rest[open..];
    let (opener, closer) = if body.starts_with('{') {
        ('{', '}')
    } else {
        ('[', ']')
    };
    let mut depth = 0;
    let mut end = 0;
    for (i, c) in body.char_indices() {
        if c == opener {
            depth += 1;
        } else if c == closer {
            depth -= 1;
            if depth == 0 {
                end = i + 1;
                break;
            }
        }
    }
    serde_json::from_str(&lenient(&body[..end])).unwrap()
}

/// Adds the commas missing at line ends and drops the ones before a closing bracket.
fn lenient(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_end();
        let next = lines[i + 1..]
            .iter()
            .map(|l| l.trim())
            .find(|l| !l.is_empty())
            .unwrap_or("");
        let ends_value = !trimmed.ends_with([',', '{', '[', ':']) && !trimmed.trim().is_empty();
        let mut line = trimmed.to_owned();
        if ends_value && next.starts_with('"') {
            line.push(',');
        }
        if line.ends_with(',') && (next.starts_with('}') || next.starts_with(']')) {
            line.pop();
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// The sorted keys of an object.
pub fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

/// A coaching company of two coaches, each with an athlete, and a self-coached athlete
/// elsewhere; every token has `read write`.
pub struct Team {
    pub client: ApiClient,
    pub coach: ApiUser,
    pub athlete: ApiUser,
    pub other_coach: ApiUser,
    pub other_athlete: ApiUser,
    pub loner: ApiUser,
    /// The owner of the athletes' company: acts as coach for every athlete of it.
    pub owner: ApiUser,
    /// The owner of another company.
    pub rival_owner: ApiUser,
    /// The company's own integration (a `client_credentials` token, `read write upload`):
    /// acts for every athlete of the company, as its owner does.
    pub company: ApiUser,
    /// Another company's integration.
    pub rival_company: ApiUser,
}

pub async fn team(app: &TestApp) -> Team {
    let store = app.store.as_ref();
    accounts::create_organization(store, &SystemClock, "Squad")
        .await
        .unwrap();
    let client = api::client(store, "calendar-app").await;
    let scopes = "read write upload";
    accounts::create_organization(store, &SystemClock, "Rivals")
        .await
        .unwrap();
    let member_named = |email: &'static str, org: &'static str, role: Role| {
        let client = &client;
        async move {
            let created = accounts::create_user(
                store,
                &SystemClock,
                UserRequest {
                    email: email.into(),
                    password: Password::new(api::PASSWORD),
                    name: "Carla Coach".into(),
                    organization: Some(org.into()),
                    role: Some(role),
                },
            )
            .await
            .unwrap();
            ApiUser {
                user: created.user,
                membership: created.membership,
                access_token: api::token_for(store, email, client, scopes).await,
            }
        }
    };
    let coach = member_named("coach@example.com", "Squad", Role::Coach).await;
    let other_coach = member_named("coach2@example.com", "Squad", Role::Coach).await;
    let owner = member_named("owner@example.com", "Squad", Role::Owner).await;
    let rival_owner = member_named("owner@rivals.example", "Rivals", Role::Owner).await;
    let athlete = api::user(store, "athlete@example.com", Some("Squad"), &client, scopes).await;
    let other_athlete = api::user(
        store,
        "athlete2@example.com",
        Some("Squad"),
        &client,
        scopes,
    )
    .await;
    let loner = api::user(store, "loner@example.com", None, &client, scopes).await;
    for (c, a) in [
        ("coach@example.com", "athlete@example.com"),
        ("coach2@example.com", "athlete2@example.com"),
    ] {
        accounts::assign_coach(store, &SystemClock, c, a, Some("Squad"))
            .await
            .unwrap();
    }
    let company = integration(app, "Squad").await;
    let rival_company = integration(app, "Rivals").await;
    Team {
        client,
        coach,
        athlete,
        other_coach,
        other_athlete,
        loner,
        owner,
        rival_owner,
        company,
        rival_company,
    }
}

/// A company integration of `org`, provisioned as the operator does, with the token its
/// `client_credentials` grant gives, as the user its tokens act as.
async fn integration(app: &TestApp, org: &str) -> ApiUser {
    let store = app.store.as_ref();
    let provisioned = crate::xhale::company_clients::provision(app, org, "read write upload").await;
    let (status, issued) = crate::xhale::company_clients::token(
        app,
        &provisioned.client.client_id,
        provisioned.secret.expose(),
        None,
    )
    .await;
    assert_eq!(status, 200, "{issued}");
    let user = store.get_user(provisioned.acts_as).await.unwrap().unwrap();
    let membership = store
        .memberships_of_user(user.id)
        .await
        .unwrap()
        .remove(0)
        .membership;
    ApiUser {
        user,
        membership,
        access_token: issued["access_token"].as_str().unwrap().to_owned(),
    }
}

/// A form request with a bearer token.
pub async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    let mut request = app
        .client
        .request(method.clone(), app.url(path))
        .bearer_auth(token);
    if method != reqwest::Method::GET && method != reqwest::Method::DELETE {
        request = request.form(form);
    }
    request.send().await.unwrap()
}

/// The answer's status and JSON body (null when empty).
pub async fn answer(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
    };
    (status, body)
}
