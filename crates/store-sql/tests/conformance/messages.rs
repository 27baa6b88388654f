//! Messages on both engines: only contacts exchange them, conversations read oldest first in
//! pages, reading as the recipient marks them seen once, unseen counts per contact, and
//! concurrent sends all kept.

use paceline_domain::accounts::{self, UserRequest};
use paceline_domain::entities::{Role, User};
use paceline_domain::ids::UserId;
use paceline_domain::messaging::{
    self, ContentError, ConversationQuery, MAX_CONTENT_CHARS, MessageContent, MessageId,
    MessageStore, MessagingError, NewMessage,
};
use paceline_domain::password::Password;
use paceline_domain::{Clock, FixedClock, Store};
use paceline_store_sql::SqlStore;
use paceline_testkit::{TestContext, on_both_engines};
use std::sync::Arc;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

on_both_engines!(
    coach_and_athlete_exchange_messages,
    reading_as_the_recipient_marks_messages_seen_once,
    unseen_counts_go_down_as_the_recipient_reads,
    only_contacts_exchange_and_read_messages,
    content_rules_are_checked_before_anything_is_stored,
    long_conversations_are_read_backwards_in_pages,
    mark_seen_touches_only_the_recipients_unseen_messages,
    concurrent_sends_are_all_kept_in_order,
);

const NOW: OffsetDateTime = datetime!(2026-03-01 08:00:00.250001 UTC);

/// Two coaching companies, each with a coach and athletes, and a self-coached athlete.
struct People {
    coach_a: User,
    athlete_a: User,
    teammate_a: User,
    coach_b: User,
    athlete_b: User,
    lone: User,
}

async fn person(
    store: &dyn Store,
    clock: &dyn Clock,
    email: &str,
    name: &str,
    org: Option<&str>,
    role: Option<Role>,
) -> User {
    accounts::create_user(
        store,
        clock,
        UserRequest {
            email: email.into(),
            password: Password::new("a long enough password"),
            name: name.into(),
            organization: org.map(Into::into),
            role,
        },
    )
    .await
    .unwrap()
    .user
}

async fn people(store: &dyn Store, clock: &dyn Clock) -> People {
    for team in ["Team A", "Team B"] {
        accounts::create_organization(store, clock, team)
            .await
            .unwrap();
    }
    let coach_a = person(
        store,
        clock,
        "coach.a@example.com",
        "Casey Coach",
        Some("Team A"),
        Some(Role::Coach),
    )
    .await;
    let athlete_a = person(
        store,
        clock,
        "ann@example.com",
        "Ann Athlete",
        Some("Team A"),
        None,
    )
    .await;
    let teammate_a = person(
        store,
        clock,
        "tom@example.com",
        "Tom Teammate",
        Some("Team A"),
        None,
    )
    .await;
    let coach_b = person(
        store,
        clock,
        "coach.b@example.com",
        "Bea Coach",
        Some("Team B"),
        Some(Role::Coach),
    )
    .await;
    let athlete_b = person(
        store,
        clock,
        "bob@example.com",
        "Bob Athlete",
        Some("Team B"),
        None,
    )
    .await;
    let lone = person(store, clock, "solo@example.com", "Sol Solo", None, None).await;
    for (coach, athlete) in [
        ("coach.a@example.com", "ann@example.com"),
        ("coach.a@example.com", "tom@example.com"),
        ("coach.b@example.com", "bob@example.com"),
    ] {
        accounts::assign_coach(store, clock, coach, athlete, None)
            .await
            .unwrap();
    }
    People {
        coach_a,
        athlete_a,
        teammate_a,
        coach_b,
        athlete_b,
        lone,
    }
}

async fn setup(db: &TestContext) -> (SqlStore, FixedClock, People) {
    let store = db.open().await;
    let clock = FixedClock::new(NOW);
    let people = people(&store, &clock).await;
    (store, clock, people)
}

