//! `paceline serve`: the HTTP server until SIGTERM or Ctrl-C.

use crate::config::{FileStorage, Settings};
use crate::{demo, store};
use anyhow::{Context, Result};
use paceline_domain::Store;
use paceline_domain::files::{BlobError, BlobStore, FileFormat, remove_orphans};
use paceline_domain::ratelimit::{MemoryLimiter, RateLimiter};
use paceline_files::ObjectFiles;
use paceline_server::{AppState, Metrics, router};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::net::TcpListener;

mod tls;

/// Opens the store, seeds the demo if asked, and serves until a shutdown signal; requests
/// in flight then finish before the database closes.
pub async fn run(settings: &Settings, seed_demo: bool) -> Result<()> {
    let shutdown = shutdown_signal();
    let store = Arc::new(store::open(settings, settings.max_connections).await?);
    if seed_demo {
        demo::seed_and_print(store.as_ref(), settings).await?;
    }
    let listener = TcpListener::bind(settings.listen)
        .await
        .with_context(|| format!("cannot listen on {}", settings.listen))?;
    let address = listener.local_addr()?;
    let scheme = if settings.network.tls.is_some() {
        "https"
    } else {
        "http"
    };
    tracing::info!(
        %address,
        database = %settings.database.redacted(),
        version = env!("CARGO_PKG_VERSION"),
        "paceline listening on {scheme}://{address}"
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
    .with_limits(settings.limits, limiter);
    let files: Arc<dyn BlobStore> = Arc::new(open_files(&settings.files).await?);
    let spool = settings.data_dir.join("uploads");
    std::fs::create_dir_all(&spool)
        .with_context(|| format!("cannot create the upload folder {}", spool.display()))?;
    let state = state.with_files(files.clone()).with_spool(&spool);
    let metrics = settings
        .metrics
        .as_ref()
        .map(|access| Arc::new(Metrics::new(access.token.as_ref())));
    let state = match &metrics {
        Some(metrics) => state.with_metrics(metrics.clone()),
        None => state,
    };
    let sweeper = tokio::spawn(sweep_orphans(
        store.clone() as Arc<dyn Store>,
        files,
        spool,
        metrics,
    ));
    let state = match &settings.admin_token {
        Some(token) => state.with_admin_token(token.expose()),
        None => state,
    };
    let state = state
        .with_trusted_proxies(settings.network.trusted_proxies.clone())
        .with_open_signup(settings.open_signup);
    let state = match &settings.smtp {
        Some(smtp) => {
            let mailer = paceline_server::mail::SmtpMailer::new(smtp)
                .map_err(|e| anyhow::anyhow!("[smtp]: {e}"))?;
            tracing::info!(host = %smtp.host, port = smtp.port, "e-mail goes out over SMTP");
            state.with_mailer(Arc::new(mailer))
        }
        None => state,
    };
    let app = router(state);
    // One signal stops every listener.
    let (stop, stopping) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop.send(true);
    });
    let stopped = move || {
        let mut stopping = stopping.clone();
        async move {
            let _ = stopping.wait_for(|stop| *stop).await;
        }
    };
    match &settings.network.tls {
        None => paceline_server::serve(listener, app, stopped())
            .await
            .context("server failed")?,
        Some(tls) => {
            let https_port = address.port();
            tls::serve(listener, app, tls, settings, https_port, stopped).await?;
        }
    }
    sweeper.abort();
    store.close().await;
    tracing::info!("shutdown complete");
    Ok(())
}

/// The configured file storage; a bucket is reached once, so that a wrong endpoint, bucket
/// or key stops the start with a clear message instead of failing the first upload.
pub(crate) async fn open_files(storage: &FileStorage) -> Result<ObjectFiles> {
    match storage {
        FileStorage::Local(folder) => {
            let files = ObjectFiles::local(folder).context("cannot open the file storage")?;
            tracing::info!(folder = %folder.display(), "files kept in a local folder");
            Ok(files)
        }
        FileStorage::S3(config) => {
            let files = ObjectFiles::s3(config).context("cannot open the S3 file storage")?;
            files
                .check()
                .await
                .with_context(|| format!("cannot reach {}", config.describe()))?;
            tracing::info!(bucket = %config.describe(), "files kept in S3");
            Ok(files)
        }
    }
}

