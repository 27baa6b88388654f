//! Reading an Xhale write body. The spec's convention is
//! `application/x-www-form-urlencoded`; JSON is taken too. Either becomes the same list of
//! named values (a form's repeated key becomes a list), which [`Fields`] reads into typed
//! values, gathering every bad field into one Django REST framework–style 400:
//! `{"field": ["message", ...]}`.

use crate::api::document::typed;
use crate::api::xhale::error::XhaleError;
use crate::extract::body::{self, ReadFault, TopLevel};
use axum::Json;
use axum::body::Body;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::collections::BTreeMap;
use time::Date;
use time::macros::format_description;
use utoipa::openapi::schema::{AdditionalProperties, ArrayBuilder, ObjectBuilder, Type};
use utoipa::openapi::{RefOr, Schema};

/// A body's values by name, in the order sent.
#[derive(Debug, Default, Clone)]
pub(crate) struct Input {
    members: Vec<(String, Value)>,
}

impl Input {
    /// An input of these members (for tests and internal callers).
    #[cfg(test)]
    pub(crate) fn of(members: Vec<(String, Value)>) -> Self {
        Self { members }
    }

    /// Whether the body has a value under `name`.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The parameters of a query string, read like a form body (a repeated name becomes a
    /// list).
    pub(crate) fn from_query(query: &str) -> Self {
        from_form(query.as_bytes()).unwrap_or_default()
    }

    /// The value sent under `name`.
    fn get(&self, name: &str) -> Option<&Value> {
        self.members.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    /// The names sent.
    fn names(&self) -> impl Iterator<Item = &str> {
        self.members.iter().map(|(k, _)| k.as_str())
    }
}

/// Reads a form or JSON body.
pub(crate) async fn read(headers: &HeaderMap, request: Body) -> Result<Input, XhaleError> {
    let form = body::has_type(headers, "application/x-www-form-urlencoded");
    let json = body::has_type(headers, "application/json");
    if !form && !json {
        let given = body::content_type(headers);
        return Err(XhaleError::detail(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "Unsupported media type \"{given}\" in request: send application/x-www-form-urlencoded or application/json."
            ),
        ));
    }
    let bytes = match body::bytes(headers, request).await {
        Ok(bytes) => bytes,
        Err(ReadFault::TooLarge) => {
            return Err(XhaleError::detail(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("Request body larger than {} bytes.", body::MAX_BODY_BYTES),
            ));
        }
        Err(ReadFault::Unreadable) => {
            return Err(XhaleError::detail(
                StatusCode::BAD_REQUEST,
                "The request body could not be read.",
            ));
        }
    };
    if form {
        return from_form(&bytes)
            .map_err(|message| XhaleError::detail(StatusCode::BAD_REQUEST, message));
    }
    match TopLevel::parse(&bytes) {
        Ok(TopLevel::Object {
            members,
            repeated: None,
        }) => Ok(Input { members }),
        Ok(TopLevel::Object {
            repeated: Some(key),
            ..
        }) => Err(XhaleError::detail(
            StatusCode::BAD_REQUEST,
            format!("JSON parse error - the key \"{key}\" is given twice."),
        )),
        Ok(TopLevel::Other(kind)) => Err(FieldErrors::non_field(format!(
            "Invalid data. Expected a dictionary, but got {kind}."
        ))
        .into()),
        Err(e) => Err(XhaleError::detail(
            StatusCode::BAD_REQUEST,
            format!("JSON parse error - {e}"),
        )),
    }
}

fn from_form(bytes: &[u8]) -> Result<Input, &'static str> {
    if std::str::from_utf8(bytes).is_err() {
        return Err("Form parse error - the body is not UTF-8.");
    }
    let mut members: Vec<(String, Value)> = Vec::new();
    for (name, value) in form_urlencoded::parse(bytes) {
        let value = Value::String(value.into_owned());
        match members.iter_mut().find(|(k, _)| *k == name) {
            Some((_, Value::Array(items))) => items.push(value),
            Some((_, first)) => *first = Value::Array(vec![first.take(), value]),
            None => members.push((name.into_owned(), value)),
        }
    }
    Ok(Input { members })
}

