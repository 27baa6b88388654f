//! Every session and race example request of the spec, sent as written (form-encoded),
//! answered in the shape of the spec's example responses; and the refusals of bad bodies,
//! which change nothing.
//!
//! Here the shape checks; the tests beside it: `sessions` (the session examples and pages),
//! `races` (the race examples), `bodies` (bad bodies, and bodies as JSON).

mod bodies;
mod races;
mod sessions;

use serde_json::Value;

/// Whether `got` has the JSON type of `example` (null matches anything, as examples show
/// null where a value may be).
fn same_shape(got: &Value, example: &Value) -> bool {
    matches!(
        (got, example),
        (_, Value::Null)
            | (Value::Null, _)
            | (Value::Number(_), Value::Number(_))
            | (Value::String(_), Value::String(_))
            | (Value::Bool(_), Value::Bool(_))
    )
}

fn assert_shape(got: &Value, example: &Value) {
    for (key, value) in example.as_object().unwrap() {
        assert!(
            same_shape(&got[key], value),
            "{key}: {} against the example's {value}",
            got[key]
        );
    }
}
