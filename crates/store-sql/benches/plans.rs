//! Query plans at size: 10,000,000 activities (a tenth of them with a file) and 1,000,000
//! training sessions, 10,000 athletes, one of them with a hundred times the others'
//! history (1,000,000 activities), on SQLite and on PostgreSQL;
//! every list and sync query of both surfaces, run through the store as the API runs it,
//! is shown with its engine's plan and checked to read no table whole and to do work
//! bounded by its page (or, for a sync, by the changes it returns), not by the table.
//! Every record is seeded as last changed when it happened, as an athlete's history is.
//!
//!     cargo bench -p paceline-store-sql --bench plans
//!
//! `PACELINE_PLANS_ACTIVITIES` sets the size (sessions are a tenth of it);
//! `PACELINE_BENCH_DATABASE_URL` the PostgreSQL server's database to fill (default
//! `postgres://postgres@127.0.0.1:5432/paceline_plans`, created if missing and emptied);
//! `PACELINE_PLANS_ENGINES=sqlite` or `=postgres` one engine only. Exits non-zero when a
//! query reads a table whole or works past its bound.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr,
    missing_docs
)]

use paceline_domain::Store;
use paceline_domain::activities::ActivityStore;
use paceline_domain::calendar::CalendarQuery;
use paceline_domain::calendar::CalendarStore;
use paceline_domain::daily::DailyStore;
use paceline_domain::ids::UserId;
use paceline_domain::listing::RecordQuery;
use paceline_store_sql::plans::{Plan, capture};
use paceline_store_sql::{Database, OpenOptions, SqlStore};
use sqlx::Connection;
use std::future::Future;
use std::time::Instant;
use time::{Duration, OffsetDateTime};

const ATHLETES: i64 = 10_000;
/// The heavy athlete: a tenth of all activities.
const HEAVY: i64 = 1;
/// The most work a page may take: rows on PostgreSQL, VM steps on SQLite (a page of 30
/// rows of 20 columns and its index look-ups take a few thousand).
const BOUND_ROWS: u64 = 2_000;
const BOUND_STEPS: u64 = 60_000;
/// The common table expressions and subqueries the store's statements name (read whole by
/// design: they hold a page, a sync's changes or a bounded count).
const CTES: [&str; 4] = ["changed", "page", "p", "bounded"];
/// Tables whose whole reading would grow with the installation.
const LARGE: [&str; 5] = [
    "activities",
    "training_sessions",
    "users",
    "memberships",
    "activity_files",
];

fn seed_sqlite(path: &std::path::Path, activities: i64) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.pragma_update(None, "synchronous", "OFF").unwrap();
    let now = OffsetDateTime::now_utc().unix_timestamp() * 1_000_000;
    let others = activities - activities / 10;
    let sessions = activities / 10;
    let script = format!(
        "BEGIN;
         INSERT INTO organizations (id, name, kind, created_at, updated_at)
           VALUES (1, 'Plans', 'team', {now}, {now});
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {ATHLETES})
           INSERT INTO users (id, email, password_hash, name, distance_unit, pool_unit,
             created_at, updated_at)
           SELECT i, 'athlete' || i || '@plans.example', 'x', 'Athlete ' || i, 'kilometers',
             'meters', {now}, {now} FROM n;
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {ATHLETES})
           INSERT INTO memberships (id, organization_id, user_id, role, created_at)
           SELECT i, 1, i, 'athlete', {now} FROM n;
         WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {others} - 1)
           INSERT INTO activities (user_id, membership_id, source, source_name, type, title,
             started_at, duration_sec, distance_m, avg_hr, calories, created_at, updated_at)
           SELECT 1 + i % {ATHLETES}, 1 + i % {ATHLETES}, 'EXTERNAL', 'bench', 'RUN', 'Run',
             {now} - (i / {ATHLETES}) * 3600000000, 3600.0, 10000.0, 140, 700,
             {now} - (i / {ATHLETES}) * 3600000000, {now} - (i / {ATHLETES}) * 3600000000 FROM n;
         WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n
             WHERE i < {activities} / 10 - 1)
           INSERT INTO activities (user_id, membership_id, source, source_name, type, title,
             started_at, duration_sec, distance_m, avg_hr, calories, created_at, updated_at)
           SELECT {HEAVY}, {HEAVY}, 'EXTERNAL', 'bench', 'RIDE', 'Ride',
             {now} - i * 600000000, 3600.0, 30000.0, 140, 900, {now} - i * 600000000,
             {now} - i * 600000000 FROM n;
         WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {sessions} - 1)
           INSERT INTO training_sessions (user_id, date, position, discipline_id,
             direct_access_token, created_at, updated_at)
           SELECT 1 + i % {ATHLETES}, date('now', '-' || (i / {ATHLETES}) || ' days'), 0, 8,
             'plans' || i, {now} - (i / {ATHLETES}) * 86400000000,
             {now} - (i / {ATHLETES}) * 86400000000 FROM n;
         INSERT INTO activity_files (user_id, activity_id, format, size_bytes, sha256,
             storage_key, created_at)
           SELECT user_id, id, 'fit', 100000, 'h' || id, 'fit/plans/' || id, {now}
           FROM activities WHERE id % 10 = 0;
         COMMIT;
         ANALYZE;"
    );
    conn.execute_batch(&script).unwrap();
}

