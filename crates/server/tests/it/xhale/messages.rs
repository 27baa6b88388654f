//! Xhale messaging over HTTP: the spec's example requests (the send as a POST of the form
//! its curl line writes), the shapes of its example responses (read from `docs/spec`,
//! typos repaired), seen times and unseen counts, isolation between coaches and athletes,
//! scopes, and the refusals of bad input.

use crate::harness::TestApp;
use paceline_domain::SystemClock;
use paceline_domain::accounts::{self, UserRequest};
use paceline_domain::entities::{Role, User};
use paceline_domain::password::Password;
use paceline_testkit::api::{self, ApiClient};
use paceline_testkit::{TestContext, on_both_engines};
use serde_json::{Value, json};

on_both_engines!(
    contacts_are_listed_as_the_spec_shows,
    messages_are_sent_and_read_as_the_spec_shows,
    reading_as_the_recipient_sets_datetime_seen_and_lowers_the_count,
    nobody_reaches_a_conversation_that_is_not_theirs,
    scopes_decide_who_reads_and_who_writes,
    bad_bodies_queries_and_methods_are_refused,
    long_conversations_are_read_backwards_with_before_id,
);

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

async fn contacts_are_listed_as_the_spec_shows(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let p = people(&app).await;
    let example = example_after("List contacts");
    assert_eq!(
        sorted_keys(&example),
        ["first_name", "id", "last_name", "unseen_messages_count"]
    );

    // The spec's request, as written.
    let (status, body) = get(&app, &p.coach_a.token, "/api/contacts/").await;
    assert_eq!(status, 200);
    let contacts = body.as_array().expect("a JSON array of contacts");
    assert_eq!(contacts.len(), 2, "a coach's contacts are their athletes");
    for contact in contacts {
        same_shape(contact, &example);
    }
    assert_eq!(
        body,
        json!([
            {"id": p.athlete_a.id(), "first_name": "Jack", "last_name": "White", "unseen_messages_count": 0},
            {"id": p.teammate_a.id(), "first_name": "Meg", "last_name": "White", "unseen_messages_count": 0},
        ])
    );
    let (status, body) = get(&app, &p.athlete_a.token, "/api/contacts/").await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!([{"id": p.coach_a.id(), "first_name": "Mentor", "last_name": "User", "unseen_messages_count": 0}]),
        "an athlete's contact is their coach"
    );
    let (status, body) = get(&app, &p.lone.token, "/api/contacts/").await;
    assert_eq!(
        (status, body),
        (200, json!([])),
        "a self-coached athlete has none"
    );
    let (_, body) = get(&app, &p.coach_b.token, "/api/contacts/").await;
    assert_eq!(body.as_array().unwrap().len(), 1);
    assert_eq!(body[0]["id"], p.athlete_b.id());
    app.stop().await;
}

