//! The write bodies of the Train it All surface, declared as tables of fields. One table
//! drives both the validation of a request (with the spec's error details, issues shaped
//! like the Zod issues the original service returns) and the body's schema in the OpenAPI
//! document, so the two cannot disagree.

use crate::api::tia::number;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime};

/// What a field holds.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    /// A JSON number within `min..=max` (`min` itself excluded when `above_min`).
    Number { min: f64, max: f64, above_min: bool },
    /// A whole JSON number within `min..=max`.
    Integer { min: i64, max: i64 },
    /// A string of at most `max_chars` characters (at least `min_chars`).
    Text { min_chars: usize, max_chars: usize },
    /// An ISO 8601 instant with its UTC offset: `2026-01-17T18:20:00.000Z`.
    Instant,
    /// A calendar day: `2026-01-16`.
    Day,
    /// One of these strings.
    Choice(&'static [&'static str]),
    /// Any JSON object, kept as written.
    Object,
    /// An object of these keys, each a number within `0 < n <= max`.
    Measures {
        keys: &'static [&'static str],
        max: f64,
    },
}

/// One field of a write body.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Field {
    pub(crate) name: &'static str,
    pub(crate) kind: Kind,
    pub(crate) required: bool,
    pub(crate) description: &'static str,
}

impl Field {
    /// An optional number within `min..=max`.
    pub(crate) const fn number(
        name: &'static str,
        min: f64,
        max: f64,
        description: &'static str,
    ) -> Self {
        Self {
            name,
            kind: Kind::Number {
                min,
                max,
                above_min: false,
            },
            required: false,
            description,
        }
    }

    /// An optional whole number within `min..=max`.
    pub(crate) const fn integer(
        name: &'static str,
        min: i64,
        max: i64,
        description: &'static str,
    ) -> Self {
        Self {
            name,
            kind: Kind::Integer { min, max },
            required: false,
            description,
        }
    }

    /// An optional string of at most `max_chars` characters.
    pub(crate) const fn text(
        name: &'static str,
        max_chars: usize,
        description: &'static str,
    ) -> Self {
        Self {
            name,
            kind: Kind::Text {
                min_chars: 0,
                max_chars,
            },
            required: false,
            description,
        }
    }

    /// An optional field of another kind.
    pub(crate) const fn of(name: &'static str, kind: Kind, description: &'static str) -> Self {
        Self {
            name,
            kind,
            required: false,
            description,
        }
    }

    /// The same field, required.
    pub(crate) const fn required(self) -> Self {
        Self {
            required: true,
            ..self
        }
    }
}

/// `externalId`: the client's own id for a record.
pub(crate) const EXTERNAL_ID: Field = Field::of(
    "externalId",
    Kind::Text {
        min_chars: 1,
        max_chars: 200,
    },
    "Your own id for the record, kept and returned.",
);

/// `rawPayload`: whatever else the client wants kept with a record.
pub(crate) const RAW_PAYLOAD: Field = Field::of(
    "rawPayload",
    Kind::Object,
    "Any JSON object, kept as written for troubleshooting and processing.",
);

/// A rule across fields: given the valid values, the fields it faults and why.
pub(crate) type CrossCheck = fn(&Valid) -> Option<(&'static str, &'static str)>;

/// A write body: its fields and the rules between them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BodySchema {
    /// The schema's name in the OpenAPI document.
    pub(crate) name: &'static str,
    pub(crate) fields: &'static [Field],
    pub(crate) checks: &'static [CrossCheck],
}

/// A field's value after validation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Parsed {
    Number(f64),
    Integer(i64),
    Text(String),
    Instant(OffsetDateTime),
    Day(Date),
    /// JSON text.
    Object(String),
    Measures(BTreeMap<String, f64>),
}

