//! Reading write bodies, shared by both API surfaces: the media type, the size limit
//! (answered before reading when `Content-Length` already says too much) and the top level
//! of a JSON body, with repeated keys caught. Each surface words the refusals in its own
//! format.

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, header};
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::fmt;

/// The largest write body accepted, in bytes (answered 413 beyond).
pub(crate) const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Whether the content type's essence is `essence`, ignoring case, with a charset of UTF-8
/// if one is given.
pub(crate) fn has_type(headers: &HeaderMap, essence: &str) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let mut parts = value.split(';').map(str::trim);
    parts
        .next()
        .is_some_and(|given| given.eq_ignore_ascii_case(essence))
        && parts.all(|param| match param.split_once('=') {
            Some((name, charset)) if name.trim().eq_ignore_ascii_case("charset") => {
                let charset = charset.trim().trim_matches('"');
                charset.eq_ignore_ascii_case("utf-8") || charset.eq_ignore_ascii_case("utf8")
            }
            _ => true,
        })
}

/// The content type as sent, for messages.
pub(crate) fn content_type(headers: &HeaderMap) -> &str {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// Why a body could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReadFault {
    /// Longer than [`MAX_BODY_BYTES`].
    TooLarge,
    /// The connection failed or the body was shorter than announced.
    Unreadable,
}

/// The body's bytes, at most [`MAX_BODY_BYTES`].
pub(crate) async fn bytes(headers: &HeaderMap, body: Body) -> Result<Bytes, ReadFault> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Err(ReadFault::TooLarge);
    }
    axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|e| {
            let over = std::error::Error::source(&e)
                .is_some_and(|cause| cause.is::<http_body_util::LengthLimitError>());
            if over {
                ReadFault::TooLarge
            } else {
                ReadFault::Unreadable
            }
        })
}

/// The top level of a JSON body: an object's members in order, or the type of what came
/// instead.
pub(crate) enum TopLevel {
    /// An object: its members (the first of each key) and the first key given twice.
    Object {
        /// The members, in order.
        members: Vec<(String, Value)>,
        /// A key that came more than once.
        repeated: Option<String>,
    },
    /// Anything else, by JSON type name.
    Other(&'static str),
}

impl TopLevel {
    /// Parses a JSON body's top level.
    pub(crate) fn parse(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(bytes)
    }
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
    fn content_types() {
        let json = |h: &HeaderMap| has_type(h, "application/json");
        assert!(json(&with_type("application/json")));
        assert!(json(&with_type("Application/JSON; charset=UTF-8")));
        assert!(json(&with_type("application/json;charset=\"utf-8\"")));
        assert!(!json(&with_type("application/json; charset=latin1")));
        assert!(!json(&with_type("text/plain")));
        assert!(!json(&with_type("application/x-www-form-urlencoded")));
        assert!(!json(&HeaderMap::new()));
        assert!(has_type(
            &with_type("application/x-www-form-urlencoded; charset=utf-8"),
            "application/x-www-form-urlencoded"
        ));
    }

    #[test]
    fn repeated_keys_are_caught() {
        match TopLevel::parse(br#"{"a": 1, "b": 2, "a": 3}"#) {
            Ok(TopLevel::Object { members, repeated }) => {
                assert_eq!(members.len(), 2);
                assert_eq!(repeated.as_deref(), Some("a"));
            }
            _ => panic!("an object"),
        }
        assert!(matches!(
            TopLevel::parse(b"[1]"),
            Ok(TopLevel::Other("array"))
        ));
    }
}
