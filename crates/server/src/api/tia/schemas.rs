//! The schemas of the Train it All surface that are not plain Rust types: write bodies are
//! generated from the field tables the handlers validate with ([`BodySchema`]), a daily
//! record from its resource's table; and the answers a write gives.

use crate::api::document::Schemas;
use crate::api::tia::activities::ActivityItem;
use crate::api::tia::daily::Resource;
use crate::api::tia::fields::{BodySchema, Field, Kind};
use serde::Serialize;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::marker::PhantomData;
use utoipa::openapi::schema::{
    AdditionalProperties, ArrayBuilder, ObjectBuilder, SchemaFormat, SchemaType, Type,
};
use utoipa::openapi::{KnownFormat, Ref, RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

/// A field's JSON Schema.
fn field_schema(field: &Field) -> RefOr<Schema> {
    let object = ObjectBuilder::new().description(Some(field.description));
    let object = match field.kind {
        Kind::Number {
            min,
            max,
            above_min,
        } => {
            let object = object.schema_type(Type::Number).maximum(Some(max));
            if above_min {
                object.exclusive_minimum(Some(min))
            } else {
                object.minimum(Some(min))
            }
        }
        Kind::Integer { min, max } => object
            .schema_type(Type::Integer)
            .minimum(Some(min as f64))
            .maximum(Some(max as f64)),
        Kind::Text {
            min_chars,
            max_chars,
        } => object
            .schema_type(Type::String)
            .min_length((min_chars > 0).then_some(min_chars))
            .max_length(Some(max_chars)),
        Kind::Instant => object
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime))),
        Kind::Day => object
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))),
        Kind::Choice(options) => object
            .schema_type(Type::String)
            .enum_values(Some(options.iter().copied())),
        Kind::Object => object.schema_type(Type::Object),
        Kind::Measures { keys, max } => {
            let mut object = object
                .schema_type(Type::Object)
                .additional_properties(Some(AdditionalProperties::FreeForm(false)));
            for key in keys {
                object = object.property(
                    *key,
                    ObjectBuilder::new()
                        .schema_type(Type::Number)
                        .exclusive_minimum(Some(0.0))
                        .maximum(Some(max)),
                );
            }
            object
        }
    };
    let object = if field.required {
        object
    } else {
        // Optional fields may also be written as null.
        match field.kind {
            Kind::Number { .. } => {
                object.schema_type(SchemaType::from_iter([Type::Number, Type::Null]))
            }
            Kind::Integer { .. } => {
                object.schema_type(SchemaType::from_iter([Type::Integer, Type::Null]))
            }
            Kind::Object | Kind::Measures { .. } => {
                object.schema_type(SchemaType::from_iter([Type::Object, Type::Null]))
            }
            _ => object.schema_type(SchemaType::from_iter([Type::String, Type::Null])),
        }
    };
    RefOr::T(Schema::Object(object.build()))
}

/// A write body's JSON Schema: its fields, the required ones, nothing else.
pub(crate) fn body_schema(body: &BodySchema) -> Schema {
    let mut object = ObjectBuilder::new()
        .schema_type(Type::Object)
        .additional_properties(Some(AdditionalProperties::FreeForm(false)));
    for field in body.fields {
        object = object.property(field.name, field_schema(field));
        if field.required {
            object = object.required(field.name);
        }
    }
    Schema::Object(object.build())
}

/// The body that creates an activity.
pub(crate) struct ActivityWrite;

impl PartialSchema for ActivityWrite {
    fn schema() -> RefOr<Schema> {
        RefOr::T(body_schema(&crate::api::tia::activities::WRITE))
    }
}

impl ToSchema for ActivityWrite {
    fn name() -> Cow<'static, str> {
        crate::api::tia::activities::WRITE.name.into()
    }
}

/// The body that writes a daily record of `R`.
pub(crate) struct DailyWrite<R>(PhantomData<R>);

impl<R: Resource> PartialSchema for DailyWrite<R> {
    fn schema() -> RefOr<Schema> {
        RefOr::T(body_schema(&R::WRITE))
    }
}

impl<R: Resource> ToSchema for DailyWrite<R> {
    fn name() -> Cow<'static, str> {
        R::WRITE.name.into()
    }
}