/// The values of a valid body, by field name; fields absent or `null` are missing.
#[derive(Debug, Default)]
pub(crate) struct Valid(HashMap<&'static str, Parsed>);

impl Valid {
    pub(crate) fn number(&self, name: &str) -> Option<f64> {
        match self.0.get(name) {
            Some(Parsed::Number(n)) => Some(*n),
            Some(Parsed::Integer(n)) => Some(*n as f64),
            _ => None,
        }
    }

    pub(crate) fn integer(&self, name: &str) -> Option<i64> {
        match self.0.get(name) {
            Some(Parsed::Integer(n)) => Some(*n),
            _ => None,
        }
    }

    /// An integer field whose bounds fit `i32`.
    pub(crate) fn int32(&self, name: &str) -> Option<i32> {
        self.integer(name).and_then(|n| i32::try_from(n).ok())
    }

    pub(crate) fn text(&self, name: &str) -> Option<String> {
        match self.0.get(name) {
            Some(Parsed::Text(s)) => Some(s.clone()),
            _ => None,
        }
    }

    pub(crate) fn instant(&self, name: &str) -> Option<OffsetDateTime> {
        match self.0.get(name) {
            Some(Parsed::Instant(at)) => Some(*at),
            _ => None,
        }
    }

    pub(crate) fn day(&self, name: &str) -> Option<Date> {
        match self.0.get(name) {
            Some(Parsed::Day(day)) => Some(*day),
            _ => None,
        }
    }

    /// A JSON object field, as JSON text.
    pub(crate) fn object(&self, name: &str) -> Option<String> {
        match self.0.get(name) {
            Some(Parsed::Object(text)) => Some(text.clone()),
            _ => None,
        }
    }

    pub(crate) fn measures(&self, name: &str) -> BTreeMap<String, f64> {
        match self.0.get(name) {
            Some(Parsed::Measures(m)) => m.clone(),
            _ => BTreeMap::new(),
        }
    }
}

/// Why a body is invalid: Zod-shaped issues, plus what the error details report.
#[derive(Debug, Default)]
pub(crate) struct Invalid {
    pub(crate) issues: Vec<Value>,
    pub(crate) received_keys: Vec<String>,
    pub(crate) allowed_keys: Vec<&'static str>,
    pub(crate) missing_fields: Vec<&'static str>,
}

impl Invalid {
    /// The `details` of the spec's error body.
    pub(crate) fn details(&self) -> Value {
        let mut form_errors = Vec::new();
        let mut field_errors: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        for issue in &self.issues {
            let message = issue.get("message").cloned().unwrap_or(Value::Null);
            match issue.pointer("/path/0") {
                Some(Value::String(field)) => {
                    field_errors.entry(field.clone()).or_default().push(message)
                }
                _ => form_errors.push(message),
            }
        }
        json!({
            "validation": { "formErrors": form_errors, "fieldErrors": field_errors },
            "issues": self.issues,
            "receivedKeys": self.received_keys,
            "allowedKeys": self.allowed_keys,
            "missingFields": self.missing_fields,
        })
    }
}

/// Earliest and latest years an instant or a day may name.
const YEARS: std::ops::RangeInclusive<i32> = 1900..=2199;

/// The JSON type's name as Zod reports it.
fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn invalid_type(path: Value, expected: &str, received: &str) -> Value {
    let message = if received == "undefined" {
        "Required".to_owned()
    } else {
        format!("Expected {expected}, received {received}")
    };
    json!({ "code": "invalid_type", "expected": expected, "received": received,
            "path": path, "message": message })
}

fn too_small(path: Value, minimum: Value, inclusive: bool) -> Value {
    let message = if inclusive {
        format!("Number must be greater than or equal to {minimum}")
    } else {
        format!("Number must be greater than {minimum}")
    };
    json!({ "code": "too_small", "minimum": minimum, "type": "number", "inclusive": inclusive,
            "exact": false, "path": path, "message": message })
}

fn too_big(path: Value, maximum: Value) -> Value {
    json!({ "code": "too_big", "maximum": maximum, "type": "number", "inclusive": true,
            "exact": false, "path": path,
            "message": format!("Number must be less than or equal to {maximum}") })
}

pub(crate) fn custom(path: Value, message: &str) -> Value {
    json!({ "code": "custom", "path": path, "message": message })
}

/// Whether a string or any string inside a JSON value holds NUL, which PostgreSQL cannot
/// keep in text or JSON.
fn holds_nul(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(holds_nul),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || holds_nul(v)),
        _ => false,
    }
}

