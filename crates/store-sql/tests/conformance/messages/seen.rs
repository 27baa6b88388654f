//! Seen times and unseen counts: reading as the recipient marks messages seen once, and
//! counts go down as the recipient reads.

use super::{NOW, setup, unseen_of};
use paceline_domain::messaging::Reading;
use paceline_domain::messaging::{
    self, ConversationQuery, MessageContent, MessageId, MessageStore, NewMessage,
};
use paceline_testkit::{TestContext, on_both_engines};
use time::Duration;

on_both_engines!(
    reading_as_the_recipient_marks_messages_seen_once,
    unseen_counts_go_down_as_the_recipient_reads,
    mark_seen_touches_only_the_recipients_unseen_messages,
    peeking_marks_nothing,
);

/// A read that shows no message (an HTTP `HEAD`) leaves every message unseen.
async fn peeking_marks_nothing(db: TestContext) {
    let (store, clock, p) = setup(&db).await;
    let (coach, athlete) = (p.coach_a.id, p.athlete_a.id);
    let sent = messaging::send(&store, &clock, coach, athlete, "one")
        .await
        .unwrap();
    let query = ConversationQuery::default();
    let peeked = messaging::conversation(&store, &clock, athlete, coach, query, Reading::Peeks)
        .await
        .unwrap();
    assert_eq!(peeked[0].seen_at, None);
    let one = messaging::read_message(&store, &clock, athlete, coach, sent.id, Reading::Peeks)
        .await
        .unwrap();
    assert_eq!(one.seen_at, None);
    let contacts = messaging::contacts_of(&store, athlete).await.unwrap();
    assert_eq!(unseen_of(&contacts, &p.coach_a), 1);
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
    let read = messaging::conversation(
        &store,
        &clock,
        coach,
        athlete,
        ConversationQuery::default(),
        Reading::Marks,
    )
    .await
    .unwrap();
    assert!(read[..2].iter().all(|m| m.seen_at.is_none()), "{read:?}");
    let own = messaging::read_message(&store, &clock, coach, athlete, first.id, Reading::Marks)
        .await
        .unwrap();
    assert_eq!(own.seen_at, None);
    // ...but it is the coach who received `answer`: that one is seen now.
    let seen_by_coach = NOW + Duration::minutes(1);
    assert_eq!(read[2].seen_at, Some(seen_by_coach));

    // The recipient fetching one message marks that one.
    clock.advance(Duration::minutes(1));
    let got = messaging::read_message(&store, &clock, athlete, coach, first.id, Reading::Marks)
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
    let listed = messaging::conversation(
        &store,
        &clock,
        athlete,
        coach,
        ConversationQuery::default(),
        Reading::Marks,
    )
    .await
    .unwrap();
    assert_eq!(listed[0].id, first.id);
    assert_eq!(listed[0].seen_at, Some(first_seen));
    assert_eq!(listed[1].id, second.id);
    assert_eq!(listed[1].seen_at, Some(NOW + Duration::minutes(3)));
    assert_eq!(listed[2].id, answer.id);
    assert_eq!(listed[2].seen_at, Some(seen_by_coach));

    clock.advance(Duration::hours(1));
    let again = messaging::read_message(&store, &clock, athlete, coach, second.id, Reading::Marks)
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

    messaging::read_message(&store, &clock, coach, ann, to_coach[1].id, Reading::Marks)
        .await
        .unwrap();
    let contacts = messaging::contacts_of(&store, coach).await.unwrap();
    assert_eq!(unseen_of(&contacts, &p.athlete_a), 2);

    messaging::conversation(
        &store,
        &clock,
        coach,
        ann,
        ConversationQuery::default(),
        Reading::Marks,
    )
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
