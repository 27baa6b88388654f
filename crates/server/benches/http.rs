//! HTTP load benchmark, run with `cargo bench -p paceline-server --bench http`: the real
//! router on a loopback socket, driven by concurrent keep-alive clients, each scenario side
//! by side with a baseline in the same run and reported as a ratio to it.
//!
//! Scenarios: the Train it All profile route with its bearer check (token lookup, rate
//! limits, scope) against the same lookup and JSON without authentication, and the same
//! route with its limits counted in the database (`[rate_limit] shared`) against it; the token
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
//! Then the web app's activity page of a six-hour ride recorded every second, against that
//! first page of the 1k-history athlete (`pages.rs`).
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
//!
//! The parts, in `benches/http/`: `load.rs` (the load generator, its figures and report),
//! `raw.rs` (the pool beside the store that seeds the histories), `pages.rs` (the web app's
//! page), `upload.rs` (the FIT upload scenarios); the scenarios' setup and order are here.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

#[path = "http/load.rs"]
mod load;
#[path = "http/pages.rs"]
mod pages;
#[path = "http/raw.rs"]
mod raw;
#[path = "http/upload.rs"]
mod upload;
#[path = "http/wrk.rs"]
mod wrk;

use crate::load::{get_with_token, load, report, thousands, upserts};
use crate::raw::Raw;
use crate::upload::{MAX_UPLOAD_BYTES, read_upload, upload_scenarios};
use axum::Json;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::routing::{get, post};
use paceline_domain::Store;
use paceline_domain::ids::UserId;
use paceline_domain::oauth::OAuthSettings;
use paceline_domain::ratelimit::{Limit, Limits, RateLimiter};
use paceline_server::{AppState, router_with, serve};
use paceline_store_sql::{Database, OpenOptions, SqlStore};
use paceline_testkit::api;
use serde::Deserialize;
use serde_json::{Value, json};
use sqlx::postgres::PgPool;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

/// The allocator of the `paceline` binary, so that the server runs here as it does there.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    let blobs = state.files.clone();
    // The baselines behind the same middleware as the routes they stand for.
    let app = router_with(
        state.clone(),
        axum::Router::new()
            .route("/bench/profile-without-auth", get(profile_without_auth))
            .route(
                "/bench/read-upload",
                post(read_upload).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
            ),
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

    let trivial = load::get(connections, length, &http, format!("{base}/healthz"), None).await;
    report("GET /healthz (trivial JSON, baseline)", &trivial, &trivial);

    let without_auth = load::get(
        connections,
        length,
        &http,
        format!("{base}/bench/profile-without-auth?user={}", user.id.get()),
        None,
    )
    .await;
    report(
        "profile lookup without auth (baseline)",
        &without_auth,
        &without_auth,
    );

    let with_auth = get_with_token(
        connections,
        length,
        &http,
        format!("{base}/api/external/v1/profile"),
        families[0].access_token.expose(),
    )
    .await;
    report(
        "GET /api/external/v1/profile (bearer check)",
        &with_auth,
        &without_auth,
    );

    // The same route with its limits counted in the database, as instances sharing a
    // PostgreSQL database count them by default (a write for each of the token's and the
    // client's limits, each request), against the limits counted in memory above.
    let shared_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let shared_base = format!("http://{}", shared_listener.local_addr().unwrap());
    let shared_state = state
        .clone()
        .with_limits(unlimited, store.clone() as Arc<dyn RateLimiter>);
    tokio::spawn(serve(
        shared_listener,
        router_with(shared_state, axum::Router::new()),
        std::future::pending(),
    ));
    let with_shared_limits = get_with_token(
        connections,
        length,
        &http,
        format!("{shared_base}/api/external/v1/profile"),
        families[0].access_token.expose(),
    )
    .await;
    report(
        "GET /api/external/v1/profile (limits shared in the database)",
        &with_shared_limits,
        &with_auth,
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
    // The cost of a row: the same athlete's first page with 1 and with 200 activities.
    let mut by_size = Vec::new();
    for per_page in [1, 200] {
        let figures = get_with_token(
            connections,
            length,
            &http,
            format!("{base}/api/external/v1/activities?page=1&per_page={per_page}"),
            &short.access_token,
        )
        .await;
        report(
            &format!("GET activities per_page={per_page}, 1k (vs healthz)"),
            &figures,
            &trivial,
        );
        by_size.push(figures);
    }
    if let (Some(one), Some(two_hundred)) =
        (by_size[0].cpu_per_request(), by_size[1].cpu_per_request())
    {
        println!(
            "    CPU per extra row: {:.2} us (({two_hundred:.1} - {one:.1}) / 199)",
            (two_hundred - one) / 199.0
        );
    }
    pages::page_scenarios(
        connections,
        length,
        &http,
        &base,
        store.as_ref(),
        blobs.as_ref(),
        &short_page,
    )
    .await;

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
