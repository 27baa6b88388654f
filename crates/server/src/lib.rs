//! Paceline's HTTP server: the router, its middleware and the handlers of every surface.
//!
//! Handlers are thin: they extract, call one domain service and map the result to a wire
//! shape. This crate holds no business rule and no SQL; it reaches storage only through the
//! domain's `Store` trait, held in [`AppState`].

use axum::Router;
use paceline_domain::Store;
use std::future::Future;
use std::sync::Arc;
use tokio::net::TcpListener;

mod health;
mod middleware;
mod router;

pub use router::router;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Arc<dyn Store>,
}

impl AppState {
    /// State over `store`.
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then stops accepting connections
/// and waits for the requests in flight to finish.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