fn unseen_of(contacts: &[messaging::Contact], user: &User) -> u64 {
    contacts
        .iter()
        .find(|c| c.user.id == user.id)
        .map(|c| c.unseen_messages)
        .unwrap()
}

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
    )
    .await
    .unwrap();
    let athlete_view = messaging::conversation(
        &store,
        &clock,
        p.athlete_a.id,
        p.coach_a.id,
        ConversationQuery::default(),
    )
    .await
    .unwrap();
    let ids = |messages: &[messaging::Message]| messages.iter().map(|m| m.id).collect::<Vec<_>>();
    assert_eq!(ids(&coach_view), vec![hello.id, reply.id]);
    assert_eq!(ids(&athlete_view), vec![hello.id, reply.id]);
    assert_eq!(athlete_view[1].content, "Hi coach 👋");

    let one = messaging::read_message(&store, &clock, p.coach_a.id, p.athlete_a.id, reply.id)
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
            ConversationQuery::default()
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

async fn reading_as_the_recipient_marks_messages_seen_once(db: TestContext) {
    let (store, clock, p) = setup(&db).await;
    let (coach, athlete) = (p.coach_a.id, p.athlete_a.id);
    let first = messaging::send(&store, &clock, coach, athlete, "one")
        .await
        .unwrap();
    let second = messaging::send(&store, &clock, coach, athlete, "two")
        .await
        .unwrap();
    let answer = messaging::send(&store, &clock, athlete, coach, "three")
        .await
        .unwrap();

    // The sender reading marks nothing.
    clock.advance(Duration::minutes(1));
    let read =
        messaging::conversation(&store, &clock, coach, athlete, ConversationQuery::default())
            .await
            .unwrap();
    assert!(read[..2].iter().all(|m| m.seen_at.is_none()), "{read:?}");
    let own = messaging::read_message(&store, &clock, coach, athlete, first.id)
        .await
        .unwrap();
    assert_eq!(own.seen_at, None);
    // ...but it is the coach who received `answer`: that one is seen now.
    let seen_by_coach = NOW + Duration::minutes(1);
    assert_eq!(read[2].seen_at, Some(seen_by_coach));

    // The recipient fetching one message marks that one.
    clock.advance(Duration::minutes(1));
    let got = messaging::read_message(&store, &clock, athlete, coach, first.id)
        .await
        .unwrap();
    let first_seen = NOW + Duration::minutes(2);
    assert_eq!(got.seen_at, Some(first_seen));
    assert_eq!(
        got.updated_at, NOW,
        "being seen is not a change of the message"
    );

    // Listing marks the rest, and never moves a time already set.
    clock.advance(Duration::minutes(1));
    let listed =
        messaging::conversation(&store, &clock, athlete, coach, ConversationQuery::default())
            .await
            .unwrap();
    assert_eq!(listed[0].id, first.id);
    assert_eq!(listed[0].seen_at, Some(first_seen));
    assert_eq!(listed[1].id, second.id);
    assert_eq!(listed[1].seen_at, Some(NOW + Duration::minutes(3)));
    assert_eq!(listed[2].id, answer.id);
    assert_eq!(listed[2].seen_at, Some(seen_by_coach));

    clock.advance(Duration::hours(1));
    let again = messaging::read_message(&store, &clock, athlete, coach, second.id)
        .await
        .unwrap();
    assert_eq!(again.seen_at, Some(NOW + Duration::minutes(3)));
    // What was stored is what was answered.
    let kept = store
        .message_between(coach, athlete, second.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept, again);
}

