//! Prometheus metrics: requests by route, method and status and their latency, the database
//! connections in use, upload bytes, rate-limit refusals and background job runs, served at
//! `GET /metrics` in Prometheus' text format. Off unless configured; behind a bearer token
//! when one is set. Routes are labelled by their pattern (`/api/sessions/{id}/`), never by the
//! path a client sent, so the number of series stays bounded.

use crate::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use paceline_domain::oauth::secret::{Secret, SecretHash};
use paceline_domain::store::Connections;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::prometheus_text::{CONTENT_TYPE, encode};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use std::sync::Arc;
use std::time::Instant;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
    method: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LimitLabels {
    limit: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct JobLabels {
    job: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ConnectionLabels {
    state: String,
}

/// The label of requests no route matched.
const UNMATCHED: &str = "unmatched";

fn latency_histogram() -> Histogram {
    // 0.5 ms to about 16 s, doubling.
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

/// The metrics of one process.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    upload_bytes: Counter,
    refusals: Family<LimitLabels, Counter>,
    job_runs: Family<JobLabels, Counter>,
    connections: Family<ConnectionLabels, Gauge>,
    connections_max: Gauge,
    token: Option<SecretHash>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics")
            .field("token", &self.token.is_some())
            .finish_non_exhaustive()
    }
}

impl Metrics {
    /// Metrics served to whoever asks, or, with `token`, only to requests that carry it as
    /// `Authorization: Bearer`.
    #[must_use]
    pub fn new(token: Option<&Secret>) -> Self {
        let mut registry = Registry::with_prefix("paceline");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by route pattern, method and status",
            requests.clone(),
        );
        let latency = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram,
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request, by route pattern and method",
            latency.clone(),
        );
        let upload_bytes = Counter::default();
        registry.register(
            "upload_bytes",
            "Bytes of activity files received whole by the upload routes",
            upload_bytes.clone(),
        );
        let refusals = Family::<LimitLabels, Counter>::default();
        registry.register(
            "rate_limit_refusals",
            "Requests refused for a rate limit, by the limit's kind",
            refusals.clone(),
        );
        let job_runs = Family::<JobLabels, Counter>::default();
        registry.register(
            "background_job_runs",
            "Runs of background jobs by this instance, by job and outcome",
            job_runs.clone(),
        );
        let connections = Family::<ConnectionLabels, Gauge>::default();
        registry.register(
            "db_connections",
            "Database connections of this process, in use or idle",
            connections.clone(),
        );
        let connections_max = Gauge::default();
        registry.register(
            "db_connections_max",
            "The most database connections this process opens for reading",
            connections_max.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            upload_bytes,
            refusals,
            job_runs,
            connections,
            connections_max,
            token: token.map(Secret::hash),
        }
    }

    /// Counts a run of the background job `job` that ended with `outcome` (`ok`, `failed`).
    pub fn job_ran(&self, job: &str, outcome: &str) {
        self.job_runs
            .get_or_create(&JobLabels {
                job: job.to_owned(),
                outcome: outcome.to_owned(),
            })
            .inc();
    }

    /// Counts `bytes` of a file received whole.
    pub(crate) fn uploaded(&self, bytes: u64) {
        self.upload_bytes.inc_by(bytes);
    }

    /// Counts a request refused by the limit whose keys start with `kind`.
    pub(crate) fn refused(&self, kind: &str) {
        self.refusals
            .get_or_create(&LimitLabels {
                limit: kind.to_owned(),
            })
            .inc();
    }

    fn answered(&self, route: &str, method: &str, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&RequestLabels {
                route: route.to_owned(),
                method: method.to_owned(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels {
                route: route.to_owned(),
                method: method.to_owned(),
            })
            .observe(seconds);
    }

    /// The text of a scrape, with the connections as they are now.
    fn render(&self, connections: Connections) -> String {
        for (state, count) in [("in_use", connections.in_use), ("idle", connections.idle)] {
            self.connections
                .get_or_create(&ConnectionLabels {
                    state: state.to_owned(),
                })
                .set(i64::from(count));
        }
        self.connections_max.set(i64::from(connections.max));
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut text, &self.registry);
        text
    }

    fn admits(&self, headers: &HeaderMap) -> bool {
        let Some(expected) = &self.token else {
            return true;
        };
        headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .is_some_and(|(_, given)| expected.matches(given.trim()))
    }
}

/// `GET /metrics`: the scrape, or 401 without the configured token.
pub(crate) async fn get_metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(metrics) = state.metrics.as_deref() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if !metrics.admits(&headers) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer realm=\"metrics\"")],
            "the metrics need the token configured (PACELINE_METRICS_TOKEN, PACELINE_METRICS_TOKEN_FILE or metrics.token_file)\n",
        )
            .into_response();
    }
    let text = metrics.render(state.store.connections());
    ([(header::CONTENT_TYPE, CONTENT_TYPE)], text).into_response()
}

/// Counts each answered request and its latency, by the route pattern it matched.
pub(crate) async fn record(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let Some(metrics) = state.metrics.clone() else {
        return next.run(request).await;
    };
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or(UNMATCHED, MatchedPath::as_str)
        .to_owned();
    let mut answer = Answer {
        metrics,
        route,
        method: method_label(request.method()),
        started: Instant::now(),
        status: None,
    };
    let response = next.run(request).await;
    answer.status = Some(response.status().as_u16());
    response
}

/// A request's method as a label: one of the standard methods, or `other`, so that a client
/// inventing methods cannot add series.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// A request being answered; counted when dropped, so that one cut short is counted too:
/// by a panic (500, the panic layer's answer), by the server's timeout (408, the timeout
/// layer's), or by the client closing the connection first (499, as nginx counts it).
struct Answer {
    metrics: Arc<Metrics>,
    route: String,
    method: &'static str,
    started: Instant,
    status: Option<u16>,
}

impl Drop for Answer {
    fn drop(&mut self) {
        let status = self.status.unwrap_or(if std::thread::panicking() {
            500
        } else if self.started.elapsed() >= crate::middleware::REQUEST_TIMEOUT {
            408
        } else {
            499
        });
        self.metrics.answered(
            &self.route,
            self.method,
            status,
            self.started.elapsed().as_secs_f64(),
        );
    }
}