async fn messages_are_sent_and_read_as_the_spec_shows(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let p = people(&app).await;
    let example = example_after("List messages for contact");
    assert_eq!(
        sorted_keys(&example),
        [
            "content",
            "datetime_seen",
            "datetime_sent",
            "datetime_updated",
            "id",
            "recipient_user_id",
            "sender_user_id"
        ]
    );
    let path = format!("/api/contacts/{}/messages/", p.athlete_a.id());

    // "Send a new message" as its curl line writes the body (`-d content='the content of
    // the message'`, unencoded), sent with POST.
    let response = app
        .client
        .post(app.url(&path))
        .bearer_auth(&p.coach_a.token)
        .header("content-type", FORM)
        .body("content=the content of the message")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let sent: Value = response.json().await.unwrap();
    same_shape(&sent, &example);
    assert_eq!(sent["content"], "the content of the message");
    assert_eq!(sent["sender_user_id"], p.coach_a.id());
    assert_eq!(sent["recipient_user_id"], p.athlete_a.id());
    assert_eq!(sent["datetime_updated"], sent["datetime_sent"]);
    assert_eq!(sent["datetime_seen"], Value::Null);
    assert_eq!(location, format!("{path}{}/", sent["id"]));

    // Form-encoded as a browser or an HTTP library writes it, and JSON.
    let (status, reply) = post(
        &app,
        &p.athlete_a.token,
        &format!("/api/contacts/{}/messages/", p.coach_a.id()),
        FORM,
        "content=Thanks%2C+coach%21%0ASee+you+%26+the+team+tomorrow.",
    )
    .await;
    assert_eq!(status, 201, "{reply}");
    assert_eq!(
        reply["content"],
        "Thanks, coach!\nSee you & the team tomorrow."
    );
    let third = send(
        &app,
        &p.coach_a,
        &p.athlete_a,
        "  Intervals: 5 × 3′ @ threshold  ",
    )
    .await;
    assert_eq!(third["content"], "Intervals: 5 × 3′ @ threshold");

    // "List messages for contact": an array of messages, oldest first, the same for both.
    let (status, listed) = get(&app, &p.coach_a.token, &path).await;
    assert_eq!(status, 200);
    let listed = listed.as_array().expect("a JSON array of messages").clone();
    let ids: Vec<&Value> = listed.iter().map(|m| &m["id"]).collect();
    assert_eq!(ids, [&sent["id"], &reply["id"], &third["id"]]);
    for message in &listed {
        same_shape(message, &example);
    }
    let (_, from_athlete) = get(
        &app,
        &p.athlete_a.token,
        &format!("/api/contacts/{}/messages/", p.coach_a.id()),
    )
    .await;
    let ids_from_athlete: Vec<&Value> = from_athlete
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["id"])
        .collect();
    assert_eq!(ids_from_athlete, ids);

    // "Get message".
    let (status, one) = get(&app, &p.coach_a.token, &format!("{path}{}/", reply["id"])).await;
    assert_eq!(status, 200);
    same_shape(&one, &example);
    assert_eq!(one["id"], reply["id"]);
    assert_eq!(one["content"], reply["content"]);
    assert!(
        is_datetime(&one["datetime_seen"]),
        "the coach received it: {one}"
    );

    // HEAD as GET, without a body.
    let head = app
        .client
        .head(app.url(&path))
        .bearer_auth(&p.coach_a.token)
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 200);
    app.stop().await;
}

async fn reading_as_the_recipient_sets_datetime_seen_and_lowers_the_count(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let p = people(&app).await;
    let (coach, athlete) = (&p.coach_a, &p.athlete_a);
    let first = send(&app, coach, athlete, "first").await;
    let second = send(&app, coach, athlete, "second").await;
    let mine = send(&app, athlete, coach, "from the athlete").await;
    let coach_path = format!("/api/contacts/{}/messages/", athlete.id());
    let athlete_path = format!("/api/contacts/{}/messages/", coach.id());

    assert_eq!(unseen_counts(&app, athlete).await, [(coach.id(), 2)]);
    assert_eq!(
        unseen_counts(&app, coach).await,
        [(athlete.id(), 1), (p.teammate_a.id(), 0)]
    );

    // The sender reading their own messages sees nothing new for the athlete.
    let (_, got) = get(&app, &coach.token, &format!("{coach_path}{}/", first["id"])).await;
    assert_eq!(got["datetime_seen"], Value::Null);
    let (_, listed) = get(&app, &coach.token, &coach_path).await;
    assert_eq!(listed[0]["datetime_seen"], Value::Null);
    assert_eq!(listed[1]["datetime_seen"], Value::Null);
    assert!(
        is_datetime(&listed[2]["datetime_seen"]),
        "the coach read the athlete's"
    );
    assert_eq!(unseen_counts(&app, athlete).await, [(coach.id(), 2)]);
    assert_eq!(unseen_counts(&app, coach).await[0], (athlete.id(), 0));

    // The recipient getting one message marks that one.
    let (status, got) = get(
        &app,
        &athlete.token,
        &format!("{athlete_path}{}/", first["id"]),
    )
    .await;
    assert_eq!(status, 200);
    let seen = got["datetime_seen"].clone();
    assert!(is_datetime(&seen), "{got}");
    assert_eq!(
        got["datetime_updated"], first["datetime_updated"],
        "seeing is not updating"
    );
    assert_eq!(unseen_counts(&app, athlete).await, [(coach.id(), 1)]);

    // Listing marks the rest; a time once set stays.
    let (_, listed) = get(&app, &athlete.token, &athlete_path).await;
    assert_eq!(listed[0]["datetime_seen"], seen);
    assert!(is_datetime(&listed[1]["datetime_seen"]));
    assert_eq!(listed[1]["id"], second["id"]);
    assert_eq!(listed[2]["id"], mine["id"]);
    assert_eq!(unseen_counts(&app, athlete).await, [(coach.id(), 0)]);

    // The sender now sees when each was seen.
    let (_, listed_again) = get(&app, &coach.token, &coach_path).await;
    assert_eq!(listed_again, listed);
    app.stop().await;
}