async fn unseen_counts_go_down_as_the_recipient_reads(db: TestContext) {
    let (store, clock, p) = setup(&db).await;
    let (coach, ann, tom) = (p.coach_a.id, p.athlete_a.id, p.teammate_a.id);
    let mut to_coach = Vec::new();
    for text in ["a", "b", "c"] {
        to_coach.push(
            messaging::send(&store, &clock, ann, coach, text)
                .await
                .unwrap(),
        );
    }
    messaging::send(&store, &clock, tom, coach, "from tom")
        .await
        .unwrap();
    messaging::send(&store, &clock, coach, ann, "to ann")
        .await
        .unwrap();

    let contacts = messaging::contacts_of(&store, coach).await.unwrap();
    assert_eq!(unseen_of(&contacts, &p.athlete_a), 3);
    assert_eq!(unseen_of(&contacts, &p.teammate_a), 1);
    let contacts = messaging::contacts_of(&store, ann).await.unwrap();
    assert_eq!(unseen_of(&contacts, &p.coach_a), 1);

    messaging::read_message(&store, &clock, coach, ann, to_coach[1].id)
        .await
        .unwrap();
    let contacts = messaging::contacts_of(&store, coach).await.unwrap();
    assert_eq!(unseen_of(&contacts, &p.athlete_a), 2);

    messaging::conversation(&store, &clock, coach, ann, ConversationQuery::default())
        .await
        .unwrap();
    let contacts = messaging::contacts_of(&store, coach).await.unwrap();
    assert_eq!(unseen_of(&contacts, &p.athlete_a), 0);
    assert_eq!(
        unseen_of(&contacts, &p.teammate_a),
        1,
        "another conversation"
    );
    let contacts = messaging::contacts_of(&store, ann).await.unwrap();
    assert_eq!(
        unseen_of(&contacts, &p.coach_a),
        1,
        "the coach's reading is not Ann's"
    );

    // Messages from someone who is not a contact (a former coach, say) are not counted.
    let stray = NewMessage {
        sender: p.coach_b.id,
        recipient: ann,
        content: MessageContent::parse("from before").unwrap(),
        now: NOW,
    };
    store.insert_message(&stray).await.unwrap();
    assert_eq!(
        store.unseen_counts(ann).await.unwrap().len(),
        2,
        "the store counts every sender"
    );
    let contacts = messaging::contacts_of(&store, ann).await.unwrap();
    assert_eq!(contacts.len(), 1);
    assert_eq!(unseen_of(&contacts, &p.coach_a), 1);
    assert!(
        messaging::contacts_of(&store, p.lone.id)
            .await
            .unwrap()
            .is_empty()
    );
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
                messaging::conversation(&store, &clock, me, other, ConversationQuery::default())
                    .await
                    .map(drop)
            ),
            "{me} lists {other}"
        );
        for id in [kept.id, elsewhere.id] {
            assert!(
                refused(
                    messaging::read_message(&store, &clock, me, other, id)
                        .await
                        .map(drop)
                ),
                "{me} reads {other}"
            );
        }
    }
    // A contact's message id in another conversation is not in this one.
    let err = messaging::read_message(&store, &clock, p.coach_a.id, p.teammate_a.id, kept.id)
        .await
        .unwrap_err();
    assert!(matches!(err, MessagingError::NoSuchMessage), "{err}");
    let err = messaging::read_message(&store, &clock, p.coach_a.id, p.athlete_a.id, elsewhere.id)
        .await
        .unwrap_err();
    assert!(matches!(err, MessagingError::NoSuchMessage), "{err}");
    let err = messaging::read_message(
        &store,
        &clock,
        p.coach_a.id,
        p.athlete_a.id,
        MessageId(i64::MAX),
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
        messaging::conversation(&store, &clock, coach, athlete, ConversationQuery::default())
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

async fn long_conversations_are_read_backwards_in_pages(db: TestContext) {
    let (store, clock, p) = setup(&db).await;
    let (coach, athlete) = (p.coach_a.id, p.athlete_a.id);
    let mut sent = Vec::new();
    for i in 0..25 {
        let (from, to) = if i % 3 == 0 {
            (athlete, coach)
        } else {
            (coach, athlete)
        };
        sent.push(
            messaging::send(&store, &clock, from, to, &format!("message {i}"))
                .await
                .unwrap()
                .id,
        );
        clock.advance(Duration::seconds(1));
    }
    let page = |before: Option<MessageId>| ConversationQuery { before, limit: 10 };
    let ids =
        |messages: Vec<messaging::Message>| messages.into_iter().map(|m| m.id).collect::<Vec<_>>();

    let latest = messaging::conversation(&store, &clock, athlete, coach, page(None))
        .await
        .unwrap();
    assert_eq!(ids(latest), sent[15..]);
    // Only what was returned is marked seen: 10 of the 16 the coach sent remain unseen.
    let contacts = messaging::contacts_of(&store, athlete).await.unwrap();
    let coach_sent_before_15 = (0..15).filter(|i| i % 3 != 0).count() as u64;
    assert_eq!(unseen_of(&contacts, &p.coach_a), coach_sent_before_15);

    let older = messaging::conversation(&store, &clock, athlete, coach, page(Some(sent[15])))
        .await
        .unwrap();
    assert_eq!(ids(older), sent[5..15]);
    let oldest = messaging::conversation(&store, &clock, athlete, coach, page(Some(sent[5])))
        .await
        .unwrap();
    assert_eq!(ids(oldest), sent[..5]);
    let none = messaging::conversation(&store, &clock, athlete, coach, page(Some(sent[0])))
        .await
        .unwrap();
    assert!(none.is_empty());
    let contacts = messaging::contacts_of(&store, athlete).await.unwrap();
    assert_eq!(unseen_of(&contacts, &p.coach_a), 0);

    // A limit out of bounds is brought within them.
    let one = messaging::conversation(
        &store,
        &clock,
        coach,
        athlete,
        ConversationQuery {
            before: None,
            limit: 0,
        },
    )
    .await
    .unwrap();
    assert_eq!(ids(one), sent[24..]);
    let all = messaging::conversation(
        &store,
        &clock,
        coach,
        athlete,
        ConversationQuery {
            before: None,
            limit: u32::MAX,
        },
    )
    .await
    .unwrap();
    assert_eq!(ids(all), sent);
}

async fn mark_seen_touches_only_the_recipients_unseen_messages(db: TestContext) {
    let (store, clock, p) = setup(&db).await;
    let (coach, athlete) = (p.coach_a.id, p.athlete_a.id);
    let to_athlete = messaging::send(&store, &clock, coach, athlete, "for Ann")
        .await
        .unwrap();
    let to_coach = messaging::send(&store, &clock, athlete, coach, "for the coach")
        .await
        .unwrap();
    let other = messaging::send(&store, &clock, p.coach_b.id, p.athlete_b.id, "for Bob")
        .await
        .unwrap();

    // Ids of messages sent to others are passed over, unknown ids too, in any number.
    let mut ids: Vec<MessageId> = (1_000_000..1_001_200).map(MessageId).collect();
    ids.extend([to_coach.id, other.id, to_athlete.id]);
    let at = NOW + Duration::minutes(7);
    let seen = store.mark_seen(athlete, &ids, at).await.unwrap();
    assert_eq!(seen, vec![(to_athlete.id, at)]);

    // A second reader finds the first time.
    let seen = store
        .mark_seen(athlete, &[to_athlete.id], at + Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(seen, vec![(to_athlete.id, at)]);

    for (a, b, id) in [
        (athlete, coach, to_coach.id),
        (p.athlete_b.id, p.coach_b.id, other.id),
    ] {
        let kept = store.message_between(a, b, id).await.unwrap().unwrap();
        assert_eq!(kept.seen_at, None);
    }
    assert!(store.mark_seen(athlete, &[], at).await.unwrap().is_empty());
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
    )
    .await
    .unwrap();
    assert_eq!(listed.iter().map(|m| m.id).collect::<Vec<_>>(), ids);
    let contacts = messaging::contacts_of(store.as_ref(), athlete)
        .await
        .unwrap();
    assert_eq!(unseen_of(&contacts, &p.coach_a), 12);
}
