//! The schemas of the Xhale surface that are not plain Rust types: a calendar record and its
//! write bodies are generated from the field table its handlers write with
//! ([`record::Field`]), so the document names the same fields, types and bounds; the other
//! request bodies are read field by field, and described here.

use crate::api::document::{Schemas, refer, typed};
use crate::api::xhale::calendar::Resource;
use crate::api::xhale::error::Detail;
use crate::api::xhale::input::FieldErrors;
use crate::api::xhale::record::{Field, Slot};
use paceline_domain::calendar::RacePriority;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::marker::PhantomData;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::{KnownFormat, RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

/// The schema of a field, from its slot.
fn slot_schema(slot: Slot<'_>) -> Schema {
    let object = match slot {
        Slot::Int(_, min, max) => typed(Type::Integer, true)
            .minimum(Some(min as f64))
            .maximum(Some(max as f64)),
        Slot::RequiredInt(_, min, max) => typed(Type::Integer, false)
            .minimum(Some(min as f64))
            .maximum(Some(max as f64)),
        Slot::IntAsText(_, _, max) => typed(Type::String, false)
            .pattern(Some("^[0-9]+$"))
            .description(Some(format!(
                "An integer from 0 to {max}, written as text."
            ))),
        Slot::Number(_, min, max) => typed(Type::Number, true)
            .minimum(Some(min))
            .maximum(Some(max)),
        Slot::Text(_, max) => typed(Type::String, false).max_length(Some(max)),
        Slot::RequiredText(_, max) => typed(Type::String, false)
            .min_length(Some(1))
            .max_length(Some(max)),
        Slot::Bool(_) => typed(Type::Boolean, false),
        Slot::Date(_) => {
            typed(Type::String, false).format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
        }
        Slot::Priority(_) => typed(Type::String, true).enum_values(Some(
            RacePriority::NAMES
                .iter()
                .map(|n| Value::from(*n))
                .chain([Value::Null]),
        )),
    };
    Schema::Object(object.build())
}

/// A record's values, to read its slots from.
fn sample<R: Resource>() -> R::Values {
    R::new_values(time::macros::date!(2015 - 01 - 14))
}

/// A list of upload ids to attach.
fn files_to_add() -> ArrayBuilder {
    ArrayBuilder::new().items(typed(Type::Integer, false).minimum(Some(1.0)))
}

/// The write body of a record: its fields (the required ones required when `create`) and
/// `training_log_files_to_add`.
fn write_schema<V>(table: &[Field<V>], sample: &mut V, create: bool) -> Schema {
    let mut object = ObjectBuilder::new().schema_type(Type::Object);
    for field in table {
        object = object.property(field.name, slot_schema((field.slot)(sample)));
        if create && field.required {
            object = object.required(field.name);
        }
    }
    object = object.property("training_log_files_to_add", files_to_add());
    Schema::Object(object.build())
}

/// An instant as the surface writes it.
pub(crate) fn datetime_schema() -> Schema {
    Schema::Object(
        typed(Type::String, false)
            .description(Some("UTC, e.g. 2015-06-18T02:03:14.513292"))
            .build(),
    )
}

/// A value of `kind`, as a schema.
pub(crate) fn plain(kind: Type, nullable: bool) -> Schema {
    Schema::Object(typed(kind, nullable).build())
}

/// A calendar record as answered: the fields of its table, then the read-only ones.
#[derive(serde::Serialize)]
#[serde(transparent)]
pub(crate) struct Item<R> {
    members: Map<String, Value>,
    #[serde(skip)]
    kind: PhantomData<R>,
}

impl<R> Item<R> {
    /// A record's members, in the order the spec shows them.
    pub(crate) fn new(members: Map<String, Value>) -> Self {
        Self {
            members,
            kind: PhantomData,
        }
    }
}

impl<R: Resource> PartialSchema for Item<R> {
    fn schema() -> RefOr<Schema> {
        let mut object = ObjectBuilder::new().schema_type(Type::Object);
        let mut values = sample::<R>();
        for field in R::FIELDS {
            object = object
                .property(field.name, slot_schema((field.slot)(&mut values)))
                .required(field.name);
        }
        for (name, schema) in R::read_only_schemas() {
            object = object.property(name, schema).required(name);
        }
        RefOr::T(Schema::Object(object.build()))
    }
}

impl<R: Resource> ToSchema for Item<R> {
    fn name() -> Cow<'static, str> {
        R::SCHEMA.into()
    }
}

