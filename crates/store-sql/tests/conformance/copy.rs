//! `copy_database`: ids the source handed out and then deleted are never handed out again
//! by the copy, either way; a source that does not exist is refused, not created.

use paceline_domain::SystemClock;
use paceline_domain::accounts::create_organization;
use paceline_store_sql::copy::{CopyError, CopyProgress, copy_database};
use paceline_testkit::{Engine, TestDatabase};

async fn organization(db: &paceline_testkit::TestContext, name: &str) -> i64 {
    let store = db.open().await;
    let id = create_organization(&store, &SystemClock, name)
        .await
        .unwrap()
        .id
        .get();
    store.close().await;
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_rows_id_is_not_handed_out_again_after_a_copy_either_way() {
    let Some(sqlite) = TestDatabase::create(Engine::Sqlite, "copy_sqlite").await else {
        return;
    };
    let Some(postgres) = TestDatabase::create(Engine::Postgres, "copy_postgres").await else {
        sqlite.destroy().await;
        return;
    };
    let Some(back) = TestDatabase::create(Engine::Sqlite, "copy_back").await else {
        return;
    };
    let (source, middle, end) = (&sqlite.context, &postgres.context, &back.context);
    organization(source, "Kept").await;
    let deleted = organization(source, "Deleted").await;
    source
        .run_sql(&format!("DELETE FROM organizations WHERE id = {deleted}"))
        .await;
    let quiet = |_: CopyProgress| {};
    let report = copy_database(&source.database, &middle.database, &quiet)
        .await
        .unwrap();
    assert!(
        report
            .tables
            .iter()
            .any(|(t, rows)| t == "organizations" && *rows == 1)
    );
    let next = organization(middle, "After the copy").await;
    assert!(
        next > deleted,
        "{next} was handed out again (deleted: {deleted})"
    );
    middle
        .run_sql(&format!("DELETE FROM organizations WHERE id = {next}"))
        .await;
    copy_database(&middle.database, &end.database, &quiet)
        .await
        .unwrap();
    let last = organization(end, "After the way back").await;
    assert!(last > next, "{last} was handed out again (deleted: {next})");

    // A mistyped source is refused, and not created.
    let missing = end.dir.join("no-such.sqlite3");
    let refused = copy_database(
        &paceline_store_sql::Database::Sqlite(missing.clone()),
        &middle.database,
        &quiet,
    )
    .await;
    assert!(
        matches!(refused, Err(CopyError::NoSource(_))),
        "{refused:?}"
    );
    assert!(!missing.exists());
    sqlite.destroy().await;
    postgres.destroy().await;
    back.destroy().await;
}
