//! The OpenAPI 3.1 document of the Train it All surface, served at
//! `/api/external/v1/openapi.json`, and the reference page made from the same description at
//! `/api/external/v1/docs`.
//!
//! Request bodies are generated from the field tables the handlers validate with
//! ([`BodySchema`]), list parameters from the list parser's own names; answers are described
//! by the types below, which a test holds to the server's real answers.

use crate::api::tia::daily::{self, Resource};
use crate::api::tia::fields::{BodySchema, Field, Kind};
use crate::api::tia::{activities, list};
use askama::Template;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use paceline_domain::listing::MAX_PER_PAGE;
use paceline_domain::oauth::Scope;
use std::collections::BTreeMap;
use std::sync::OnceLock;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::{
    AdditionalProperties, ArrayBuilder, ObjectBuilder, SchemaFormat, SchemaType, Type,
};
use utoipa::openapi::security::{
    AuthorizationCode, Flow, OAuth2, Scopes, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, InfoBuilder, KnownFormat, OpenApi, OpenApiBuilder, PathItem,
    PathsBuilder, Ref, RefOr, Required, Schema,
};
use utoipa::{PartialSchema, ToSchema};

/// `GET /profile`.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
#[allow(dead_code)]
struct Profile {
    /// The user's id.
    id: String,
    email: String,
    name: String,
    /// A picture's URL.
    image: Option<String>,
    created_at: String,
}

/// The spec's `PaginationMeta`.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
#[allow(dead_code)]
struct Pagination {
    page: u32,
    per_page: u32,
    prev_page: Option<u32>,
    next_page: Option<u32>,
    has_next_page: bool,
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

/// `{ id }`: the record written.
#[derive(ToSchema)]
#[allow(dead_code)]
struct Written {
    id: String,
}

/// `{ id, storageKey }`: the activity made from an uploaded file, and where the file is.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
#[allow(dead_code)]
struct Uploaded {
    id: String,
    /// `fit/<orgId>/<athleteId>/YYYY-MM-DD/<random>.fit`.
    storage_key: String,
}

/// `{ id, duplicate: true }`: the activity this client wrote before with that `externalId`.
#[derive(ToSchema)]
#[allow(dead_code)]
struct Duplicate {
    id: String,
    duplicate: bool,
}

/// `details.validation`.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
#[allow(dead_code)]
struct Validation {
    form_errors: Vec<String>,
    field_errors: BTreeMap<String, Vec<String>>,
}

/// The `details` of a validation error.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
#[allow(dead_code)]
struct ErrorDetails {
    validation: Validation,
    /// Zod-shaped issues: `code`, `path`, `message` and the code's own fields.
    #[schema(value_type = Vec<Object>)]
    issues: Vec<()>,
    received_keys: Vec<String>,
    allowed_keys: Vec<String>,
    missing_fields: Vec<String>,
}

/// The error body of section 6.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
#[allow(dead_code)]
struct Error {
    /// An English sentence.
    error: String,
    error_code: String,
    hint: String,
    details: Option<ErrorDetails>,
}

fn reference(name: &str) -> RefOr<Schema> {
    RefOr::Ref(Ref::from_schema_name(name))
}

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

/// A daily record's JSON Schema: the common fields, its key and its values (the write
/// fields, less what is only written).
fn daily_item_schema<R: Resource>() -> Schema {
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
    Schema::Object(object.build())
}

fn list_schema(item: &str) -> Schema {
    Schema::Object(
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .property("items", ArrayBuilder::new().items(reference(item)))
            .required("items")
            .property("pagination", reference("Pagination"))
            .required("pagination")
            .build(),
    )
}

fn json_response(description: &str, schema: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(reference(schema)))
                .build(),
        )
        .build()
}

/// An endpoint of the surface, as the document and the reference page describe it.
pub(crate) struct Endpoint {
    pub(crate) method: &'static str,
    pub(crate) path: &'static str,
    pub(crate) summary: &'static str,
    pub(crate) scope: Scope,
    /// The write body, for `POST`.
    pub(crate) body: Option<&'static BodySchema>,
    /// The item schema, for lists.
    pub(crate) item: Option<&'static str>,
    /// Whether `from`/`to` take instants (else days), for lists.
    pub(crate) instants: bool,
    /// Status and meaning of the answers.
    pub(crate) answers: &'static [(u16, &'static str, &'static str)],
}

