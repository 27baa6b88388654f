//! Sending: coach and athlete exchange messages, only contacts may, content rules come
//! first, and concurrent sends are all kept in order.

use super::{NOW, setup, unseen_of};
use paceline_domain::ids::UserId;
use paceline_domain::messaging::Reading;
use paceline_domain::messaging::{
    self, ContentError, ConversationQuery, MAX_CONTENT_CHARS, MessageId, MessageStore,
    MessagingError,
};
use paceline_testkit::{TestContext, on_both_engines};
use std::sync::Arc;
use time::Duration;

on_both_engines!(
    coach_and_athlete_exchange_messages,
    only_contacts_exchange_and_read_messages,
    content_rules_are_checked_before_anything_is_stored,
    concurrent_sends_are_all_kept_in_order,
);

async fn coach_and_athlete_exchange_messages(db: TestContext) {
    let (store, clock, p) = setup(&db).await;
    let hello = messaging::send(
        &store,
        &clock,
        p.coach_a.id,
        p.athlete_a.id,
        "  Hello Ann!\n",
    )
    .await
    .unwrap();
    assert_eq!(hello.sender, p.coach_a.id);
    assert_eq!(hello.recipient, p.athlete_a.id);
    assert_eq!(hello.content, "Hello Ann!");
    assert_eq!(hello.sent_at, NOW);
    assert_eq!(hello.updated_at, NOW);
    assert_eq!(hello.seen_at, None);

    clock.advance(Duration::minutes(5));
    let reply = messaging::send(&store, &clock, p.athlete_a.id, p.coach_a.id, "Hi coach 👋")
        .await
        .unwrap();
    assert!(reply.id > hello.id);
    assert_eq!(reply.sent_at, NOW + Duration::minutes(5));

    // Both read the same conversation, oldest first.
    let coach_view = messaging::conversation(
        &store,
        &clock,
        p.coach_a.id,
        p.athlete_a.id,
        ConversationQuery::default(),
        Reading::Marks,
    )
    .await
    .unwrap();
    let athlete_view = messaging::conversation(
        &store,
        &clock,
        p.athlete_a.id,
        p.coach_a.id,
        ConversationQuery::default(),
        Reading::Marks,
    )
    .await
    .unwrap();
    let ids = |messages: &[messaging::Message]| messages.iter().map(|m| m.id).collect::<Vec<_>>();
    assert_eq!(ids(&coach_view), vec![hello.id, reply.id]);
    assert_eq!(ids(&athlete_view), vec![hello.id, reply.id]);
    assert_eq!(athlete_view[1].content, "Hi coach 👋");

    let one = messaging::read_message(
        &store,
        &clock,
        p.coach_a.id,
        p.athlete_a.id,
        reply.id,
        Reading::Marks,
    )
    .await
    .unwrap();
    assert_eq!(one.id, reply.id);
    assert_eq!(one.content, reply.content);

    // The conversation with the teammate is another one.
    assert!(
        messaging::conversation(
            &store,
            &clock,
            p.coach_a.id,
            p.teammate_a.id,
            ConversationQuery::default(),
            Reading::Marks
        )
        .await
        .unwrap()
        .is_empty()
    );
    let contacts = messaging::contacts_of(&store, p.coach_a.id).await.unwrap();
    let contact_ids: Vec<UserId> = contacts.iter().map(|c| c.user.id).collect();
    assert_eq!(contact_ids, vec![p.athlete_a.id, p.teammate_a.id]);
    let contacts = messaging::contacts_of(&store, p.athlete_a.id)
        .await
        .unwrap();
    assert_eq!(contacts.len(), 1);
    assert_eq!(contacts[0].user, p.coach_a);
}

