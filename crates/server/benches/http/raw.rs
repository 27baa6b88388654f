//! [`Raw`], a connection pool beside the store's for what the store does not offer: seeding
//! activities in bulk, counting rows, showing a plan.

use paceline_store_sql::Database;
use sqlx::postgres::PgPool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use std::time::Duration;

/// A connection pool beside the store's, for what the store does not offer: seeding rows in
/// bulk, counting them, showing a plan.
pub(crate) enum Raw {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Running activities, one every 10 minutes back from now: `$1` user, `$2` membership,
/// `$3` how many, and on SQLite `$4` now in microseconds.
const SEED_SQLITE: &str = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n \
     WHERE i < $3) INSERT INTO activities (user_id, membership_id, source, source_name, type, \
     title, started_at, duration_sec, distance_m, avg_hr, calories, created_at, updated_at) \
     SELECT $1, $2, 'EXTERNAL', 'bench-app', 'RUN', 'Run ' || i, $4 - i * 600000000, 3600.0, \
     10000.0 + i % 1000, 140 + i % 20, 700, $4, $4 FROM n";
const SEED_POSTGRES: &str = "INSERT INTO activities (user_id, membership_id, source, \
     source_name, type, title, started_at, duration_sec, distance_m, avg_hr, calories, \
     created_at, updated_at) SELECT $1, $2, 'EXTERNAL', 'bench-app', 'RUN', 'Run ' || i, \
     now() - i * interval '10 minutes', 3600.0, 10000.0 + i % 1000, 140 + i % 20, 700, now(), \
     now() FROM generate_series(1, $3::BIGINT) AS s(i)";
/// The query of `list_activities` (crates/store-sql/src/activities.rs) for a first page of 30.
const FIRST_PAGE: &str = "SELECT a.id, a.user_id, a.membership_id, m.organization_id, \
     a.source, a.source_name, a.type, a.title, a.started_at, a.timezone, a.duration_sec, \
     a.distance_m, a.elevation_gain_m, a.avg_hr, a.max_hr, a.avg_power, a.calories, a.rpe, \
     a.load_score, a.notes, a.created_at, a.updated_at \
     FROM activities a JOIN memberships m ON m.id = a.membership_id \
     WHERE a.user_id = $1 AND a.deleted_at IS NULL \
     ORDER BY a.started_at DESC, a.id DESC LIMIT 31 OFFSET 0";

impl Raw {
    pub(crate) async fn open(database: &Database) -> Self {
        match database {
            Database::Sqlite(path) => Self::Sqlite(
                SqlitePoolOptions::new()
                    .max_connections(1)
                    .connect_with(
                        SqliteConnectOptions::new()
                            .filename(path)
                            .journal_mode(SqliteJournalMode::Wal)
                            .busy_timeout(Duration::from_secs(30)),
                    )
                    .await
                    .unwrap(),
            ),
            Database::Postgres(url) => Self::Postgres(PgPool::connect(url).await.unwrap()),
        }
    }

    /// Inserts `count` activities of `user` in one statement.
    pub(crate) async fn seed_activities(&self, user: i64, membership: i64, count: i64) {
        match self {
            Self::Sqlite(pool) => {
                let now = (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1000) as i64;
                sqlx::query(SEED_SQLITE)
                    .bind(user)
                    .bind(membership)
                    .bind(count)
                    .bind(now)
                    .execute(pool)
                    .await
                    .unwrap();
            }
            Self::Postgres(pool) => {
                sqlx::query(SEED_POSTGRES)
                    .bind(user)
                    .bind(membership)
                    .bind(count)
                    .execute(pool)
                    .await
                    .unwrap();
            }
        }
    }

    /// Refreshes the planner's statistics after a bulk insert.
    pub(crate) async fn analyze(&self) {
        match self {
            Self::Sqlite(pool) => {
                sqlx::query("ANALYZE").execute(pool).await.unwrap();
            }
            Self::Postgres(pool) => {
                sqlx::query("ANALYZE activities")
                    .execute(pool)
                    .await
                    .unwrap();
            }
        }
    }

    pub(crate) async fn count(&self, sql: &'static str) -> i64 {
        match self {
            Self::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
            Self::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
        }
    }

    /// The plan of the first page of `user`'s activities: SQLite's `EXPLAIN QUERY PLAN`,
    /// PostgreSQL's `EXPLAIN (ANALYZE, BUFFERS)`.
    pub(crate) async fn explain(&self, user: i64) -> Vec<String> {
        match self {
            Self::Sqlite(pool) => sqlx::query_as::<_, (i64, i64, i64, String)>(
                sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {FIRST_PAGE}")),
            )
            .bind(user)
            .fetch_all(pool)
            .await
            .unwrap()
            .into_iter()
            .map(|row| row.3)
            .collect(),
            Self::Postgres(pool) => sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(format!(
                "EXPLAIN (ANALYZE, BUFFERS) {FIRST_PAGE}"
            )))
            .bind(user)
            .fetch_all(pool)
            .await
            .unwrap(),
        }
    }

    pub(crate) async fn close(&self) {
        match self {
            Self::Sqlite(pool) => pool.close().await,
            Self::Postgres(pool) => pool.close().await,
        }
    }
}
