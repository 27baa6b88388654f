//! `paceline serve`: the HTTP server until SIGTERM or Ctrl-C.

use crate::config::Settings;
use crate::{demo, store};
use anyhow::{Context, Result};
use paceline_domain::Store;
use paceline_domain::ratelimit::{MemoryLimiter, RateLimiter};
use paceline_files::ObjectFiles;
use paceline_server::{AppState, router};
use std::sync::Arc;
use tokio::net::TcpListener;

/// Opens the store, seeds the demo if asked, and serves until a shutdown signal; requests
/// in flight then finish before the database closes.
pub async fn run(settings: &Settings, seed_demo: bool) -> Result<()> {
    let store = Arc::new(store::open(settings, settings.max_connections).await?);
    if seed_demo {
        demo::seed_and_print(store.as_ref(), settings).await?;
    }
    let listener = TcpListener::bind(settings.listen)
        .await
        .with_context(|| format!("cannot listen on {}", settings.listen))?;
    let address = listener.local_addr()?;
    tracing::info!(
        %address,
        database = %settings.database.redacted(),
        version = env!("CARGO_PKG_VERSION"),
        "paceline listening on http://{address}"
    );
    let issuer = settings.issuer(address);
    tracing::info!(%issuer, "OAuth issuer");
    let limiter: Arc<dyn RateLimiter> = if settings.shared_limits {
        store.clone()
    } else {
        Arc::new(MemoryLimiter::new())
    };
    let state = AppState::new(
        store.clone() as Arc<dyn Store>,
        settings.oauth.settings(issuer),
    )
    .with_limits(settings.limits, limiter)
    .with_files(Arc::new(
        ObjectFiles::local(&settings.data_dir.join("files"))
            .context("cannot open the file storage")?,
    ));
    let state = match &settings.admin_token {
        Some(token) => state.with_admin_token(token.expose()),
        None => state,
    };
    let app = router(state);
    paceline_server::serve(listener, app, shutdown_signal())
        .await
        .context("server failed")?;
    store.close().await;
    tracing::info!("shutdown complete");
    Ok(())
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("shutdown signal received; finishing requests in flight");
}
