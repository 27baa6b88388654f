//! The effective configuration: defaults, then the TOML file, then `PACELINE_*` environment
//! variables, then flags (clap has already merged the last two). Parsed once here and
//! passed down; nothing reads the environment later.

use crate::args::{ConfigArgs, LogFormat};
use anyhow::{Context, Result, bail};
use paceline_domain::oauth::OAuthSettings;
use paceline_domain::oauth::secret::Secret;
use paceline_domain::ratelimit::{Limit, Limits};
use paceline_files::S3Config;
use paceline_server::mail::{SmtpSecurity, SmtpSettings};
use paceline_store_sql::Database;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use time::Duration;

mod network;

pub use network::{Network, ServeFlags, Tls};

/// The default data folder, relative to the working directory.
pub const DEFAULT_DATA_DIR: &str = "./paceline-data";
/// The default listening address: loopback only, so a fresh install is not exposed.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// The SQLite file's name inside the data folder.
pub const SQLITE_FILE: &str = "paceline.sqlite3";

/// The configuration file's shape; unknown keys are errors, so a typo is not ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    data_dir: Option<PathBuf>,
    listen: Option<String>,
    public_url: Option<String>,
    #[serde(default)]
    database: FileDatabase,
    #[serde(default)]
    log: FileLog,
    #[serde(default)]
    rate_limit: FileRateLimit,
    #[serde(default)]
    oauth: FileOAuth,
    #[serde(default)]
    files: FileFiles,
    #[serde(default)]
    tls: network::FileTls,
    #[serde(default)]
    proxy: network::FileProxy,
    #[serde(default)]
    accounts: FileAccounts,
    smtp: Option<FileSmtp>,
    #[serde(default)]
    metrics: FileMetrics,
}

/// `[metrics]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileMetrics {
    enabled: Option<bool>,
    token_file: Option<PathBuf>,
}

/// `[accounts]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileAccounts {
    open_signup: Option<bool>,
}

/// `[smtp]`: the password is never in the file itself, only the path of a file that holds
/// it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSmtp {
    host: String,
    port: Option<u16>,
    security: Option<String>,
    username: Option<String>,
    password_file: Option<PathBuf>,
    from: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileFiles {
    s3: Option<FileS3>,
}

/// `[files.s3]`: the secret key is never in the file itself, only the path of a file that
/// holds it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileS3 {
    bucket: Option<String>,
    endpoint: Option<String>,
    region: Option<String>,
    access_key_id: Option<String>,
    secret_access_key_file: Option<PathBuf>,
    virtual_hosted_style: Option<bool>,
    prefix: Option<String>,
    allow_http: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileOAuth {
    code_ttl_seconds: Option<u32>,
    access_token_ttl_seconds: Option<u32>,
    refresh_token_ttl_days: Option<u32>,
    refresh_grace_seconds: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRateLimit {
    shared: Option<bool>,
    api_per_token: Option<u32>,
    api_per_client: Option<u32>,
    login_per_account: Option<u32>,
    login_per_address: Option<u32>,
    client_auth_failures: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDatabase {
    url: Option<String>,
    max_connections: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileLog {
    format: Option<LogFormat>,
    filter: Option<String>,
}

/// Everything the commands need to know about the installation.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Folder for the SQLite file and stored files.
    pub data_dir: PathBuf,
    /// The database.
    pub database: Database,
    /// Most database connections per process.
    pub max_connections: u32,
    /// Where `serve` listens.
    pub listen: SocketAddr,
    /// The origin clients and browsers reach the server at (the OAuth issuer), if set.
    pub public_url: Option<String>,
    /// Log format.
    pub log_format: LogFormat,
    /// Log filter, if set.
    pub log_filter: Option<String>,
    /// The configuration file read, if any.
    pub config_file: Option<PathBuf>,
    /// The rate limits.
    pub limits: Limits,
    /// Whether limits are counted in the database, shared by every process.
    pub shared_limits: bool,
    /// The administrator token that opens the admin HTTP API, if set.
    pub admin_token: Option<Secret>,
    /// Whether `GET /metrics` is served, and the token it then needs, if any.
    pub metrics: Option<MetricsAccess>,
    /// Token lifetimes and the refresh grace period, from `[oauth]`.
    pub oauth: OAuthTimes,
    /// Where uploaded files are kept.
    pub files: FileStorage,
    /// TLS, the redirecting listener and the trusted proxies.
    pub network: Network,
    /// Whether anyone may create an account from the sign-up page.
    pub open_signup: bool,
    /// Where e-mail goes out, if anywhere.
    pub smtp: Option<SmtpSettings>,
}

/// Reads `[smtp]`: the security (`starttls`, the default; `tls`; `none`) with its usual port
/// when none is given, and the password from its file.
fn smtp_settings(file: Option<FileSmtp>) -> Result<Option<SmtpSettings>> {
    let Some(file) = file else {
        return Ok(None);
    };
    let security = match file.security.as_deref().unwrap_or("starttls") {
        "starttls" => SmtpSecurity::StartTls,
        "tls" => SmtpSecurity::Tls,
        "none" => SmtpSecurity::Plain,
        other => bail!("smtp.security `{other}`: expected starttls, tls or none"),
    };
    let port = file.port.unwrap_or(match security {
        SmtpSecurity::StartTls => 587,
        SmtpSecurity::Tls => 465,
        SmtpSecurity::Plain => 25,
    });
    let password = match &file.password_file {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .with_context(|| format!("reading smtp.password_file {}", path.display()))?
                .trim()
                .to_owned(),
        ),
        None => None,
    };
    if file.username.is_some() != password.is_some() {
        bail!("smtp.username and smtp.password_file go together");
    }
    Ok(Some(SmtpSettings {
        host: file.host,
        port,
        security,
        username: file.username,
        password,
        from: file.from,
    }))
}

/// Where uploaded files are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileStorage {
    /// A folder (`DATA_DIR/files`, the default).
    Local(PathBuf),
    /// An S3-compatible bucket, when one is configured.
    S3(S3Config),
}

