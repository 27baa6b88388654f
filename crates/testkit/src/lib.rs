//! Test support shared by the crates' test suites: a fresh, empty database per test, on
//! SQLite (a temporary file) and on PostgreSQL (a schema of its own in the server named by
//! `PACELINE_TEST_POSTGRES_URL`, default `postgres://postgres@127.0.0.1:5432/test`),
//! dropped when the test ends, whether it passed or not.
//!
//! Without a reachable PostgreSQL the PostgreSQL half of each test says loudly that it was
//! skipped, unless `PACELINE_TEST_REQUIRE_POSTGRES=1` (as in CI), which makes it fail.
//! Test-only: this crate may use sqlx directly to create and drop schemas.
#![allow(clippy::print_stderr, clippy::expect_used, clippy::panic)]

pub mod api;
pub mod browser;
pub mod s3;
use futures::FutureExt;
use paceline_store_sql::{Database, OpenOptions, SqlStore};
use rand::Rng;
use sqlx::Connection;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tempfile::TempDir;

/// The engines every storage test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// A SQLite file in a temporary folder.
    Sqlite,
    /// A fresh schema on the test PostgreSQL server.
    Postgres,
}

const SCHEMA_PREFIX: &str = "pl_test_";
/// Schemas left behind by killed test runs are dropped once they are this old.
const STALE_AFTER: Duration = Duration::from_secs(6 * 3600);

/// A fresh database for one test; dropped by [`TestDatabase::destroy`].
#[derive(Debug)]
pub struct TestDatabase {
    /// What the test sees.
    pub context: TestContext,
    /// The temporary folder of this test: holds the SQLite file; free for other files.
    _dir: TempDir,
    schema: Option<String>,
}

/// What a test is given: where its database is, and a folder of its own.
#[derive(Debug, Clone)]
pub struct TestContext {
    /// The engine.
    pub engine: Engine,
    /// Where the database is.
    pub database: Database,
    /// The same as a URL, for a server or command spawned by the test.
    pub url: String,
    /// A temporary folder for this test alone (the SQLite file lives there).
    pub dir: PathBuf,
}

/// The PostgreSQL server tests use.
pub fn postgres_admin_url() -> String {
    std::env::var("PACELINE_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

fn postgres_required() -> bool {
    std::env::var("PACELINE_TEST_REQUIRE_POSTGRES").is_ok_and(|v| v == "1" || v == "true")
}

impl TestDatabase {
    /// Creates an empty database; `None` when PostgreSQL is unreachable and not required
    /// (after printing which test was skipped).
    pub async fn create(engine: Engine, test: &str) -> Option<Self> {
        let dir = tempfile::Builder::new()
            .prefix("paceline-test-")
            .tempdir()
            .expect("temporary folder");
        match engine {
            Engine::Sqlite => {
                let path = dir.path().join("paceline.sqlite3");
                let url = format!("sqlite://{}", path.display());
                let context = TestContext {
                    engine,
                    database: Database::Sqlite(path),
                    url,
                    dir: dir.path().to_owned(),
                };
                Some(Self {
                    context,
                    _dir: dir,
                    schema: None,
                })
            }
            Engine::Postgres => {
                let admin = postgres_admin_url();
                let mut conn = match sqlx::PgConnection::connect(&admin).await {
                    Ok(conn) => conn,
                    Err(e) if !postgres_required() => {
                        paceline_testdata::skipped(
                            &format!("{test} on PostgreSQL"),
                            &format!(
                                "cannot reach PostgreSQL at {admin} ({e}); set \
                                 PACELINE_TEST_POSTGRES_URL, or PACELINE_TEST_REQUIRE_POSTGRES=1 \
                                 to fail instead"
                            ),
                        );
                        return None;
                    }
                    Err(e) => panic!("PostgreSQL is required but unreachable at {admin}: {e}"),
                };
                drop_stale_schemas(&mut conn).await;
                let now = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap_or_default();
                let schema = format!(
                    "{SCHEMA_PREFIX}{}_{:016x}",
                    now.as_secs(),
                    rand::rng().random::<u64>()
                );
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                    .execute(&mut conn)
                    .await
                    .expect("create test schema");
                let _ = conn.close().await;
                let separator = if admin.contains('?') { '&' } else { '?' };
                let url = format!("{admin}{separator}options[search_path]={schema}");
                let context = TestContext {
                    engine,
                    database: Database::Postgres(url.clone()),
                    url,
                    dir: dir.path().to_owned(),
                };
                Some(Self {
                    context,
                    _dir: dir,
                    schema: Some(schema),
                })
            }
        }
    }

    /// Drops the PostgreSQL schema; the SQLite file goes with the temporary folder.
    pub async fn destroy(self) {
        if let Some(schema) = &self.schema {
            let mut conn = sqlx::PgConnection::connect(&postgres_admin_url())
                .await
                .expect("reconnect to drop the test schema");
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
                .execute(&mut conn)
                .await
                .expect("drop test schema");
            let _ = conn.close().await;
        }
    }
}

async fn drop_stale_schemas(conn: &mut sqlx::PgConnection) {
    let Ok(names) = sqlx::query_scalar::<_, String>(
        "SELECT nspname::TEXT FROM pg_namespace WHERE nspname LIKE 'pl\\_test\\_%'",
    )
    .fetch_all(&mut *conn)
    .await
    else {
        return;
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    for name in names {
        let created = name
            .strip_prefix(SCHEMA_PREFIX)
            .and_then(|rest| rest.split('_').next())
            .and_then(|secs| secs.parse::<u64>().ok());
        if created.is_some_and(|secs| now.as_secs().saturating_sub(secs) > STALE_AFTER.as_secs()) {
            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "DROP SCHEMA IF EXISTS {name} CASCADE"
            )))
            .execute(&mut *conn)
            .await;
        }
    }
}

