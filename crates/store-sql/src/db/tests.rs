//! The SQLite engine's mechanics: binding, reading, and the writes that share a commit.
//! (Both engines run every use case in the conformance suite.)
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use super::lite::Sqlite;
use super::{Arg, Db, DbError, Json, first};
use serde_json::value::RawValue;
use std::time::Duration;
use time::macros::{date, datetime};
use time::{Date, OffsetDateTime};

fn open(dir: &tempfile::TempDir) -> (Sqlite, Db) {
    let lite = Sqlite::open(&dir.path().join("db.sqlite3"), 4, Duration::from_secs(5)).unwrap();
    (lite.clone(), Db::Sqlite(lite))
}

async fn schema(db: &Db) {
    let mut tx = db.begin().await.unwrap();
    tx.execute(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, n INTEGER)",
        &[],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

async fn names(db: &Db) -> Vec<String> {
    db.all("SELECT name FROM t ORDER BY id", &[], first)
        .await
        .unwrap()
}

#[tokio::test]
async fn placeholders_bind_by_number_in_any_order() {
    let dir = tempfile::tempdir().unwrap();
    let (_, db) = open(&dir);
    let row = db
        .one(
            "SELECT $2, $1, $2 + $1",
            &[Arg::from(40_i64), Arg::from(2_i64)],
            |c| Ok((c.get::<i64>()?, c.get::<i64>()?, c.get::<i64>()?)),
        )
        .await
        .unwrap();
    assert_eq!(row, (2, 40, 42));
    let missing = db.one("SELECT $3", &[Arg::from(1_i64)], first::<i64>).await;
    assert!(matches!(missing, Err(DbError::Statement(_))), "{missing:?}");
}

#[tokio::test]
async fn every_type_reads_back_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let (_, db) = open(&dir);
    let at = datetime!(2026-12-05 09:30:01.123456 UTC);
    let day = date!(2026 - 02 - 28);
    let json = RawValue::from_string(r#"{"a":[1,2.5,"x"]}"#.to_owned()).unwrap();
    type Row = (
        i64,
        i32,
        f64,
        bool,
        String,
        Vec<u8>,
        OffsetDateTime,
        Date,
        Json,
        Option<i64>,
    );
    let row: Row = db
        .one(
            "SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10",
            &[
                Arg::from(-7_i64),
                Arg::from(12_i32),
                Arg::from(1.5_f64),
                Arg::from(true),
                Arg::from("tëxt"),
                Arg::from(&b"\x00\x01"[..]),
                Arg::from(at),
                Arg::from(day),
                Arg::from(json.as_ref()),
                Arg::I64(None),
            ],
            |c| {
                Ok((
                    c.get()?,
                    c.get()?,
                    c.get()?,
                    c.get()?,
                    c.get()?,
                    c.get()?,
                    c.get()?,
                    c.get()?,
                    c.get()?,
                    c.get()?,
                ))
            },
        )
        .await
        .unwrap();
    assert_eq!((row.0, row.1, row.2, row.3), (-7, 12, 1.5, true));
    assert_eq!(
        (row.4.as_str(), row.5.as_slice()),
        ("tëxt", &b"\x00\x01"[..])
    );
    assert_eq!((row.6, row.7, row.9), (at, day, None));
    assert_eq!(row.8.0.get(), json.get());
    let wrong = db.one("SELECT 'x'", &[], first::<i64>).await;
    assert!(
        matches!(&wrong, Err(DbError::Decode(why)) if why.starts_with("column 0")),
        "{wrong:?}"
    );
}

#[tokio::test]
async fn a_write_dropped_without_commit_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (_, db) = open(&dir);
    schema(&db).await;
    let mut tx = db.begin().await.unwrap();
    tx.execute("INSERT INTO t (name) VALUES ('dropped')", &[])
        .await
        .unwrap();
    drop(tx);
    db.execute("INSERT INTO t (name) VALUES ('kept')", &[])
        .await
        .unwrap();
    assert_eq!(names(&db).await, ["kept"]);
}

/// Concurrent writes share commits; one that fails undoes itself alone, and every write that
/// was acknowledged is there, read by another connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writes_share_commits_and_fail_alone() {
    let dir = tempfile::tempdir().unwrap();
    // Each COMMIT waits 20 ms, so the writes that queue meanwhile must share the next one.
    let lite = Sqlite::open_with_delay(
        &dir.path().join("db.sqlite3"),
        4,
        Duration::from_secs(5),
        Duration::from_millis(20),
    )
    .unwrap();
    let db = Db::Sqlite(lite.clone());
    schema(&db).await;
    db.execute("INSERT INTO t (name) VALUES ('taken')", &[])
        .await
        .unwrap();
    let before = lite.commits().await;
    let mut tasks = Vec::new();
    for i in 0..200_i64 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            let mut tx = db.begin().await?;
            tx.execute(
                "INSERT INTO t (name, n) VALUES ($1, $2)",
                &[Arg::from(format!("w{i}").as_str()), Arg::from(i)],
            )
            .await?;
            // Every tenth write also tries a name that exists: it fails, and only it.
            if i % 10 == 9 {
                tx.execute("INSERT INTO t (name) VALUES ('taken')", &[])
                    .await?;
            }
            tx.commit().await
        }));
    }
    let mut failed = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(()) => {}
            Err(e) => {
                assert!(e.is_unique_violation(), "{e}");
                failed += 1;
            }
        }
    }
    assert_eq!(failed, 20);
    let stored = names(&db).await;
    assert_eq!(stored.len(), 181);
    for i in 0..200 {
        assert_eq!(
            stored.contains(&format!("w{i}")),
            i % 10 != 9,
            "w{i} in {stored:?}"
        );
    }
    let commits = lite.commits().await - before;
    // 180 writes in at most a few dozen COMMITs of 20 ms each: they were shared.
    assert!(
        (1..=40).contains(&commits),
        "{commits} commits for 180 writes"
    );
}