async fn nobody_reaches_a_conversation_that_is_not_theirs(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let p = people(&app).await;
    let in_a = send(&app, &p.coach_a, &p.athlete_a, "team A only").await;
    let in_b = send(&app, &p.athlete_b, &p.coach_b, "team B only").await;
    let not_found = json!({ "detail": "Not found." });
    let pairs = [
        (&p.coach_b, &p.athlete_a, "another team's coach"),
        (&p.coach_a, &p.athlete_b, "another team's athlete"),
        (
            &p.athlete_b,
            &p.coach_a,
            "another team's coach, as an athlete",
        ),
        (&p.athlete_a, &p.coach_b, "another coach"),
        (&p.athlete_a, &p.teammate_a, "a teammate"),
        (&p.coach_a, &p.coach_b, "another coach, as a coach"),
        (&p.lone, &p.coach_a, "a self-coached athlete"),
        (&p.coach_a, &p.lone, "a self-coached athlete's coach"),
        (&p.athlete_a, &p.athlete_a, "oneself"),
    ];
    for (me, other, who) in pairs {
        let path = format!("/api/contacts/{}/messages/", other.id());
        assert_eq!(
            get(&app, &me.token, &path).await,
            (404, not_found.clone()),
            "{who}: list"
        );
        for message in [&in_a, &in_b] {
            let one = format!("{path}{}/", message["id"]);
            assert_eq!(
                get(&app, &me.token, &one).await,
                (404, not_found.clone()),
                "{who}: get"
            );
        }
        let sent = post(&app, &me.token, &path, FORM, "content=hello").await;
        assert_eq!(sent, (404, not_found.clone()), "{who}: send");
    }
    // Ids that name no user, or are no ids at all, answer alike.
    for id in ["999999", "0", "-1", "abc", "3.5", "1e3", "%20"] {
        let path = format!("/api/contacts/{id}/messages/");
        assert_eq!(
            get(&app, &p.coach_a.token, &path).await,
            (404, not_found.clone()),
            "{id}"
        );
        let sent = post(&app, &p.coach_a.token, &path, FORM, "content=hello").await;
        assert_eq!(sent, (404, not_found.clone()), "{id}");
        let one = format!("/api/contacts/{}/messages/{id}/", p.athlete_a.id());
        assert_eq!(
            get(&app, &p.coach_a.token, &one).await,
            (404, not_found.clone()),
            "{id}"
        );
    }
    // A message of another conversation of one's own contacts is not in this one.
    let wrong = format!(
        "/api/contacts/{}/messages/{}/",
        p.teammate_a.id(),
        in_a["id"]
    );
    assert_eq!(
        get(&app, &p.coach_a.token, &wrong).await,
        (404, not_found.clone())
    );

    // Nothing was sent or seen by the refused requests.
    let (_, listed) = get(
        &app,
        &p.coach_b.token,
        &format!("/api/contacts/{}/messages/", p.athlete_b.id()),
    )
    .await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(
        unseen_counts(&app, &p.athlete_a).await,
        [(p.coach_a.id(), 1)]
    );
    assert_eq!(
        unseen_counts(&app, &p.coach_a).await,
        [(p.athlete_a.id(), 0), (p.teammate_a.id(), 0)]
    );
    app.stop().await;
}