/// Bad fields, each with its messages, answered as 400 `{"field": ["message"]}`.
#[derive(Debug, Default, serde::Serialize)]
pub(crate) struct FieldErrors(BTreeMap<String, Vec<String>>);

impl FieldErrors {
    /// Each bad field with its messages, by name.
    pub(crate) fn fields(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    /// One error about the body as a whole.
    pub(crate) fn non_field(message: String) -> Self {
        let mut errors = Self::default();
        errors.add("non_field_errors", message);
        errors
    }

    /// Adds a message for `field`.
    pub(crate) fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0
            .entry(field.to_owned())
            .or_default()
            .push(message.into());
    }

    /// Whether `field` has a message already.
    pub(crate) fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    /// Whether nothing was wrong.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl utoipa::PartialSchema for FieldErrors {
    fn schema() -> RefOr<Schema> {
        let messages = ArrayBuilder::new().items(typed(Type::String, false));
        let object = ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some("Each bad field (or parameter) with its messages."))
            .additional_properties(Some(AdditionalProperties::RefOr(RefOr::T(Schema::Array(
                messages.build(),
            )))));
        RefOr::T(Schema::Object(object.build()))
    }
}

impl utoipa::ToSchema for FieldErrors {}

impl IntoResponse for FieldErrors {
    fn into_response(self) -> Response {
        (StatusCode::BAD_REQUEST, Json(self)).into_response()
    }
}

/// A field as written: left out, written empty (null), or a value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Written<T> {
    /// Not in the body.
    Absent,
    /// `null` in JSON, or an empty form value for a field that may be empty.
    Null,
    /// A value.
    Value(T),
}

impl<T> Written<T> {
    /// The value, if one was written.
    pub(crate) fn value(self) -> Option<T> {
        match self {
            Self::Value(v) => Some(v),
            Self::Absent | Self::Null => None,
        }
    }
}

/// Reads typed fields out of an [`Input`], gathering errors as it goes.
pub(crate) struct Fields<'a> {
    input: &'a Input,
    known: Vec<&'static str>,
    /// The errors found so far.
    pub(crate) errors: FieldErrors,
}

/// A text form of a scalar value: strings as they are, numbers and booleans written out.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

const NOT_A_LIST: &str = "Expected a single value, not a list.";

impl<'a> Fields<'a> {
    /// A reader over `input`.
    pub(crate) fn new(input: &'a Input) -> Self {
        Self {
            input,
            known: Vec::new(),
            errors: FieldErrors::default(),
        }
    }