/// The body that creates a record, or replaces it by `PUT`: the required fields required.
pub(crate) struct Create<R>(PhantomData<R>);

impl<R: Resource> PartialSchema for Create<R> {
    fn schema() -> RefOr<Schema> {
        RefOr::T(write_schema(R::FIELDS, &mut sample::<R>(), true))
    }
}

impl<R: Resource> ToSchema for Create<R> {
    fn name() -> Cow<'static, str> {
        format!("{}Write", R::SCHEMA).into()
    }
}

/// The body of a `PATCH`: any of the fields.
pub(crate) struct Patch<R>(PhantomData<R>);

impl<R: Resource> PartialSchema for Patch<R> {
    fn schema() -> RefOr<Schema> {
        RefOr::T(write_schema(R::FIELDS, &mut sample::<R>(), false))
    }
}

impl<R: Resource> ToSchema for Patch<R> {
    fn name() -> Cow<'static, str> {
        format!("{}Patch", R::SCHEMA).into()
    }
}

/// A refused request: in words, or naming each bad field.
#[derive(serde::Serialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub(crate) enum BadRequest {
    Detail(Detail),
    FieldErrors(FieldErrors),
}

/// The body of a new message.
pub(crate) struct MessageWrite;

impl PartialSchema for MessageWrite {
    fn schema() -> RefOr<Schema> {
        let content = typed(Type::String, false)
            .min_length(Some(1))
            .max_length(Some(paceline_domain::messaging::MAX_CONTENT_CHARS));
        let object = ObjectBuilder::new()
            .schema_type(Type::Object)
            .property("content", content)
            .required("content");
        RefOr::T(Schema::Object(object.build()))
    }
}

impl ToSchema for MessageWrite {}

/// The multipart body of an upload.
pub(crate) struct UploadBody;

impl PartialSchema for UploadBody {
    fn schema() -> RefOr<Schema> {
        let object = ObjectBuilder::new()
            .schema_type(Type::Object)
            .property("file", crate::api::document::binary())
            .required("file");
        RefOr::T(Schema::Object(object.build()))
    }
}

impl ToSchema for UploadBody {}

/// The body of a new workout (`create`), or of a change to one.
fn workout_write_schema(create: bool) -> Schema {
    let mut object = ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(
            "Steps: {type: step, name?, notes?, intensity?, duration: {type: time, seconds} | \
             {type: distance, meters} | {type: open}, target?} or {type: repeat, times, steps}; \
             docs/api-design.md lists every target.",
        ))
        .property("sport", typed(Type::String, false))
        .property("name", typed(Type::String, false))
        .property("description", typed(Type::String, false))
        .property("steps", typed(Type::Array, false))
        .property("training_session_ids", files_to_add());
    if create {
        object = object.required("sport").required("name").required("steps");
    }
    Schema::Object(object.build())
}

/// The body of a new workout.
pub(crate) struct WorkoutWrite;

impl PartialSchema for WorkoutWrite {
    fn schema() -> RefOr<Schema> {
        RefOr::T(workout_write_schema(true))
    }
}

impl ToSchema for WorkoutWrite {}

/// The body of a change to a workout.
pub(crate) struct WorkoutPatch;

impl PartialSchema for WorkoutPatch {
    fn schema() -> RefOr<Schema> {
        RefOr::T(workout_write_schema(false))
    }
}

impl ToSchema for WorkoutPatch {}

/// Gathers the schemas every operation may refer to in its common answers.
pub(crate) fn common(schemas: &mut Schemas) {
    refer::<Detail>(schemas);
    refer::<BadRequest>(schemas);
}
