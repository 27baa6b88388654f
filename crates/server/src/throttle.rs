//! Applying the rate limits: per access token and per client on the APIs, per account and
//! per client address on the login form. The client address is the peer of the TCP
//! connection, or what a trusted proxy says it forwarded (`transport`).

use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use paceline_domain::oauth::secret::SecretHash;
use paceline_domain::ratelimit::{Decision, Limit};
use std::convert::Infallible;
use std::net::IpAddr;
use time::Duration;

/// The address of the client, when the server records it.
pub(crate) struct ClientAddress(pub(crate) Option<IpAddr>);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        let client = crate::transport::client_of(&parts.headers, &parts.extensions, &state.proxies);
        Ok(Self(client.ip))
    }
}

/// Over a limit: what to tell the client.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limited {
    /// Whole seconds to wait, at least one.
    pub(crate) retry_after_seconds: i64,
    /// The limit that was hit.
    pub(crate) limit: Limit,
}

impl Limited {
    /// `Retry-After` on `response`.
    pub(crate) fn add_retry_after(self, response: &mut Response) {
        if let Ok(value) = HeaderValue::from_str(&self.retry_after_seconds.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
    }

    /// The limit in words: "600 requests per 60 seconds".
    pub(crate) fn describe(self) -> String {
        format!(
            "{} requests per {} seconds",
            self.limit.requests,
            self.limit.period.whole_seconds()
        )
    }
}

/// Counts one request against each `(key, limit)`; the first limit hit wins. A limiter that
/// fails lets the request through (and logs): an outage of the counter must not take the
/// APIs down with it.
pub(crate) async fn check(state: &AppState, checks: &[(String, Limit)]) -> Result<(), Limited> {
    let now = state.clock.now();
    for (key, limit) in checks {
        match state.limiter.check(key, *limit, now).await {
            Ok(Decision::Allowed) => {}
            Ok(Decision::Limited { retry_after }) => {
                if let Some(metrics) = &state.metrics {
                    metrics.refused(key.split(':').next().unwrap_or_default());
                }
                return Err(Limited {
                    retry_after_seconds: ceil_seconds(retry_after),
                    limit: *limit,
                });
            }
            Err(error) => tracing::warn!(%error, "rate limiter unavailable; request let through"),
        }
    }
    Ok(())
}

/// Whether a request now would be over any of `checks`, without counting it (it counts one
/// and gives it back). For limits on failures that are cheap to detect: the request is
/// counted with [`check`] only once it has failed.
pub(crate) async fn peek(state: &AppState, checks: &[(String, Limit)]) -> Result<(), Limited> {
    check(state, checks).await?;
    refund(state, checks).await;
    Ok(())
}

/// Gives back the requests counted for `checks` (the attempt succeeded). Failures to do so
/// are logged: the worst outcome is a limit reached sooner.
pub(crate) async fn refund(state: &AppState, checks: &[(String, Limit)]) {
    let now = state.clock.now();
    for (key, limit) in checks {
        if let Err(error) = state.limiter.refund(key, *limit, now).await {
            tracing::warn!(%error, "rate limiter refund failed");
        }
    }
}

/// A bounded key for limits on identities taken from requests: the SHA-256 of `parts`, so
/// neither memory nor an index grows with what a client chooses to send.
pub(crate) fn hashed_key(kind: &str, parts: &[&str]) -> String {
    format!("{kind}:{}", SecretHash::of(&parts.join("\u{1f}")).as_str())
}

fn ceil_seconds(duration: Duration) -> i64 {
    let whole = duration.whole_seconds();
    let rounded = if duration > Duration::seconds(whole) {
        whole + 1
    } else {
        whole
    };
    rounded.max(1)
}
