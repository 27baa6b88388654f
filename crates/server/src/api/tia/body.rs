//! Reading a Train it All write body: `application/json`, at most [`MAX_BODY_BYTES`],
//! well-formed, one object without repeated keys, valid against its [`BodySchema`]. Each
//! failure answers in the spec's error format before anything is written.

use crate::api::tia::error::TiaError;
use crate::api::tia::fields::{BodySchema, Invalid, Valid};
use crate::extract::body::{self, ReadFault, TopLevel};
use axum::body::Body;
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};

pub(crate) use crate::extract::body::MAX_BODY_BYTES;

fn too_large() -> TiaError {
    TiaError::refused(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("The request body is larger than {MAX_BODY_BYTES} bytes."),
        "payload_too_large",
        "Send less data per request; move bulk detail out of rawPayload.",
    )
}

/// A body-level fault reported with the full validation details.
fn form_error(schema: &BodySchema, received_keys: Vec<String>, issue: Value) -> TiaError {
    TiaError::validation(&Invalid {
        issues: vec![issue],
        received_keys,
        allowed_keys: schema.allowed_keys(),
        missing_fields: Vec::new(),
    })
}

/// Reads and validates a write body against `schema`.
pub(crate) async fn read(
    headers: &HeaderMap,
    request: Body,
    schema: &BodySchema,
) -> Result<Valid, TiaError> {
    if !body::has_type(headers, "application/json") {
        return Err(TiaError::refused(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Unsupported content type: the body must be JSON.",
            "unsupported_media_type",
            "Send Content-Type: application/json with a JSON object.",
        ));
    }
    let bytes = match body::bytes(headers, request).await {
        Ok(bytes) => bytes,
        Err(ReadFault::TooLarge) => return Err(too_large()),
        Err(ReadFault::Unreadable) => {
            return Err(TiaError::refused(
                StatusCode::BAD_REQUEST,
                "The request body could not be read.",
                "invalid_body",
                "Send the whole body with a correct Content-Length.",
            ));
        }
    };
    match TopLevel::parse(&bytes) {
        Err(e) => Err(error_with_details(
            "Malformed JSON in the request body.",
            "invalid_json",
            format!("Send one JSON object in UTF-8 (the parser said: {e})."),
            schema,
        )),
        Ok(TopLevel::Other(kind)) => Err(form_error(
            schema,
            Vec::new(),
            json!({ "code": "invalid_type", "expected": "object", "received": kind, "path": [],
                    "message": format!("Expected object, received {kind}") }),
        )),
        Ok(TopLevel::Object {
            members,
            repeated: Some(key),
        }) => Err(form_error(
            schema,
            members.into_iter().map(|(k, _)| k).collect(),
            json!({ "code": "custom", "path": [],
                    "message": format!("Duplicate key in object: '{key}'") }),
        )),
        Ok(TopLevel::Object {
            members,
            repeated: None,
        }) => schema
            .validate(members)
            .map_err(|invalid| TiaError::validation(&invalid)),
    }
}

/// An error with empty validation details beside the allowed keys, for faults found before
/// the body is an object.
fn error_with_details(
    message: &str,
    code: &'static str,
    hint: String,
    schema: &BodySchema,
) -> TiaError {
    let details = Invalid {
        allowed_keys: schema.allowed_keys(),
        ..Invalid::default()
    }
    .details();
    TiaError::refused(StatusCode::BAD_REQUEST, message, code, hint).with_details(details)
}