const LIST_ANSWERS: &[(u16, &str, &str)] = &[
    (200, "A page, newest first.", ""),
    (400, "A malformed or unknown query parameter.", "Error"),
];
const WRITE_ANSWERS: &[(u16, &str, &str)] = &[
    (200, "Written (created or replaced): { id }.", "Written"),
    (
        400,
        "The body breaks a rule: the details say which fields and why.",
        "Error",
    ),
    (413, "The body is larger than 1 MiB.", "Error"),
    (415, "The body is not application/json.", "Error"),
];
const ACTIVITY_ANSWERS: &[(u16, &str, &str)] = &[
    (201, "Created: { id }.", "Written"),
    (
        200,
        "This client wrote this externalId before: the existing activity.",
        "Duplicate",
    ),
    (
        400,
        "The body breaks a rule: the details say which fields and why.",
        "Error",
    ),
    (413, "The body is larger than 1 MiB.", "Error"),
    (415, "The body is not application/json.", "Error"),
];

const UPLOAD_ANSWERS: &[(u16, &str, &str)] = &[
    (201, "Imported: { id, storageKey }.", "Uploaded"),
    (
        200,
        "The user uploaded this file before (same SHA-256): the existing activity.",
        "Duplicate",
    ),
    (
        400,
        "No `file` field, an empty file, a name not ending in .fit, not a valid FIT file, or a FIT file that is not an activity (the error names its type).",
        "Error",
    ),
    (413, "The file is larger than 25 MB.", "Error"),
    (415, "The body is not multipart/form-data.", "Error"),
];
const DOWNLOAD_ANSWERS: &[(u16, &str, &str)] = &[
    (
        200,
        "The FIT file: as uploaded, or encoded from the activity's figures.",
        BINARY,
    ),
    (404, "No activity of the token's user has this id.", "Error"),
];
/// The schema name that stands for a binary FIT body.
const BINARY: &str = "binary";

fn daily_endpoints<R: Resource>(path: &'static str, name: &'static str) -> [Endpoint; 2] {
    [
        Endpoint {
            method: "GET",
            path,
            summary: name,
            scope: R::READ,
            body: None,
            item: Some(R::WRITE.name.trim_end_matches("Write")),
            instants: R::KEY != "day",
            answers: LIST_ANSWERS,
        },
        Endpoint {
            method: "POST",
            path,
            summary: name,
            scope: R::WRITE_SCOPE,
            body: Some(&R::WRITE),
            item: None,
            instants: false,
            answers: WRITE_ANSWERS,
        },
    ]
}

/// Every endpoint of the surface but the file routes.
pub(crate) fn endpoints() -> Vec<Endpoint> {
    let mut all = vec![
        Endpoint {
            method: "GET",
            path: "/api/external/v1/profile",
            summary: "The token's user.",
            scope: Scope::ProfileRead,
            body: None,
            item: None,
            instants: false,
            answers: &[(200, "The user.", "Profile")],
        },
        Endpoint {
            method: "GET",
            path: "/api/external/v1/activities",
            summary: "List activities, newest start first (from/to bound startedAt).",
            scope: Scope::ActivitiesRead,
            body: None,
            item: Some("Activity"),
            instants: true,
            answers: LIST_ANSWERS,
        },
        Endpoint {
            method: "POST",
            path: "/api/external/v1/activities",
            summary: "Create an activity; the same externalId from the same client answers the existing one.",
            scope: Scope::ActivitiesWrite,
            body: Some(&activities::WRITE),
            item: None,
            instants: false,
            answers: ACTIVITY_ANSWERS,
        },
    ];
    all.push(Endpoint {
        method: "POST",
        path: "/api/external/v1/fit-files",
        summary: "Upload a .fit file as an activity: multipart/form-data, field `file`, at most 25 MB; the same file again answers the existing activity.",
        scope: Scope::ActivitiesWrite,
        body: None,
        item: None,
        instants: false,
        answers: UPLOAD_ANSWERS,
    });
    all.push(Endpoint {
        method: "GET",
        path: "/api/external/v1/activities/{id}/fit",
        summary: "Download exactly one FIT file for an activity: the uploaded original, or one encoded from the activity.",
        scope: Scope::ActivitiesRead,
        body: None,
        item: None,
        instants: false,
        answers: DOWNLOAD_ANSWERS,
    });
    all.extend(daily_endpoints::<daily::BodyMetrics>(
        "/api/external/v1/body-metrics",
        "Body metrics (from/to bound measuredAt; upsert by measuredAt).",
    ));
    all.extend(daily_endpoints::<daily::SleepDays>(
        "/api/external/v1/sleep-days",
        "Sleep days (from/to bound day; upsert per day and client).",
    ));
    all.extend(daily_endpoints::<daily::NutritionDays>(
        "/api/external/v1/nutrition-days",
        "Nutrition days (from/to bound day; upsert per day, a write replaces the day).",
    ));
    all.extend(daily_endpoints::<daily::WellnessDays>(
        "/api/external/v1/daily-wellness",
        "Daily wellness (from/to bound day; upsert per day and client).",
    ));
    all
}

