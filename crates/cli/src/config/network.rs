//! How `serve` is reached: TLS (`[tls]`, or `serve --tls-cert --tls-key`), a plain listener
//! that redirects to it (`redirect_http`), and the reverse proxies whose forwarded headers
//! are believed (`[proxy] trusted`, or `PACELINE_TRUSTED_PROXIES`).

use anyhow::{Context, Result, bail};
use paceline_server::TrustedProxies;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// How often the certificate files are looked at for a renewal, by default.
const RELOAD_EVERY: Duration = Duration::from_secs(30);

/// `[tls]` in the file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileTls {
    cert: Option<PathBuf>,
    key: Option<PathBuf>,
    redirect_http: Option<String>,
    reload_seconds: Option<u32>,
}

/// `[proxy]` in the file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileProxy {
    trusted: Option<Vec<String>>,
}

/// The certificate `serve` answers with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tls {
    /// The certificate chain, PEM.
    pub cert: PathBuf,
    /// Its private key, PEM.
    pub key: PathBuf,
    /// How often the two files are looked at for a renewal.
    pub reload_every: Duration,
}

/// How `serve` is reached.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Network {
    /// TLS, when configured.
    pub tls: Option<Tls>,
    /// A plain-HTTP listener that answers 308 to the HTTPS URL.
    pub redirect_http: Option<SocketAddr>,
    /// Proxies whose `Forwarded`/`X-Forwarded-*` headers are believed.
    pub trusted_proxies: TrustedProxies,
}

fn address(text: &str) -> Result<SocketAddr> {
    text.parse()
        .with_context(|| format!("invalid address `{text}`: expected IP:PORT, e.g. 0.0.0.0:80"))
}

/// What the flags of `serve` say, over the file.
#[derive(Debug, Default)]
pub struct ServeFlags<'a> {
    /// `--tls-cert`.
    pub tls_cert: Option<&'a std::path::Path>,
    /// `--tls-key`.
    pub tls_key: Option<&'a std::path::Path>,
    /// `--redirect-http`.
    pub redirect_http: Option<&'a str>,
}

impl Network {
    /// From the file and `PACELINE_TRUSTED_PROXIES` (comma-separated), flags not yet applied.
    pub(super) fn resolve(
        tls: FileTls,
        proxy: FileProxy,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self> {
        let trusted: Vec<String> = match env("PACELINE_TRUSTED_PROXIES") {
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            None => proxy.trusted.unwrap_or_default(),
        };
        let trusted_proxies = TrustedProxies::parse(&trusted)
            .map_err(anyhow::Error::msg)
            .context("proxy.trusted")?;
        let reload_every = match tls.reload_seconds {
            Some(0) => bail!("tls.reload_seconds must be at least 1"),
            Some(seconds) => Duration::from_secs(u64::from(seconds)),
            None => RELOAD_EVERY,
        };
        let mut network = Self {
            tls: None,
            redirect_http: tls.redirect_http.as_deref().map(address).transpose()?,
            trusted_proxies,
        };
        network.set_tls(tls.cert, tls.key, reload_every)?;
        Ok(network)
    }

    fn set_tls(
        &mut self,
        cert: Option<PathBuf>,
        key: Option<PathBuf>,
        reload_every: Duration,
    ) -> Result<()> {
        self.tls = match (cert, key) {
            (Some(cert), Some(key)) => Some(Tls {
                cert,
                key,
                reload_every,
            }),
            (None, None) => None,
            _ => bail!("TLS needs both a certificate and its key (tls.cert and tls.key)"),
        };
        Ok(())
    }

    /// With `serve`'s flags over the file.
    pub fn with_flags(mut self, flags: &ServeFlags<'_>) -> Result<Self> {
        if flags.tls_cert.is_some() || flags.tls_key.is_some() {
            let reload_every = self.tls.as_ref().map_or(RELOAD_EVERY, |t| t.reload_every);
            let cert = flags
                .tls_cert
                .map(PathBuf::from)
                .or_else(|| self.tls.as_ref().map(|t| t.cert.clone()));
            let key = flags
                .tls_key
                .map(PathBuf::from)
                .or_else(|| self.tls.as_ref().map(|t| t.key.clone()));
            self.set_tls(cert, key, reload_every)?;
        }
        if let Some(redirect) = flags.redirect_http {
            self.redirect_http = Some(address(redirect)?);
        }
        if self.redirect_http.is_some() && self.tls.is_none() {
            bail!("redirect_http sends clients to HTTPS: it needs TLS (--tls-cert and --tls-key)");
        }
        Ok(self)
    }
}
