//! Isolation and scopes: nobody reaches a conversation that is not theirs, and scopes
//! decide who reads and who writes.

use super::{FORM, get, people, post, send, unseen_counts};
use crate::harness::TestApp;
use paceline_testkit::api;
use paceline_testkit::{TestContext, on_both_engines};
use serde_json::{Value, json};

on_both_engines!(
    nobody_reaches_a_conversation_that_is_not_theirs,
    scopes_decide_who_reads_and_who_writes,
);

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
