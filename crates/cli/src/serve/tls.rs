//! `serve` over TLS: the certificate loaded, looked at for renewals and swapped in for new
//! connections without a restart (open connections keep theirs), and an optional plain
//! listener that sends every request to the HTTPS URL.

use crate::config::{Settings, Tls};
use anyhow::{Context, Result};
use axum::Router;
use paceline_server::RustlsConfig;
use std::future::Future;
use std::path::Path;
use std::time::SystemTime;
use tokio::net::TcpListener;

/// Serves `app` over TLS on `listener` (and the redirecting listener, when configured) until
/// `stopped()` completes.
pub(super) async fn serve<F, S>(
    listener: TcpListener,
    app: Router,
    tls: &Tls,
    settings: &Settings,
    https_port: u16,
    stopped: S,
) -> Result<()>
where
    S: Fn() -> F,
    F: Future<Output = ()> + Send + 'static,
{
    let config = paceline_server::load_tls(&tls.cert, &tls.key)
        .await
        .with_context(|| {
            format!(
                "cannot load the certificate {} with the key {}",
                tls.cert.display(),
                tls.key.display()
            )
        })?;
    let watcher = tokio::spawn(watch(config.clone(), tls.clone()));
    let redirect = match settings.network.redirect_http {
        Some(address) => {
            let plain = TcpListener::bind(address)
                .await
                .with_context(|| format!("cannot listen on {address}"))?;
            let address = plain.local_addr()?;
            tracing::info!(%address, "redirecting http://{address} to HTTPS");
            let origin = settings
                .public_url
                .clone()
                .filter(|url| url.starts_with("https://"));
            let redirects = paceline_server::redirect_to_https(origin, https_port);
            Some(tokio::spawn(paceline_server::serve(
                plain,
                redirects,
                stopped(),
            )))
        }
        None => None,
    };
    let served = paceline_server::serve_tls(listener.into_std()?, app, config, stopped())
        .await
        .context("server failed");
    watcher.abort();
    if let Some(redirect) = redirect {
        let _ = redirect.await;
    }
    served
}

/// When each file was last written, and its length: a renewal changes one or the other.
fn stamp(path: &Path) -> Option<(SystemTime, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

/// Looks at the certificate and key every `reload_every`; when either changed, loads both
/// and swaps them in. A pair that does not load (a renewal half written, a key that does not
/// match) is logged and the current certificate kept; the next look tries again.
async fn watch(config: RustlsConfig, tls: Tls) {
    let mut seen = (stamp(&tls.cert), stamp(&tls.key));
    let mut every = tokio::time::interval(tls.reload_every);
    every.tick().await;
    loop {
        every.tick().await;
        let now = (stamp(&tls.cert), stamp(&tls.key));
        if now == seen {
            continue;
        }
        match config.reload_from_pem_file(&tls.cert, &tls.key).await {
            Ok(()) => {
                seen = now;
                tracing::info!(cert = %tls.cert.display(), "certificate reloaded");
            }
            Err(error) => {
                tracing::warn!(%error, cert = %tls.cert.display(), "the renewed certificate does not load; keeping the current one");
            }
        }
    }
}