/// The orphan sweep's name among the background jobs several instances share.
const ORPHAN_SWEEP: &str = "orphan-sweep";
/// How often each instance offers to sweep; a turn is claimed for a little less, so that
/// the first instance to offer after it ends takes the next.
const SWEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);
const SWEEP_TURN: time::Duration = time::Duration::minutes(59);

/// Removes spooled uploads a killed process left behind in this instance's folder, and
/// uploaded files that no row points to (an upload that crashed between writing its file
/// and committing its row), at start and then every hour. The files are shared by every
/// instance, so their sweep runs on the instance that claims the hour's turn.
async fn sweep_orphans(
    store: Arc<dyn Store>,
    files: Arc<dyn BlobStore>,
    spool: PathBuf,
    metrics: Option<Arc<Metrics>>,
) {
    let holder = format!("{}:{}", std::process::id(), rand::random::<u64>());
    let mut every_hour = tokio::time::interval(SWEEP_EVERY);
    loop {
        every_hour.tick().await;
        let folder = spool.clone();
        match tokio::task::spawn_blocking(move || sweep_spool(&folder)).await {
            Ok(0) | Err(_) => {}
            Ok(removed) => tracing::info!(removed, "abandoned spooled uploads removed"),
        }
        let now = time::OffsetDateTime::now_utc();
        match store
            .claim_job(ORPHAN_SWEEP, &holder, now, now + SWEEP_TURN)
            .await
        {
            Ok(true) => {}
            Ok(false) => {
                tracing::debug!(job = ORPHAN_SWEEP, "another instance holds this turn");
                continue;
            }
            Err(error) => {
                tracing::warn!(%error, job = ORPHAN_SWEEP, "cannot claim the turn");
                continue;
            }
        }
        let kept = |key: String| {
            let store = store.clone();
            async move {
                store
                    .file_key_exists(&key)
                    .await
                    .map_err(|e| BlobError::Unavailable(e.to_string()))
            }
        };
        let mut removed = 0;
        let mut outcome = "ok";
        for prefix in FileFormat::NAMES {
            match remove_orphans(files.as_ref(), prefix, now, &kept).await {
                Ok(count) => removed += count,
                Err(error) => {
                    outcome = "failed";
                    tracing::warn!(%error, prefix, "orphaned files not swept");
                }
            }
        }
        if let Some(metrics) = &metrics {
            metrics.job_ran(ORPHAN_SWEEP, outcome);
        }
        tracing::info!(job = ORPHAN_SWEEP, removed, outcome, "background job ran");
    }
}

/// Removes the files of the upload folder untouched for longer than any upload takes (a
/// live upload's spool file is written to as its bytes arrive, and removed when it ends).
fn sweep_spool(folder: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return 0;
    };
    let abandoned = |entry: &std::fs::DirEntry| {
        entry
            .metadata()
            .and_then(|meta| meta.modified())
            .ok()
            .and_then(|at| at.elapsed().ok())
            .is_some_and(|age| age > std::time::Duration::from_secs(3600))
    };
    entries
        .flatten()
        .filter(|entry| abandoned(entry) && std::fs::remove_file(entry.path()).is_ok())
        .count()
}

/// Listens for Ctrl-C and SIGTERM from the moment it is called (so a signal that comes before
/// the server first polls the future still stops it gracefully); completes when one comes.
fn shutdown_signal() -> impl Future<Output = ()> {
    #[cfg(unix)]
    let signals = {
        use tokio::signal::unix::{SignalKind, signal};
        let listen = |kind: SignalKind, name: &'static str| match signal(kind) {
            Ok(stream) => Some(stream),
            Err(error) => {
                tracing::error!(%error, "cannot listen for {name}");
                None
            }
        };
        (
            listen(SignalKind::interrupt(), "Ctrl-C"),
            listen(SignalKind::terminate(), "SIGTERM"),
        )
    };
    async move {
        #[cfg(unix)]
        {
            let (mut interrupt, mut terminate) = signals;
            let interrupted = async {
                match interrupt.as_mut() {
                    Some(stream) => {
                        stream.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            let terminated = async {
                match terminate.as_mut() {
                    Some(stream) => {
                        stream.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                () = interrupted => {}
                () = terminated => {}
            }
        }
        #[cfg(not(unix))]
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
        tracing::info!("shutdown signal received; finishing requests in flight");
    }
}
