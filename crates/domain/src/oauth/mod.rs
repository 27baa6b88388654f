//! The OAuth 2.0 authorization server's engine: clients, scopes, the authorization code
//! grant with PKCE, refresh-token rotation with reuse detection, revocation, bearer checks
//! and login sessions. The HTTP mapping (status codes, `WWW-Authenticate`, pages) lives in
//! the server; the rules live here.

pub mod authorize;
pub mod bearer;
pub mod client;
pub mod clients;
pub mod company;
pub mod error;
pub mod scope;
pub mod secret;
pub mod sessions;
pub mod store;
pub mod token;

pub use error::{OAuthError, OAuthErrorCode};
pub use scope::{Scope, ScopeSet};

use time::Duration;

/// The authorization server's settings.
#[derive(Debug, Clone)]
pub struct OAuthSettings {
    /// The issuer: the server's public origin, no path and no trailing slash. Sent as `iss`
    /// on every authorization response and in the metadata.
    pub issuer: String,
    /// How long an authorization code can be exchanged.
    pub code_ttl: Duration,
    /// How long an access token works.
    pub access_token_ttl: Duration,
    /// How long a refresh token works without being used.
    pub refresh_token_ttl: Duration,
    /// How long a login session lasts.
    pub session_ttl: Duration,
    /// How long after a refresh the spent refresh token may be presented once more (by a
    /// client that lost the response); zero, the default, allows no retry at all.
    pub refresh_grace: Duration,
}

impl OAuthSettings {
    /// The defaults for `issuer`: 60-second codes, one-hour access tokens (the Train it All
    /// spec's `expires_in: 3600`), refresh tokens that expire after 30 days unused, and
    /// twelve-hour login sessions, and strict refresh rotation (no grace period).
    pub fn new(issuer: impl Into<String>) -> Self {
        Self {
            issuer: issuer.into(),
            code_ttl: Duration::seconds(60),
            access_token_ttl: Duration::hours(1),
            refresh_token_ttl: Duration::days(30),
            session_ttl: Duration::hours(12),
            refresh_grace: Duration::ZERO,
        }
    }
}
