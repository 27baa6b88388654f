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
}

/// `GET /healthz`: the process is up and serving requests. Never touches the database, so a
/// database outage does not get healthy instances restarted.
pub(crate) async fn get_healthz() -> Json<Health> {
    Json(Health {
        status: "ok",
        database: None,
    })
}

/// `GET /readyz`: ready only when the database answers, within two seconds.
pub(crate) async fn get_readyz(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let database = Some(state.store.backend());
    match tokio::time::timeout(READY_TIMEOUT, state.store.ping()).await {
        Ok(Ok(())) => (
            StatusCode::OK,
            Json(Health {
                status: "ready",
                database,
            }),
        ),
        Ok(Err(error)) => {
            tracing::warn!(%error, "readiness check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(Health {
                    status: "unavailable",
                    database,
                }),
            )
        }
        Err(_) => {
            tracing::warn!("readiness check timed out");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(Health {
                    status: "unavailable",
                    database,
                }),
            )
        }
    }
}
