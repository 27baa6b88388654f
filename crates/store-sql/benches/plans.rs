//! Query plans at size: 10,000,000 activities (a tenth of them with a file), 1,000,000
//! training sessions each with a planned workout, 100,000 races, 1,000,000 records of each
//! kind of health day and 1,000,000 messages, over 10,000 athletes, one of them with a
//! tenth of each (1,000,000 activities, 100,000 sessions and health days, one a day, and a
//! conversation of 1,000,000 messages with their coach), on SQLite and on PostgreSQL;
//! every list and sync query of both surfaces, run through the store as the API runs it,
//! is shown with its engine's plan and checked to read no table whole and to do work
//! bounded by its page (or, for a sync, by the changes it returns; for a list the API does
//! not page, by what it returns), not by the table. Every record is seeded as last changed
//! when it happened, as an athlete's history is; the other athletes plan a session a week.
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
use paceline_domain::files::{FileStore, MAX_PENDING_FILES};
use paceline_domain::ids::UserId;
use paceline_domain::listing::{Page, RecordQuery};
use paceline_domain::messaging::{self, ConversationQuery, MessageId, MessageStore};
use paceline_domain::workouts::{WorkoutQuery, WorkoutSport, WorkoutStore};
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
/// rows of 20 columns and its index look-ups take a few thousand), and for each record
/// returned.
const BOUND_ROWS: Bound = Bound {
    base: 2_000,
    per_row: 4,
};
const BOUND_STEPS: Bound = Bound {
    base: 60_000,
    per_row: 200,
};
/// The athlete the checks name as typical (one of the coach's).
const TYPICAL: i64 = 5;
/// A coach of the first [`COACHED`] athletes, in conversation with the heavy athlete
/// (messages a tenth of the activities, all but the last [`UNSEEN`] read) and the typical
/// one (100 messages).
const COACH: i64 = ATHLETES + 1;
const COACHED: i64 = 50;
const UNSEEN: i64 = 20;
/// A day in SQLite's microseconds.
const DAY: i64 = 86_400_000_000;
/// A workout's steps, as the store keeps them.
const STEPS: &str = r#"[{"type":"step","duration":{"type":"time","seconds":600}}]"#;
/// The health records, a table each: its name, the columns of its key and their values on
/// day `$day` back from today, on SQLite and on PostgreSQL.
const HEALTH: [(&str, &str, &str, &str); 4] = [
    (
        "sleep_days",
        "day, client_key",
        "date('now', '-' || ($day) || ' days'), ''",
        "current_date - ($day)::INTEGER, ''",
    ),
    (
        "nutrition_days",
        "day",
        "date('now', '-' || ($day) || ' days')",
        "current_date - ($day)::INTEGER",
    ),
    (
        "daily_wellness",
        "day, client_key",
        "date('now', '-' || ($day) || ' days'), ''",
        "current_date - ($day)::INTEGER, ''",
    ),
    (
        "body_metrics",
        "measured_at",
        "NOW - ($day) * 86400000000",
        "now() - ($day) * interval '1 day'",
    ),
];

