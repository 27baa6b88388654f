use super::*;

const SCHEMA: BodySchema = BodySchema {
    name: "Test",
    fields: &[
        Field::of("day", Kind::Day, "A day.").required(),
        Field::integer("steps", 0, 100, "Steps."),
        Field::number("kg", 1.0, 10.0, "Weight."),
        Field::of(
            "rate",
            Kind::Number {
                min: 0.0,
                max: 5.0,
                above_min: true,
            },
            "Above zero.",
        ),
        Field::text("name", 3, "A name."),
        Field::of("kind", Kind::Choice(&["A", "B"]), "A kind."),
    ],
    checks: &[],
};

fn members(value: Value) -> Vec<(String, Value)> {
    match value {
        Value::Object(map) => map.into_iter().collect(),
        _ => Vec::new(),
    }
}

fn issues(value: Value) -> Vec<Value> {
    match SCHEMA.validate(members(value)) {
        Ok(_) => Vec::new(),
        Err(invalid) => invalid.issues,
    }
}

#[test]
fn valid_values_are_typed() {
    let body = json!({ "day": "2026-01-16", "steps": 5, "kg": 2.5, "rate": 1, "name": "abc",
                       "kind": "B" });
    let valid = SCHEMA.validate(members(body)).ok().unwrap_or_default();
    assert_eq!(
        valid.day("day").map(|d| d.to_string()),
        Some("2026-01-16".into())
    );
    assert_eq!(valid.integer("steps"), Some(5));
    assert_eq!(valid.number("kg"), Some(2.5));
    assert_eq!(valid.number("rate"), Some(1.0));
    assert_eq!(valid.text("name").as_deref(), Some("abc"));
    assert_eq!(valid.text("kind").as_deref(), Some("B"));
}

#[test]
fn whole_numbers_written_with_a_fraction_are_integers() {
    assert!(issues(json!({ "day": "2026-01-16", "steps": 5.0 })).is_empty());
    let found = issues(json!({ "day": "2026-01-16", "steps": 5.5 }));
    assert_eq!(found[0]["message"], "Expected integer, received float");
}

#[test]
fn issues_read_like_zod() {
    let found = issues(json!({ "steps": "5", "kg": 0.5, "rate": 0, "name": "abcd",
                               "kind": "C", "extra": 1 }));
    let messages: Vec<&str> = found.iter().filter_map(|i| i["message"].as_str()).collect();
    assert_eq!(
        messages,
        [
            "Unrecognized key(s) in object: 'extra'",
            "Required",
            "Expected integer, received string",
            "Number must be greater than or equal to 1",
            "Number must be greater than 0",
            "String must contain at most 3 character(s)",
            "Invalid enum value. Expected 'A' | 'B', received 'C'",
        ]
    );
}

#[test]
fn details_split_form_and_field_errors() {
    let invalid = SCHEMA
        .validate(members(json!({ "extra": 1, "steps": 500 })))
        .err()
        .unwrap_or_default();
    let details = invalid.details();
    assert_eq!(
        details["validation"]["formErrors"],
        json!(["Unrecognized key(s) in object: 'extra'"])
    );
    assert_eq!(
        details["validation"]["fieldErrors"]["steps"],
        json!(["Number must be less than or equal to 100"])
    );
    assert_eq!(details["missingFields"], json!(["day"]));
    assert_eq!(
        details["allowedKeys"],
        json!(["day", "steps", "kg", "rate", "name", "kind"])
    );
}

#[test]
fn null_is_absent_for_optional_fields_and_missing_for_required_ones() {
    assert!(issues(json!({ "day": "2026-01-16", "steps": null })).is_empty());
    let found = issues(json!({ "day": null }));
    assert_eq!(found[0]["message"], "Expected string, received null");
}
