//! Liveness and readiness probes for orchestrators and load balancers.

use crate::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use std::time::Duration;

/// How long readiness waits for the database before calling it unavailable.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Serialize)]
pub(crate) struct Health {
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    database: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    files: Option<&'static str>,
    /// What did not answer, when not ready: `database`, `files` or both.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    failing: Vec<&'static str>,
}

/// `GET /healthz`: the process is up and serving requests. Never touches the database, so a
/// database outage does not get healthy instances restarted.
pub(crate) async fn get_healthz() -> Json<Health> {
    Json(Health {
        status: "ok",
        database: None,
        files: None,
        failing: Vec::new(),
    })
}

/// `GET /readyz`: ready only when the database and the file storage both answer, each
/// within two seconds (asked at once); otherwise 503, naming what failed.
pub(crate) async fn get_readyz(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let (database, files) = tokio::join!(
        answers("database", state.store.ping()),
        state.files_probe.answers(&state),
    );
    let failing: Vec<&'static str> = [(database, "database"), (files, "files")]
        .into_iter()
        .filter(|(ok, _)| !ok)
        .map(|(_, name)| name)
        .collect();
    let (status, word) = if failing.is_empty() {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
    };
    let health = Health {
        status: word,
        database: Some(state.store.backend()),
        files: Some(state.files.backend()),
        failing,
    };
    (status, Json(health))
}

/// How long the file storage's answer to a probe stands for the next ones: readiness is
/// asked often (by every load balancer and orchestrator), and each probe of a bucket is a
/// request it bills.
const FILES_PROBE_KEPT: Duration = Duration::from_secs(5);

/// The file storage's last answer to a readiness probe, and when it came.
#[derive(Debug, Default)]
pub struct FilesProbe(tokio::sync::Mutex<Option<(std::time::Instant, bool)>>);

impl FilesProbe {
    /// Whether the file storage answers: its last answer if younger than
    /// [`FILES_PROBE_KEPT`], else a new probe's (one at a time).
    async fn answers(&self, state: &AppState) -> bool {
        let mut last = self.0.lock().await;
        if let Some((at, answered)) = *last
            && at.elapsed() < FILES_PROBE_KEPT
        {
            return answered;
        }
        let answered = answers("file storage", state.files.probe()).await;
        *last = Some((std::time::Instant::now(), answered));
        answered
    }
}

/// Whether `check` succeeded within [`READY_TIMEOUT`]; a failure is logged.
async fn answers<E: std::fmt::Display>(
    what: &'static str,
    check: impl Future<Output = Result<(), E>>,
) -> bool {
    match tokio::time::timeout(READY_TIMEOUT, check).await {
        Ok(Ok(())) => true,
        Ok(Err(error)) => {
            tracing::warn!(%error, "readiness check failed: the {what}");
            false
        }
        Err(_) => {
            tracing::warn!("readiness check timed out: the {what}");
            false
        }
    }
}
