//! A calendar write with files is one transaction: the record, the files attached to it and
//! the figures of every session they touch, the one they leave included. Shown with a
//! database that fails at a chosen statement: whichever fails, nothing of the write remains.

use crate::files::{activity_count, fit_activity, fit_file, no_detail};
use paceline_domain::FixedClock;
use paceline_domain::calendar::{
    self, CalendarQuery, CalendarStore, Entry, NewSession, RaceValues, Replacement, SessionId,
    SessionValues, TrainingSession, Written,
};
use paceline_domain::coaching::Subject;
use paceline_domain::entities::Membership;
use paceline_domain::files::{FileId, FileStore, KeptFile};
use paceline_store_sql::SqlStore;
use paceline_testkit::{TestContext, on_both_engines};
use std::sync::Arc;
use time::macros::{date, datetime};
use time::{Duration, OffsetDateTime};

on_both_engines!(
    a_file_moved_to_another_session_takes_its_figures_along,
    a_create_that_fails_at_any_statement_leaves_nothing,
    a_replace_that_fails_at_any_statement_leaves_nothing,
    stale_and_refused_writes_attach_nothing,
    deleting_a_file_refigures_its_session_in_the_same_transaction,
    a_file_leaving_a_race_is_part_of_the_write,
    concurrent_writes_swapping_files_keep_every_figure_true,
);

const T0: OffsetDateTime = datetime!(2026-01-17 18:20:00 UTC);

/// An athlete with two recorded rides (an hour and 30 km each) and their files.
async fn athlete_with_rides(store: &SqlStore) -> (Membership, [FileId; 2]) {
    let max = crate::activities::athlete(store, "max@example.com").await;
    let mut files = Vec::new();
    for n in 1..=2 {
        let sha = format!("{n:064x}");
        let (_, file) = store
            .record_file_activity(
                fit_activity(&max, &sha),
                fit_file(&sha, &format!("fit/a/{n}.fit")),
                &no_detail(),
            )
            .await
            .unwrap();
        files.push(file);
    }
    (max, [files[0], files[1]])
}

fn new_session(max: &Membership, token: &str, now: OffsetDateTime) -> NewSession {
    NewSession {
        user_id: max.user_id,
        planned_by: None,
        values: SessionValues::on(date!(2026 - 01 - 17)),
        order_given: false,
        direct_access_token: token.into(),
        now,
    }
}

async fn create_with(
    store: &SqlStore,
    max: &Membership,
    token: &str,
    files: &[FileId],
) -> TrainingSession {
    store
        .create_session(new_session(max, token, T0), files)
        .await
        .unwrap()
        .saved()
        .unwrap()
}

/// Everything a calendar write may change: the athlete's sessions, deleted ones included,
/// and their files with where they are attached.
async fn snapshot(
    store: &SqlStore,
    max: &Membership,
    files: &[FileId],
) -> (Vec<TrainingSession>, Vec<KeptFile>) {
    let everything = CalendarQuery {
        from: date!(2000 - 01 - 01),
        to: date!(2100 - 01 - 01),
        updated_since: Some(datetime!(2000-01-01 0:00 UTC)),
    };
    let sessions = store.list_sessions(max.user_id, everything).await.unwrap();
    let mut kept = Vec::new();
    for file in files {
        kept.push(store.get_file(max.user_id, *file).await.unwrap().unwrap());
    }
    (sessions, kept)
}

async fn session(store: &SqlStore, max: &Membership, id: SessionId) -> TrainingSession {
    store.get_session(max.user_id, id).await.unwrap().unwrap()
}

async fn a_file_moved_to_another_session_takes_its_figures_along(db: TestContext) {
    let store = db.open().await;
    let (max, [ride, _]) = athlete_with_rides(&store).await;
    let first = create_with(&store, &max, "t1", &[ride]).await;
    assert!(first.has_uploaded_training);
    assert_eq!(first.values.log.completed_minutes.total, Some(60));
    assert_eq!(first.values.log.completed_km.bike, Some(30.0));
    assert_eq!(first.values.log.bike_average_power_watts, Some(210));

    let second = create_with(&store, &max, "t2", &[ride]).await;
    assert_eq!(second.values.log.completed_minutes.total, Some(60));
    // The session the file left no longer counts the same training.
    let left = session(&store, &max, first.id).await;
    assert!(!left.has_uploaded_training);
    assert_eq!(left.values.log.completed_minutes.total, None);
    assert_eq!(left.values.log.completed_km.total, None);
    assert_eq!(left.values.log.bike_average_power_watts, None);
    assert!(
        left.updated_at > first.updated_at,
        "a syncing client sees it"
    );
    assert_eq!(
        store
            .get_file(max.user_id, ride)
            .await
            .unwrap()
            .unwrap()
            .attached_to,
        Some(Entry::Session(second.id))
    );
}

/// Each statement of a create with files, made to fail in turn: `(event, table, condition)`,
/// `{left}` standing for the session the file leaves.
const CREATE_FAULTS: &[(&str, &str, &str)] = &[
    ("INSERT", "training_sessions", "1 = 1"),
    ("UPDATE", "activity_files", "1 = 1"),
    ("UPDATE", "training_sessions", "OLD.id <> {left}"),
    ("UPDATE", "training_sessions", "OLD.id = {left}"),
];

