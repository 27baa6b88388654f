//! Engine-specific settings that the rest of the product relies on.

use paceline_domain::Store;
use paceline_testkit::{Engine, with_database};

/// SQLite must run in WAL mode with full synchronous commits (no committed write lost on
/// a crash) and enforce foreign keys, on every pooled connection.
#[tokio::test]
async fn sqlite_is_durable_and_enforces_foreign_keys() {
    with_database(
        Engine::Sqlite,
        "sqlite_is_durable_and_enforces_foreign_keys",
        |db| async move {
            let store = db.open().await;
            for _ in 0..4 {
                assert_eq!(
                    store
                        .query_scalar_text("PRAGMA journal_mode")
                        .await
                        .unwrap(),
                    "wal"
                );
                assert_eq!(
                    store.query_scalar_i64("PRAGMA synchronous").await.unwrap(),
                    2,
                    "FULL"
                );
                assert_eq!(
                    store.query_scalar_i64("PRAGMA foreign_keys").await.unwrap(),
                    1
                );
            }
            assert_eq!(store.backend(), "sqlite");
            store.ping().await.unwrap();
        },
    )
    .await;
}

#[tokio::test]
async fn postgres_answers() {
    with_database(Engine::Postgres, "postgres_answers", |db| async move {
        let store = db.open().await;
        assert_eq!(store.backend(), "postgres");
        store.ping().await.unwrap();
    })
    .await;
}
