//! HTTP load benchmark, run with `cargo bench -p paceline-server --bench http`: the real
//! router on a loopback socket, driven by concurrent keep-alive clients, each scenario side
//! by side with a baseline in the same run and reported as a ratio to it.
//!
//! Scenarios: the Train it All profile route with its bearer check (token lookup, rate
//! limits, scope) against the same lookup and JSON without authentication; the token
//! endpoint's refresh grant (client authentication, rotation in one transaction) against a
//! trivial JSON route; the first page of `GET /api/external/v1/activities` for an athlete with
//! 1,000 activities and for one with 1,000,000 (`PACELINE_BENCH_HISTORY`), each against the
//! trivial route and the second also against the first (the page must not cost more with a
//! longer history); streams of `POST /api/external/v1/daily-wellness` and
//! `POST /api/external/v1/nutrition-days` upserts, each worker cycling over its own days (a
//! mix of inserts and updates of the same keys), against the trivial route. The activities
//! are seeded with one SQL statement each, beside the store, once the earlier scenarios have
//! run, then the tables are analyzed (`PACELINE_BENCH_ANALYZE=0` skips that).
//!
//! Last, FIT uploads to `POST /api/external/v1/fit-files` (files kept by
//! `paceline_files::ObjectFiles` in a temporary folder): a stream of new files of about
//! 1 MB, each made distinct by rewriting the `local_timestamp` of one encoded ride and its CRC
//! (a copy, not an encoding, per request), against a bench route that reads the same
//! multipart bodies to their end and does nothing else; then the peak memory of 16 athletes
//! uploading one ~24 MB file at once, three rounds: the increase of the process's peak RSS
//! (`VmHWM`, reset through `/proc/self/clear_refs` before each round) over its RSS before.
//! The load generator shares the process; it holds one copy of the large body, shared by
//! the 16 requests and built before the measurement. `PACELINE_BENCH_UPLOADS=0` skips the
//! uploads, `PACELINE_BENCH_PEAK=0` only the peak memory.
//!
//! `PACELINE_BENCH_SECONDS` sets each scenario's length (default 5),
//! `PACELINE_BENCH_CONNECTIONS` the concurrency (default 32), and
//! `PACELINE_BENCH_DATABASE_URL` a PostgreSQL database to use instead of SQLite (each run
//! works in a schema of its own, dropped at the end). `PACELINE_BENCH_EXPLAIN=1` prints the
//! plans of both athletes' activities pages.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use axum::Json;
use axum::extract::{DefaultBodyLimit, Multipart, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use paceline_activity::fit::{
    ActivityForEncoding, Figures as FitFigures, FitTime, LegForEncoding, Position, Record,
    RecordStreams, Sport, encode_activity,
};
use paceline_domain::Store;
use paceline_domain::ids::UserId;
use paceline_domain::oauth::OAuthSettings;
use paceline_domain::ratelimit::{Limit, Limits};
use paceline_server::{AppState, router, serve};
use paceline_store_sql::{Database, OpenOptions, SqlStore};
use paceline_testkit::api;
use serde::Deserialize;
use serde_json::{Value, json};
use sqlx::postgres::PgPool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use time::{Date, Month};
use tokio::net::TcpListener;

#[derive(Deserialize)]
struct UserQuery {
    user: i64,
}

/// The baseline of the profile route: the same user lookup and JSON, no authentication.
async fn profile_without_auth(
    State(state): State<AppState>,
    Query(q): Query<UserQuery>,
) -> Json<Value> {
    let user = state.store.get_user(UserId(q.user)).await.unwrap().unwrap();
    Json(json!({
        "id": user.id.public(),
        "email": user.email.as_str(),
        "name": user.name,
        "image": user.image,
        "createdAt": user.created_at.to_string(),
    }))
}

struct Figures {
    requests: usize,
    seconds: f64,
    p50_us: u128,
    p99_us: u128,
}

impl Figures {
    fn rps(&self) -> f64 {
        self.requests as f64 / self.seconds
    }
}

/// Runs `connections` workers for `length`, each calling `request(worker)` in a loop.
async fn load<F, Fut>(connections: usize, length: Duration, request: F) -> Figures
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send,
{
    let request = Arc::new(request);
    let start = Instant::now();
    let mut workers = Vec::new();
    for worker in 0..connections {
        let request = request.clone();
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while start.elapsed() < length {
                let begun = Instant::now();
                request(worker).await;
                latencies.push(begun.elapsed().as_micros());
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for worker in workers {
        all.extend(worker.await.unwrap());
    }
    let seconds = start.elapsed().as_secs_f64();
    all.sort_unstable();
    let at = |q: f64| {
        all.get(((all.len() as f64 - 1.0) * q) as usize)
            .copied()
            .unwrap_or(0)
    };
    Figures {
        requests: all.len(),
        seconds,
        p50_us: at(0.5),
        p99_us: at(0.99),
    }
}

fn report(name: &str, figures: &Figures, baseline: &Figures) {
    println!(
        "{name:<48} {:>9.0} req/s  p50 {:>6} us  p99 {:>6} us  ratio to baseline {:.2}",
        figures.rps(),
        figures.p50_us,
        figures.p99_us,
        figures.rps() / baseline.rps()
    );
}

/// A connection pool beside the store's, for what the store does not offer: seeding rows in
/// bulk, counting them, showing a plan.
enum Raw {
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
    async fn open(database: &Database) -> Self {
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
    async fn seed_activities(&self, user: i64, membership: i64, count: i64) {
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
    async fn analyze(&self) {
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

    async fn count(&self, sql: &'static str) -> i64 {
        match self {
            Self::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
            Self::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
        }
    }

    /// The plan of the first page of `user`'s activities: SQLite's `EXPLAIN QUERY PLAN`,
    /// PostgreSQL's `EXPLAIN (ANALYZE, BUFFERS)`.
    async fn explain(&self, user: i64) -> Vec<String> {
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

    async fn close(&self) {
        match self {
            Self::Sqlite(pool) => pool.close().await,
            Self::Postgres(pool) => pool.close().await,
        }
    }
}

/// `GET url` with a bearer token from every worker, reading each body.
async fn get_with_token(
    connections: usize,
    length: Duration,
    http: &reqwest::Client,
    url: String,
    token: &str,
) -> Figures {
    let (http, token) = (http.clone(), token.to_owned());
    load(connections, length, move |_| {
        let (http, url, token) = (http.clone(), url.clone(), token.clone());
        async move {
            let response = http.get(&url).bearer_auth(token).send().await.unwrap();
            let status = response.status();
            assert!(status.is_success(), "GET {url}: {status}");
            response.bytes().await.unwrap();
        }
    })
    .await
}

/// Days a worker cycles over in the upsert streams.
const DAYS_PER_WORKER: usize = 50;

/// `POST url` with a bearer token from every worker, each cycling over its own
/// `DAYS_PER_WORKER` days; `body(day, n)` is the JSON of the worker's `n`th write.
async fn upserts(
    connections: usize,
    length: Duration,
    http: &reqwest::Client,
    url: String,
    token: &str,
    body: fn(&str, usize) -> Value,
) -> Figures {
    let first = Date::from_calendar_date(2020, Month::January, 1).unwrap();
    let days: Arc<Vec<Vec<String>>> = Arc::new(
        (0..connections)
            .map(|worker| {
                (0..DAYS_PER_WORKER)
                    .map(|d| {
                        let offset = (worker * DAYS_PER_WORKER + d) as i64;
                        (first + time::Duration::days(offset)).to_string()
                    })
                    .collect()
            })
            .collect(),
    );
    let writes: Arc<Vec<AtomicUsize>> =
        Arc::new((0..connections).map(|_| AtomicUsize::new(0)).collect());
    let (http, token) = (http.clone(), token.to_owned());
    load(connections, length, move |worker| {
        let n = writes[worker].fetch_add(1, Ordering::Relaxed);
        let body = body(&days[worker][n % DAYS_PER_WORKER], n);
        let (http, url, token) = (http.clone(), url.clone(), token.clone());
        async move {
            let response = http
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            response.bytes().await.unwrap();
        }
    })
    .await
}

/// The multipart boundary of the upload bodies.
const BOUNDARY: &str = "paceline-bench-boundary";
/// The request body limit of the upload route: the largest file and the framing around it.
const MAX_UPLOAD_BYTES: usize = paceline_domain::imports::MAX_FILE_BYTES + 64 * 1024;

/// What comes before the file in an upload body.
fn multipart_head() -> String {
    format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; \
         filename=\"ride.fit\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
}

/// What comes after the file in an upload body.
fn multipart_tail() -> String {
    format!("\r\n--{BOUNDARY}--\r\n")
}

/// A ride of `records` one-second records with every field, the UTC offset `offset_s`.
fn ride(records: usize, offset_s: i32) -> ActivityForEncoding {
    let start = 1_100_000_000;
    let mut streams = RecordStreams::default();
    for i in 0..records {
        let t = i as f64;
        streams.push(Record {
            time: Some(FitTime(start + i as u32)),
            position: Some(Position {
                lat_semicircles: 572_000_000 + (i as i32 % 100_000) * 40,
                lon_semicircles: 100_000_000 + (i as i32 % 77_777) * 55,
            }),
            altitude_m: Some(200.0 + (t / 300.0).sin() * 50.0),
            heart_rate: Some(120 + (i % 50) as u8),
            power_w: Some(150 + (i % 200) as u16),
            cadence: Some(80 + (i % 20) as u8),
            speed_mps: Some(7.0 + (i % 30) as f64 * 0.1),
            distance_m: Some(t * 8.0),
            temperature_c: Some(18 + (i % 5) as i8),
        });
    }
    let figures = FitFigures {
        elapsed_s: Some(records as f64),
        timer_s: Some(records as f64),
        distance_m: Some(records as f64 * 8.0),
        ..FitFigures::default()
    };
    ActivityForEncoding {
        legs: vec![LegForEncoding::new(Sport(2), None, FitTime(start), figures)],
        streams,
        utc_offset_s: Some(offset_s),
    }
}

/// The FIT CRC-16 of `bytes`, continuing from `crc` (the FIT SDK's nibble table).
fn fit_crc(mut crc: u16, bytes: &[u8]) -> u16 {
    const TABLE: [u16; 16] = [
        0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401, 0xA001, 0x6C00, 0x7800,
        0xB401, 0x5000, 0x9C01, 0x8801, 0x4400,
    ];
    for &byte in bytes {
        for nibble in [byte & 0xF, byte >> 4] {
            let tmp = TABLE[usize::from(crc & 0xF)];
            crc = (crc >> 4) & 0x0FFF;
            crc = crc ^ tmp ^ TABLE[usize::from(nibble)];
        }
    }
    crc
}

/// A FIT ride of about `target` bytes from which distinct files are made cheaply: the
/// `activity` message's `local_timestamp`, a few bytes from the end, is rewritten and the
/// CRC finished from the state before it, so a variant costs a copy, not an encoding.
struct FitTemplate {
    bytes: Vec<u8>,
    /// Where the `local_timestamp` (little-endian u32) is.
    at: usize,
    base: u32,
    /// The CRC of `bytes[..at]`.
    crc_before: u16,
}

impl FitTemplate {
    fn new(target: usize) -> Self {
        let sample = 1_000;
        let per_record = encode_activity(&ride(sample, 0)).len() as f64 / sample as f64;
        let records = (target as f64 / per_record) as usize;
        let bytes = encode_activity(&ride(records, 0));
        let other = encode_activity(&ride(records, 1));
        assert_eq!(bytes.len(), other.len());
        let at = bytes.iter().zip(&other).position(|(a, b)| a != b).unwrap();
        assert!(at + 4 <= bytes.len() - 2 && bytes.len() - at < 64, "{at}");
        let base = u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
        let crc_before = fit_crc(0, &bytes[..at]);
        let template = Self {
            bytes,
            at,
            base,
            crc_before,
        };
        let mut check = Vec::new();
        template.append_variant(12_345, &mut check);
        assert_ne!(check, template.bytes);
        paceline_activity::fit::decode_activity(&check).unwrap();
        template
    }

    /// Appends the `n`th distinct file (n below 86,400: the offset stays under a day).
    fn append_variant(&self, n: u32, out: &mut Vec<u8>) {
        let start = out.len();
        out.extend_from_slice(&self.bytes);
        let at = start + self.at;
        out[at..at + 4].copy_from_slice(&(self.base + n % 86_400).to_le_bytes());
        let end = out.len() - 2;
        let crc = fit_crc(self.crc_before, &out[at..end]);
        out[end..].copy_from_slice(&crc.to_le_bytes());
    }

    /// An upload body with the `n`th distinct file.
    fn body(&self, n: u32) -> Vec<u8> {
        let (head, tail) = (multipart_head(), multipart_tail());
        let mut body = Vec::with_capacity(head.len() + self.bytes.len() + tail.len());
        body.extend_from_slice(head.as_bytes());
        self.append_variant(n, &mut body);
        body.extend_from_slice(tail.as_bytes());
        body
    }
}

/// The baseline of the upload route: the same multipart body read to its end, nothing else.
async fn read_upload(mut multipart: Multipart) -> StatusCode {
    let mut read = 0;
    while let Some(mut field) = multipart.next_field().await.unwrap() {
        while let Some(chunk) = field.chunk().await.unwrap() {
            read += chunk.len();
        }
    }
    assert!(read > 0);
    StatusCode::OK
}

/// Streams of uploads from every worker, each body a new file: `POST url` with `token`
/// (none for the baseline), expecting `status`.
async fn uploads(
    connections: usize,
    length: Duration,
    http: &reqwest::Client,
    url: String,
    token: Option<&str>,
    template: &Arc<FitTemplate>,
    status: u16,
) -> Figures {
    let sent = Arc::new(AtomicUsize::new(0));
    let (http, token, template) = (http.clone(), token.map(str::to_owned), template.clone());
    load(connections, length, move |_| {
        let n = sent.fetch_add(1, Ordering::Relaxed) as u32;
        assert!(n < 86_400, "more uploads than distinct files");
        let body = template.body(n);
        let (http, url, token) = (http.clone(), url.clone(), token.clone());
        async move {
            let mut request = http
                .post(url)
                .header(
                    "content-type",
                    format!("multipart/form-data; boundary={BOUNDARY}"),
                )
                .body(body);
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), status);
            response.bytes().await.unwrap();
        }
    })
    .await
}

/// A line of `/proc/self/status` in kB (`VmHWM`, `VmRSS`); 0 where there is none.
fn status_kb(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|line| line.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Resets the peak RSS to the current RSS (Linux 4.0+); false where that is refused.
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn thousands(n: i64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[tokio::main]
async fn main() {
    let seconds: u64 = std::env::var("PACELINE_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let connections: usize = std::env::var("PACELINE_BENCH_CONNECTIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(32);
    let history: i64 = std::env::var("PACELINE_BENCH_HISTORY")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let length = Duration::from_secs(seconds);
    let dir = tempfile::tempdir().unwrap();
    // On PostgreSQL, a schema of this run's own (dropped at the end), so that runs can share
    // one database.
    let (database, postgres) = match std::env::var("PACELINE_BENCH_DATABASE_URL") {
        Ok(url) => {
            let schema = format!(
                "bench_{}_{}",
                std::process::id(),
                time::OffsetDateTime::now_utc().unix_timestamp()
            );
            let admin = PgPool::connect(&url).await.unwrap();
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                .execute(&admin)
                .await
                .unwrap();
            let separator = if url.contains('?') { '&' } else { '?' };
            let url = format!("{url}{separator}options[search_path]={schema}");
            (Database::from_url(&url).unwrap(), Some((admin, schema)))
        }
        Err(_) => (Database::Sqlite(dir.path().join("bench.sqlite3")), None),
    };
    let store = Arc::new(
        SqlStore::open(&database, &OpenOptions::default())
            .await
            .unwrap(),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let oauth = OAuthSettings::new(base.clone());
    // The profile and refresh scenarios' user; one token family per worker, so that
    // refresh chains do not collide.
    let bench_client = api::client(store.as_ref(), "bench-client").await;
    let user = api::user(
        store.as_ref(),
        "bench@example.com",
        None,
        &bench_client,
        "profile:read",
    )
    .await
    .user;
    let secret = bench_client.secret.clone();
    let mut families = Vec::new();
    for _ in 0..connections {
        families.push(
            api::issue(
                store.as_ref(),
                "bench@example.com",
                &bench_client,
                "profile:read",
            )
            .await,
        );
    }

    // Train it All athletes: one with a short history, one with a long one, one writing
    // daily records; each with its own token.
    let app_client = api::client(store.as_ref(), "bench-app").await;
    let short = api::user(
        store.as_ref(),
        "short-history@example.com",
        None,
        &app_client,
        "activities:read",
    )
    .await;
    let long = api::user(
        store.as_ref(),
        "long-history@example.com",
        None,
        &app_client,
        "activities:read",
    )
    .await;
    let writer = api::user(
        store.as_ref(),
        "daily-writer@example.com",
        None,
        &app_client,
        "wellness:write nutrition:write",
    )
    .await;
    // Limits out of the way: the benchmark measures the work, not the throttle. (Client
    // authentications are counted before the check and given back on success, so 32
    // refreshes in flight at once would pass the limit of failures.)
    let unlimited = Limits {
        api_per_token: Limit::per_minute(u32::MAX),
        api_per_client: Limit::per_minute(u32::MAX),
        client_auth_failures: Limit::per_minute(u32::MAX),
        ..Limits::default()
    };
    let files = paceline_files::ObjectFiles::local(&dir.path().join("files")).unwrap();
    let spool = dir.path().join("uploads");
    std::fs::create_dir_all(&spool).unwrap();
    let state = AppState::new(store.clone() as Arc<dyn Store>, oauth)
        .with_limits(
            unlimited,
            Arc::new(paceline_domain::ratelimit::MemoryLimiter::new()),
        )
        .with_files(Arc::new(files))
        .with_spool(&spool);
    let app = router(state.clone()).merge(
        axum::Router::new()
            .route("/bench/profile-without-auth", get(profile_without_auth))
            .route(
                "/bench/read-upload",
                post(read_upload).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
            )
            .with_state(state),
    );
    tokio::spawn(serve(listener, app, std::future::pending()));

    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .build()
        .unwrap();
    println!(
        "paceline HTTP benchmark: {} on {}, {connections} connections, {seconds} s per scenario",
        store.backend(),
        base
    );

    let trivial = {
        let (http, url) = (http.clone(), format!("{base}/healthz"));
        load(connections, length, move |_| {
            let (http, url) = (http.clone(), url.clone());
            async move {
                assert!(http.get(url).send().await.unwrap().status().is_success());
            }
        })
        .await
    };
    report("GET /healthz (trivial JSON, baseline)", &trivial, &trivial);

    let without_auth = {
        let (http, url) = (
            http.clone(),
            format!("{base}/bench/profile-without-auth?user={}", user.id.get()),
        );
        load(connections, length, move |_| {
            let (http, url) = (http.clone(), url.clone());
            async move {
                assert!(http.get(url).send().await.unwrap().status().is_success());
            }
        })
        .await
    };
    report(
        "profile lookup without auth (baseline)",
        &without_auth,
        &without_auth,
    );

    let access: Arc<Vec<String>> = Arc::new(
        families
            .iter()
            .map(|t| t.access_token.expose().to_owned())
            .collect(),
    );
    let with_auth = {
        let (http, url, access) = (
            http.clone(),
            format!("{base}/api/external/v1/profile"),
            access.clone(),
        );
        load(connections, length, move |worker| {
            let (http, url, token) = (http.clone(), url.clone(), access[worker].clone());
            async move {
                assert!(
                    http.get(url)
                        .bearer_auth(token)
                        .send()
                        .await
                        .unwrap()
                        .status()
                        .is_success()
                );
            }
        })
        .await
    };
    report(
        "GET /api/external/v1/profile (bearer check)",
        &with_auth,
        &without_auth,
    );

    let refresh_tokens: Arc<Vec<tokio::sync::Mutex<String>>> = Arc::new(
        families
            .iter()
            .map(|t| tokio::sync::Mutex::new(t.refresh_token.expose().to_owned()))
            .collect(),
    );
    let refreshes = {
        let (http, url) = (http.clone(), format!("{base}/api/oauth/token"));
        let secret = secret.clone();
        load(connections, length, move |worker| {
            let (http, url, secret, tokens) = (
                http.clone(),
                url.clone(),
                secret.clone(),
                refresh_tokens.clone(),
            );
            async move {
                let mut current = tokens[worker].lock().await;
                let response = http
                    .post(url)
                    .basic_auth("bench-client", Some(&secret))
                    .form(&[
                        ("grant_type", "refresh_token"),
                        ("refresh_token", current.as_str()),
                    ])
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), 200);
                let body: Value = response.json().await.unwrap();
                *current = body["refresh_token"].as_str().unwrap().to_owned();
            }
        })
        .await
    };
    report(
        "POST /api/oauth/token (refresh grant)",
        &refreshes,
        &trivial,
    );

    // The histories, seeded and analyzed once the scenarios above have run on a small
    // database as they always did: on SQLite, the STAT4 samples of an ANALYZE taken while
    // the OAuth tables held a few dozen rows took the bearer check from 0.6 to 0.45 of its
    // baseline. Without statistics, PostgreSQL sorts the whole history for a page.
    let analyze = std::env::var("PACELINE_BENCH_ANALYZE").map_or(true, |v| v != "0");
    let raw = Raw::open(&database).await;
    let seeding = Instant::now();
    raw.seed_activities(short.user.id.get(), short.membership.id.get(), 1_000)
        .await;
    raw.seed_activities(long.user.id.get(), long.membership.id.get(), history)
        .await;
    let inserted = seeding.elapsed();
    if analyze {
        raw.analyze().await;
    }
    println!(
        "seeded {} + {} activities in {:.1} s, then {}",
        thousands(1_000),
        thousands(history),
        inserted.as_secs_f64(),
        if analyze {
            format!(
                "ANALYZE in {:.1} s",
                (seeding.elapsed() - inserted).as_secs_f64()
            )
        } else {
            "no ANALYZE".to_owned()
        }
    );
    if std::env::var_os("PACELINE_BENCH_EXPLAIN").is_some() {
        for (name, athlete) in [("short", &short), ("long", &long)] {
            println!("plan of the {name} history's first page:");
            for line in raw.explain(athlete.user.id.get()).await {
                println!("    {line}");
            }
        }
    }
    let page = "api/external/v1/activities?page=1&per_page=30";
    let mut page_bytes = 0;
    for (athlete, count) in [(&short, 1_000), (&long, history)] {
        let bytes = http
            .get(format!("{base}/{page}"))
            .bearer_auth(&athlete.access_token)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let body: Value = serde_json::from_slice(&bytes).unwrap();
        let items = body["items"].as_array().unwrap().len();
        assert_eq!(items as i64, count.min(30), "{body}");
        page_bytes = bytes.len();
    }
    let short_page = get_with_token(
        connections,
        length,
        &http,
        format!("{base}/{page}"),
        &short.access_token,
    )
    .await;
    report(
        "GET activities page 1, 1k history (vs healthz)",
        &short_page,
        &trivial,
    );
    let long_page = get_with_token(
        connections,
        length,
        &http,
        format!("{base}/{page}"),
        &long.access_token,
    )
    .await;
    let label = format!(
        "GET activities page 1, {} history",
        if history == 1_000_000 {
            "1M".to_owned()
        } else {
            thousands(history)
        }
    );
    report(&format!("{label} (vs healthz)"), &long_page, &trivial);
    report(&format!("{label} (vs 1k)"), &long_page, &short_page);
    println!(
        "    a page of 30 activities: {} bytes",
        thousands(page_bytes as i64)
    );

    let wellness = upserts(
        connections,
        length,
        &http,
        format!("{base}/api/external/v1/daily-wellness"),
        &writer.access_token,
        |day, n| json!({ "day": day, "steps": 4_000 + n % 10_000, "waterMl": 2200, "activityEnergyKcal": 420 }),
    )
    .await;
    report(
        "POST daily-wellness upserts (vs healthz)",
        &wellness,
        &trivial,
    );
    println!(
        "    {} writes, {} records",
        thousands(wellness.requests as i64),
        thousands(raw.count("SELECT COUNT(*) FROM daily_wellness").await)
    );
    let nutrition = upserts(
        connections,
        length,
        &http,
        format!("{base}/api/external/v1/nutrition-days"),
        &writer.access_token,
        |day, n| {
            json!({
                "day": day,
                "energyBreakfastKcal": 450,
                "energyLunchKcal": 700 + n % 100,
                "energyDinnerKcal": 900,
                "carbTotalG": 320,
                "proteinTotalG": 120,
                "fatTotalG": 80,
                "steps": 4_000 + n % 10_000,
                "waterMl": 2200,
                "activityEnergyKcal": 420,
            })
        },
    )
    .await;
    report(
        "POST nutrition-days upserts (vs healthz)",
        &nutrition,
        &trivial,
    );
    println!(
        "    {} writes, {} records",
        thousands(nutrition.requests as i64),
        thousands(raw.count("SELECT COUNT(*) FROM nutrition_days").await)
    );

    if std::env::var("PACELINE_BENCH_UPLOADS").map_or(true, |v| v != "0") {
        upload_scenarios(
            connections,
            length,
            &http,
            &base,
            store.as_ref(),
            &app_client,
        )
        .await;
    }

    raw.close().await;
    store.close().await;
    if let Some((admin, schema)) = postgres {
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
            .execute(&admin)
            .await
            .unwrap();
    }
}

/// The FIT upload scenarios: a stream of new 1 MB files against the same bodies read by a
/// route that does nothing else, then the peak memory of 16 concurrent 25 MB uploads.
async fn upload_scenarios(
    connections: usize,
    length: Duration,
    http: &reqwest::Client,
    base: &str,
    store: &dyn Store,
    app_client: &api::ApiClient,
) {
    const MB: f64 = 1024.0 * 1024.0;
    let uploader = api::user(
        store,
        "uploader@example.com",
        None,
        app_client,
        "activities:write",
    )
    .await;
    let generating = Instant::now();
    let small = Arc::new(FitTemplate::new(1024 * 1024));
    let file_mb = small.bytes.len() as f64 / MB;
    println!(
        "FIT files of {} bytes ({file_mb:.2} MB), template encoded in {:.1} s",
        thousands(small.bytes.len() as i64),
        generating.elapsed().as_secs_f64()
    );
    let read_only = uploads(
        connections,
        length,
        http,
        format!("{base}/bench/read-upload"),
        None,
        &small,
        200,
    )
    .await;
    report(
        "multipart body read, 1 MB (baseline)",
        &read_only,
        &read_only,
    );
    println!("    {:.1} MB/s of files", read_only.rps() * file_mb);
    let fit_uploads = uploads(
        connections,
        length,
        http,
        format!("{base}/api/external/v1/fit-files"),
        Some(&uploader.access_token),
        &small,
        201,
    )
    .await;
    report(
        "POST fit-files, new 1 MB files (vs body read)",
        &fit_uploads,
        &read_only,
    );
    println!(
        "    {:.1} MB/s of files, {} uploads",
        fit_uploads.rps() * file_mb,
        thousands(fit_uploads.requests as i64)
    );
    drop(small);

    if std::env::var("PACELINE_BENCH_PEAK").is_ok_and(|v| v == "0") {
        return;
    }
    // 16 athletes uploading at once; each round sends one new file, the same body to all
    // (a file is a duplicate only for the athlete who uploaded it before).
    const AT_ONCE: usize = 16;
    let mut athletes = Vec::new();
    for i in 0..AT_ONCE {
        athletes.push(
            api::user(
                store,
                &format!("peak-{i}@example.com"),
                None,
                app_client,
                "activities:write",
            )
            .await
            .access_token,
        );
    }
    let generating = Instant::now();
    let large = FitTemplate::new(24 * 1024 * 1024);
    assert!(large.bytes.len() <= paceline_domain::imports::MAX_FILE_BYTES);
    let large_mb = large.bytes.len() as f64 / MB;
    println!(
        "peak memory of {AT_ONCE} concurrent uploads of a {} byte FIT ({large_mb:.1} MB, \
         encoded in {:.1} s); the client side holds one shared copy of the body",
        thousands(large.bytes.len() as i64),
        generating.elapsed().as_secs_f64()
    );
    let url = format!("{base}/api/external/v1/fit-files");
    for round in 0..3 {
        let body = axum::body::Bytes::from(large.body(round));
        let reset = reset_peak_rss();
        let (before_hwm, before_rss) = (status_kb("VmHWM"), status_kb("VmRSS"));
        let begun = Instant::now();
        let answers = futures::future::join_all(athletes.iter().map(|token| {
            let request = http
                .post(&url)
                .bearer_auth(token)
                .header(
                    "content-type",
                    format!("multipart/form-data; boundary={BOUNDARY}"),
                )
                .body(reqwest::Body::from(body.clone()));
            async move {
                let response = request.send().await.unwrap();
                let status = response.status();
                response.bytes().await.unwrap();
                status
            }
        }))
        .await;
        let took = begun.elapsed().as_secs_f64();
        assert!(answers.iter().all(|s| *s == 201), "{answers:?}");
        let after_hwm = status_kb("VmHWM");
        let increase = after_hwm.saturating_sub(before_hwm.max(before_rss)) as f64 / 1024.0;
        println!(
            "    round {}: peak RSS {:.0} MB, {increase:.0} MB over the {:.0} MB before \
             ({:.1} MB per upload){}, all {AT_ONCE} answered in {took:.1} s",
            round + 1,
            after_hwm as f64 / 1024.0,
            before_hwm.max(before_rss) as f64 / 1024.0,
            increase / AT_ONCE as f64,
            if reset {
                ""
            } else {
                " [peak not reset: clear_refs refused]"
            },
        );
    }
}
