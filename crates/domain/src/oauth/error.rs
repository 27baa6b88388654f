//! The errors of RFC 6749 (sections 4.1.2.1 and 5.2), RFC 6750 and OpenID's `prompt=none`
//! answers, with a description for the client developer.

use std::fmt;

/// An RFC 6749 error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OAuthErrorCode {
    /// The request is missing a parameter, repeats one or is otherwise malformed.
    InvalidRequest,
    /// Client authentication failed.
    InvalidClient,
    /// The grant (code or refresh token) is invalid, expired, revoked or not this client's.
    InvalidGrant,
    /// The client may not use this grant type.
    UnauthorizedClient,
    /// The grant type is not supported.
    UnsupportedGrantType,
    /// The scope is malformed, unknown or not allowed for the client.
    InvalidScope,
    /// The user denied the request.
    AccessDenied,
    /// Only `response_type=code` is supported.
    UnsupportedResponseType,
    /// `prompt=none` but the user is not logged in.
    LoginRequired,
    /// `prompt=none` but consent is needed.
    ConsentRequired,
    /// The server failed.
    ServerError,
    /// The server is overloaded or its database is unreachable.
    TemporarilyUnavailable,
}

impl OAuthErrorCode {
    /// The code as sent in `error`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::InvalidScope => "invalid_scope",
            Self::AccessDenied => "access_denied",
            Self::UnsupportedResponseType => "unsupported_response_type",
            Self::LoginRequired => "login_required",
            Self::ConsentRequired => "consent_required",
            Self::ServerError => "server_error",
            Self::TemporarilyUnavailable => "temporarily_unavailable",
        }
    }
}

/// An OAuth error with its description.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct OAuthError {
    /// The code.
    pub code: OAuthErrorCode,
    /// A sentence for the client developer (`error_description`).
    pub description: String,
    /// The cause behind a server-side failure, for the log only; never sent.
    pub internal: Option<String>,
}

impl OAuthError {
    /// An error with a description.
    pub fn new(code: OAuthErrorCode, description: impl Into<String>) -> Self {
        Self {
            code,
            description: description.into(),
            internal: None,
        }
    }

    /// `invalid_request`.
    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(OAuthErrorCode::InvalidRequest, description)
    }

    /// `invalid_grant`.
    pub fn invalid_grant(description: impl Into<String>) -> Self {
        Self::new(OAuthErrorCode::InvalidGrant, description)
    }

    /// `invalid_client`.
    pub fn invalid_client(description: impl Into<String>) -> Self {
        Self::new(OAuthErrorCode::InvalidClient, description)
    }

    /// `invalid_scope`.
    pub fn invalid_scope(description: impl Into<String>) -> Self {
        Self::new(OAuthErrorCode::InvalidScope, description)
    }
}

impl OAuthError {
    /// The description as RFC 6749 allows it on the wire (appendix A.7: printable ASCII
    /// without `"` and `\\`): anything else, such as a parameter name a client sent, is
    /// replaced by `?`.
    pub fn wire_description(&self) -> String {
        self.description
            .chars()
            .map(|c| match c {
                '"' | '\\' => '?',
                ' '..='~' => c,
                _ => '?',
            })
            .collect()
    }
}

impl fmt::Display for OAuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.description)
    }
}

impl From<crate::StoreError> for OAuthError {
    fn from(error: crate::StoreError) -> Self {
        let mut oauth = match error {
            crate::StoreError::Unavailable(_) => Self::new(
                OAuthErrorCode::TemporarilyUnavailable,
                "the server cannot reach its database; try again shortly",
            ),
            _ => Self::new(
                OAuthErrorCode::ServerError,
                "the server failed; try again later",
            ),
        };
        oauth.internal = Some(error.to_string());
        oauth
    }
}