/// The expected JSON type of a kind, for messages.
fn expected(kind: Kind) -> &'static str {
    match kind {
        Kind::Number { .. } => "number",
        Kind::Integer { .. } => "integer",
        Kind::Text { .. } | Kind::Instant | Kind::Day | Kind::Choice(_) => "string",
        Kind::Object | Kind::Measures { .. } => "object",
    }
}

fn number_in(path: &Value, n: f64, min: f64, max: f64, above_min: bool) -> Result<f64, Value> {
    if n < min || (above_min && n <= min) {
        Err(too_small(path.clone(), number(min), !above_min))
    } else if n > max {
        Err(too_big(path.clone(), number(max)))
    } else {
        Ok(n)
    }
}

/// An ISO 8601 instant with its offset, years 1900 to 2199.
pub(crate) fn parse_instant(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339)
        .ok()
        .filter(|at| YEARS.contains(&at.year()))
}

/// A `YYYY-MM-DD` day, years 1900 to 2199.
pub(crate) fn parse_day(text: &str) -> Option<Date> {
    Date::parse(text, format_description!("[year]-[month]-[day]"))
        .ok()
        .filter(|day| YEARS.contains(&day.year()))
}

/// Checks one present, non-null value against its kind.
fn parse(kind: Kind, name: &'static str, value: &Value) -> Result<Parsed, Vec<Value>> {
    let path = json!([name]);
    let wrong_type = || vec![invalid_type(path.clone(), expected(kind), type_name(value))];
    match (kind, value) {
        (Kind::Number { min, max, above_min }, Value::Number(n)) => {
            let n = n.as_f64().ok_or_else(wrong_type)?;
            number_in(&path, n, min, max, above_min)
                .map(Parsed::Number)
                .map_err(|issue| vec![issue])
        }
        (Kind::Integer { min, max }, Value::Number(n)) => {
            let whole = n.as_i64().or_else(|| {
                // A whole number written with a fraction (`151.0`) is the integer, as in
                // JavaScript; a number beyond i64 is out of range below.
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                    .map(|f| f as i64)
            });
            match whole {
                Some(i) if i < min => Err(vec![too_small(path, json!(min), true)]),
                Some(i) if i > max => Err(vec![too_big(path, json!(max))]),
                Some(i) => Ok(Parsed::Integer(i)),
                None if n.is_u64() || n.as_f64().is_some_and(|f| f.abs() >= 9.0e15) => {
                    Err(vec![too_big(path, json!(max))])
                }
                None => Err(vec![invalid_type(path, "integer", "float")]),
            }
        }
        (
            Kind::Text {
                min_chars,
                max_chars,
            },
            Value::String(s),
        ) => {
            let chars = s.chars().count();
            if s.contains('\0') {
                Err(vec![custom(path, "Must not contain NUL characters (\\u0000)")])
            } else if chars < min_chars {
                Err(vec![json!({ "code": "too_small", "minimum": min_chars, "type": "string",
                    "inclusive": true, "exact": false, "path": path,
                    "message": format!("String must contain at least {min_chars} character(s)") })])
            } else if chars > max_chars {
                Err(vec![json!({ "code": "too_big", "maximum": max_chars, "type": "string",
                    "inclusive": true, "exact": false, "path": path,
                    "message": format!("String must contain at most {max_chars} character(s)") })])
            } else {
                Ok(Parsed::Text(s.clone()))
            }
        }
        (Kind::Instant, Value::String(s)) => parse_instant(s).map(Parsed::Instant).ok_or_else(|| {
            vec![json!({ "code": "invalid_string", "validation": "datetime", "path": path,
                "message": "Invalid datetime: use ISO 8601 with a UTC offset, e.g. 2026-01-17T18:20:00.000Z (years 1900 to 2199)" })]
        }),
        (Kind::Day, Value::String(s)) => parse_day(s).map(Parsed::Day).ok_or_else(|| {
            vec![json!({ "code": "invalid_string", "validation": "date", "path": path,
                "message": "Invalid date: use YYYY-MM-DD, e.g. 2026-01-16 (years 1900 to 2199)" })]
        }),
        (Kind::Choice(options), Value::String(s)) => {
            if options.contains(&s.as_str()) {
                Ok(Parsed::Text(s.clone()))
            } else {
                let listed: Vec<String> = options.iter().map(|o| format!("'{o}'")).collect();
                Err(vec![json!({ "code": "invalid_enum_value", "options": options,
                    "received": s, "path": path,
                    "message": format!("Invalid enum value. Expected {}, received '{s}'", listed.join(" | ")) })])
            }
        }
        (Kind::Object, Value::Object(_)) => {
            if holds_nul(value) {
                Err(vec![custom(path, "Must not contain NUL characters (\\u0000)")])
            } else {
                Ok(Parsed::Object(value.to_string()))
            }
        }
        (Kind::Measures { keys, max }, Value::Object(map)) => measures(name, keys, max, map),
        _ => Err(wrong_type()),
    }
}

