//! The Train it All error body (spec section 6): `error` (an English sentence), `errorCode`,
//! `hint` and, for validation errors, `details`.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// A Train it All error response.
pub(crate) fn error(status: StatusCode, message: &str, code: &str, hint: &str) -> Response {
    (
        status,
        Json(json!({ "error": message, "errorCode": code, "hint": hint })),
    )
        .into_response()
}

/// Adds `WWW-Authenticate` to a response.
pub(crate) fn with_challenge(mut response: Response, challenge: Option<HeaderValue>) -> Response {
    if let Some(value) = challenge {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

/// A Train it All error response with `details`.
pub(crate) fn error_with(
    status: StatusCode,
    message: &str,
    code: &str,
    hint: &str,
    details: serde_json::Value,
) -> Response {
    (
        status,
        Json(json!({ "error": message, "errorCode": code, "hint": hint, "details": details })),
    )
        .into_response()
}

/// 400 for a body that fails validation, in the spec's words.
pub(crate) fn validation_error(invalid: &crate::api::tia::fields::Invalid) -> Response {
    error_with(
        StatusCode::BAD_REQUEST,
        "Invalid request body.",
        "validation_error",
        "Check required fields and units.",
        invalid.details(),
    )
}

/// 503 when storage fails; the cause goes to the log, not to the client.
pub(crate) fn unavailable(cause: &dyn std::fmt::Display) -> Response {
    tracing::error!(%cause, "storage failed");
    error(
        StatusCode::SERVICE_UNAVAILABLE,
        "The service is temporarily unavailable.",
        "unavailable",
        "Retry in a few seconds.",
    )
}

fn not_allowed(allow: &'static str) -> Response {
    let mut response = error(
        StatusCode::METHOD_NOT_ALLOWED,
        "Method not allowed.",
        "method_not_allowed",
        &format!(
            "This endpoint takes {allow}; records are written by POST (upsert), never PUT, PATCH or DELETE."
        ),
    );
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    response
}

/// 405 on a list-and-write endpoint.
pub(crate) async fn list_and_write_only() -> Response {
    not_allowed("GET, HEAD, POST")
}

/// 405 on a write-only endpoint.
pub(crate) async fn write_only() -> Response {
    not_allowed("POST")
}

/// 405 on a read-only endpoint.
pub(crate) async fn read_only() -> Response {
    not_allowed("GET, HEAD")
}
