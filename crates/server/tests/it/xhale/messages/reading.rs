//! Reading: as the recipient, `datetime_seen` is set and the count goes down; long
//! conversations read backwards with `before_id`.

use super::{get, is_datetime, people, send, unseen_counts};
use crate::harness::TestApp;
use paceline_testkit::{TestContext, on_both_engines};
use serde_json::Value;

on_both_engines!(
    reading_as_the_recipient_sets_datetime_seen_and_lowers_the_count,
    long_conversations_are_read_backwards_with_before_id,
);

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
