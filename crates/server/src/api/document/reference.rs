//! A surface's reference page, read from its OpenAPI document: each operation with its
//! parameters, body fields and answers, so the page and the document cannot disagree.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;

/// A surface's reference page.
#[derive(Template)]
#[template(path = "api_reference.html")]
struct Page<'a> {
    /// The Xhale surface (else Train it All): which introduction the page opens with.
    xhale: bool,
    operations: &'a [Operation],
}

/// The reference page of `document`, opening with the Xhale introduction when `xhale`.
pub(crate) fn page(xhale: bool, document: &Value) -> Response {
    let operations = operations(document);
    let page = Page {
        xhale,
        operations: &operations,
    };
    crate::pages::render(StatusCode::OK, &page)
}

/// One row of a table of parameters or fields.
pub(crate) struct Row {
    pub(crate) name: String,
    pub(crate) kind: String,
    pub(crate) required: bool,
    pub(crate) description: String,
}

/// One operation on the page.
pub(crate) struct Operation {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) summary: String,
    pub(crate) scope: String,
    pub(crate) params: Vec<Row>,
    /// The body's media types, and its fields.
    pub(crate) body: Option<(String, Vec<Row>)>,
    pub(crate) answers: Vec<(String, String)>,
}

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// Every operation of `document`, by path and then in the usual order of methods.
pub(crate) fn operations(document: &Value) -> Vec<Operation> {
    let Some(paths) = at(document, "paths").as_object() else {
        return Vec::new();
    };
    let mut all = Vec::new();
    for (path, entry) in paths {
        for method in METHODS {
            let operation = at(entry, method);
            if operation.is_object() {
                all.push(read(document, path, method, operation));
            }
        }
    }
    all
}

static NULL: Value = Value::Null;

/// A member of an object; `null` when there is none.
fn at<'a>(value: &'a Value, key: &str) -> &'a Value {
    value.get(key).unwrap_or(&NULL)
}

