//! Paceline's HTTP server: the router, its middleware and the handlers of every surface.
//!
//! Handlers are thin: they extract, call one domain service and map the result to a wire
//! shape. This crate holds no business rule and no SQL; it reaches storage only through the
//! domain's `Store` trait, held in [`AppState`].

use axum::Router;
use paceline_domain::files::{BlobStore, MemoryFiles};
use paceline_domain::oauth::OAuthSettings;
use paceline_domain::oauth::secret::SecretHash;
use paceline_domain::ratelimit::{Limits, MemoryLimiter, RateLimiter};
use paceline_domain::{Clock, Store};
use std::future::Future;
use std::sync::Arc;
use tokio::net::TcpListener;

mod account;
pub mod admin;
mod api;
mod extract;
mod failure;
mod health;
mod middleware;
mod oauth;
mod pages;
mod router;
mod throttle;

pub use router::router;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Arc<dyn Store>,
    /// The time.
    pub clock: Arc<dyn Clock>,
    /// The authorization server's settings, the issuer among them.
    pub oauth: Arc<OAuthSettings>,
    /// Counts requests against `limits`.
    pub limiter: Arc<dyn RateLimiter>,
    /// The rate limits.
    pub limits: Limits,
    /// The hash of the administrator token; the admin API exists only when it is set.
    pub admin_token: Option<Arc<SecretHash>>,
    /// Uploaded files.
    pub files: Arc<dyn BlobStore>,
    /// The folder uploads are spooled to while they arrive.
    pub spool: Arc<std::path::Path>,
}

impl AppState {
    /// State over `store`, with the real clock, the default limits counted in memory and
    /// files kept in memory.
    pub fn new(store: Arc<dyn Store>, oauth: OAuthSettings) -> Self {
        Self {
            store,
            clock: Arc::new(paceline_domain::SystemClock),
            oauth: Arc::new(oauth),
            limiter: Arc::new(MemoryLimiter::new()),
            limits: Limits::default(),
            admin_token: None,
            files: Arc::new(MemoryFiles::new()),
            spool: Arc::from(std::env::temp_dir()),
        }
    }

    /// Spools uploads to `folder` (the system's temporary folder unless set), which must
    /// exist.
    pub fn with_spool(mut self, folder: &std::path::Path) -> Self {
        self.spool = Arc::from(folder);
        self
    }

    /// Keeps uploaded files in `files` (in memory unless set).
    pub fn with_files(mut self, files: Arc<dyn BlobStore>) -> Self {
        self.files = files;
        self
    }

    /// Replaces the rate limits and where they are counted.
    pub fn with_limits(mut self, limits: Limits, limiter: Arc<dyn RateLimiter>) -> Self {
        self.limits = limits;
        self.limiter = limiter;
        self
    }

    /// Enables the admin API for requests carrying `token`.
    pub fn with_admin_token(mut self, token: &str) -> Self {
        self.admin_token = Some(Arc::new(SecretHash::of(token)));
        self
    }

    /// Whether cookies must be `Secure`: the server is reached over TLS.
    pub(crate) fn secure_cookies(&self) -> bool {
        self.oauth.issuer.starts_with("https://")
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then stops accepting connections
/// and waits for the requests in flight to finish.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // The peer address reaches handlers (the per-address login limit) as `ConnectInfo`.
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
