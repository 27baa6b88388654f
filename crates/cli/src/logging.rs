//! Structured logs on standard error: text for people, JSON lines for collectors. Secrets
//! never reach them: the server logs paths, never query strings or credential headers, and
//! database URLs are logged redacted.

use crate::args::LogFormat;
use crate::config::Settings;
use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber.
pub fn init(settings: &Settings, default_filter: &str) {
    let filter = settings.log_filter.as_deref().unwrap_or(default_filter);
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new(default_filter));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let _ = match settings.log_format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .try_init(),
    };
}