impl TestContext {
    /// Makes the database refuse every `event` (`INSERT`, `UPDATE` or `DELETE`) on `table`
    /// for rows matching `when` (a condition on `NEW` or `OLD`), with an error, until
    /// [`TestContext::heal`]: a store that fails at a chosen statement, to show that a use
    /// case is one transaction. A trigger does it, created in this test's database only.
    pub async fn fail_at(&self, event: &str, table: &str, when: &str) {
        let statements = match self.engine {
            Engine::Sqlite => vec![format!(
                "CREATE TRIGGER injected_failure BEFORE {event} ON {table} WHEN {when} \
                 BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
            )],
            Engine::Postgres => vec![
                "CREATE FUNCTION injected_failure() RETURNS trigger LANGUAGE plpgsql AS \
                 $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$"
                    .to_owned(),
                format!(
                    "CREATE TRIGGER injected_failure BEFORE {event} ON {table} FOR EACH ROW \
                     WHEN ({when}) EXECUTE FUNCTION injected_failure()"
                ),
            ],
        };
        self.execute(statements).await;
    }

    /// Removes the failure [`TestContext::fail_at`] injected.
    pub async fn heal(&self, table: &str) {
        let statements = match self.engine {
            Engine::Sqlite => vec!["DROP TRIGGER injected_failure".to_owned()],
            Engine::Postgres => vec![
                format!("DROP TRIGGER injected_failure ON {table}"),
                "DROP FUNCTION injected_failure()".to_owned(),
            ],
        };
        self.execute(statements).await;
    }

    /// Runs one statement on this database over a connection of its own: a test setting up
    /// a state the store's own methods never leave (an installation from an older version).
    pub async fn run_sql(&self, sql: &str) {
        self.execute(vec![sql.to_owned()]).await;
    }

    /// Runs statements on this database over a connection of their own.
    async fn execute(&self, statements: Vec<String>) {
        match &self.database {
            Database::Sqlite(path) => {
                let url = format!("sqlite://{}", path.display());
                let mut conn = sqlx::SqliteConnection::connect(&url)
                    .await
                    .expect("connect to the test database");
                for sql in statements {
                    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                        .execute(&mut conn)
                        .await
                        .expect("run a test statement");
                }
                let _ = conn.close().await;
            }
            Database::Postgres(url) => {
                let mut conn = sqlx::PgConnection::connect(url)
                    .await
                    .expect("connect to the test database");
                for sql in statements {
                    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                        .execute(&mut conn)
                        .await
                        .expect("run a test statement");
                }
                let _ = conn.close().await;
            }
        }
    }

    /// Opens the store on this database, applying migrations.
    pub async fn open(&self) -> SqlStore {
        SqlStore::open(
            &self.database,
            &OpenOptions {
                max_connections: 8,
                ..OpenOptions::default()
            },
        )
        .await
        .expect("open test store")
    }
}

/// Runs `test` against a fresh database of `engine` and drops the database afterwards,
/// also when the test panics (the panic then continues).
pub async fn with_database<F, Fut>(engine: Engine, test: &str, body: F)
where
    F: FnOnce(TestContext) -> Fut,
    Fut: Future<Output = ()>,
{
    let Some(db) = TestDatabase::create(engine, test).await else {
        return;
    };
    let outcome = AssertUnwindSafe(body(db.context.clone()))
        .catch_unwind()
        .await;
    db.destroy().await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

/// Declares each listed `async fn name(db: TestContext)` as two tests, `sqlite::name`
/// and `postgres::name`, each on a fresh database.
#[macro_export]
macro_rules! on_both_engines {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::with_database($crate::Engine::Sqlite, stringify!($name), |db| super::$name(db)).await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::with_database($crate::Engine::Postgres, stringify!($name), |db| super::$name(db)).await;
                }
            )+
        }
    };
}

/// Declares each listed `async fn name(db: TestContext)` as one test on a fresh PostgreSQL
/// database, for what only a shared server can show (several processes on one database).
#[macro_export]
macro_rules! on_postgres {
    ($($name:ident),+ $(,)?) => {
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::with_database($crate::Engine::Postgres, stringify!($name), |db| super::$name(db)).await;
                }
            )+
        }
    };
}