/// The authorization server's times, applied to its settings once the issuer is known.
#[derive(Debug, Clone, Copy)]
pub struct OAuthTimes {
    code_ttl: Option<Duration>,
    access_token_ttl: Option<Duration>,
    refresh_token_ttl: Option<Duration>,
    refresh_grace: Option<Duration>,
}

impl OAuthTimes {
    /// The settings for `issuer`, with these times where set.
    pub fn settings(self, issuer: String) -> OAuthSettings {
        let mut settings = OAuthSettings::new(issuer);
        settings.code_ttl = self.code_ttl.unwrap_or(settings.code_ttl);
        settings.access_token_ttl = self.access_token_ttl.unwrap_or(settings.access_token_ttl);
        settings.refresh_token_ttl = self.refresh_token_ttl.unwrap_or(settings.refresh_token_ttl);
        settings.refresh_grace = self.refresh_grace.unwrap_or(settings.refresh_grace);
        settings
    }
}

impl Settings {
    /// Resolves the configuration. `listen` is `serve`'s flag (or `PACELINE_LISTEN`).
    pub fn resolve(args: &ConfigArgs, listen: Option<&str>) -> Result<Self> {
        let file = match &args.config {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };
        let data_dir = args
            .data_dir
            .clone()
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
        let database_url = match (&args.database_url, file.database.url) {
            (Some(url), _) => Some(url.clone()),
            (None, Some(url)) => Some(url),
            (None, None) => read_secret_file("PACELINE_DATABASE_URL_FILE")?,
        };
        let database = match database_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
        {
            Some(url) => Database::from_url(url)?,
            None => Database::Sqlite(data_dir.join(SQLITE_FILE)),
        };
        let listen_text = listen.map(str::to_owned).or(file.listen);
        let listen_text = listen_text.as_deref().unwrap_or(DEFAULT_LISTEN);
        let listen: SocketAddr = listen_text.parse().with_context(|| {
            format!("invalid listen address `{listen_text}`: expected IP:PORT, e.g. 0.0.0.0:8080")
        })?;
        let public_url = args
            .public_url
            .clone()
            .or(file.public_url)
            .map(|url| check_public_url(&url))
            .transpose()?;
        let max_connections = file.database.max_connections.unwrap_or(16);
        if max_connections == 0 {
            bail!("database.max_connections must be at least 1");
        }
        let (limits, shared_limits) = rate_limits(&file.rate_limit)?;
        // PostgreSQL is what several instances share, and limits counted in one process's
        // memory would let each admit the whole limit: on it they are counted in the
        // database unless the file says otherwise. SQLite is one process's.
        let shared_limits = shared_limits.unwrap_or(matches!(database, Database::Postgres(_)));
        let positive = |value: Option<u32>, name: &str| -> Result<Option<u32>> {
            match value {
                Some(0) => bail!("oauth.{name} must be at least 1"),
                other => Ok(other),
            }
        };
        let oauth = OAuthTimes {
            code_ttl: positive(file.oauth.code_ttl_seconds, "code_ttl_seconds")?
                .map(|s| Duration::seconds(i64::from(s))),
            access_token_ttl: positive(
                file.oauth.access_token_ttl_seconds,
                "access_token_ttl_seconds",
            )?
            .map(|s| Duration::seconds(i64::from(s))),
            refresh_token_ttl: positive(
                file.oauth.refresh_token_ttl_days,
                "refresh_token_ttl_days",
            )?
            .map(|d| Duration::days(i64::from(d))),
            refresh_grace: file
                .oauth
                .refresh_grace_seconds
                .map(|s| Duration::seconds(i64::from(s))),
        };
        let admin_token = match std::env::var("PACELINE_ADMIN_TOKEN").ok() {
            Some(token) => Some(token),
            None => read_secret_file("PACELINE_ADMIN_TOKEN_FILE")?,
        };
        let admin_token = admin_token
            .filter(|t| !t.is_empty())
            .map(|t| check_token("the administrator token", t))
            .transpose()?;
        let metrics = metrics_access(&file.metrics)?;
        let files = match s3_settings(&file.files.s3.unwrap_or_default(), |name| {
            std::env::var(name).ok()
        })? {
            Some(s3) => FileStorage::S3(s3),
            None => FileStorage::Local(data_dir.join("files")),
        };
        let network = Network::resolve(file.tls, file.proxy, |name| std::env::var(name).ok())?;
        let smtp = smtp_settings(file.smtp)?;
        Ok(Self {
            open_signup: file.accounts.open_signup.unwrap_or(false),
            smtp,
            network,
            files,
            oauth,
            admin_token,
            metrics,
            limits,
            shared_limits,
            data_dir,
            database,
            max_connections,
            listen,
            public_url,
            log_format: args
                .log_format
                .or(file.log.format)
                .unwrap_or(LogFormat::Text),
            log_filter: args.log.clone().or(file.log.filter),
            config_file: args.config.clone(),
        })
    }

