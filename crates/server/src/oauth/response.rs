//! OAuth responses: RFC 6749 JSON errors with the right status and `WWW-Authenticate`,
//! and the no-store headers every token response carries.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use paceline_domain::oauth::{OAuthError, OAuthErrorCode};
use serde_json::json;

/// A JSON body with `Cache-Control: no-store` and `Pragma: no-cache` (RFC 6749 section 5.1).
pub(crate) fn no_store(status: StatusCode, body: serde_json::Value) -> Response {
    let mut response = (status, Json(body)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// An RFC 6749 error response: 401 with `WWW-Authenticate` for `invalid_client`, 500 or 503
/// for server failures (logged with their cause), 400 otherwise.
pub(crate) fn error(error: &OAuthError) -> Response {
    let status = match error.code {
        OAuthErrorCode::InvalidClient => StatusCode::UNAUTHORIZED,
        OAuthErrorCode::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
        OAuthErrorCode::TemporarilyUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::BAD_REQUEST,
    };
    if let Some(cause) = &error.internal {
        tracing::error!(%cause, code = error.code.as_str(), "oauth request failed");
    }
    let mut response = no_store(
        status,
        json!({ "error": error.code.as_str(), "error_description": error.wire_description() }),
    );
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"paceline\""),
        );
    }
    response
}

/// 405 for a method the endpoint does not take, with `Allow` and an RFC 6749 body.
pub(crate) async fn method_not_allowed() -> Response {
    let mut response = no_store(
        StatusCode::METHOD_NOT_ALLOWED,
        json!({ "error": "invalid_request", "error_description": "use POST" }),
    );
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("POST"));
    response
}

/// The body could not be read: 413 when it is over the limit, 400 otherwise, in the RFC 6749
/// error shape.
pub(crate) fn unreadable_body(rejection: &axum::extract::rejection::BytesRejection) -> Response {
    let status = rejection.status();
    let description = if status == StatusCode::PAYLOAD_TOO_LARGE {
        "the request body is too large"
    } else {
        "the request body could not be read"
    };
    no_store(
        status,
        json!({ "error": "invalid_request", "error_description": description }),
    )
}

/// Too many failed client authentications: 429 with `Retry-After`.
pub(crate) fn too_many_attempts(limited: crate::throttle::Limited) -> Response {
    let mut response = no_store(
        StatusCode::TOO_MANY_REQUESTS,
        json!({
            "error": "temporarily_unavailable",
            "error_description": format!(
                "too many failed client authentications (the limit is {}); retry after {} seconds",
                limited.describe(),
                limited.retry_after_seconds
            ),
        }),
    );
    limited.add_retry_after(&mut response);
    response
}

/// Why an OAuth endpoint answers before it looks at the grant: an RFC 6749 error, a body
/// that could not be read, or too many failed client authentications.
#[derive(Debug)]
pub(crate) enum OAuthRefusal {
    /// An error in the RFC 6749 shape.
    Error(OAuthError),
    /// The body could not be read (413 past the limit).
    Body(axum::extract::rejection::BytesRejection),
    /// Too many failed client authentications: 429 with `Retry-After`.
    Limited(crate::throttle::Limited),
}

impl IntoResponse for OAuthRefusal {
    fn into_response(self) -> Response {
        match self {
            Self::Error(e) => error(&e),
            Self::Body(rejection) => unreadable_body(&rejection),
            Self::Limited(limited) => too_many_attempts(limited),
        }
    }
}

impl From<OAuthError> for OAuthRefusal {
    fn from(e: OAuthError) -> Self {
        Self::Error(e)
    }
}