fn measures(
    name: &'static str,
    keys: &'static [&'static str],
    max: f64,
    map: &Map<String, Value>,
) -> Result<Parsed, Vec<Value>> {
    let mut issues = Vec::new();
    let mut out = BTreeMap::new();
    let unknown: Vec<&String> = map.keys().filter(|k| !keys.contains(&k.as_str())).collect();
    if !unknown.is_empty() {
        let listed: Vec<String> = unknown.iter().map(|k| format!("'{k}'")).collect();
        issues.push(
            json!({ "code": "unrecognized_keys", "keys": unknown, "path": [name],
            "message": format!("Unrecognized key(s) in object: {}", listed.join(", ")) }),
        );
    }
    for (key, value) in map {
        if !keys.contains(&key.as_str()) || value.is_null() {
            continue;
        }
        let path = json!([name, key]);
        match value.as_f64() {
            Some(n) => match number_in(&path, n, 0.0, max, true) {
                Ok(n) => {
                    out.insert(key.clone(), n);
                }
                Err(issue) => issues.push(issue),
            },
            None => issues.push(invalid_type(path, "number", type_name(value))),
        }
    }
    if issues.is_empty() {
        Ok(Parsed::Measures(out))
    } else {
        Err(issues)
    }
}

impl BodySchema {
    /// The names of the fields.
    pub(crate) fn allowed_keys(&self) -> Vec<&'static str> {
        self.fields.iter().map(|f| f.name).collect()
    }

    /// Validates a JSON object's members against the schema.
    pub(crate) fn validate(&self, members: Vec<(String, Value)>) -> Result<Valid, Invalid> {
        let mut invalid = Invalid {
            received_keys: members.iter().map(|(k, _)| k.clone()).collect(),
            allowed_keys: self.allowed_keys(),
            ..Invalid::default()
        };
        let mut given: HashMap<&str, Value> = HashMap::new();
        let mut unknown = Vec::new();
        for (key, value) in members {
            match self.fields.iter().find(|f| f.name == key) {
                Some(field) => {
                    given.insert(field.name, value);
                }
                None => unknown.push(key),
            }
        }
        if !unknown.is_empty() {
            let listed: Vec<String> = unknown.iter().map(|k| format!("'{k}'")).collect();
            invalid.issues.push(
                json!({ "code": "unrecognized_keys", "keys": unknown, "path": [],
                "message": format!("Unrecognized key(s) in object: {}", listed.join(", ")) }),
            );
        }
        let mut valid = Valid::default();
        for field in self.fields {
            match given.get(field.name) {
                None | Some(Value::Null) if field.required => {
                    invalid.missing_fields.push(field.name);
                    let received = if given.contains_key(field.name) {
                        "null"
                    } else {
                        "undefined"
                    };
                    invalid.issues.push(invalid_type(
                        json!([field.name]),
                        expected(field.kind),
                        received,
                    ));
                }
                None | Some(Value::Null) => {}
                Some(value) => match parse(field.kind, field.name, value) {
                    Ok(parsed) => {
                        valid.0.insert(field.name, parsed);
                    }
                    Err(issues) => invalid.issues.extend(issues),
                },
            }
        }
        if invalid.issues.is_empty() {
            for check in self.checks {
                if let Some((field, message)) = check(&valid) {
                    invalid.issues.push(custom(json!([field]), message));
                }
            }
        }
        if invalid.issues.is_empty() {
            Ok(valid)
        } else {
            Err(invalid)
        }
    }
}

#[cfg(test)]
mod tests;