async fn scopes_decide_who_reads_and_who_writes(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let p = people(&app).await;
    let store = app.store.as_ref();
    let reader = api::token_for(store, "coach.a@example.com", &p.client, "read").await;
    let writer = api::token_for(store, "coach.a@example.com", &p.client, "write").await;
    let message = send(&app, &p.athlete_a, &p.coach_a, "hello").await;
    let path = format!("/api/contacts/{}/messages/", p.athlete_a.id());
    let one = format!("{path}{}/", message["id"]);

    for read in ["/api/contacts/", path.as_str(), one.as_str()] {
        let response = app
            .client
            .get(app.url(read))
            .bearer_auth(&writer)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{read}");
        let challenge = response.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(challenge.contains("scope=\"read\""), "{challenge}");
        let body: Value = response.json().await.unwrap();
        assert!(
            body["detail"].as_str().unwrap().contains("scope read"),
            "{body}"
        );
        assert_eq!(get(&app, &reader, read).await.0, 200, "{read}");
        let anonymous = app.get(read).await;
        assert_eq!(anonymous.status(), 401);
    }
    // The write-only token's refused reads marked nothing seen; the reader's did.
    assert_eq!(
        unseen_counts(&app, &p.coach_a).await[0],
        (p.athlete_a.id(), 0)
    );

    let response = app
        .client
        .post(app.url(&path))
        .bearer_auth(&reader)
        .header("content-type", FORM)
        .body("content=hi")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert!(
        response.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("scope=\"write\"")
    );
    let (status, _) = post(&app, &writer, &path, FORM, "content=hi").await;
    assert_eq!(status, 201);
    let (status, _) = post(&app, "not-a-token", &path, FORM, "content=hi").await;
    assert_eq!(status, 401);
    let (_, listed) = get(&app, &reader, &path).await;
    assert_eq!(
        listed.as_array().unwrap().len(),
        2,
        "only the write-scoped send went through"
    );
    app.stop().await;
}

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

async fn long_conversations_are_read_backwards_with_before_id(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let p = people(&app).await;
    let mut ids = Vec::new();
    for i in 0..7 {
        let (from, to) = if i % 2 == 0 {
            (&p.coach_a, &p.athlete_a)
        } else {
            (&p.athlete_a, &p.coach_a)
        };
        ids.push(
            send(&app, from, to, &format!("message {i}")).await["id"]
                .as_i64()
                .unwrap(),
        );
    }
    let path = format!("/api/contacts/{}/messages/", p.coach_a.id());
    let page = |body: Value| -> Vec<i64> {
        body.as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_i64().unwrap())
            .collect()
    };
    let (_, latest) = get(&app, &p.athlete_a.token, &format!("{path}?limit=3")).await;
    assert_eq!(page(latest), ids[4..]);
    // Only the messages returned are seen: of the coach's four, two remain unseen.
    assert_eq!(
        unseen_counts(&app, &p.athlete_a).await,
        [(p.coach_a.id(), 2)]
    );
    let (_, older) = get(
        &app,
        &p.athlete_a.token,
        &format!("{path}?limit=3&before_id={}", ids[4]),
    )
    .await;
    assert_eq!(page(older), ids[1..4]);
    let (_, oldest) = get(
        &app,
        &p.athlete_a.token,
        &format!("{path}?limit=3&before_id={}", ids[1]),
    )
    .await;
    assert_eq!(page(oldest), ids[..1]);
    assert_eq!(
        unseen_counts(&app, &p.athlete_a).await,
        [(p.coach_a.id(), 0)]
    );
    let (_, all) = get(&app, &p.athlete_a.token, &path).await;
    assert_eq!(page(all), ids);
    app.stop().await;
}
