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