/// The common table expressions and subqueries the store's statements name (read whole by
/// design: they hold a page, a sync's changes or a bounded count).
const CTES: [&str; 8] = [
    "changed", "page", "p", "bounded", "sent", "received", "picked", "attached",
];
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
    let races = activities / 100;
    let messages = activities / 10;
    let health_days = health(false, activities / 10).replace("NOW", &now.to_string());
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
         WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n
             WHERE i < {sessions} - {sessions} / 10 - 1)
           INSERT INTO training_sessions (user_id, date, position, discipline_id,
             direct_access_token, created_at, updated_at)
           SELECT 1 + i % {ATHLETES}, date('now', '-' || (i / {ATHLETES} * 7) || ' days'), 0,
             8, 'plans' || i, {now} - (i / {ATHLETES} * 7) * {DAY},
             {now} - (i / {ATHLETES} * 7) * {DAY} FROM n;
         WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n
             WHERE i < {sessions} / 10 - 1)
           INSERT INTO training_sessions (user_id, date, position, discipline_id,
             direct_access_token, created_at, updated_at)
           SELECT {HEAVY}, date('now', '-' || i || ' days'), 1, 8, 'heavy' || i,
             {now} - i * {DAY}, {now} - i * {DAY} FROM n;
         INSERT INTO workouts (id, user_id, author_user_id, sport, name, steps, created_at,
             updated_at)
           SELECT id, user_id, user_id, 'cycling', 'Intervals', '{STEPS}', created_at,
             updated_at FROM training_sessions;
         INSERT INTO training_session_workouts (training_session_id, workout_id)
           SELECT id, id FROM training_sessions;
         WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n
             WHERE i < {races} - {races} / 10 - 1)
           INSERT INTO races (user_id, date, race_name, created_at, updated_at)
           SELECT 1 + i % {ATHLETES}, date('now', '-' || (i / {ATHLETES} * 30) || ' days'),
             'Race', {now} - (i / {ATHLETES} * 30) * {DAY}, {now} - (i / {ATHLETES} * 30) * {DAY}
           FROM n;
         WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n
             WHERE i < {races} / 10 - 1)
           INSERT INTO races (user_id, date, race_name, created_at, updated_at)
           SELECT {HEAVY}, date('now', '-' || (i * 7) || ' days'), 'Race',
             {now} - i * 7 * {DAY}, {now} - i * 7 * {DAY} FROM n;
         {health_days}
         INSERT INTO users (id, email, password_hash, name, distance_unit, pool_unit,
             created_at, updated_at)
           VALUES ({COACH}, 'coach@plans.example', 'x', 'Coach', 'kilometers', 'meters',
             {now}, {now});
         INSERT INTO memberships (id, organization_id, user_id, role, created_at)
           VALUES ({COACH}, 1, {COACH}, 'coach', {now});
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {COACHED})
           INSERT INTO coach_assignments (organization_id, coach_membership_id,
             athlete_membership_id, created_at)
           SELECT 1, {COACH}, i, {now} FROM n;
         WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n
             WHERE i < {messages} - 1)
           INSERT INTO messages (sender_user_id, recipient_user_id, content, sent_at,
             updated_at, seen_at)
           SELECT CASE i % 2 WHEN 0 THEN {HEAVY} ELSE {COACH} END,
             CASE i % 2 WHEN 0 THEN {COACH} ELSE {HEAVY} END, 'See you on Saturday',
             {now} - ({messages} - i) * 60000000, {now} - ({messages} - i) * 60000000,
             CASE WHEN i < {messages} - {UNSEEN} THEN {now} - ({messages} - i) * 60000000 END
           FROM n;
         WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 99)
           INSERT INTO messages (sender_user_id, recipient_user_id, content, sent_at,
             updated_at, seen_at)
           SELECT CASE i % 2 WHEN 0 THEN {TYPICAL} ELSE {COACH} END,
             CASE i % 2 WHEN 0 THEN {COACH} ELSE {TYPICAL} END, 'Well done',
             {now} - (100 - i) * 3600000000, {now} - (100 - i) * 3600000000, NULL FROM n;
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
    let races = activities / 100;
    let messages = activities / 10;
    let health_days = health(true, activities / 10);
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
           SELECT 1 + i % {ATHLETES}, current_date - (i / {ATHLETES} * 7)::INTEGER, 0, 8,
             'plans' || i, now() - (i / {ATHLETES}) * interval '7 days',
             now() - (i / {ATHLETES}) * interval '7 days'
           FROM generate_series(0, {sessions} - {sessions} / 10 - 1) AS s(i);
         INSERT INTO training_sessions (user_id, date, position, discipline_id,
             direct_access_token, created_at, updated_at)
           SELECT {HEAVY}, current_date - i::INTEGER, 1, 8, 'heavy' || i,
             now() - i * interval '1 day', now() - i * interval '1 day'
           FROM generate_series(0, {sessions} / 10 - 1) AS s(i);
         INSERT INTO workouts (id, user_id, author_user_id, sport, name, steps, created_at,
             updated_at)
           SELECT id, user_id, user_id, 'cycling', 'Intervals', '{STEPS}', created_at,
             updated_at FROM training_sessions;
         INSERT INTO training_session_workouts (training_session_id, workout_id)
           SELECT id, id FROM training_sessions;
         INSERT INTO races (user_id, date, race_name, created_at, updated_at)
           SELECT 1 + i % {ATHLETES}, current_date - (i / {ATHLETES} * 30)::INTEGER, 'Race',
             now() - (i / {ATHLETES} * 30) * interval '1 day',
             now() - (i / {ATHLETES} * 30) * interval '1 day'
           FROM generate_series(0, {races} - {races} / 10 - 1) AS s(i);
         INSERT INTO races (user_id, date, race_name, created_at, updated_at)
           SELECT {HEAVY}, current_date - (i * 7)::INTEGER, 'Race',
             now() - i * interval '7 days', now() - i * interval '7 days'
           FROM generate_series(0, {races} / 10 - 1) AS s(i);
         {health_days}
         INSERT INTO users (id, email, password_hash, name, distance_unit, pool_unit,
             created_at, updated_at)
           VALUES ({COACH}, 'coach@plans.example', 'x', 'Coach', 'kilometers', 'meters',
             now(), now());
         INSERT INTO memberships (id, organization_id, user_id, role, created_at)
           VALUES ({COACH}, 1, {COACH}, 'coach', now());
         INSERT INTO coach_assignments (organization_id, coach_membership_id,
             athlete_membership_id, created_at)
           SELECT 1, {COACH}, i, now() FROM generate_series(1, {COACHED}) AS s(i);
         INSERT INTO messages (sender_user_id, recipient_user_id, content, sent_at,
             updated_at, seen_at)
           SELECT CASE i % 2 WHEN 0 THEN {HEAVY} ELSE {COACH} END,
             CASE i % 2 WHEN 0 THEN {COACH} ELSE {HEAVY} END, 'See you on Saturday',
             now() - ({messages} - i) * interval '1 minute',
             now() - ({messages} - i) * interval '1 minute',
             CASE WHEN i < {messages} - {UNSEEN}
               THEN now() - ({messages} - i) * interval '1 minute' END
           FROM generate_series(0, {messages} - 1) AS s(i);
         INSERT INTO messages (sender_user_id, recipient_user_id, content, sent_at,
             updated_at, seen_at)
           SELECT CASE i % 2 WHEN 0 THEN {TYPICAL} ELSE {COACH} END,
             CASE i % 2 WHEN 0 THEN {COACH} ELSE {TYPICAL} END, 'Well done',
             now() - (100 - i) * interval '1 hour', now() - (100 - i) * interval '1 hour', NULL
           FROM generate_series(0, 99) AS s(i);
         INSERT INTO activity_files (user_id, activity_id, format, size_bytes, sha256,
             storage_key, created_at)
           SELECT user_id, id, 'fit', 100000, 'h' || id, 'fit/plans/' || id, now()
           FROM activities WHERE id % 10 = 0;
         SELECT setval(pg_get_serial_sequence('users', 'id'), {COACH});
         SELECT setval(pg_get_serial_sequence('memberships', 'id'), {COACH});
         SELECT setval(pg_get_serial_sequence('workouts', 'id'), (SELECT max(id) FROM workouts));
         SELECT setval(pg_get_serial_sequence('organizations', 'id'), 1);
         ANALYZE;"
    );
    sqlx::raw_sql(sqlx::AssertSqlSafe(script))
        .execute(&mut conn)
        .await
        .unwrap();
}