/// What every daily record carries.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
#[allow(dead_code)]
struct RecordFields {
    id: String,
    organization_id: String,
    athlete_id: String,
    source: String,
    source_name: Option<String>,
    external_id: Option<String>,
    #[schema(value_type = Option<Object>)]
    raw_payload: Option<()>,
    created_at: String,
    updated_at: String,
}

/// A daily record as the lists show it: what every record carries, its key and its values
/// (the write fields, less what is only written).
#[derive(Serialize)]
#[serde(transparent)]
pub(crate) struct DailyItem<R> {
    members: Map<String, Value>,
    #[serde(skip)]
    kind: PhantomData<R>,
}

impl<R> DailyItem<R> {
    pub(crate) fn new(members: Map<String, Value>) -> Self {
        Self {
            members,
            kind: PhantomData,
        }
    }
}

impl<R: Resource> PartialSchema for DailyItem<R> {
    fn schema() -> RefOr<Schema> {
        let mut object = ObjectBuilder::new().schema_type(Type::Object);
        if let RefOr::T(Schema::Object(common)) = RecordFields::schema() {
            for (name, schema) in common.properties {
                object = object.property(name.clone(), schema);
                object = object.required(name);
            }
        }
        for field in R::WRITE.fields {
            if matches!(field.name, "externalId" | "rawPayload") {
                continue;
            }
            let required = Field {
                required: false,
                ..*field
            };
            object = object
                .property(field.name, field_schema(&required))
                .required(field.name);
        }
        RefOr::T(Schema::Object(object.build()))
    }
}

impl<R: Resource> ToSchema for DailyItem<R> {
    fn name() -> Cow<'static, str> {
        R::WRITE.name.trim_end_matches("Write").into()
    }
}

/// `{ id }`: the record written.
#[derive(Serialize, ToSchema)]
pub(crate) struct Written {
    pub(crate) id: String,
}

/// `{ id, storageKey }`: the activity made from an uploaded file, and where the file is.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Uploaded {
    pub(crate) id: String,
    /// `fit/<orgId>/<athleteId>/YYYY-MM-DD/<random>.fit`.
    pub(crate) storage_key: String,
}

/// `{ id, duplicate: true }`: the activity written before (the same `externalId` from the
/// same client, or the same file).
#[derive(Serialize, ToSchema)]
pub(crate) struct Duplicate {
    pub(crate) id: String,
    pub(crate) duplicate: bool,
}

impl Duplicate {
    pub(crate) fn of(id: String) -> Self {
        Self {
            id,
            duplicate: true,
        }
    }
}

/// `details.validation`.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
#[allow(dead_code)]
pub(crate) struct Validation {
    form_errors: Vec<String>,
    field_errors: BTreeMap<String, Vec<String>>,
}

/// The `details` of a validation error.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
#[allow(dead_code)]
pub(crate) struct ErrorDetails {
    validation: Validation,
    /// Zod-shaped issues: `code`, `path`, `message` and the code's own fields.
    #[schema(value_type = Vec<Object>)]
    issues: Vec<()>,
    received_keys: Vec<String>,
    allowed_keys: Vec<String>,
    missing_fields: Vec<String>,
}

/// The spec's list answer: `{ items, pagination }`, documented as `<T>List`.
#[derive(Serialize)]
pub(crate) struct PageOf<T> {
    pub(crate) items: Vec<T>,
    pub(crate) pagination: crate::api::tia::list::Pagination,
}

impl<T: ToSchema> PartialSchema for PageOf<T> {
    fn schema() -> RefOr<Schema> {
        let object = ObjectBuilder::new()
            .schema_type(Type::Object)
            .property(
                "items",
                ArrayBuilder::new().items(RefOr::Ref(Ref::from_schema_name(T::name()))),
            )
            .required("items")
            .property(
                "pagination",
                RefOr::Ref(Ref::from_schema_name("Pagination")),
            )
            .required("pagination");
        RefOr::T(Schema::Object(object.build()))
    }
}

impl<T: ToSchema> ToSchema for PageOf<T> {
    fn name() -> Cow<'static, str> {
        format!("{}List", T::name()).into()
    }

    fn schemas(schemas: &mut Schemas) {
        crate::api::document::refer::<T>(schemas);
        crate::api::document::refer::<crate::api::tia::list::Pagination>(schemas);
    }
}

/// A page of activities.
pub(crate) type ActivityPage<'a> = PageOf<ActivityItem<'a>>;