/// What each list parameter means.
pub(crate) fn parameter_description(name: &str) -> &'static str {
    match name {
        "page" => "Page number from 1 (default 1).",
        "per_page" => "Items per page, 1 to 200 (default 30).",
        "from" => {
            "Only records at or after this date (YYYY-MM-DD) or, for instants, ISO 8601 instant."
        }
        "to" => "Only records at or before this date (a whole day) or instant.",
        "updated_since" => {
            "Only records written at or after this ISO 8601 instant: sync what changed."
        }
        _ => "",
    }
}

/// A list parameter's schema: whole numbers within their bounds, days or instants.
fn parameter_schema(name: &str, instants: bool) -> ObjectBuilder {
    let date = |format| {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(format)))
    };
    match name {
        "page" => ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(1.0))
            .maximum(Some(f64::from(i32::MAX))),
        "per_page" => ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(1.0))
            .maximum(Some(f64::from(MAX_PER_PAGE))),
        "from" | "to" if !instants => date(KnownFormat::Date),
        // Instants; a day is also accepted, as the description says.
        _ => date(KnownFormat::DateTime),
    }
}

fn binary_schema() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
}

fn operation(endpoint: &Endpoint) -> utoipa::openapi::path::Operation {
    let name = endpoint.scope.name();
    let mut op = OperationBuilder::new()
        .summary(Some(endpoint.summary))
        .description(Some(format!("Requires the scope `{name}`.")))
        .security(SecurityRequirement::new("oauth2", [name]))
        .response(
            "401",
            json_response("Missing, invalid or expired access token.", "Error"),
        )
        .response(
            "403",
            json_response("The token lacks the scope; the error names it.", "Error"),
        )
        .response(
            "429",
            json_response("Too many requests; see Retry-After.", "Error"),
        );
    if endpoint.item.is_some() {
        for param in list::PARAMS {
            op = op.parameter(
                ParameterBuilder::new()
                    .name(param)
                    .parameter_in(ParameterIn::Query)
                    .required(Required::False)
                    .description(Some(parameter_description(param)))
                    .schema(Some(parameter_schema(param, endpoint.instants))),
            );
        }
    }
    if let Some(body) = endpoint.body {
        op = op.request_body(Some(
            RequestBodyBuilder::new()
                .required(Some(Required::True))
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(reference(body.name)))
                        .build(),
                )
                .build(),
        ));
    }
    if endpoint.path.contains("{id}") {
        op = op.parameter(
            ParameterBuilder::new()
                .name("id")
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .description(Some("The activity's id (`act_…`)."))
                .schema(Some(ObjectBuilder::new().schema_type(Type::String))),
        );
    }
    if endpoint.path.ends_with("/fit-files") {
        let form = ObjectBuilder::new()
            .schema_type(Type::Object)
            .property("file", binary_schema())
            .required("file");
        op = op.request_body(Some(
            RequestBodyBuilder::new()
                .required(Some(Required::True))
                .content(
                    "multipart/form-data",
                    ContentBuilder::new().schema(Some(form)).build(),
                )
                .build(),
        ));
    }
    for (status, meaning, schema) in endpoint.answers {
        let response = match (*schema, endpoint.item) {
            ("", Some(item)) => json_response(meaning, &format!("{item}List")),
            (BINARY, _) => ResponseBuilder::new()
                .description(*meaning)
                .content(
                    "application/octet-stream",
                    ContentBuilder::new().schema(Some(binary_schema())).build(),
                )
                .build(),
            (schema, _) => json_response(meaning, schema),
        };
        op = op.response(status.to_string(), response);
    }
    op.build()
}

