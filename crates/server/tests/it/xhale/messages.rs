//! Xhale messaging over HTTP: the spec's example requests (the send as a POST of the form
//! its curl line writes), the shapes of its example responses (read from `docs/spec`,
//! typos repaired), seen times and unseen counts, isolation between coaches and athletes,
//! scopes, and the refusals of bad input.
//!
//! Here the helpers the tests share; the tests beside it: `examples` (the spec's examples),
//! `reading` (seen times, unseen counts, pages), `access` (isolation and scopes),
//! `refusals` (bad bodies, queries and methods).

mod access;
mod examples;
mod methods;
mod reading;
mod refusals;

use crate::harness::TestApp;
use paceline_domain::SystemClock;
use paceline_domain::accounts::{self, UserRequest};
use paceline_domain::entities::{Role, User};
use paceline_domain::password::Password;
use paceline_testkit::api::{self, ApiClient};
use serde_json::{Value, json};

/// The spec's "Messaging" section.
fn messaging_section() -> String {
    let text = paceline_testdata::spec("xhale-athlete-api.txt");
    let start = text.find("\nMessaging\n").unwrap();
    text[start..].to_owned()
}

/// Adds the commas the spec's examples leave out between members and drops the ones they
/// leave before a closing brace.
fn repair(block: &str) -> String {
    let lines: Vec<&str> = block.lines().map(str::trim_end).collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let next = lines[i + 1..]
            .iter()
            .map(|l| l.trim())
            .find(|l| !l.is_empty());
        let mut line = (*line).to_owned();
        let open = line.ends_with('{') || line.ends_with('[');
        if next.is_some_and(|n| n.starts_with('}') || n.starts_with(']')) {
            if line.ends_with(',') {
                line.pop();
            }
        } else if next.is_some_and(|n| n.starts_with('"')) && !open && !line.ends_with(',') {
            line.push(',');
        }
        out.push(line);
    }
    out.join("\n")
}

/// The example response after the heading `title` in the messaging section.
fn example_after(title: &str) -> Value {
    let section = messaging_section();
    let from = section.find(&format!("\n{title}\n")).unwrap();
    let rest = &section[from..];
    let start = rest.find("Example Response\n\n{").unwrap() + "Example Response\n\n".len();
    let end = start + rest[start..].find("\n}").unwrap() + 2;
    let block = repair(&rest[start..end]);
    serde_json::from_str(&block).unwrap_or_else(|e| panic!("{block}: {e}"))
}

fn sorted_keys(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    keys
}

/// Whether `value` is an instant as the spec writes them: `2020-06-18T02:03:14.513292`.
fn is_datetime(value: &Value) -> bool {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]"
    );
    value
        .as_str()
        .is_some_and(|s| time::PrimitiveDateTime::parse(s, format).is_ok())
}

/// Every key of `example` is in `actual`, with a value of the same JSON type (an unseen
/// message's `datetime_seen` is null).
fn same_shape(actual: &Value, example: &Value) {
    assert_eq!(sorted_keys(actual), sorted_keys(example), "{actual}");
    for (key, value) in example.as_object().unwrap() {
        let got = &actual[key];
        let same_type = match value {
            Value::Number(_) => got.is_i64(),
            Value::String(s) if is_datetime(&json!(s)) => {
                is_datetime(got) || (key == "datetime_seen" && got.is_null())
            }
            Value::String(_) => got.is_string(),
            _ => false,
        };
        assert!(same_type, "{key}: {got} is not like {value}");
    }
}

const PASSWORD: &str = "a long enough password";

/// A user with an access token.
struct Person {
    user: User,
    token: String,
}

impl Person {
    fn id(&self) -> i64 {
        self.user.id.get()
    }
}

/// Two coaching companies, each a coach with athletes, and a self-coached athlete.
struct People {
    client: ApiClient,
    coach_a: Person,
    athlete_a: Person,
    teammate_a: Person,
    coach_b: Person,
    athlete_b: Person,
    lone: Person,
}

async fn person(
    app: &TestApp,
    client: &ApiClient,
    email: &str,
    name: &str,
    org: Option<&str>,
    role: Option<Role>,
) -> Person {
    let store = app.store.as_ref();
    let request = UserRequest {
        email: email.into(),
        password: Password::new(PASSWORD),
        name: name.into(),
        organization: org.map(Into::into),
        role,
    };
    let user = accounts::create_user(store, &SystemClock, request)
        .await
        .unwrap()
        .user;
    let token = api::token_for(store, email, client, "read write").await;
    Person { user, token }
}

async fn people(app: &TestApp) -> People {
    let store = app.store.as_ref();
    for team in ["Team A", "Team B"] {
        accounts::create_organization(store, &SystemClock, team)
            .await
            .unwrap();
    }
    let client = api::client(store, "xhale-app").await;
    let coach = Some(Role::Coach);
    let coach_a = person(
        app,
        &client,
        "coach.a@example.com",
        "Mentor User",
        Some("Team A"),
        coach,
    )
    .await;
    let athlete_a = person(
        app,
        &client,
        "jack@example.com",
        "Jack White",
        Some("Team A"),
        None,
    )
    .await;
    let teammate_a = person(
        app,
        &client,
        "meg@example.com",
        "Meg White",
        Some("Team A"),
        None,
    )
    .await;
    let coach_b = person(
        app,
        &client,
        "coach.b@example.com",
        "Bea Coach",
        Some("Team B"),
        coach,
    )
    .await;
    let athlete_b = person(
        app,
        &client,
        "bob@example.com",
        "Bob Athlete",
        Some("Team B"),
        None,
    )
    .await;
    let lone = person(app, &client, "solo@example.com", "Sol Solo", None, None).await;
    for (coach, athlete) in [
        ("coach.a@example.com", "jack@example.com"),
        ("coach.a@example.com", "meg@example.com"),
        ("coach.b@example.com", "bob@example.com"),
    ] {
        accounts::assign_coach(store, &SystemClock, coach, athlete, None)
            .await
            .unwrap();
    }
    People {
        client,
        coach_a,
        athlete_a,
        teammate_a,
        coach_b,
        athlete_b,
        lone,
    }
}

async fn answer(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, body)
}

async fn get(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    let response = app
        .client
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    answer(response).await
}

/// A POST of `body` as `content_type`, as curl's `-d` sends it.
async fn post(
    app: &TestApp,
    token: &str,
    path: &str,
    content_type: &str,
    body: &str,
) -> (u16, Value) {
    let response = app
        .client
        .post(app.url(path))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    answer(response).await
}

const FORM: &str = "application/x-www-form-urlencoded";

/// Sends `content` from `from` to `to`, as JSON; answers the message.
async fn send(app: &TestApp, from: &Person, to: &Person, content: &str) -> Value {
    let path = format!("/api/contacts/{}/messages/", to.id());
    let (status, body) = post(
        app,
        &from.token,
        &path,
        "application/json",
        &json!({ "content": content }).to_string(),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body
}

/// `from`'s contacts, with each one's unseen count by id.
async fn unseen_counts(app: &TestApp, of: &Person) -> Vec<(i64, i64)> {
    let (status, body) = get(app, &of.token, "/api/contacts/").await;
    assert_eq!(status, 200, "{body}");
    body.as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_i64().unwrap(),
                c["unseen_messages_count"].as_i64().unwrap(),
            )
        })
        .collect()
}