    /// Names fields that may be sent but are not written (the record's read-only fields,
    /// which clients send back as they got them).
    pub(crate) fn ignore(&mut self, names: &[&'static str]) {
        self.known.extend_from_slice(names);
    }

    /// Whether the body has a value (good or bad) for `name`.
    pub(crate) fn sent(&self, name: &str) -> bool {
        self.input.has(name)
    }

    /// The raw value of a field, marking it known.
    fn raw(&mut self, name: &'static str) -> Option<&'a Value> {
        self.known.push(name);
        self.input.get(name)
    }

    /// Reads a scalar field through `parse`, which answers the message for a bad value.
    /// An empty form value is null when `blank_is_null`.
    fn scalar<T>(
        &mut self,
        name: &'static str,
        blank_is_null: bool,
        parse: impl FnOnce(&Value) -> Result<T, String>,
    ) -> Written<T> {
        match self.raw(name) {
            None => Written::Absent,
            Some(Value::Null) => Written::Null,
            Some(Value::String(s)) if blank_is_null && s.trim().is_empty() => Written::Null,
            Some(Value::Array(_)) => {
                self.errors.add(name, NOT_A_LIST);
                Written::Absent
            }
            Some(value) => match parse(value) {
                Ok(v) => Written::Value(v),
                Err(message) => {
                    self.errors.add(name, message);
                    Written::Absent
                }
            },
        }
    }

    /// An integer within `min..=max`.
    pub(crate) fn int(&mut self, name: &'static str, min: i64, max: i64) -> Written<i64> {
        self.scalar(name, true, |value| {
            let n = match value {
                Value::Number(n) => n
                    .as_i64()
                    .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
                Value::String(s) => s.trim().parse::<i64>().ok(),
                _ => None,
            }
            .ok_or_else(|| "A valid integer is required.".to_owned())?;
            range_check(n, min, max, |n| n.to_string())
        })
    }

    /// A finite number within `min..=max`.
    pub(crate) fn number(&mut self, name: &'static str, min: f64, max: f64) -> Written<f64> {
        self.scalar(name, true, |value| {
            let n = match value {
                Value::Number(n) => n.as_f64(),
                Value::String(s) => s.trim().parse::<f64>().ok(),
                _ => None,
            }
            .filter(|n| n.is_finite())
            .ok_or_else(|| "A valid number is required.".to_owned())?;
            range_check(n, min, max, |n| n.to_string())
        })
    }

    /// A boolean: `true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off` in any case.
    pub(crate) fn boolean(&mut self, name: &'static str) -> Written<bool> {
        self.scalar(name, false, |value| {
            let text = scalar_text(value).unwrap_or_default().to_ascii_lowercase();
            match text.as_str() {
                "true" | "1" | "yes" | "on" => Ok(true),
                "false" | "0" | "no" | "off" => Ok(false),
                _ => Err("Must be a valid boolean.".to_owned()),
            }
        })
    }

    /// Text of at most `max_chars` characters, without NUL; trimmed of surrounding space.
    pub(crate) fn text(&mut self, name: &'static str, max_chars: usize) -> Written<String> {
        self.scalar(name, false, |value| {
            let Value::String(s) = value else {
                return Err("Not a valid string.".to_owned());
            };
            if s.contains('\0') {
                return Err("Null characters are not allowed.".to_owned());
            }
            if s.chars().count() > max_chars {
                return Err(format!(
                    "Ensure this field has no more than {max_chars} characters."
                ));
            }
            Ok(s.trim().to_owned())
        })
    }

    /// A date, `YYYY-MM-DD`.
    pub(crate) fn date(&mut self, name: &'static str) -> Written<Date> {
        self.scalar(name, true, |value| {
            scalar_text(value)
                .and_then(|s| parse_date(&s))
                .ok_or_else(|| {
                    "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."
                        .to_owned()
                })
        })
    }

    /// One of `choices`.
    pub(crate) fn choice(
        &mut self,
        name: &'static str,
        choices: &'static [&'static str],
    ) -> Written<&'static str> {
        self.scalar(name, true, |value| {
            let text = scalar_text(value).unwrap_or_default();
            choices
                .iter()
                .find(|c| **c == text)
                .copied()
                .ok_or_else(|| format!("\"{text}\" is not a valid choice."))
        })
    }

    /// A structured value: JSON as sent, or JSON text (how a form carries it).
    pub(crate) fn json(&mut self, name: &'static str) -> Written<Value> {
        match self.raw(name) {
            None => Written::Absent,
            Some(Value::Null) => Written::Null,
            Some(Value::String(text)) => match serde_json::from_str::<Value>(text) {
                Ok(value) => Written::Value(value),
                Err(e) => {
                    self.errors.add(name, format!("Invalid JSON - {e}."));
                    Written::Absent
                }
            },
            Some(value) => Written::Value(value.clone()),
        }
    }

    /// A list of positive integer ids: a JSON array, repeated form values, a single value,
    /// or comma-separated values.
    pub(crate) fn ids(&mut self, name: &'static str) -> Vec<i64> {
        let Some(value) = self.raw(name) else {
            return Vec::new();
        };
        let items: Vec<&Value> = match value {
            Value::Array(items) => items.iter().collect(),
            other => vec![other],
        };
        let mut ids = Vec::new();
        for item in items {
            let texts: Vec<String> = match item {
                Value::String(s) => s
                    .split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned)
                    .collect(),
                Value::Number(n) => vec![n.to_string()],
                _ => {
                    self.errors
                        .add(name, "Incorrect type. Expected pk value.".to_owned());
                    continue;
                }
            };
            for text in texts {
                match text.parse::<i64>() {
                    Ok(id) if id > 0 => ids.push(id),
                    _ => self.errors.add(
                        name,
                        format!("Incorrect type. Expected pk value, received \"{text}\"."),
                    ),
                }
            }
        }
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// Marks every field not read as unknown, then answers the errors, if any.
    pub(crate) fn finish(mut self) -> Result<(), FieldErrors> {
        let unknown: Vec<String> = self
            .input
            .names()
            .filter(|name| !self.known.contains(name))
            .map(str::to_owned)
            .collect();
        for name in unknown {
            self.errors
                .add(&name, "Unknown field: this API does not take it.");
        }
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self.errors)
        }
    }
}