/// Each statement of a replacement with files, as [`CREATE_FAULTS`]; `{target}` is the
/// session written, whose feedback the replacement changes.
const REPLACE_FAULTS: &[(&str, &str, &str)] = &[
    (
        "UPDATE",
        "training_sessions",
        "OLD.id = {target} AND OLD.athlete_feedback = ''",
    ),
    ("UPDATE", "activity_files", "1 = 1"),
    (
        "UPDATE",
        "training_sessions",
        "OLD.id = {target} AND OLD.athlete_feedback = 'Two rides'",
    ),
    ("UPDATE", "training_sessions", "OLD.id = {left}"),
];

async fn a_create_that_fails_at_any_statement_leaves_nothing(db: TestContext) {
    let store = db.open().await;
    let (max, [ride, other]) = athlete_with_rides(&store).await;
    let holder = create_with(&store, &max, "t1", &[ride]).await;
    let before = snapshot(&store, &max, &[ride, other]).await;
    for (event, table, when) in CREATE_FAULTS {
        let when = when.replace("{left}", &holder.id.0.to_string());
        db.fail_at(event, table, &when).await;
        let failed = store
            .create_session(
                new_session(&max, "t2", T0 + Duration::hours(1)),
                &[ride, other],
            )
            .await;
        db.heal(table).await;
        assert!(
            format!("{failed:?}").contains("injected failure"),
            "{event} {table} {when}: {failed:?}"
        );
        assert_eq!(
            snapshot(&store, &max, &[ride, other]).await,
            before,
            "failing at {event} {table} {when} left part of the write"
        );
    }
    // Healed, the same write lands whole.
    let created = create_with(&store, &max, "t2", &[ride, other]).await;
    assert_eq!(created.values.log.completed_minutes.total, Some(120));
}

async fn a_replace_that_fails_at_any_statement_leaves_nothing(db: TestContext) {
    let store = db.open().await;
    let (max, [ride, other]) = athlete_with_rides(&store).await;
    let holder = create_with(&store, &max, "t1", &[ride]).await;
    let target = create_with(&store, &max, "t2", &[]).await;
    let before = snapshot(&store, &max, &[ride, other]).await;
    let mut values = target.values.clone();
    values.athlete_feedback = "Two rides".into();
    let change = Replacement {
        user: max.user_id,
        id: target.id,
        seen: target.updated_at,
        values: &values,
        files: &[ride, other],
        now: T0 + Duration::hours(1),
    };
    for (event, table, when) in REPLACE_FAULTS {
        let when = when
            .replace("{left}", &holder.id.0.to_string())
            .replace("{target}", &target.id.0.to_string());
        db.fail_at(event, table, &when).await;
        let failed = store.replace_session(change).await;
        db.heal(table).await;
        assert!(
            format!("{failed:?}").contains("injected failure"),
            "{event} {table} {when}: {failed:?}"
        );
        assert_eq!(
            snapshot(&store, &max, &[ride, other]).await,
            before,
            "failing at {event} {table} {when} left part of the write"
        );
    }
    let saved = store
        .replace_session(change)
        .await
        .unwrap()
        .saved()
        .unwrap();
    assert_eq!(saved.values.athlete_feedback, "Two rides");
    assert_eq!(saved.values.log.completed_minutes.total, Some(120));
    assert_eq!(
        session(&store, &max, holder.id)
            .await
            .values
            .log
            .completed_minutes
            .total,
        None
    );
}

async fn stale_and_refused_writes_attach_nothing(db: TestContext) {
    let store = db.open().await;
    let (max, [ride, other]) = athlete_with_rides(&store).await;
    let eve = crate::activities::athlete(&store, "eve@example.com").await;
    let sha = format!("{:064x}", 9);
    let (_, eves) = store
        .record_file_activity(
            fit_activity(&eve, &sha),
            fit_file(&sha, "fit/e/9.fit"),
            &no_detail(),
        )
        .await
        .unwrap();
    let target = create_with(&store, &max, "t1", &[]).await;
    let before = snapshot(&store, &max, &[ride, other]).await;
    // A writer who read an older version: refused, nothing attached.
    let stale = store
        .replace_session(Replacement {
            user: max.user_id,
            id: target.id,
            seen: target.updated_at - Duration::seconds(1),
            values: &target.values,
            files: &[ride],
            now: T0 + Duration::hours(1),
        })
        .await
        .unwrap();
    assert_eq!(stale, Written::Stale);
    assert_eq!(snapshot(&store, &max, &[ride, other]).await, before);
    // Another athlete's file: refused by name, nothing written, the record included.
    let mut values = target.values.clone();
    values.intensity = Some(5);
    let refused = store
        .replace_session(Replacement {
            user: max.user_id,
            id: target.id,
            seen: target.updated_at,
            values: &values,
            files: &[ride, eves],
            now: T0 + Duration::hours(1),
        })
        .await
        .unwrap();
    assert_eq!(refused, Written::UnknownFiles(vec![eves]));
    assert_eq!(snapshot(&store, &max, &[ride, other]).await, before);
    let refused = store
        .create_session(new_session(&max, "t2", T0), &[other, eves])
        .await
        .unwrap();
    assert_eq!(refused, Written::UnknownFiles(vec![eves]));
    assert_eq!(snapshot(&store, &max, &[ride, other]).await, before);
}

