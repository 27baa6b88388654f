use paceline_store_sql::SqlStore;
use paceline_testkit::{Engine, TestContext, TestDatabase, on_both_engines};
use std::collections::BTreeSet;
use std::path::Path;

on_both_engines!(migrations_apply_once_and_again);

/// Both engines hold the same tables with the same columns.
#[tokio::test]
async fn both_engines_have_the_same_schema() {
    let Some(sqlite) =
        TestDatabase::create(Engine::Sqlite, "both_engines_have_the_same_schema").await
    else {
        unreachable!("SQLite is always available")
    };
    let Some(postgres) =
        TestDatabase::create(Engine::Postgres, "both_engines_have_the_same_schema").await
    else {
        sqlite.destroy().await;
        return;
    };
    let lite = sqlite.context.open().await.schema_columns().await.unwrap();
    let pg = postgres
        .context
        .open()
        .await
        .schema_columns()
        .await
        .unwrap();
    sqlite.destroy().await;
    postgres.destroy().await;
    assert!(
        lite.len() > 250,
        "the whole product's schema: {} columns",
        lite.len()
    );
    assert_eq!(lite, pg);
}

/// Each engine's migrations folder has the same file names.
#[test]
fn migration_files_pair_up() {
    let names = |engine: &str| -> BTreeSet<String> {
        // Cargo names the crate at run time (a shared build cache may hold a binary built in
        // another checkout).
        let crate_dir = std::env::var_os("CARGO_MANIFEST_DIR").expect("run by cargo");
        let dir = Path::new(&crate_dir).join("migrations").join(engine);
        std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    };
    assert!(!names("sqlite").is_empty());
    assert_eq!(names("sqlite"), names("postgres"));
}

async fn migrations_apply_once_and_again(db: TestContext) {
    let first: SqlStore = db.open().await;
    let applied = first
        .query_scalar_i64("SELECT COUNT(*) FROM _sqlx_migrations")
        .await
        .unwrap();
    first.close().await;
    let second = db.open().await;
    second.migrate().await.unwrap();
    let again = second
        .query_scalar_i64("SELECT COUNT(*) FROM _sqlx_migrations")
        .await
        .unwrap();
    assert_eq!(applied, again);
    assert!(applied >= 1);
}