/// `days` records in each health table, a tenth of them the heavy athlete's (a day each),
/// the rest one a day for each other athlete; on SQLite `NOW` stands for the present.
fn health(postgres: bool, days: i64) -> String {
    let mut sql = String::new();
    for (table, columns, on_sqlite, on_postgres) in HEALTH {
        for (count, user, day) in [
            (
                days - days / 10,
                format!("2 + i % ({ATHLETES} - 1)"),
                format!("i / ({ATHLETES} - 1)"),
            ),
            (days / 10, HEAVY.to_string(), "i".to_owned()),
        ] {
            let key = if postgres { on_postgres } else { on_sqlite }.replace("$day", &day);
            let at = if postgres {
                format!("now() - ({day}) * interval '1 day'")
            } else {
                format!("NOW - ({day}) * {DAY}")
            };
            let insert = format!(
                "INSERT INTO {table} (user_id, membership_id, {columns}, source, created_at, \
                 updated_at) SELECT {user}, {user}, {key}, 'EXTERNAL', {at}, {at}"
            );
            sql.push_str(&if postgres {
                format!("{insert} FROM generate_series(0, {count} - 1) AS s(i);\n")
            } else {
                format!(
                    "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n \
                     WHERE i < {count} - 1) {insert} FROM n;\n"
                )
            });
        }
    }
    sql
}

/// How much work a query may take: `base` plus `per_row` for each record the use case
/// returns (the lists the Xhale API does not page return every record they match).
#[derive(Clone, Copy)]
struct Bound {
    base: u64,
    per_row: u64,
}

/// How many records a use case returned.
trait Returned {
    fn returned(&self) -> usize;
}

impl<T> Returned for Vec<T> {
    fn returned(&self) -> usize {
        self.len()
    }
}

impl<T> Returned for Page<T> {
    fn returned(&self) -> usize {
        self.items.len()
    }
}

