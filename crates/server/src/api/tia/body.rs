//! Reading a Train it All write body: `application/json`, at most [`MAX_BODY_BYTES`],
//! well-formed, one object without repeated keys, valid against its [`BodySchema`]. Each
//! failure answers in the spec's error format before anything is written.

use crate::api::tia::error::{error, validation_error};
use crate::api::tia::fields::{BodySchema, Invalid, Valid};
use axum::body::Body;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Value, json};
use std::fmt;

/// The largest write body accepted, in bytes (answered 413 beyond).
pub(crate) const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Whether the content type is JSON: `application/json`, any parameters, charset UTF-8 if
/// given.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let mut parts = value.split(';').map(str::trim);
    let essence = parts.next().unwrap_or_default();
    essence.eq_ignore_ascii_case("application/json")
        && parts.all(|param| match param.split_once('=') {
            Some((name, charset)) if name.trim().eq_ignore_ascii_case("charset") => {
                let charset = charset.trim().trim_matches('"');
                charset.eq_ignore_ascii_case("utf-8") || charset.eq_ignore_ascii_case("utf8")
            }
            _ => true,
        })
}

fn too_large() -> Response {
    error(
        StatusCode::PAYLOAD_TOO_LARGE,
        &format!("The request body is larger than {MAX_BODY_BYTES} bytes."),
        "payload_too_large",
        "Send less data per request; move bulk detail out of rawPayload.",
    )
}

/// The top level of a body: an object's members in order, or the type of what came instead.
enum TopLevel {
    Object {
        members: Vec<(String, Value)>,
        repeated: Option<String>,
    },
    Other(&'static str),
}

struct TopLevelVisitor;

impl<'de> Visitor<'de> for TopLevelVisitor {
    type Value = TopLevel;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TopLevel, A::Error> {
        let mut members: Vec<(String, Value)> = Vec::new();
        let mut repeated = None;
        while let Some((key, value)) = map.next_entry::<String, Value>()? {
            if members.iter().any(|(k, _)| *k == key) {
                repeated.get_or_insert(key);
            } else {
                members.push((key, value));
            }
        }
        Ok(TopLevel::Object { members, repeated })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<TopLevel, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(TopLevel::Other("array"))
    }

    fn visit_unit<E: de::Error>(self) -> Result<TopLevel, E> {
        Ok(TopLevel::Other("null"))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<TopLevel, E> {
        Ok(TopLevel::Other("boolean"))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<TopLevel, E> {
        Ok(TopLevel::Other("number"))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<TopLevel, E> {
        Ok(TopLevel::Other("number"))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<TopLevel, E> {
        Ok(TopLevel::Other("number"))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<TopLevel, E> {
        Ok(TopLevel::Other("string"))
    }
}

impl<'de> de::Deserialize<'de> for TopLevel {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TopLevelVisitor)
    }
}

/// A body-level fault reported with the full validation details.
fn form_error(schema: &BodySchema, received_keys: Vec<String>, issue: Value) -> Response {
    validation_error(&Invalid {
        issues: vec![issue],
        received_keys,
        allowed_keys: schema.allowed_keys(),
        missing_fields: Vec::new(),
    })
}

/// Reads and validates a write body against `schema`.
pub(crate) async fn read(
    headers: &HeaderMap,
    body: Body,
    schema: &BodySchema,
) -> Result<Valid, Response> {
    if !is_json(headers) {
        return Err(error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Unsupported content type: the body must be JSON.",
            "unsupported_media_type",
            "Send Content-Type: application/json with a JSON object.",
        ));
    }
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Err(too_large());
    }
    let bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(e) => {
            let over = std::error::Error::source(&e)
                .is_some_and(|cause| cause.is::<http_body_util::LengthLimitError>());
            return Err(if over {
                too_large()
            } else {
                error(
                    StatusCode::BAD_REQUEST,
                    "The request body could not be read.",
                    "invalid_body",
                    "Send the whole body with a correct Content-Length.",
                )
            });
        }
    };
    match serde_json::from_slice::<TopLevel>(&bytes) {
        Err(e) => Err(error_with_details(
            "Malformed JSON in the request body.",
            "invalid_json",
            &format!("Send one JSON object in UTF-8 (the parser said: {e})."),
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
            .map_err(|invalid| validation_error(&invalid)),
    }
}

/// An error with empty validation details beside the allowed keys, for faults found before
/// the body is an object.
fn error_with_details(message: &str, code: &str, hint: &str, schema: &BodySchema) -> Response {
    crate::api::tia::error::error_with(
        StatusCode::BAD_REQUEST,
        message,
        code,
        hint,
        Invalid {
            allowed_keys: schema.allowed_keys(),
            ..Invalid::default()
        }
        .details(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with_type(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_str(value).unwrap_or(HeaderValue::from_static("x")),
        );
        headers
    }

    #[test]
    fn json_content_types() {
        assert!(is_json(&with_type("application/json")));
        assert!(is_json(&with_type("Application/JSON; charset=UTF-8")));
        assert!(is_json(&with_type("application/json;charset=\"utf-8\"")));
        assert!(!is_json(&with_type("application/json; charset=latin1")));
        assert!(!is_json(&with_type("text/plain")));
        assert!(!is_json(&with_type("application/x-www-form-urlencoded")));
        assert!(!is_json(&HeaderMap::new()));
    }
}