async fn seed_postgres(url: &str, activities: i64) {
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    let others = activities - activities / 10;
    let sessions = activities / 10;
    let script = format!(
        "INSERT INTO organizations (id, name, kind, created_at, updated_at)
           VALUES (1, 'Plans', 'team', now(), now());
         INSERT INTO users (id, email, password_hash, name, distance_unit, pool_unit,
             created_at, updated_at)
           SELECT i, 'athlete' || i || '@plans.example', 'x', 'Athlete ' || i, 'kilometers',
             'meters', now(), now() FROM generate_series(1, {ATHLETES}) AS s(i);
         INSERT INTO memberships (id, organization_id, user_id, role, created_at)
           SELECT i, 1, i, 'athlete', now() FROM generate_series(1, {ATHLETES}) AS s(i);
         INSERT INTO activities (user_id, membership_id, source, source_name, type, title,
             started_at, duration_sec, distance_m, avg_hr, calories, created_at, updated_at)
           SELECT 1 + i % {ATHLETES}, 1 + i % {ATHLETES}, 'EXTERNAL', 'bench', 'RUN', 'Run',
             now() - (i / {ATHLETES}) * interval '1 hour', 3600.0, 10000.0, 140, 700,
             now() - (i / {ATHLETES}) * interval '1 hour',
             now() - (i / {ATHLETES}) * interval '1 hour'
           FROM generate_series(0, {others} - 1) AS s(i);
         INSERT INTO activities (user_id, membership_id, source, source_name, type, title,
             started_at, duration_sec, distance_m, avg_hr, calories, created_at, updated_at)
           SELECT {HEAVY}, {HEAVY}, 'EXTERNAL', 'bench', 'RIDE', 'Ride',
             now() - i * interval '10 minutes', 3600.0, 30000.0, 140, 900,
             now() - i * interval '10 minutes', now() - i * interval '10 minutes'
           FROM generate_series(0, {activities} / 10 - 1) AS s(i);
         INSERT INTO training_sessions (user_id, date, position, discipline_id,
             direct_access_token, created_at, updated_at)
           SELECT 1 + i % {ATHLETES}, current_date - (i / {ATHLETES})::INTEGER, 0, 8,
             'plans' || i, now() - (i / {ATHLETES}) * interval '1 day',
             now() - (i / {ATHLETES}) * interval '1 day'
           FROM generate_series(0, {sessions} - 1) AS s(i);
         INSERT INTO activity_files (user_id, activity_id, format, size_bytes, sha256,
             storage_key, created_at)
           SELECT user_id, id, 'fit', 100000, 'h' || id, 'fit/plans/' || id, now()
           FROM activities WHERE id % 10 = 0;
         SELECT setval(pg_get_serial_sequence('users', 'id'), {ATHLETES});
         SELECT setval(pg_get_serial_sequence('memberships', 'id'), {ATHLETES});
         SELECT setval(pg_get_serial_sequence('organizations', 'id'), 1);
         ANALYZE;"
    );
    sqlx::raw_sql(sqlx::AssertSqlSafe(script))
        .execute(&mut conn)
        .await
        .unwrap();
}

/// Runs a use case under capture and checks each query it ran; answers whether all held.
async fn check<F, Fut, T>(store: &SqlStore, name: &str, bound: u64, run: F) -> bool
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = T>,
{
    let sqlite = store.backend() == "sqlite";
    let noted = capture();
    let started = Instant::now();
    let _ = run().await;
    let took = started.elapsed();
    let statements = noted.finish();
    let mut held = true;
    for statement in statements.iter().filter(|s| s.is_query()) {
        let plan: Plan = store.explain(statement).await.unwrap();
        // PostgreSQL names the tables it reads whole; SQLite names their aliases, so there
        // every scan but of the statement's own CTEs counts.
        let large: Vec<&String> = plan
            .full_scans
            .iter()
            .filter(|t| {
                LARGE.iter().any(|l| t.starts_with(l)) || (sqlite && !CTES.contains(&t.as_str()))
            })
            .collect();
        let ok = large.is_empty() && plan.work <= bound;
        held &= ok;
        println!(
            "{} {name}: work {} (bound {bound}), {:.1} ms{}",
            if ok { "ok  " } else { "FAIL" },
            plan.work,
            took.as_secs_f64() * 1000.0,
            if large.is_empty() {
                String::new()
            } else {
                format!(", reads whole: {large:?}")
            }
        );
        if !ok || std::env::var_os("PACELINE_PLANS_VERBOSE").is_some() {
            println!(
                "      {}",
                statement
                    .sql
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            );
            for line in &plan.lines {
                println!("      | {line}");
            }
        }
    }
    held
}

