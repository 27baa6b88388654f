//! Paceline's HTTP server: the router, its middleware and the handlers of every surface.
//!
//! Handlers are thin: they extract, call one domain service and map the result to a wire
//! shape. This crate holds no business rule and no SQL; it reaches storage only through the
//! domain's `Store` trait, held in [`AppState`].

use axum::Router;
use paceline_domain::files::{BlobStore, MemoryFiles};
use paceline_domain::mail::Mailer;
use paceline_domain::oauth::OAuthSettings;
use paceline_domain::oauth::secret::SecretHash;
use paceline_domain::ratelimit::{Limits, MemoryLimiter, RateLimiter};
use paceline_domain::{Clock, Store};
use std::future::Future;
use std::sync::Arc;
use tokio::net::TcpListener;

pub use axum_server::tls_rustls::RustlsConfig;

mod account;
pub mod admin;
mod api;
pub mod export;
mod extract;
mod failure;
pub mod health;
pub mod mail;
pub mod metrics;
mod middleware;
mod oauth;
mod pages;
mod router;
mod throttle;
mod transport;
mod web;

pub use metrics::Metrics;
pub use router::{router, router_with};
pub use transport::{OverTls, TrustedProxies};

/// What every handler can reach: [`Services`] behind one reference count. Each request
/// clones the state several times (the router's handler, the middleware that needs it, the
/// `State` extractor), so a clone is one atomic increment, not one per service.
#[derive(Clone)]
pub struct AppState(Arc<Services>);

impl std::ops::Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

/// The services in an [`AppState`]; set through its `with_…` methods.
#[derive(Clone)]
pub struct Services {
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
    /// The reverse proxies whose forwarded headers are believed.
    pub proxies: Arc<TrustedProxies>,
    /// Sends e-mail, when the operator configured SMTP.
    pub mailer: Option<Arc<dyn Mailer>>,
    /// Whether anyone may create an account from the sign-up page.
    pub open_signup: bool,
    /// The Prometheus metrics, when they are served.
    pub metrics: Option<Arc<Metrics>>,
    /// The file storage's last answer to a readiness probe.
    pub files_probe: Arc<health::FilesProbe>,
}

impl AppState {
    /// State over `store`, with the real clock, the default limits counted in memory and
    /// files kept in memory.
    pub fn new(store: Arc<dyn Store>, oauth: OAuthSettings) -> Self {
        Self(Arc::new(Services {
            store,
            clock: Arc::new(paceline_domain::SystemClock),
            oauth: Arc::new(oauth),
            limiter: Arc::new(MemoryLimiter::new()),
            limits: Limits::default(),
            admin_token: None,
            files: Arc::new(MemoryFiles::new()),
            spool: Arc::from(std::env::temp_dir()),
            proxies: Arc::new(TrustedProxies::default()),
            mailer: None,
            open_signup: false,
            metrics: None,
            files_probe: Arc::default(),
        }))
    }

    /// The services, to change one before the state is shared.
    fn services(&mut self) -> &mut Services {
        Arc::make_mut(&mut self.0)
    }

    /// Replaces the authorization server's settings.
    pub fn with_oauth(mut self, oauth: OAuthSettings) -> Self {
        self.services().oauth = Arc::new(oauth);
        self
    }

    /// Sends e-mail through `mailer`.
    pub fn with_mailer(mut self, mailer: Arc<dyn Mailer>) -> Self {
        self.services().mailer = Some(mailer);
        self
    }

    /// Lets anyone create an account from the sign-up page.
    pub fn with_open_signup(mut self, open: bool) -> Self {
        self.services().open_signup = open;
        self
    }

    /// Believes the forwarded headers of requests from `proxies`.
    pub fn with_trusted_proxies(mut self, proxies: TrustedProxies) -> Self {
        self.services().proxies = Arc::new(proxies);
        self
    }

    /// Spools uploads to `folder` (the system's temporary folder unless set), which must
    /// exist.
    pub fn with_spool(mut self, folder: &std::path::Path) -> Self {
        self.services().spool = Arc::from(folder);
        self
    }

    /// Keeps uploaded files in `files` (in memory unless set).
    pub fn with_files(mut self, files: Arc<dyn BlobStore>) -> Self {
        self.services().files = files;
        self.services().files_probe = Arc::default();
        self
    }

    /// Replaces the rate limits and where they are counted.
    pub fn with_limits(mut self, limits: Limits, limiter: Arc<dyn RateLimiter>) -> Self {
        self.services().limits = limits;
        self.services().limiter = limiter;
        self
    }

    /// Counts requests and serves `metrics` at `GET /metrics`.
    pub fn with_metrics(mut self, metrics: Arc<Metrics>) -> Self {
        self.services().metrics = Some(metrics);
        self
    }

    /// Enables the admin API for requests carrying `token`.
    pub fn with_admin_token(mut self, token: &str) -> Self {
        self.services().admin_token = Some(Arc::new(SecretHash::of(token)));
        self
    }

    /// Whether cookies must be `Secure`: the server is reached over TLS.
    pub(crate) fn secure_cookies(&self) -> bool {
        self.oauth.issuer.starts_with("https://")
    }
}

/// Serves `app` over TLS on `listener` until `shutdown` completes, then lets the requests in
/// flight finish. The certificate is `config`'s, which [`RustlsConfig::reload_from_pem_file`]
/// replaces for new connections without touching open ones.
pub async fn serve_tls(
    listener: std::net::TcpListener,
    app: Router,
    config: RustlsConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = app
        .layer(axum::Extension(OverTls))
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    let handle = axum_server::Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        stopper.graceful_shutdown(None);
    });
    axum_server::from_tcp_rustls(listener, config)?
        .handle(handle)
        .serve(app)
        .await
}

/// The TLS configuration of `cert` (a PEM chain) and `key` (its PEM private key), on
/// rustls with the *ring* provider (the one the rest of the build uses).
pub async fn load_tls(
    cert: &std::path::Path,
    key: &std::path::Path,
) -> std::io::Result<RustlsConfig> {
    // Installed once per process; a second call finds it there.
    let _ = rustls::crypto::ring::default_provider().install_default();
    RustlsConfig::from_pem_file(cert, key).await
}

/// A plain-HTTP service that sends every request to the same path over HTTPS with 308 (the
/// method and body kept): to `https_origin` when given, else to the host the client asked
/// for, on `https_port`.
pub fn redirect_to_https(https_origin: Option<String>, https_port: u16) -> Router {
    Router::new().fallback(
        move |uri: axum::http::Uri, headers: axum::http::HeaderMap| {
            let origin = https_origin.clone();
            async move { transport::redirect(origin.as_deref(), https_port, &uri, &headers) }
        },
    )
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