/// Runs a use case under capture and checks each query it ran; answers whether all held.
async fn check<F, Fut, T, E>(store: &SqlStore, name: &str, bound: Bound, run: F) -> bool
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<T, E>>,
    T: Returned,
    E: std::fmt::Debug,
{
    let sqlite = store.backend() == "sqlite";
    let noted = capture();
    let started = Instant::now();
    let returned = run().await.expect(name).returned();
    let took = started.elapsed();
    let statements = noted.finish();
    let limit = bound.base + bound.per_row * returned as u64;
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
        let ok = large.is_empty() && plan.work <= limit;
        held &= ok;
        println!(
            "{} {name}: {returned} returned, work {} (bound {limit}), {:.1} ms{}",
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

/// Every list and sync query of both surfaces, for a typical athlete, the heavy one and
/// their coach.
#[allow(clippy::too_many_lines)]
async fn check_all(store: &SqlStore, bound: Bound) -> bool {
    let mut held = true;
    // Checks one use case, its name a `format!` string.
    macro_rules! checked {
        ($name:literal, $run:expr) => {
            held &= check(store, &format!($name), bound, || $run).await;
        };
    }
    let now = OffsetDateTime::now_utc();
    let first_page = RecordQuery::<OffsetDateTime>::page(1, 30);
    let season = CalendarQuery {
        from: (now - Duration::days(180)).date(),
        to: (now + Duration::days(180)).date(),
        updated_since: None,
    };
    let dyn_store: &dyn Store = store;
    for (who, user) in [
        ("athlete", UserId(TYPICAL)),
        ("heavy athlete", UserId(HEAVY)),
    ] {
        let heavy = user == UserId(HEAVY);
        checked!(
            "{who}: activities, page 1",
            store.list_activities(user, first_page)
        );
        let third = RecordQuery::page(3, 30);
        checked!(
            "{who}: activities, page 3",
            store.list_activities(user, third)
        );
        let month = RecordQuery {
            from: Some(now - Duration::days(60)),
            to: Some(now - Duration::days(30)),
            ..first_page
        };
        checked!(
            "{who}: activities, a month",
            store.list_activities(user, month)
        );
        let changed = RecordQuery {
            updated_since: Some(now - Duration::hours(1)),
            ..first_page
        };
        checked!(
            "{who}: activities changed since",
            store.list_activities(user, changed)
        );
        // A first sync: everything changed since long ago.
        let everything = RecordQuery {
            updated_since: Some(now - Duration::days(3650)),
            ..first_page
        };
        checked!(
            "{who}: activities, first sync",
            store.list_activities(user, everything)
        );
        checked!(
            "{who}: sessions of the season",
            store.list_sessions(user, season)
        );
        let sync = CalendarQuery {
            updated_since: Some(now - Duration::days(2)),
            ..season
        };
        checked!("{who}: sessions sync", store.list_sessions(user, sync));
        checked!("{who}: races of the season", store.list_races(user, season));
        checked!("{who}: races sync", store.list_races(user, sync));
        // The workouts list is not paged: every live workout of the athlete is its answer,
        // so only the typical athlete's is checked whole.
        let all_live = WorkoutQuery::default();
        if !heavy {
            checked!("{who}: workouts", store.list_workouts(user, &all_live));
        }
        let fortnight = WorkoutQuery {
            scheduled_from: Some((now - Duration::days(14)).date()),
            scheduled_to: Some(now.date()),
            ..WorkoutQuery::default()
        };
        checked!(
            "{who}: workouts of a fortnight",
            store.list_workouts(user, &fortnight)
        );
        let cycling = WorkoutQuery {
            sport: WorkoutSport::from_name("cycling"),
            ..fortnight
        };
        checked!(
            "{who}: cycling workouts of a fortnight",
            store.list_workouts(user, &cycling)
        );
        let workouts_sync = WorkoutQuery {
            updated_since: Some(now - Duration::days(2)),
            ..WorkoutQuery::default()
        };
        checked!(
            "{who}: workouts sync",
            store.list_workouts(user, &workouts_sync)
        );
        checked!(
            "{who}: pending uploads",
            store.pending_files(user, MAX_PENDING_FILES)
        );
        checked!("{who}: contacts", messaging::contacts_of(dyn_store, user));
        checked!(
            "{who}: latest messages",
            store.conversation(user, UserId(COACH), ConversationQuery::default())
        );
        let older = ConversationQuery {
            before: Some(MessageId(50)),
            limit: 30,
        };
        checked!(
            "{who}: early messages",
            store.conversation(user, UserId(COACH), older)
        );
        checked!(
            "{who}: wellness days",
            store.list_wellness_days(user, RecordQuery::page(1, 30))
        );
        let days_sync = RecordQuery {
            updated_since: Some(now - Duration::days(2)),
            ..RecordQuery::page(1, 30)
        };
        checked!(
            "{who}: wellness days sync",
            store.list_wellness_days(user, days_sync)
        );
        let days_first_sync = RecordQuery {
            updated_since: Some(now - Duration::days(3650)),
            ..RecordQuery::page(1, 30)
        };
        checked!(
            "{who}: wellness days, first sync",
            store.list_wellness_days(user, days_first_sync)
        );
        checked!(
            "{who}: sleep days",
            store.list_sleep_days(user, RecordQuery::page(1, 30))
        );
        checked!(
            "{who}: nutrition days",
            store.list_nutrition_days(user, RecordQuery::page(1, 30))
        );
        checked!(
            "{who}: body metrics",
            store.list_body_metrics(user, first_page)
        );
    }
    checked!(
        "coach: contacts",
        messaging::contacts_of(dyn_store, UserId(COACH))
    );
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