/// The document.
pub(crate) fn document() -> OpenApi {
    let mut paths = PathsBuilder::new();
    for endpoint in endpoints() {
        let method = if endpoint.method == "GET" {
            HttpMethod::Get
        } else {
            HttpMethod::Post
        };
        paths = paths.path(endpoint.path, PathItem::new(method, operation(&endpoint)));
    }
    let mut scopes = Vec::new();
    for scope in Scope::ALL {
        if scope.name().contains(':') {
            scopes.push((scope.name(), scope.description()));
        }
    }
    let oauth = OAuth2::with_description(
        [Flow::AuthorizationCode(AuthorizationCode::new(
            "/oauth/authorize",
            "/api/oauth/token",
            Scopes::from_iter(scopes),
        ))],
        "Authorization code with PKCE (S256). Refresh tokens rotate.",
    );
    let mut components = ComponentsBuilder::new()
        .security_scheme("oauth2", SecurityScheme::OAuth2(oauth))
        .schema_from::<Profile>()
        .schema_from::<Pagination>()
        .schema_from::<activities::SourceItem>()
        .schema_from::<activities::ActivityItem>()
        .schema_from::<Written>()
        .schema_from::<Duplicate>()
        .schema_from::<Uploaded>()
        .schema_from::<Validation>()
        .schema_from::<ErrorDetails>()
        .schema_from::<Error>()
        .schema("ActivityList", list_schema("Activity"))
        .schema(activities::WRITE.name, body_schema(&activities::WRITE));
    let items: [(&BodySchema, Schema); 4] = [
        (
            &daily::BodyMetrics::WRITE,
            daily_item_schema::<daily::BodyMetrics>(),
        ),
        (
            &daily::SleepDays::WRITE,
            daily_item_schema::<daily::SleepDays>(),
        ),
        (
            &daily::NutritionDays::WRITE,
            daily_item_schema::<daily::NutritionDays>(),
        ),
        (
            &daily::WellnessDays::WRITE,
            daily_item_schema::<daily::WellnessDays>(),
        ),
    ];
    for (body, item) in items {
        let item_name = body.name.trim_end_matches("Write");
        components = components
            .schema(body.name, body_schema(body))
            .schema(item_name, item)
            .schema(format!("{item_name}List"), list_schema(item_name));
    }
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Train it All External API v1 (Paceline)")
                .version("1")
                .description(Some(
                    "Activities, body metrics, sleep, nutrition and daily wellness of the token's user. \
                     Errors: { error, errorCode, hint, details }.",
                ))
                .build(),
        )
        .paths(paths.build())
        .components(Some(components.build()))
        .build()
}

/// The document as JSON, made once.
fn document_json() -> &'static serde_json::Value {
    static DOCUMENT: OnceLock<serde_json::Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| serde_json::to_value(document()).unwrap_or_default())
}

/// `GET /api/external/v1/openapi.json`.
pub(crate) async fn get_openapi() -> Json<&'static serde_json::Value> {
    Json(document_json())
}

/// One row of the reference page's tables.
pub(crate) struct Row {
    pub(crate) name: String,
    pub(crate) kind: String,
    pub(crate) required: bool,
    pub(crate) description: String,
}

/// One endpoint on the reference page.
pub(crate) struct EndpointView {
    pub(crate) method: &'static str,
    pub(crate) path: &'static str,
    pub(crate) summary: &'static str,
    pub(crate) scope: &'static str,
    pub(crate) params: Vec<Row>,
    pub(crate) fields: Vec<Row>,
    pub(crate) answers: Vec<(u16, &'static str)>,
}

/// The reference page.
#[derive(Template)]
#[template(path = "api_reference.html")]
struct Reference {
    endpoints: Vec<EndpointView>,
}

fn kind_text(kind: Kind) -> String {
    match kind {
        Kind::Number {
            min,
            max,
            above_min,
        } => {
            let low = if above_min { ">" } else { "≥" };
            format!("number, {low} {min}, ≤ {max}")
        }
        Kind::Integer { min, max } => format!("integer, {min} to {max}"),
        Kind::Text { max_chars, .. } => format!("string, up to {max_chars} characters"),
        Kind::Instant => "ISO 8601 instant".into(),
        Kind::Day => "date YYYY-MM-DD".into(),
        Kind::Choice(options) => format!("one of {}", options.join(", ")),
        Kind::Object => "JSON object".into(),
        Kind::Measures { keys, .. } => format!("object of {}", keys.join(", ")),
    }
}

/// `GET /api/external/v1/docs`: the reference, as HTML with nothing loaded from elsewhere.
pub(crate) async fn get_reference() -> Response {
    let endpoints = endpoints()
        .into_iter()
        .map(|e| EndpointView {
            method: e.method,
            path: e.path,
            summary: e.summary,
            scope: e.scope.name(),
            params: if e.item.is_some() {
                list::PARAMS
                    .iter()
                    .map(|p| Row {
                        name: (*p).into(),
                        kind: String::new(),
                        required: false,
                        description: parameter_description(p).into(),
                    })
                    .collect()
            } else {
                Vec::new()
            },
            fields: e
                .body
                .map(|b| {
                    b.fields
                        .iter()
                        .map(|f| Row {
                            name: f.name.into(),
                            kind: kind_text(f.kind),
                            required: f.required,
                            description: f.description.into(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            answers: e.answers.iter().map(|(s, m, _)| (*s, *m)).collect(),
        })
        .collect();
    let page = crate::pages::render(StatusCode::OK, &Reference { endpoints });
    page.into_response()
}
