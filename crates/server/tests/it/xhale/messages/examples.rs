//! The spec's examples: contacts listed, and messages sent and read, as the spec shows.

use super::{FORM, example_after, get, is_datetime, people, post, same_shape, send, sorted_keys};
use crate::harness::TestApp;
use paceline_testkit::{TestContext, on_both_engines};
use serde_json::{Value, json};

on_both_engines!(
    contacts_are_listed_as_the_spec_shows,
    messages_are_sent_and_read_as_the_spec_shows,
);

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