    /// The OAuth issuer: the public URL when configured, else the address `serve` bound
    /// (with an unspecified address replaced by loopback, which only local clients reach).
    pub fn issuer(&self, bound: SocketAddr) -> String {
        if let Some(url) = &self.public_url {
            return url.clone();
        }
        let mut address = bound;
        if address.ip().is_unspecified() {
            tracing::warn!(
                "listening on all interfaces without public_url: set PACELINE_PUBLIC_URL to the URL clients use"
            );
            address.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
        }
        let scheme = if self.network.tls.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{address}")
    }

    /// The configuration as `key = value` lines, secrets redacted.
    pub fn describe(&self) -> String {
        let file = self
            .config_file
            .as_ref()
            .map_or_else(|| "(none)".to_owned(), |p| p.display().to_string());
        format!(
            "config_file = {file:?}\ndata_dir = {:?}\ndatabase.url = {:?}\n\
             database.max_connections = {}\nlisten = \"{}\"\npublic_url = {:?}\nlog.format = \"{}\"\nlog.filter = {:?}\nrate_limit = {}\nadmin_api = {}\nfiles = {:?}\n",
            self.data_dir.display().to_string(),
            self.database.redacted(),
            self.max_connections,
            self.listen,
            self.public_url
                .as_deref()
                .unwrap_or("(the listening address)"),
            match self.log_format {
                LogFormat::Text => "text",
                LogFormat::Json => "json",
            },
            self.log_filter.as_deref().unwrap_or("(default)"),
            format_args!(
                "{}/min per token, {}/min per client, {}/15 min per account, {}/15 min per address, counted {}",
                self.limits.api_per_token.requests,
                self.limits.api_per_client.requests,
                self.limits.login_per_account.requests,
                self.limits.login_per_address.requests,
                if self.shared_limits {
                    "in the database"
                } else {
                    "in memory"
                }
            ),
            if self.admin_token.is_some() {
                "\"enabled (token set)\""
            } else {
                "\"disabled\""
            },
            match &self.files {
                FileStorage::Local(folder) => folder.display().to_string(),
                FileStorage::S3(s3) => format!(
                    "{}, {}{}",
                    s3.describe(),
                    match (&s3.access_key_id, &s3.secret_access_key) {
                        (Some(_), Some(_)) => "access key set",
                        _ => "credentials from the instance",
                    },
                    if s3.virtual_hosted_style {
                        ", virtual-hosted style"
                    } else {
                        ""
                    },
                ),
            },
        ) + &format!(
            "tls = {}\nredirect_http = {}\nproxy.trusted = {}\n",
            match &self.network.tls {
                Some(tls) => format!(
                    "\"{} with {}, looked at every {} s\"",
                    tls.cert.display(),
                    tls.key.display(),
                    tls.reload_every.as_secs()
                ),
                None => "\"off\"".to_owned(),
            },
            self.network
                .redirect_http
                .map_or_else(|| "\"off\"".to_owned(), |a| format!("\"{a}\"")),
            if self.network.trusted_proxies.is_empty() {
                "\"none: forwarded headers are not believed\""
            } else {
                "\"set\""
            }
        ) + &format!(
            "metrics = {}\n",
            match &self.metrics {
                None => "\"off\"",
                Some(MetricsAccess { token: Some(_) }) => "\"GET /metrics, token set\"",
                Some(MetricsAccess { token: None }) => "\"GET /metrics, open\"",
            }
        ) + &format!(
            "accounts.open_signup = {}\nsmtp = {}\n",
            self.open_signup,
            match &self.smtp {
                Some(smtp) => format!(
                    "\"{}:{} ({:?}) as {}{}\"",
                    smtp.host,
                    smtp.port,
                    smtp.security,
                    smtp.from,
                    if smtp.username.is_some() {
                        ", with a login"
                    } else {
                        ""
                    }
                ),
                None => "\"off: links are shown to copy, nothing is e-mailed\"".to_owned(),
            }
        )
    }
}

