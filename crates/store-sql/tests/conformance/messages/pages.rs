//! Long conversations, read backwards in pages.

use super::{setup, unseen_of};
use paceline_domain::messaging::Reading;
use paceline_domain::messaging::{self, ConversationQuery, MessageId};
use paceline_testkit::{TestContext, on_both_engines};
use time::Duration;

on_both_engines!(long_conversations_are_read_backwards_in_pages,);

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

    let latest =
        messaging::conversation(&store, &clock, athlete, coach, page(None), Reading::Marks)
            .await
            .unwrap();
    assert_eq!(ids(latest), sent[15..]);
    // Only what was returned is marked seen: 10 of the 16 the coach sent remain unseen.
    let contacts = messaging::contacts_of(&store, athlete).await.unwrap();
    let coach_sent_before_15 = (0..15).filter(|i| i % 3 != 0).count() as u64;
    assert_eq!(unseen_of(&contacts, &p.coach_a), coach_sent_before_15);

    let older = messaging::conversation(
        &store,
        &clock,
        athlete,
        coach,
        page(Some(sent[15])),
        Reading::Marks,
    )
    .await
    .unwrap();
    assert_eq!(ids(older), sent[5..15]);
    let oldest = messaging::conversation(
        &store,
        &clock,
        athlete,
        coach,
        page(Some(sent[5])),
        Reading::Marks,
    )
    .await
    .unwrap();
    assert_eq!(ids(oldest), sent[..5]);
    let none = messaging::conversation(
        &store,
        &clock,
        athlete,
        coach,
        page(Some(sent[0])),
        Reading::Marks,
    )
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
        Reading::Marks,
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
        Reading::Marks,
    )
    .await
    .unwrap();
    assert_eq!(ids(all), sent);
}