fn range_check<T: PartialOrd + Copy>(
    n: T,
    min: T,
    max: T,
    show: impl Fn(T) -> String,
) -> Result<T, String> {
    if n < min {
        Err(format!(
            "Ensure this value is greater than or equal to {}.",
            show(min)
        ))
    } else if n > max {
        Err(format!(
            "Ensure this value is less than or equal to {}.",
            show(max)
        ))
    } else {
        Ok(n)
    }
}

/// A date written `YYYY-MM-DD`.
pub(crate) fn parse_date(text: &str) -> Option<Date> {
    Date::parse(text.trim(), format_description!("[year]-[month]-[day]"))
        .ok()
        .filter(|d| d.year() >= 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn input(members: &[(&str, Value)]) -> Input {
        Input::of(
            members
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn form_and_json_values_read_the_same() {
        for body in [
            input(&[
                ("n", json!("3")),
                ("b", json!("True")),
                ("d", json!("2015-01-14")),
            ]),
            input(&[
                ("n", json!(3)),
                ("b", json!(true)),
                ("d", json!("2015-01-14")),
            ]),
        ] {
            let mut fields = Fields::new(&body);
            assert_eq!(fields.int("n", 0, 5), Written::Value(3));
            assert_eq!(fields.boolean("b"), Written::Value(true));
            assert_eq!(
                fields.date("d"),
                Written::Value(time::macros::date!(2015 - 01 - 14))
            );
            assert!(fields.finish().is_ok());
        }
    }

    #[test]
    fn bad_values_name_their_field() {
        let body = input(&[
            ("n", json!("seven")),
            ("m", json!(9)),
            ("d", json!("14/01/2015")),
            ("x", json!(1)),
        ]);
        let mut fields = Fields::new(&body);
        assert_eq!(fields.int("n", 0, 5), Written::Absent);
        assert_eq!(fields.int("m", 0, 5), Written::Absent);
        assert_eq!(fields.date("d"), Written::Absent);
        let errors = fields.finish().unwrap_err().0;
        assert_eq!(errors["n"], ["A valid integer is required."]);
        assert_eq!(
            errors["m"],
            ["Ensure this value is less than or equal to 5."]
        );
        assert!(errors["d"][0].starts_with("Date has wrong format"));
        assert_eq!(errors["x"], ["Unknown field: this API does not take it."]);
    }

    #[test]
    fn empty_form_values_are_null_for_numbers_but_text_for_text() {
        let body = input(&[("n", json!("")), ("t", json!(""))]);
        let mut fields = Fields::new(&body);
        assert_eq!(fields.int("n", 0, 5), Written::Null);
        assert_eq!(fields.text("t", 10), Written::Value(String::new()));
    }

    #[test]
    fn ids_come_as_lists_repeats_or_commas() {
        let body = input(&[
            ("a", json!([632, "633"])),
            ("b", json!(["632", "634"])),
            ("c", json!("632,635")),
            ("d", json!("nope")),
        ]);
        let mut fields = Fields::new(&body);
        assert_eq!(fields.ids("a"), [632, 633]);
        assert_eq!(fields.ids("b"), [632, 634]);
        assert_eq!(fields.ids("c"), [632, 635]);
        assert!(fields.ids("d").is_empty());
        assert!(fields.finish().is_err());
    }

    #[test]
    fn repeated_form_keys_become_lists() {
        let Ok(body) = from_form(b"a=1&b=2&a=3") else {
            panic!("a form")
        };
        assert_eq!(body.get("a"), Some(&json!(["1", "3"])));
        assert_eq!(body.get("b"), Some(&json!("2")));
    }
}