/// An item of an array; `null` when there is none.
fn item(value: &Value, index: usize) -> &Value {
    value.get(index).unwrap_or(&NULL)
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

fn read(document: &Value, path: &str, method: &str, operation: &Value) -> Operation {
    let scope = item(at(operation, "security"), 0)
        .as_object()
        .and_then(|requirement| requirement.values().next())
        .and_then(|scopes| scopes.as_array())
        .map(|scopes| scopes.iter().map(text).collect::<Vec<_>>().join(", "))
        .unwrap_or_default();
    let params = at(operation, "parameters")
        .as_array()
        .map(|params| {
            params
                .iter()
                .map(|p| Row {
                    name: text(at(p, "name")),
                    kind: kind(document, at(p, "schema")),
                    required: at(p, "required").as_bool().unwrap_or(false),
                    description: text(at(p, "description")),
                })
                .collect()
        })
        .unwrap_or_default();
    let body = at(at(operation, "requestBody"), "content")
        .as_object()
        .map(|content| {
            let types: Vec<&str> = content.keys().map(String::as_str).collect();
            let schema = content
                .values()
                .next()
                .map(|media| resolve(document, at(media, "schema")))
                .unwrap_or(&Value::Null);
            (types.join(" or "), fields(document, schema))
        });
    let answers = at(operation, "responses")
        .as_object()
        .map(|responses| {
            responses
                .iter()
                .map(|(status, r)| (status.clone(), text(at(r, "description"))))
                .collect()
        })
        .unwrap_or_default();
    Operation {
        method: method.to_uppercase(),
        path: path.to_owned(),
        summary: text(at(operation, "summary")),
        scope,
        params,
        body,
        answers,
    }
}

/// The schema a `$ref` names, or the schema itself.
fn resolve<'a>(document: &'a Value, schema: &'a Value) -> &'a Value {
    match at(schema, "$ref")
        .as_str()
        .and_then(|r| r.rsplit('/').next())
    {
        Some(name) => at(at(at(document, "components"), "schemas"), name),
        None => schema,
    }
}

fn fields(document: &Value, schema: &Value) -> Vec<Row> {
    let required: Vec<&str> = at(schema, "required")
        .as_array()
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    at(schema, "properties")
        .as_object()
        .map(|properties| {
            properties
                .iter()
                .map(|(name, field)| Row {
                    name: name.clone(),
                    kind: kind(document, field),
                    required: required.contains(&name.as_str()),
                    description: text(&resolve(document, field)["description"]),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn bound(value: &Value) -> Option<String> {
    value.as_f64().map(|n| {
        if n.fract() == 0.0 && n.abs() < 1e15 {
            format!("{}", n as i64)
        } else {
            n.to_string()
        }
    })
}

/// What a schema takes, in words: `integer 0 to 100, or empty`.
pub(crate) fn kind(document: &Value, schema: &Value) -> String {
    let schema = resolve(document, schema);
    let types: Vec<&str> = match at(schema, "type") {
        Value::String(one) => vec![one.as_str()],
        Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let nullable = types.contains(&"null");
    let main = types.iter().find(|t| **t != "null").copied().unwrap_or("");
    let mut words = if let Some(options) = at(schema, "enum").as_array() {
        let names: Vec<String> = options
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
        format!("one of {}", names.join(", "))
    } else {
        match main {
            "integer" | "number" => {
                let mut words = main.to_owned();
                let low = bound(at(schema, "minimum")).map(|n| format!("≥ {n}"));
                let above = bound(at(schema, "exclusiveMinimum")).map(|n| format!("> {n}"));
                let high = bound(at(schema, "maximum")).map(|n| format!("≤ {n}"));
                for part in [low.or(above), high].into_iter().flatten() {
                    words.push_str(", ");
                    words.push_str(&part);
                }
                words
            }
            "string" => match at(schema, "format").as_str() {
                Some("date") => "date YYYY-MM-DD".to_owned(),
                Some("date-time") => "ISO 8601 instant".to_owned(),
                Some("binary") => "file".to_owned(),
                _ => match (
                    bound(at(schema, "minLength")),
                    bound(at(schema, "maxLength")),
                ) {
                    (Some(min), Some(max)) => format!("text, {min} to {max} characters"),
                    (None, Some(max)) => format!("text, up to {max} characters"),
                    _ => "text".to_owned(),
                },
            },
            "boolean" => "boolean".to_owned(),
            "array" => format!("list of {}", kind(document, at(schema, "items"))),
            "object" => match at(schema, "properties").as_object() {
                Some(members) if !members.is_empty() => {
                    let names: Vec<&str> = members.keys().map(String::as_str).collect();
                    format!("object of {}", names.join(", "))
                }
                _ => "JSON object".to_owned(),
            },
            _ => "any".to_owned(),
        }
    };
    if nullable {
        words.push_str(", or empty");
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kinds_read_as_words() {
        let doc = json!({});
        assert_eq!(
            kind(
                &doc,
                &json!({"type": ["integer", "null"], "minimum": 0, "maximum": 100})
            ),
            "integer, ≥ 0, ≤ 100, or empty"
        );
        assert_eq!(
            kind(
                &doc,
                &json!({"type": "number", "exclusiveMinimum": 0.0, "maximum": 2.5})
            ),
            "number, > 0, ≤ 2.5"
        );
        assert_eq!(
            kind(&doc, &json!({"type": "string", "maxLength": 200})),
            "text, up to 200 characters"
        );
        assert_eq!(
            kind(&doc, &json!({"type": "string", "format": "date"})),
            "date YYYY-MM-DD"
        );
        assert_eq!(
            kind(
                &doc,
                &json!({"type": ["string", "null"], "enum": ["a", "b", null]})
            ),
            "one of a, b, or empty"
        );
        assert_eq!(
            kind(
                &doc,
                &json!({"type": "array", "items": {"type": "integer", "minimum": 1}})
            ),
            "list of integer, ≥ 1"
        );
    }
}