#[tokio::test]
async fn a_closed_database_refuses_reads_and_writes() {
    let dir = tempfile::tempdir().unwrap();
    let (lite, db) = open(&dir);
    schema(&db).await;
    lite.close().await;
    assert!(db.begin().await.err().unwrap().is_unavailable());
    assert!(db.reader().await.err().unwrap().is_unavailable());
}

#[tokio::test]
async fn a_closed_database_refuses_reads_in_a_read_scope_that_kept_a_reader() {
    let dir = tempfile::tempdir().unwrap();
    let (lite, db) = open(&dir);
    schema(&db).await;
    paceline_domain::read_scope::scoped(async {
        assert!(names(&db).await.is_empty());
        lite.close().await;
        assert!(db.reader().await.err().unwrap().is_unavailable());
    })
    .await;
}

/// A write from another process: a connection of its own, committed at once.
fn write_elsewhere(dir: &tempfile::TempDir, name: &str) {
    let other = rusqlite::Connection::open(dir.path().join("db.sqlite3")).unwrap();
    other
        .execute("INSERT INTO t (name) VALUES (?1)", [name])
        .unwrap();
}

#[tokio::test]
async fn reads_without_a_wait_between_them_share_a_snapshot_in_a_read_scope() {
    let dir = tempfile::tempdir().unwrap();
    let (lite, db) = open(&dir);
    schema(&db).await;
    paceline_domain::read_scope::scoped(async {
        assert!(names(&db).await.is_empty());
        write_elsewhere(&dir, "elsewhere");
        // Same snapshot: the second read does not see what was committed after the first.
        assert!(names(&db).await.is_empty());
        let snapshot = db.snapshot().await.unwrap();
        drop(snapshot);
        assert!(
            names(&db).await.is_empty(),
            "a snapshot in a scope is the scope's"
        );
        // A wait hands the reader back: the next read is a new snapshot.
        tokio::task::yield_now().await;
        assert_eq!(names(&db).await, ["elsewhere"]);
        // The task's own write ends the shared snapshot before it begins.
        db.execute("INSERT INTO t (name) VALUES ('mine')", &[])
            .await
            .unwrap();
        assert_eq!(names(&db).await, ["elsewhere", "mine"]);
    })
    .await;
    // Outside a scope each read is its own snapshot, as before.
    assert_eq!(names(&db).await, ["elsewhere", "mine"]);
    write_elsewhere(&dir, "later");
    assert_eq!(names(&db).await, ["elsewhere", "mine", "later"]);
    // Every reader went back to the pool: all four can be taken at once.
    let readers = [
        lite.reader().await.unwrap(),
        lite.reader().await.unwrap(),
        lite.reader().await.unwrap(),
        lite.reader().await.unwrap(),
    ];
    drop(readers);
}

#[tokio::test]
async fn a_reader_taken_before_a_write_is_not_kept_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let (_, db) = open(&dir);
    schema(&db).await;
    paceline_domain::read_scope::scoped(async {
        let mut reader = db.reader().await.unwrap();
        let before: Vec<String> = reader.all("SELECT name FROM t", &[], first).await.unwrap();
        assert!(before.is_empty());
        let mut tx = db.begin().await.unwrap();
        tx.execute("INSERT INTO t (name) VALUES ('mine')", &[])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        // Handed back after the write, its snapshot from before it is not kept for the
        // next read.
        drop(reader);
        assert_eq!(names(&db).await, ["mine"]);
    })
    .await;
}

#[tokio::test]
async fn a_stored_name_reads_as_its_value_and_an_unknown_one_as_a_decode_error() {
    use paceline_domain::oauth::store::TokenKind;
    let dir = tempfile::tempdir().unwrap();
    let (_, db) = open(&dir);
    schema(&db).await;
    db.execute("INSERT INTO t (name) VALUES ('refresh')", &[])
        .await
        .unwrap();
    let read: Vec<super::Named<TokenKind>> = db
        .reader()
        .await
        .unwrap()
        .all("SELECT name FROM t", &[], first)
        .await
        .unwrap();
    assert!(matches!(
        read.as_slice(),
        [super::Named(TokenKind::Refresh)]
    ));
    db.execute("INSERT INTO t (name) VALUES ('bogus')", &[])
        .await
        .unwrap();
    let refused = db
        .reader()
        .await
        .unwrap()
        .all::<super::Named<TokenKind>>("SELECT name FROM t ORDER BY name", &[], first)
        .await
        .err()
        .expect("an unknown name is refused");
    assert!(
        matches!(&refused, DbError::Decode(why) if why == "column 0: unknown value `bogus`"),
        "{refused:?}"
    );
}