/// Every list and sync query of both surfaces, for a typical athlete and the heavy one.
async fn check_all(store: &SqlStore, bound: u64) -> bool {
    let mut held = true;
    let now = OffsetDateTime::now_utc();
    let first_page = RecordQuery::<OffsetDateTime>::page(1, 30);
    let season = CalendarQuery {
        from: (now - Duration::days(180)).date(),
        to: (now + Duration::days(180)).date(),
        updated_since: None,
    };
    for (who, user) in [("athlete", UserId(5)), ("heavy athlete", UserId(HEAVY))] {
        held &= check(store, &format!("{who}: activities, page 1"), bound, || {
            store.list_activities(user, first_page)
        })
        .await;
        let third = RecordQuery::page(3, 30);
        held &= check(store, &format!("{who}: activities, page 3"), bound, || {
            store.list_activities(user, third)
        })
        .await;
        let month = RecordQuery {
            from: Some(now - Duration::days(60)),
            to: Some(now - Duration::days(30)),
            ..first_page
        };
        held &= check(store, &format!("{who}: activities, a month"), bound, || {
            store.list_activities(user, month)
        })
        .await;
        let changed = RecordQuery {
            updated_since: Some(now - Duration::hours(1)),
            ..first_page
        };
        held &= check(
            store,
            &format!("{who}: activities changed since"),
            bound,
            || store.list_activities(user, changed),
        )
        .await;
        // A first sync: everything changed since long ago.
        let everything = RecordQuery {
            updated_since: Some(now - Duration::days(3650)),
            ..first_page
        };
        held &= check(
            store,
            &format!("{who}: activities, first sync"),
            bound,
            || store.list_activities(user, everything),
        )
        .await;
        held &= check(
            store,
            &format!("{who}: sessions of the season"),
            bound,
            || store.list_sessions(user, season),
        )
        .await;
        let sync = CalendarQuery {
            updated_since: Some(now - Duration::days(2)),
            ..season
        };
        held &= check(store, &format!("{who}: sessions sync"), bound, || {
            store.list_sessions(user, sync)
        })
        .await;
        held &= check(store, &format!("{who}: races sync"), bound, || {
            store.list_races(user, sync)
        })
        .await;
        held &= check(store, &format!("{who}: wellness days"), bound, || {
            store.list_wellness_days(user, RecordQuery::page(1, 30))
        })
        .await;
        held &= check(store, &format!("{who}: sleep days"), bound, || {
            store.list_sleep_days(user, RecordQuery::page(1, 30))
        })
        .await;
        held &= check(store, &format!("{who}: body metrics"), bound, || {
            store.list_body_metrics(user, first_page)
        })
        .await;
    }
    held
}

fn main() {
    let activities: i64 = std::env::var("PACELINE_PLANS_ACTIVITIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000_000);
    let engines = std::env::var("PACELINE_PLANS_ENGINES").unwrap_or_default();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut held = true;
    if engines.is_empty() || engines == "sqlite" {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plans.sqlite3");
        let database = Database::Sqlite(path.clone());
        runtime.block_on(async {
            SqlStore::open(&database, &OpenOptions::default())
                .await
                .unwrap()
                .close()
                .await;
        });
        let started = Instant::now();
        seed_sqlite(&path, activities);
        println!(
            "SQLite: {activities} activities, {} sessions seeded in {:.0} s ({} MB)",
            activities / 10,
            started.elapsed().as_secs_f64(),
            std::fs::metadata(&path).map_or(0, |m| m.len()) / 1_000_000
        );
        held &= runtime.block_on(async {
            let store = SqlStore::open(&database, &OpenOptions::default())
                .await
                .unwrap();
            let held = check_all(&store, BOUND_STEPS).await;
            store.close().await;
            held
        });
    }
    if engines.is_empty() || engines == "postgres" {
        let url = std::env::var("PACELINE_BENCH_DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/paceline_plans".to_owned());
        held &= runtime.block_on(async {
            let (admin, name) = url.rsplit_once('/').unwrap();
            let mut server = sqlx::PgConnection::connect(&format!("{admin}/postgres"))
                .await
                .unwrap();
            let quoted = format!("\"{}\"", name.replace('"', ""));
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {quoted} WITH (FORCE)"
            )))
            .execute(&mut server)
            .await
            .unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {quoted}")))
                .execute(&mut server)
                .await
                .unwrap();
            let database = Database::Postgres(url.clone());
            SqlStore::open(&database, &OpenOptions::default())
                .await
                .unwrap()
                .close()
                .await;
            let started = Instant::now();
            seed_postgres(&url, activities).await;
            println!(
                "PostgreSQL: {activities} activities, {} sessions seeded in {:.0} s",
                activities / 10,
                started.elapsed().as_secs_f64()
            );
            let store = SqlStore::open(&database, &OpenOptions::default())
                .await
                .unwrap();
            let held = check_all(&store, BOUND_ROWS).await;
            store.close().await;
            held
        });
    }
    if !held {
        eprintln!("some query reads a table whole or works past its bound");
        std::process::exit(1);
    }
}
