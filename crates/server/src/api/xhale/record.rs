//! The fields of a calendar record (a training session or a race), declared once as a
//! table: each field's name, the [`Part`] that says who may change it, and where its value
//! lives. Writing a body into a record, checking who changed what, and writing the record
//! out as JSON all read the same table.

use crate::api::xhale::input::{FieldErrors, Fields, Written};
use paceline_domain::calendar::{Part, RacePriority};
use serde_json::{Map, Value, json};
use time::Date;

/// Where a field's value lives in the record, with its bounds.
pub(crate) enum Slot<'a> {
    /// An optional integer within bounds.
    Int(&'a mut Option<i32>, i64, i64),
    /// A required integer within bounds.
    RequiredInt(&'a mut i32, i64, i64),
    /// A required integer, written out as text (the spec's `"order": "2"`).
    IntAsText(&'a mut i32, i64, i64),
    /// An optional number within bounds.
    Number(&'a mut Option<f64>, f64, f64),
    /// Text of at most so many characters.
    Text(&'a mut String, usize),
    /// Required text of at most so many characters, not blank.
    RequiredText(&'a mut String, usize),
    /// A boolean.
    Bool(&'a mut bool),
    /// A day.
    Date(&'a mut Date),
    /// A race priority.
    Priority(&'a mut Option<RacePriority>),
}

/// One field of a record of type `V`.
pub(crate) struct Field<V> {
    /// Its name in the API.
    pub(crate) name: &'static str,
    /// Who may change it.
    pub(crate) part: Part,
    /// Whether a create or a PUT must send it.
    pub(crate) required: bool,
    /// Where its value lives.
    pub(crate) slot: fn(&mut V) -> Slot<'_>,
}

const NOT_NULL: &str = "This field may not be null.";
const REQUIRED: &str = "This field is required.";

fn to_i32(n: i64) -> i32 {
    // The bounds of every integer slot lie within i32.
    i32::try_from(n).unwrap_or(if n < 0 { i32::MIN } else { i32::MAX })
}

/// Reads one field from the body into its slot; whether it was written.
fn read_into(fields: &mut Fields<'_>, name: &'static str, slot: Slot<'_>) -> bool {
    let mut written = true;
    let mut null = false;
    match slot {
        Slot::Int(v, min, max) => match fields.int(name, min, max) {
            Written::Absent => written = false,
            Written::Null => *v = None,
            Written::Value(n) => *v = Some(to_i32(n)),
        },
        Slot::RequiredInt(v, min, max) | Slot::IntAsText(v, min, max) => {
            match fields.int(name, min, max) {
                Written::Absent => written = false,
                Written::Null => null = true,
                Written::Value(n) => *v = to_i32(n),
            }
        }
        Slot::Number(v, min, max) => match fields.number(name, min, max) {
            Written::Absent => written = false,
            Written::Null => *v = None,
            Written::Value(n) => *v = Some(n),
        },
        Slot::Text(v, max) => match fields.text(name, max) {
            Written::Absent => written = false,
            Written::Null => v.clear(),
            Written::Value(s) => *v = s,
        },
        Slot::RequiredText(v, max) => match fields.text(name, max) {
            Written::Absent => written = false,
            Written::Null => null = true,
            Written::Value(s) if s.is_empty() => {
                fields.errors.add(name, "This field may not be blank.");
            }
            Written::Value(s) => *v = s,
        },
        Slot::Bool(v) => match fields.boolean(name) {
            Written::Absent => written = false,
            Written::Null => null = true,
            Written::Value(b) => *v = b,
        },
        Slot::Date(v) => match fields.date(name) {
            Written::Absent => written = false,
            Written::Null => null = true,
            Written::Value(d) => *v = d,
        },
        Slot::Priority(v) => match fields.choice(name, &RacePriority::NAMES) {
            Written::Absent => written = false,
            Written::Null => *v = None,
            Written::Value(p) => *v = RacePriority::from_name(p),
        },
    }
    if null {
        fields.errors.add(name, NOT_NULL);
    }
    written
}

/// A field's value as JSON.
fn value_of(slot: Slot<'_>) -> Value {
    match slot {
        Slot::Int(v, ..) => json!(v),
        Slot::RequiredInt(v, ..) => json!(v),
        Slot::IntAsText(v, ..) => json!(v.to_string()),
        Slot::Number(v, ..) => json!(v),
        Slot::Text(v, _) | Slot::RequiredText(v, _) => json!(v),
        Slot::Bool(v) => json!(v),
        Slot::Date(v) => json!(v.to_string()),
        Slot::Priority(v) => json!(v.map(RacePriority::as_str)),
    }
}

/// How a write is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// A new record: required fields must come.
    Create,
    /// PUT: required fields must come again.
    Replace,
    /// PATCH: anything may be left out.
    Patch,
}

/// Writes the body's fields into `values`, refusing changes to fields the writer may not
/// change (`may(part)` false); writing a field's current value is not a change, so a client
/// may send back what it read. Errors are added to `fields`.
pub(crate) fn write<V: Clone>(
    table: &[Field<V>],
    fields: &mut Fields<'_>,
    mode: Mode,
    values: &mut V,
    may: impl Fn(Part) -> bool,
    refusal: impl Fn(Part) -> &'static str,
) {
    let before = values.clone();
    for field in table {
        let written = read_into(fields, field.name, (field.slot)(values));
        if !fields.sent(field.name) && field.required && mode != Mode::Patch {
            fields.errors.add(field.name, REQUIRED);
        }
        if written && !may(field.part) {
            let mut old = before.clone();
            if value_of((field.slot)(&mut old)) != value_of((field.slot)(values)) {
                fields.errors.add(field.name, refusal(field.part));
            }
        }
    }
}

/// The record's fields as JSON members, in the table's order.
pub(crate) fn members<V: Clone>(table: &[Field<V>], values: &V, out: &mut Map<String, Value>) {
    let mut values = values.clone();
    for field in table {
        out.insert(field.name.to_owned(), value_of((field.slot)(&mut values)));
    }
}

/// Answers the errors gathered, if any.
pub(crate) fn finish(fields: Fields<'_>) -> Result<(), FieldErrors> {
    fields.finish()
}
