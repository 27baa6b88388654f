//! The load generator: concurrent workers for a scenario's length, their figures
//! (throughput, latency percentiles) and the report of a scenario against its baseline.

use crate::wrk;
use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use time::{Date, Month};

pub(crate) struct Figures {
    pub(crate) requests: usize,
    pub(crate) seconds: f64,
    pub(crate) p50_us: u128,
    pub(crate) p99_us: u128,
    /// The server process's CPU time over the run, when the load came from outside it.
    pub(crate) cpu_us: Option<u64>,
}

impl Figures {
    pub(crate) fn rps(&self) -> f64 {
        self.requests as f64 / self.seconds
    }

    /// The server's CPU time per request, in microseconds, when measured.
    pub(crate) fn cpu_per_request(&self) -> Option<f64> {
        self.cpu_us
            .map(|cpu| cpu as f64 / self.requests.max(1) as f64)
    }
}

/// Runs `connections` workers for `length`, each calling `request(worker)` in a loop.
pub(crate) async fn load<F, Fut>(connections: usize, length: Duration, request: F) -> Figures
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
        cpu_us: None,
    }
}

pub(crate) fn report(name: &str, figures: &Figures, baseline: &Figures) {
    let cpu = figures
        .cpu_per_request()
        .map(|us| format!("  cpu {us:>6.1} us/req"))
        .unwrap_or_default();
    println!(
        "{name:<48} {:>9.0} req/s  p50 {:>6} us  p99 {:>6} us  ratio to baseline {:.2}{cpu}",
        figures.rps(),
        figures.p50_us,
        figures.p99_us,
        figures.rps() / baseline.rps()
    );
}

/// `GET url`, with a bearer token if given, from every worker, reading each body; under
/// `wrk` when `PACELINE_BENCH_WRK=1`.
pub(crate) async fn get(
    connections: usize,
    length: Duration,
    http: &reqwest::Client,
    url: String,
    token: Option<&str>,
) -> Figures {
    if wrk::enabled() {
        let token = token.map(str::to_owned);
        return wrk::load(connections, length, url, token, None).await;
    }
    let (http, token) = (http.clone(), token.map(str::to_owned));
    load(connections, length, move |_| {
        let (http, url, token) = (http.clone(), url.clone(), token.clone());
        async move {
            let mut request = http.get(&url);
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let response = request.send().await.unwrap();
            let status = response.status();
            assert!(status.is_success(), "GET {url}: {status}");
            response.bytes().await.unwrap();
        }
    })
    .await
}

/// `GET url` with a bearer token from every worker, reading each body.
pub(crate) async fn get_with_token(
    connections: usize,
    length: Duration,
    http: &reqwest::Client,
    url: String,
    token: &str,
) -> Figures {
    get(connections, length, http, url, Some(token)).await
}

/// Days a worker cycles over in the upsert streams.
const DAYS_PER_WORKER: usize = 50;

/// `POST url` with a bearer token from every worker, each cycling over its own
/// `DAYS_PER_WORKER` days; `body(day, n)` is the JSON of the worker's `n`th write.
pub(crate) async fn upserts(
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
    if wrk::enabled() {
        // Every worker's days in turn, one body each, POSTed round-robin by all connections.
        let bodies: Vec<String> = days
            .iter()
            .flatten()
            .enumerate()
            .map(|(n, day)| body(day, n).to_string())
            .collect();
        let token = Some(token.to_owned());
        return wrk::load(connections, length, url, token, Some(bodies)).await;
    }
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

pub(crate) fn thousands(n: i64) -> String {
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
