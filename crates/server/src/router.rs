//! Every route of the server, registered in one place.

use crate::{AppState, health, middleware};
use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;

/// The whole application, ready to serve.
pub fn router(state: AppState) -> Router {
    let routes = Router::new()
        .route("/healthz", get(health::get_healthz))
        .route("/readyz", get(health::get_readyz))
        .fallback(not_found)
        .with_state(state);
    middleware::wrap(routes)
}

async fn not_found() -> (StatusCode, axum::Json<serde_json::Value>) {
    (
        StatusCode::NOT_FOUND,
        axum::Json(serde_json::json!({ "error": "not found" })),
    )
}