async fn only_contacts_exchange_and_read_messages(db: TestContext) {
    let (store, clock, p) = setup(&db).await;
    let kept = messaging::send(&store, &clock, p.coach_a.id, p.athlete_a.id, "private")
        .await
        .unwrap();
    let elsewhere = messaging::send(&store, &clock, p.coach_b.id, p.athlete_b.id, "other team")
        .await
        .unwrap();
    let unknown = UserId(i64::from(i32::MAX));
    let strangers = [
        (p.coach_b.id, p.athlete_a.id),    // another team's coach
        (p.athlete_b.id, p.coach_a.id),    // another team's athlete
        (p.athlete_a.id, p.teammate_a.id), // teammates are not contacts
        (p.coach_a.id, p.coach_b.id),
        (p.lone.id, p.coach_a.id), // a self-coached athlete has no contacts
        (p.coach_a.id, p.lone.id),
        (p.athlete_a.id, p.athlete_a.id), // nor is anyone their own
        (p.coach_a.id, unknown),
        (unknown, p.coach_a.id),
    ];
    for (me, other) in strangers {
        let refused = |r: Result<_, MessagingError>| matches!(r, Err(MessagingError::NotAContact));
        assert!(
            refused(
                messaging::send(&store, &clock, me, other, "hi")
                    .await
                    .map(drop)
            ),
            "{me} -> {other}"
        );
        assert!(
            refused(
                messaging::conversation(
                    &store,
                    &clock,
                    me,
                    other,
                    ConversationQuery::default(),
                    Reading::Marks
                )
                .await
                .map(drop)
            ),
            "{me} lists {other}"
        );
        for id in [kept.id, elsewhere.id] {
            assert!(
                refused(
                    messaging::read_message(&store, &clock, me, other, id, Reading::Marks)
                        .await
                        .map(drop)
                ),
                "{me} reads {other}"
            );
        }
    }
    // A contact's message id in another conversation is not in this one.
    let err = messaging::read_message(
        &store,
        &clock,
        p.coach_a.id,
        p.teammate_a.id,
        kept.id,
        Reading::Marks,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, MessagingError::NoSuchMessage), "{err}");
    let err = messaging::read_message(
        &store,
        &clock,
        p.coach_a.id,
        p.athlete_a.id,
        elsewhere.id,
        Reading::Marks,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, MessagingError::NoSuchMessage), "{err}");
    let err = messaging::read_message(
        &store,
        &clock,
        p.coach_a.id,
        p.athlete_a.id,
        MessageId(i64::MAX),
        Reading::Marks,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, MessagingError::NoSuchMessage), "{err}");
    // Nothing was written or marked by the refused requests.
    let all = messaging::conversation(
        &store,
        &clock,
        p.athlete_b.id,
        p.coach_b.id,
        ConversationQuery {
            before: None,
            limit: 10,
        },
        Reading::Marks,
    )
    .await
    .unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].id, elsewhere.id);
    let ann = store
        .message_between(p.coach_a.id, p.athlete_a.id, kept.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ann.seen_at, None);
    assert!(store.unseen_counts(p.coach_a.id).await.unwrap().is_empty());
}

async fn content_rules_are_checked_before_anything_is_stored(db: TestContext) {
    let (store, clock, p) = setup(&db).await;
    let (coach, athlete) = (p.coach_a.id, p.athlete_a.id);
    for (text, why) in [
        (String::new(), ContentError::Blank),
        (" \n\t ".into(), ContentError::Blank),
        ("x".repeat(MAX_CONTENT_CHARS + 1), ContentError::TooLong),
        ("nul \0 here".into(), ContentError::Nul),
    ] {
        let err = messaging::send(&store, &clock, coach, athlete, &text)
            .await
            .unwrap_err();
        assert!(
            matches!(err, MessagingError::Content(e) if e == why),
            "{err}"
        );
    }
    assert!(
        messaging::conversation(
            &store,
            &clock,
            coach,
            athlete,
            ConversationQuery::default(),
            Reading::Marks
        )
        .await
        .unwrap()
        .is_empty()
    );
    // The longest message is kept whole, with its line breaks and any script.
    let longest = format!("{}\n{}", "ñ".repeat(4_999), "語".repeat(5_000));
    let sent = messaging::send(&store, &clock, coach, athlete, &longest)
        .await
        .unwrap();
    let kept = store
        .message_between(athlete, coach, sent.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.content, longest);
}

async fn concurrent_sends_are_all_kept_in_order(db: TestContext) {
    let (store, clock, p) = setup(&db).await;
    let store = Arc::new(store);
    let clock = Arc::new(clock);
    let (coach, athlete) = (p.coach_a.id, p.athlete_a.id);
    let mut tasks = Vec::new();
    for i in 0..24 {
        let (store, clock) = (store.clone(), clock.clone());
        let (from, to) = if i % 2 == 0 {
            (coach, athlete)
        } else {
            (athlete, coach)
        };
        tasks.push(tokio::spawn(async move {
            messaging::send(
                store.as_ref(),
                clock.as_ref(),
                from,
                to,
                &format!("message {i}"),
            )
            .await
            .map(|m| m.id)
        }));
    }
    let mut ids = Vec::new();
    for task in tasks {
        ids.push(task.await.unwrap().unwrap());
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 24);
    let listed = messaging::conversation(
        store.as_ref(),
        clock.as_ref(),
        coach,
        athlete,
        ConversationQuery::default(),
        Reading::Marks,
    )
    .await
    .unwrap();
    assert_eq!(listed.iter().map(|m| m.id).collect::<Vec<_>>(), ids);
    let contacts = messaging::contacts_of(store.as_ref(), athlete)
        .await
        .unwrap();
    assert_eq!(unseen_of(&contacts, &p.coach_a), 12);
}
