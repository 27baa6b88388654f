//! HTTP load benchmark, run with `cargo bench -p paceline-server --bench http`: the real
//! router on a loopback socket, driven by concurrent keep-alive clients, each scenario side
//! by side with a baseline in the same run and reported as a ratio to it.
//!
//! Scenarios: the Train it All profile route with its bearer check (token lookup, rate
//! limits, scope) against the same lookup and JSON without authentication; the token
//! endpoint's refresh grant (client authentication, rotation in one transaction) against a
//! trivial JSON route. `PACELINE_BENCH_SECONDS` sets each scenario's length (default 5),
//! `PACELINE_BENCH_CONNECTIONS` the concurrency (default 32), and
//! `PACELINE_BENCH_DATABASE_URL` a PostgreSQL database to use instead of SQLite.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use axum::Json;
use axum::extract::{Query, State};
use axum::routing::get;
use paceline_domain::accounts::{self, UserRequest};
use paceline_domain::ids::UserId;
use paceline_domain::oauth::OAuthSettings;
use paceline_domain::oauth::authorize;
use paceline_domain::oauth::clients::{self, Registration};
use paceline_domain::oauth::sessions;
use paceline_domain::oauth::token::{self, CodeExchange};
use paceline_domain::password::Password;
use paceline_domain::ratelimit::{Limit, Limits};
use paceline_domain::{Store, SystemClock};
use paceline_server::{AppState, router, serve};
use paceline_store_sql::{Database, OpenOptions, SqlStore};
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const REDIRECT: &str = "https://bench.example/cb";

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
        "{name:<44} {:>9.0} req/s  p50 {:>6} us  p99 {:>6} us  ratio to baseline {:.2}",
        figures.rps(),
        figures.p50_us,
        figures.p99_us,
        figures.rps() / baseline.rps()
    );
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
    let length = Duration::from_secs(seconds);
    let dir = tempfile::tempdir().unwrap();
    let database = match std::env::var("PACELINE_BENCH_DATABASE_URL") {
        Ok(url) => Database::from_url(&url).unwrap(),
        Err(_) => Database::Sqlite(dir.path().join("bench.sqlite3")),
    };
    let store = Arc::new(
        SqlStore::open(&database, &OpenOptions::default())
            .await
            .unwrap(),
    );
    let clock = SystemClock;
    let mut rng = StdRng::from_os_rng();

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let oauth = OAuthSettings::new(base.clone());
    let request = UserRequest {
        email: "bench@example.com".into(),
        password: Password::new("benchmark password"),
        name: "Bench User".into(),
        organization: None,
        role: None,
    };
    let user = accounts::create_user(store.as_ref(), &clock, request)
        .await
        .unwrap()
        .user;
    let registration = Registration {
        name: "Bench".into(),
        redirect_uris: vec![REDIRECT.into()],
        scopes: "profile:read".into(),
        public: false,
        client_id: Some("bench-client".into()),
        secret: None,
    };
    let (client, secret) = clients::register(store.as_ref(), &clock, &mut rng, registration)
        .await
        .unwrap();
    let secret = secret.unwrap().expose().to_owned();
    let (_, session) = sessions::login(
        store.as_ref(),
        &clock,
        &mut rng,
        &oauth,
        "bench@example.com",
        Password::new("benchmark password"),
    )
    .await
    .unwrap();
    let pairs: Vec<(String, String)> = [
        ("response_type", "code"),
        ("client_id", "bench-client"),
        ("redirect_uri", REDIRECT),
        ("scope", "profile:read"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    // One token family per worker, so that refresh chains do not collide.
    let mut families = Vec::new();
    for _ in 0..connections {
        let validated = authorize::validate(store.as_ref(), &pairs).await.unwrap();
        let code = authorize::approve(
            store.as_ref(),
            &clock,
            &mut rng,
            &oauth,
            &validated,
            &session,
        )
        .await
        .unwrap();
        let exchange = CodeExchange {
            code: code.expose(),
            redirect_uri: Some(REDIRECT),
            code_verifier: Some(VERIFIER),
        };
        let tokens =
            token::exchange_code(store.as_ref(), &clock, &mut rng, &oauth, &client, exchange)
                .await
                .unwrap();
        families.push(tokens);
    }

    // Limits out of the way: the benchmark measures the work, not the throttle.
    let unlimited = Limits {
        api_per_token: Limit::per_minute(u32::MAX),
        api_per_client: Limit::per_minute(u32::MAX),
        ..Limits::default()
    };
    let state = AppState::new(store.clone() as Arc<dyn Store>, oauth).with_limits(
        unlimited,
        Arc::new(paceline_domain::ratelimit::MemoryLimiter::new()),
    );
    let app = router(state.clone()).merge(
        axum::Router::new()
            .route("/bench/profile-without-auth", get(profile_without_auth))
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
}