/// The limits from the file's `[rate_limit]` table: API limits per minute, login limits
/// per 15 minutes; each at least 1.
fn rate_limits(file: &FileRateLimit) -> Result<(Limits, Option<bool>)> {
    let mut limits = Limits::default();
    let per = |value: Option<u32>, default: Limit, name: &str| -> Result<Limit> {
        match value {
            None => Ok(default),
            Some(0) => bail!("rate_limit.{name} must be at least 1"),
            Some(requests) => Ok(Limit {
                requests,
                period: default.period,
            }),
        }
    };
    limits.api_per_token = per(file.api_per_token, limits.api_per_token, "api_per_token")?;
    limits.api_per_client = per(file.api_per_client, limits.api_per_client, "api_per_client")?;
    limits.login_per_account = per(
        file.login_per_account,
        limits.login_per_account,
        "login_per_account",
    )?;
    limits.client_auth_failures = per(
        file.client_auth_failures,
        limits.client_auth_failures,
        "client_auth_failures",
    )?;
    limits.login_per_address = per(
        file.login_per_address,
        limits.login_per_address,
        "login_per_address",
    )?;
    Ok((limits, file.shared))
}

/// The S3 settings from `[files.s3]` and the `PACELINE_S3_*` variables (which win), or
/// `None` without a bucket: files then stay in the local folder.
fn s3_settings(file: &FileS3, env: impl Fn(&str) -> Option<String>) -> Result<Option<S3Config>> {
    let text = |variable: &str, from_file: &Option<String>| {
        env(variable)
            .or_else(|| from_file.clone())
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let flag = |variable: &str, from_file: Option<bool>| -> Result<bool> {
        match env(variable).as_deref().map(str::trim) {
            None | Some("") => Ok(from_file.unwrap_or(false)),
            Some("1" | "true" | "yes") => Ok(true),
            Some("0" | "false" | "no") => Ok(false),
            Some(other) => bail!("{variable} must be true or false, not `{other}`"),
        }
    };
    let Some(bucket) = text("PACELINE_S3_BUCKET", &file.bucket) else {
        return Ok(None);
    };
    let secret_file = env("PACELINE_S3_SECRET_ACCESS_KEY_FILE")
        .map(PathBuf::from)
        .or_else(|| file.secret_access_key_file.clone());
    let secret = match (env("PACELINE_S3_SECRET_ACCESS_KEY"), secret_file) {
        (Some(secret), _) => Some(secret),
        (None, Some(path)) => Some(
            std::fs::read_to_string(&path)
                .with_context(|| {
                    format!(
                        "cannot read the S3 secret access key file {}",
                        path.display()
                    )
                })?
                .trim()
                .to_owned(),
        ),
        (None, None) => None,
    }
    .filter(|s| !s.is_empty());
    let access_key_id = text("PACELINE_S3_ACCESS_KEY_ID", &file.access_key_id);
    if access_key_id.is_some() != secret.is_some() {
        bail!(
            "S3 credentials: set both the access key id and the secret access key, or neither \
             (to use the instance's role)"
        );
    }
    let endpoint = text("PACELINE_S3_ENDPOINT", &file.endpoint);
    if let Some(endpoint) = &endpoint
        && !(endpoint.starts_with("https://") || endpoint.starts_with("http://"))
    {
        bail!("the S3 endpoint `{endpoint}` must start with https:// or http://");
    }
    let allow_http = flag("PACELINE_S3_ALLOW_HTTP", file.allow_http)?;
    if let Some(endpoint) = &endpoint
        && endpoint.starts_with("http://")
        && !allow_http
    {
        bail!(
            "the S3 endpoint `{endpoint}` is plain http: set files.s3.allow_http (or \
             PACELINE_S3_ALLOW_HTTP=true) for a local test server"
        );
    }
    Ok(Some(S3Config {
        bucket,
        endpoint,
        region: text("PACELINE_S3_REGION", &file.region),
        access_key_id,
        secret_access_key: secret.map(Secret::new),
        virtual_hosted_style: flag(
            "PACELINE_S3_VIRTUAL_HOSTED_STYLE",
            file.virtual_hosted_style,
        )?,
        prefix: text("PACELINE_S3_PREFIX", &file.prefix),
        allow_http,
    }))
}

/// An administrator token must be long and printable: it is the only key to the admin API.
fn check_token(what: &str, token: String) -> Result<Secret> {
    if token.len() < 32 || !token.bytes().all(|b| b.is_ascii_graphic()) {
        bail!("{what} must be at least 32 printable characters without spaces");
    }
    Ok(Secret::new(token))
}

/// Who may read `GET /metrics`.
#[derive(Debug, Clone)]
pub struct MetricsAccess {
    /// The bearer token a scrape must carry; without one, anyone who reaches the server.
    pub token: Option<Secret>,
}

/// Metrics are served when `[metrics] enabled = true` or a token is given
/// (`PACELINE_METRICS_TOKEN`, `PACELINE_METRICS_TOKEN_FILE`, or `[metrics] token_file`); a
/// token given while `enabled = false` is an error rather than silently ignored.
fn metrics_access(file: &FileMetrics) -> Result<Option<MetricsAccess>> {
    let token = match std::env::var("PACELINE_METRICS_TOKEN").ok() {
        Some(token) => Some(token),
        None => match read_secret_file("PACELINE_METRICS_TOKEN_FILE")? {
            Some(token) => Some(token),
            None => match &file.token_file {
                Some(path) => Some(
                    std::fs::read_to_string(path)
                        .with_context(|| format!("reading metrics.token_file {}", path.display()))?
                        .trim()
                        .to_owned(),
                ),
                None => None,
            },
        },
    };
    // A token source that is set but empty (a secret not mounted yet) is an error, never
    // metrics served to anyone.
    let token = token
        .map(|t| check_token("the metrics token", t))
        .transpose()?;
    match (file.enabled, token) {
        (Some(false), Some(_)) => bail!("a metrics token is set but metrics.enabled is false"),
        (Some(false) | None, None) => Ok(None),
        (_, token) => Ok(Some(MetricsAccess { token })),
    }
}

/// Checks the public URL: an `http` or `https` origin with no path, query or trailing
/// slash (RFC 8414's issuer).
fn check_public_url(url: &str) -> Result<String> {
    let url = url.trim();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .with_context(|| format!("public_url `{url}` must start with https:// or http://"))?;
    if rest.is_empty() || rest.contains(['/', '?', '#', '@']) {
        bail!(
            "public_url `{url}` must be an origin like https://paceline.example.com, without path or trailing slash"
        );
    }
    Ok(url.to_owned())
}

fn read_file(path: &Path) -> Result<FileConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read configuration file {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("invalid configuration file {}", path.display()))
}

/// Reads a secret from the file named by `variable`, for secrets kept out of the
/// environment (container secrets).
fn read_secret_file(variable: &str) -> Result<Option<String>> {
    match std::env::var_os(variable) {
        None => Ok(None),
        Some(path) => {
            let text = std::fs::read_to_string(&path).with_context(|| {
                format!("cannot read {variable} file {}", Path::new(&path).display())
            })?;
            Ok(Some(text.trim().to_owned()))
        }
    }
}

#[cfg(test)]
mod tests;