async fn deleting_a_file_refigures_its_session_in_the_same_transaction(db: TestContext) {
    let store = db.open().await;
    let (max, [ride, other]) = athlete_with_rides(&store).await;
    let brick = create_with(&store, &max, "t1", &[ride, other]).await;
    assert_eq!(brick.values.log.completed_minutes.total, Some(120));
    let before = snapshot(&store, &max, &[ride, other]).await;
    let later = T0 + Duration::hours(1);
    db.fail_at("UPDATE", "training_sessions", "1 = 1").await;
    let failed = store.delete_file(max.user_id, ride, later).await;
    db.heal("training_sessions").await;
    assert!(
        format!("{failed:?}").contains("injected failure"),
        "{failed:?}"
    );
    assert_eq!(snapshot(&store, &max, &[ride, other]).await, before);
    assert_eq!(
        activity_count(&store, &max).await,
        2,
        "the activity stays with its file"
    );

    store
        .delete_file(max.user_id, ride, later)
        .await
        .unwrap()
        .unwrap();
    let after = session(&store, &max, brick.id).await;
    assert_eq!(after.values.log.completed_minutes.total, Some(60));
    assert!(after.has_uploaded_training);
    assert!(after.updated_at > brick.updated_at);
}

async fn a_file_leaving_a_race_is_part_of_the_write(db: TestContext) {
    let store = db.open().await;
    let (max, [ride, other]) = athlete_with_rides(&store).await;
    let race = store
        .create_race(
            max.user_id,
            &RaceValues::on(date!(2026 - 01 - 17)),
            &[ride],
            T0,
        )
        .await
        .unwrap()
        .saved()
        .unwrap();
    assert!(race.has_uploaded_training);
    let before = snapshot(&store, &max, &[ride, other]).await;
    let race_before = store.get_race(max.user_id, race.id).await.unwrap();
    // The race the file leaves moves forward in the same transaction.
    db.fail_at("UPDATE", "races", "1 = 1").await;
    let failed = store
        .create_session(new_session(&max, "t1", T0 + Duration::hours(1)), &[ride])
        .await;
    db.heal("races").await;
    assert!(
        format!("{failed:?}").contains("injected failure"),
        "{failed:?}"
    );
    assert_eq!(snapshot(&store, &max, &[ride, other]).await, before);
    assert_eq!(
        store.get_race(max.user_id, race.id).await.unwrap(),
        race_before
    );

    let session = store
        .create_session(new_session(&max, "t1", T0 + Duration::hours(1)), &[ride])
        .await
        .unwrap()
        .saved()
        .unwrap();
    assert_eq!(session.values.log.completed_minutes.total, Some(60));
    let left = store.get_race(max.user_id, race.id).await.unwrap().unwrap();
    assert!(!left.has_uploaded_training);
    assert!(left.updated_at > race.updated_at);
}

/// Two writers moving files the other way between the same sessions, many times at once:
/// every write lands (none deadlocks), and each session's figures are those of the files it
/// holds at the end.
async fn concurrent_writes_swapping_files_keep_every_figure_true(db: TestContext) {
    let store = Arc::new(db.open().await);
    let (max, [first, second]) = athlete_with_rides(&store).await;
    let a = create_with(&store, &max, "t1", &[first]).await;
    let b = create_with(&store, &max, "t2", &[second]).await;
    let mut writers = Vec::new();
    for round in 0..8 {
        for (to, file) in [(a.id, second), (b.id, first), (a.id, first), (b.id, second)] {
            let store = store.clone();
            let subject = Subject::own(max.user_id);
            writers.push(tokio::spawn(async move {
                let clock = FixedClock::new(T0 + Duration::minutes(round));
                calendar::edit(
                    store.as_ref(),
                    &clock,
                    &subject,
                    to,
                    &[file],
                    |current: &TrainingSession| Ok::<_, ()>(current.values.clone()),
                )
                .await
            }));
        }
    }
    for writer in writers {
        match writer.await.unwrap() {
            Ok(_) | Err(calendar::EditError::Contended) => {}
            Err(e) => panic!("{e:?}"),
        }
    }
    let mut holders = Vec::new();
    for file in [first, second] {
        let kept = store.get_file(max.user_id, file).await.unwrap().unwrap();
        holders.push(kept.attached_to);
    }
    for id in [a.id, b.id] {
        let held = holders
            .iter()
            .filter(|holder| **holder == Some(Entry::Session(id)))
            .count();
        let minutes = session(&store, &max, id)
            .await
            .values
            .log
            .completed_minutes
            .total;
        let expected = (held > 0).then(|| 60 * i32::try_from(held).unwrap());
        assert_eq!(minutes, expected, "session {id:?} holds {held} files");
    }
}
