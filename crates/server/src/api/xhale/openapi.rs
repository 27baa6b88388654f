//! The OpenAPI 3.1 document of the Xhale surface, served at `/api/openapi.json`, and its
//! reference page at `/api/docs`.
//!
//! A record's schema is generated from the field table its handlers write with
//! ([`record::Field`]): the same names, types and bounds; a test holds the documented keys
//! to the server's real answers.

use crate::api::xhale::record::{Field, Slot};
use crate::api::xhale::{races, sessions};
use askama::Template;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use paceline_domain::calendar::{RacePriority, RaceValues, SessionValues};
use paceline_domain::oauth::Scope;
use serde_json::Value;
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

fn reference(name: &str) -> RefOr<Schema> {
    RefOr::Ref(Ref::from_schema_name(name))
}

fn typed(kind: Type, nullable: bool) -> ObjectBuilder {
    let schema_type = if nullable {
        SchemaType::from_iter([kind, Type::Null])
    } else {
        SchemaType::new(kind)
    };
    ObjectBuilder::new().schema_type(schema_type)
}

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
    object = object.property(
        "training_log_files_to_add",
        ArrayBuilder::new().items(typed(Type::Integer, false).minimum(Some(1.0))),
    );
    Schema::Object(object.build())
}

/// A record as answered: its fields and the read-only ones.
fn item_schema<V>(table: &[Field<V>], sample: &mut V, extra: &[(&str, Schema)]) -> Schema {
    let mut object = ObjectBuilder::new().schema_type(Type::Object);
    for field in table {
        object = object
            .property(field.name, slot_schema((field.slot)(sample)))
            .required(field.name);
    }
    for (name, schema) in extra {
        object = object.property(*name, schema.clone()).required(*name);
    }
    Schema::Object(object.build())
}

fn plain(kind: Type, nullable: bool) -> Schema {
    Schema::Object(typed(kind, nullable).build())
}

fn datetime_schema() -> Schema {
    Schema::Object(
        typed(Type::String, false)
            .description(Some("UTC, e.g. 2015-06-18T02:03:14.513292"))
            .build(),
    )
}

fn sample_session() -> SessionValues {
    SessionValues::on(time::macros::date!(2015 - 01 - 14))
}

fn sample_race() -> RaceValues {
    RaceValues::on(time::macros::date!(2015 - 01 - 14))
}

fn session_schema() -> Schema {
    item_schema(
        sessions::FIELDS,
        &mut sample_session(),
        &[
            ("id", plain(Type::Integer, false)),
            ("athlete", plain(Type::Integer, false)),
            ("datetime_added", datetime_schema()),
            ("datetime_updated", datetime_schema()),
            ("session_plan_editable", plain(Type::Boolean, false)),
            ("deleted", plain(Type::Boolean, false)),
            ("discipline_title", plain(Type::String, true)),
            ("discipline_category", plain(Type::String, true)),
            ("has_uploaded_training", plain(Type::Boolean, false)),
            ("url", plain(Type::String, false)),
            ("direct_access_token", plain(Type::String, false)),
        ],
    )
}

fn race_schema() -> Schema {
    item_schema(
        races::FIELDS,
        &mut sample_race(),
        &[
            ("id", plain(Type::Integer, false)),
            ("athlete", plain(Type::Integer, false)),
            ("deleted", plain(Type::Boolean, false)),
            ("datetime_added", datetime_schema()),
            ("datetime_updated", datetime_schema()),
            ("has_uploaded_training", plain(Type::Boolean, false)),
        ],
    )
}

/// The current user: the keys of the spec's example.
fn user_schema() -> Schema {
    let string_pairs = || ArrayBuilder::new().items(typed(Type::String, false));
    let mut object = ObjectBuilder::new().schema_type(Type::Object);
    let fields: [(&str, Schema); 14] = [
        ("id", plain(Type::Integer, false)),
        ("email", plain(Type::String, false)),
        ("season_dates", Schema::Array(string_pairs().build())),
        (
            "seasons",
            Schema::Array(ArrayBuilder::new().items(string_pairs()).build()),
        ),
        ("discipline_options", plain(Type::Array, false)),
        ("distance_unit_preference", plain(Type::String, false)),
        ("pool_unit_preference", plain(Type::String, false)),
        ("can_create_future_sessions", plain(Type::Boolean, false)),
        ("first_name", plain(Type::String, false)),
        ("last_name", plain(Type::String, false)),
        ("beta_access_list", plain(Type::Array, false)),
        ("diary_type", plain(Type::String, false)),
        ("account_type", plain(Type::String, false)),
        ("zones", plain(Type::Object, false)),
    ];
    for (name, schema) in fields {
        object = object.property(name, schema).required(name);
    }
    Schema::Object(object.build())
}

/// An object of these members, all required.
fn object_of(members: Vec<(&str, Schema)>) -> Schema {
    let mut object = ObjectBuilder::new().schema_type(Type::Object);
    for (name, schema) in members {
        object = object.property(name, schema).required(name);
    }
    Schema::Object(object.build())
}

fn contact_schema() -> Schema {
    object_of(vec![
        ("id", plain(Type::Integer, false)),
        ("first_name", plain(Type::String, false)),
        ("last_name", plain(Type::String, false)),
        ("unseen_messages_count", plain(Type::Integer, false)),
    ])
}

fn message_schema() -> Schema {
    object_of(vec![
        ("id", plain(Type::Integer, false)),
        ("content", plain(Type::String, false)),
        ("sender_user_id", plain(Type::Integer, false)),
        ("recipient_user_id", plain(Type::Integer, false)),
        ("datetime_sent", datetime_schema()),
        ("datetime_updated", datetime_schema()),
        ("datetime_seen", plain(Type::String, true)),
    ])
}

fn message_write_schema() -> Schema {
    Schema::Object(
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .property(
                "content",
                typed(Type::String, false)
                    .min_length(Some(1))
                    .max_length(Some(10_000)),
            )
            .required("content")
            .build(),
    )
}

fn upload_schema() -> Schema {
    object_of(vec![
        ("id", plain(Type::Integer, false)),
        ("athlete", plain(Type::Integer, false)),
        ("filename", plain(Type::String, true)),
        (
            "file_type",
            Schema::Object(
                typed(Type::String, false)
                    .enum_values(Some(["fit", "tcx", "gpx"]))
                    .build(),
            ),
        ),
        ("size", plain(Type::Integer, false)),
        ("sha256", plain(Type::String, false)),
        ("datetime_uploaded", datetime_schema()),
        ("activity_id", plain(Type::String, true)),
        ("training_session", plain(Type::Integer, true)),
        ("race", plain(Type::Integer, true)),
    ])
}

fn upload_body_schema() -> Schema {
    Schema::Object(
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .property(
                "file",
                typed(Type::String, false)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary))),
            )
            .required("file")
            .build(),
    )
}

fn workout_schema() -> Schema {
    let session = object_of(vec![
        ("id", plain(Type::Integer, false)),
        ("date", plain(Type::String, false)),
        ("name", plain(Type::String, true)),
    ]);
    object_of(vec![
        ("workout_id", plain(Type::Integer, false)),
        ("athlete", plain(Type::Integer, false)),
        ("sport", plain(Type::String, false)),
        ("name", plain(Type::String, false)),
        ("description", plain(Type::String, false)),
        ("steps", plain(Type::Array, false)),
        (
            "training_sessions",
            Schema::Array(ArrayBuilder::new().items(RefOr::T(session)).build()),
        ),
        ("last_updated_datetime", datetime_schema()),
        ("datetime_added", datetime_schema()),
        ("editable", plain(Type::Boolean, false)),
        ("deleted", plain(Type::Boolean, false)),
    ])
}

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
        .property(
            "training_session_ids",
            ArrayBuilder::new().items(typed(Type::Integer, false).minimum(Some(1.0))),
        );
    if create {
        object = object.required("sport").required("name").required("steps");
    }
    Schema::Object(object.build())
}

fn detail_schema() -> Schema {
    Schema::Object(
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .property("detail", typed(Type::String, false))
            .required("detail")
            .build(),
    )
}

fn field_errors_schema() -> Schema {
    Schema::Object(
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some("Each bad field (or parameter) with its messages."))
            .additional_properties(Some(AdditionalProperties::RefOr(RefOr::T(Schema::Array(
                ArrayBuilder::new()
                    .items(typed(Type::String, false))
                    .build(),
            )))))
            .build(),
    )
}

fn token_schema() -> Schema {
    Schema::Object(
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .property("direct_access_token", typed(Type::String, false))
            .required("direct_access_token")
            .build(),
    )
}

/// What an endpoint answers: status, meaning, and the schema (`""` for no body).
type Answer = (u16, &'static str, &'static str);

/// An endpoint of the surface, as the document and the reference page describe it.
pub(crate) struct Endpoint {
    method: HttpMethod,
    path: &'static str,
    summary: &'static str,
    scope: Scope,
    params: &'static [(&'static str, &'static str)],
    body: Option<&'static str>,
    answers: &'static [Answer],
}

const LIST_PARAMS: &[(&str, &str)] = &[
    (
        "updated_since_datetime",
        "Only records changed at or after this instant (UTC, e.g. 2015-06-17T03:00:00), deleted ones included with deleted: true.",
    ),
    ("start_date", "First day, YYYY-MM-DD."),
    ("end_date", "Last day, YYYY-MM-DD."),
    (
        "athlete",
        "For a coach: the user id of an athlete they coach. Without it, the token's user.",
    ),
];
const ATHLETE_PARAM: &[(&str, &str)] = &[(
    "athlete",
    "For a coach: the user id of an athlete they coach. Without it, the token's user.",
)];
const ID_PARAM: &[(&str, &str)] = &[("id", "The record's id.")];

const LISTED: &[Answer] = &[
    (200, "The records, by day.", "List"),
    (400, "A parameter is malformed or unknown.", "BadRequest"),
    (
        403,
        "The token lacks the scope, or the user does not coach that athlete.",
        "Detail",
    ),
];
const CREATED: &[Answer] = &[
    (201, "The record created.", "Item"),
    (
        400,
        "A field is missing, malformed or read-only to this user.",
        "BadRequest",
    ),
    (
        403,
        "The token lacks the scope, or the user does not coach that athlete.",
        "Detail",
    ),
    (415, "The body is neither form-encoded nor JSON.", "Detail"),
];
const READ: &[Answer] = &[
    (200, "The record.", "Item"),
    (
        404,
        "No such record of the user or of an athlete they coach.",
        "Detail",
    ),
];
const UPDATED: &[Answer] = &[
    (200, "The record as changed.", "Item"),
    (
        400,
        "A field is missing, malformed or read-only to this user.",
        "BadRequest",
    ),
    (
        404,
        "No such record of the user or of an athlete they coach.",
        "Detail",
    ),
    (409, "Others kept changing the record; try again.", "Detail"),
    (415, "The body is neither form-encoded nor JSON.", "Detail"),
];
const DELETED: &[Answer] = &[
    (
        204,
        "Deleted (softly: syncing clients see it with deleted: true).",
        "",
    ),
    (
        404,
        "No such record of the user or of an athlete they coach.",
        "Detail",
    ),
];

/// Every endpoint, with `Item`/`List` standing for the record's own schemas.
fn endpoints() -> Vec<(Endpoint, &'static str)> {
    let record = |kind: &'static str, plural: &'static str| {
        let list: &'static str = match kind {
            "Session" => "/api/sessions/",
            _ => "/api/races/",
        };
        let one: &'static str = match kind {
            "Session" => "/api/sessions/{id}/",
            _ => "/api/races/{id}/",
        };
        let _ = plural;
        vec![
            (
                Endpoint {
                    method: HttpMethod::Get,
                    path: list,
                    summary: "Lists records: the current season by default.",
                    scope: Scope::Read,
                    params: LIST_PARAMS,
                    body: None,
                    answers: LISTED,
                },
                kind,
            ),
            (
                Endpoint {
                    method: HttpMethod::Post,
                    path: list,
                    summary: "Creates a record.",
                    scope: Scope::Write,
                    params: ATHLETE_PARAM,
                    body: Some("Create"),
                    answers: CREATED,
                },
                kind,
            ),
            (
                Endpoint {
                    method: HttpMethod::Get,
                    path: one,
                    summary: "Retrieves a record.",
                    scope: Scope::Read,
                    params: ID_PARAM,
                    body: None,
                    answers: READ,
                },
                kind,
            ),
            (
                Endpoint {
                    method: HttpMethod::Put,
                    path: one,
                    summary: "Updates a record; the required fields must come again.",
                    scope: Scope::Write,
                    params: ID_PARAM,
                    body: Some("Create"),
                    answers: UPDATED,
                },
                kind,
            ),
            (
                Endpoint {
                    method: HttpMethod::Patch,
                    path: one,
                    summary: "Changes the fields sent.",
                    scope: Scope::Write,
                    params: ID_PARAM,
                    body: Some("Patch"),
                    answers: UPDATED,
                },
                kind,
            ),
            (
                Endpoint {
                    method: HttpMethod::Delete,
                    path: one,
                    summary: "Deletes a record.",
                    scope: Scope::Write,
                    params: ID_PARAM,
                    body: None,
                    answers: DELETED,
                },
                kind,
            ),
        ]
    };
    let mut all = vec![(
        Endpoint {
            method: HttpMethod::Get,
            path: "/api/users/current/",
            summary: "The token's user: seasons, disciplines, units, account kind and zones.",
            scope: Scope::Read,
            params: &[],
            body: None,
            answers: &[(200, "The user.", "User")],
        },
        "",
    )];
    all.extend(record("Session", "Sessions"));
    all.push((
        Endpoint {
            method: HttpMethod::Post,
            path: "/api/sessions/{id}/direct_access_token/",
            summary: "Gives the session a new direct-access token; the old link stops working.",
            scope: Scope::Write,
            params: ID_PARAM,
            body: None,
            answers: &[
                (200, "The new token.", "DirectAccessToken"),
                (
                    404,
                    "No such session of the user or of an athlete they coach.",
                    "Detail",
                ),
            ],
        },
        "Session",
    ));
    all.extend(record("Race", "Races"));
    all.extend(others());
    all
}

const CONTACT: &[(&str, &str)] = &[("contact_id", "The contact's user id.")];
const MESSAGE: &[(&str, &str)] = &[
    ("contact_id", "The contact's user id."),
    ("message_id", "The message's id."),
];
const NOT_A_CONTACT: Answer = (404, "Not one of the user's contacts.", "Detail");

/// Messaging, training files and planned workouts.
fn others() -> Vec<(Endpoint, &'static str)> {
    let plain = |endpoint: Endpoint| (endpoint, "");
    vec![
        plain(Endpoint {
            method: HttpMethod::Get,
            path: "/api/contacts/",
            summary: "The user's contacts: a coach's athletes, an athlete's coaches.",
            scope: Scope::Read,
            params: &[],
            body: None,
            answers: &[(
                200,
                "The contacts, with their unseen message counts.",
                "ContactList",
            )],
        }),
        plain(Endpoint {
            method: HttpMethod::Get,
            path: "/api/contacts/{contact_id}/messages/",
            summary: "The conversation with a contact, oldest first; reading marks the reader's messages seen.",
            scope: Scope::Read,
            params: &[
                ("contact_id", "The contact's user id."),
                (
                    "limit",
                    "At most this many of the latest messages (1 to 1000).",
                ),
                ("before_id", "Only messages older than this one."),
            ],
            body: None,
            answers: &[(200, "The messages.", "MessageList"), NOT_A_CONTACT],
        }),
        plain(Endpoint {
            method: HttpMethod::Post,
            path: "/api/contacts/{contact_id}/messages/",
            summary: "Sends a message to a contact.",
            scope: Scope::Write,
            params: CONTACT,
            body: Some("MessageWrite"),
            answers: &[
                (201, "The message sent.", "Message"),
                (
                    400,
                    "The content is missing, blank or too long.",
                    "BadRequest",
                ),
                NOT_A_CONTACT,
                (415, "The body is neither form-encoded nor JSON.", "Detail"),
            ],
        }),
        plain(Endpoint {
            method: HttpMethod::Get,
            path: "/api/contacts/{contact_id}/messages/{message_id}/",
            summary: "One message; reading it as its recipient marks it seen.",
            scope: Scope::Read,
            params: MESSAGE,
            body: None,
            answers: &[(200, "The message.", "Message"), NOT_A_CONTACT],
        }),
        plain(Endpoint {
            method: HttpMethod::Post,
            path: "/api/uploads/",
            summary: "Uploads a FIT, TCX or GPX activity file (needs the scopes write and upload).",
            scope: Scope::Upload,
            params: ATHLETE_PARAM,
            body: Some("UploadBody"),
            answers: &[
                (201, "The file, new.", "Upload"),
                (200, "The same file, uploaded before.", "Upload"),
                (400, "The file is missing, empty or damaged.", "BadRequest"),
                (
                    403,
                    "The token lacks write or upload, or the user does not coach that athlete.",
                    "Detail",
                ),
                (413, "The file is larger than 25 MB.", "Detail"),
                (415, "Not an activity file, or not multipart.", "Detail"),
            ],
        }),
        plain(Endpoint {
            method: HttpMethod::Get,
            path: "/api/uploads/pending/",
            summary: "The files attached to no session or race.",
            scope: Scope::Read,
            params: ATHLETE_PARAM,
            body: None,
            answers: &[(200, "The files.", "UploadList")],
        }),
        plain(Endpoint {
            method: HttpMethod::Delete,
            path: "/api/uploads/{id}/",
            summary: "Deletes a file and the activity made from it.",
            scope: Scope::Upload,
            params: ID_PARAM,
            body: None,
            answers: &[
                (204, "Deleted.", ""),
                (
                    404,
                    "No such file of the user or of an athlete they coach.",
                    "Detail",
                ),
            ],
        }),
        plain(Endpoint {
            method: HttpMethod::Get,
            path: "/api/workouts/",
            summary: "Planned workouts.",
            scope: Scope::Read,
            params: &[
                ("sport", "cycling, running, swimming... (FIT's names)."),
                (
                    "updated_since_datetime",
                    "Only workouts changed at or after this instant, deleted ones included.",
                ),
                (
                    "scheduled_date_earliest",
                    "Only workouts on a session on or after this day.",
                ),
                (
                    "scheduled_date_latest",
                    "Only workouts on a session on or before this day.",
                ),
                (
                    "athlete",
                    "For a coach: the user id of an athlete they coach.",
                ),
            ],
            body: None,
            answers: &[
                (200, "The workouts.", "WorkoutList"),
                (400, "A parameter is malformed or unknown.", "BadRequest"),
            ],
        }),
        plain(Endpoint {
            method: HttpMethod::Post,
            path: "/api/workouts/",
            summary: "Creates a workout (the athlete's coach, or a self-coached athlete).",
            scope: Scope::Write,
            params: ATHLETE_PARAM,
            body: Some("WorkoutWrite"),
            answers: &[
                (201, "The workout.", "Workout"),
                (400, "A field or step is malformed.", "BadRequest"),
                (
                    403,
                    "A coached athlete's coach plans their workouts.",
                    "Detail",
                ),
            ],
        }),
        plain(Endpoint {
            method: HttpMethod::Get,
            path: "/api/workouts/{id}/",
            summary: "One workout.",
            scope: Scope::Read,
            params: ID_PARAM,
            body: None,
            answers: &[
                (200, "The workout.", "Workout"),
                (404, "No such workout.", "Detail"),
            ],
        }),
        plain(Endpoint {
            method: HttpMethod::Patch,
            path: "/api/workouts/{id}/",
            summary: "Changes the fields sent; training_session_ids replaces the attachments.",
            scope: Scope::Write,
            params: ID_PARAM,
            body: Some("WorkoutPatch"),
            answers: &[
                (200, "The workout.", "Workout"),
                (400, "A field or step is malformed.", "BadRequest"),
                (
                    403,
                    "A coached athlete's coach plans their workouts.",
                    "Detail",
                ),
                (404, "No such workout.", "Detail"),
            ],
        }),
        plain(Endpoint {
            method: HttpMethod::Delete,
            path: "/api/workouts/{id}/",
            summary: "Deletes a workout (softly).",
            scope: Scope::Write,
            params: ID_PARAM,
            body: None,
            answers: &[(204, "Deleted.", ""), (404, "No such workout.", "Detail")],
        }),
        plain(Endpoint {
            method: HttpMethod::Get,
            path: "/api/sessions/{id}/workouts/{file}",
            summary: "A workout attached to a session, as <workout_id>.fit, .zwo or .erg.",
            scope: Scope::Read,
            params: &[
                ("id", "The training session's id."),
                (
                    "file",
                    "<workout_id>.fit, <workout_id>.zwo or <workout_id>.erg.",
                ),
            ],
            body: None,
            answers: &[
                (200, "The file.", "File"),
                (404, "No such workout on that session.", "Detail"),
                (
                    409,
                    "The target needs the athlete's zones, which are not set.",
                    "Detail",
                ),
                (422, "The format cannot express this workout.", "Detail"),
            ],
        }),
    ]
}

/// The schema name an answer or body refers to, for a record of `kind`.
fn resolve(name: &str, kind: &str) -> String {
    match name {
        "Item" => kind.to_owned(),
        "List" => format!("{kind}List"),
        "Create" => format!("{kind}Write"),
        "Patch" => format!("{kind}Patch"),
        other => other.to_owned(),
    }
}

fn operation(endpoint: &Endpoint, kind: &str) -> utoipa::openapi::path::Operation {
    let mut op = OperationBuilder::new()
        .summary(Some(endpoint.summary))
        .security(SecurityRequirement::new("oauth2", [endpoint.scope.name()]));
    for (name, description) in endpoint.params {
        let in_path = endpoint.path.contains(&format!("{{{name}}}"));
        let (place, required, schema) = if in_path && *name == "file" {
            (
                ParameterIn::Path,
                Required::True,
                typed(Type::String, false).pattern(Some("^[0-9]+\\.(fit|zwo|erg)$")),
            )
        } else if in_path {
            (
                ParameterIn::Path,
                Required::True,
                typed(Type::Integer, false).minimum(Some(1.0)),
            )
        } else if matches!(*name, "athlete" | "limit" | "before_id") {
            (
                ParameterIn::Query,
                Required::False,
                typed(Type::Integer, false).minimum(Some(1.0)),
            )
        } else if name.ends_with("_date") {
            (
                ParameterIn::Query,
                Required::False,
                typed(Type::String, false)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))),
            )
        } else {
            (
                ParameterIn::Query,
                Required::False,
                typed(Type::String, false),
            )
        };
        op = op.parameter(
            ParameterBuilder::new()
                .name(*name)
                .parameter_in(place)
                .required(required)
                .description(Some(*description))
                .schema(Some(schema)),
        );
    }
    if endpoint.body == Some("UploadBody") {
        op = op.request_body(Some(
            RequestBodyBuilder::new()
                .content(
                    "multipart/form-data",
                    ContentBuilder::new()
                        .schema(Some(reference("UploadBody")))
                        .build(),
                )
                .required(Some(Required::True))
                .build(),
        ));
    } else if let Some(body) = endpoint.body {
        let schema = resolve(body, kind);
        op = op.request_body(Some(
            RequestBodyBuilder::new()
                .content(
                    "application/x-www-form-urlencoded",
                    ContentBuilder::new()
                        .schema(Some(reference(&schema)))
                        .build(),
                )
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(reference(&schema)))
                        .build(),
                )
                .required(Some(Required::True))
                .build(),
        ));
    }
    // What any endpoint may answer besides its own answers: a malformed request, a token
    // without the scope (or a coach naming someone else's athlete), a body of another type.
    let mut common: Vec<Answer> = vec![
        (
            400,
            "The request is malformed; the body says what is wrong.",
            "BadRequest",
        ),
        (401, "Missing, invalid or expired access token.", "Detail"),
        (
            403,
            "The token lacks the scope, or the user may not act for that athlete.",
            "Detail",
        ),
        (429, "Too many requests; see Retry-After.", "Detail"),
    ];
    if endpoint.body.is_some() {
        common.push((
            415,
            "The body is of a type this endpoint does not take.",
            "Detail",
        ));
    }
    common.retain(|(status, ..)| !endpoint.answers.iter().any(|(s, ..)| s == status));
    for (status, meaning, schema) in endpoint.answers.iter().chain(common.iter()) {
        let mut response = ResponseBuilder::new().description(*meaning);
        if *schema == "File" {
            let binary = || {
                ContentBuilder::new()
                    .schema(Some(Schema::Object(
                        typed(Type::String, false)
                            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
                            .build(),
                    )))
                    .build()
            };
            response = response
                .content("application/vnd.ant.fit", binary())
                .content("application/xml", binary())
                .content("text/plain", binary());
        } else if !schema.is_empty() {
            response = response.content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(reference(&resolve(schema, kind))))
                    .build(),
            );
        }
        op = op.response(status.to_string(), response.build());
    }
    op.build()
}

/// The document.
pub(crate) fn document() -> OpenApi {
    let mut paths = PathsBuilder::new();
    for (endpoint, kind) in endpoints() {
        paths = paths.path(
            endpoint.path,
            PathItem::new(endpoint.method.clone(), operation(&endpoint, kind)),
        );
    }
    let scopes = [Scope::Read, Scope::Write, Scope::Upload].map(|s| (s.name(), s.description()));
    let oauth = OAuth2::with_description(
        [Flow::AuthorizationCode(AuthorizationCode::new(
            "/oauth/authorize",
            "/api/oauth/token",
            Scopes::from_iter(scopes),
        ))],
        "Authorization code with PKCE (S256). Refresh tokens rotate.",
    );
    let list = |item: &str| Schema::Array(ArrayBuilder::new().items(reference(item)).build());
    let components = ComponentsBuilder::new()
        .security_scheme("oauth2", SecurityScheme::OAuth2(oauth))
        .schema("Detail", detail_schema())
        .schema("FieldErrors", field_errors_schema())
        .schema(
            "BadRequest",
            Schema::OneOf(
                utoipa::openapi::schema::OneOfBuilder::new()
                    .item(reference("Detail"))
                    .item(reference("FieldErrors"))
                    .build(),
            ),
        )
        .schema("User", user_schema())
        .schema("DirectAccessToken", token_schema())
        .schema("Session", session_schema())
        .schema("SessionList", list("Session"))
        .schema(
            "SessionWrite",
            write_schema(sessions::FIELDS, &mut sample_session(), true),
        )
        .schema(
            "SessionPatch",
            write_schema(sessions::FIELDS, &mut sample_session(), false),
        )
        .schema("Race", race_schema())
        .schema("RaceList", list("Race"))
        .schema(
            "RaceWrite",
            write_schema(races::FIELDS, &mut sample_race(), true),
        )
        .schema(
            "RacePatch",
            write_schema(races::FIELDS, &mut sample_race(), false),
        )
        .schema("Contact", contact_schema())
        .schema("ContactList", list("Contact"))
        .schema("Message", message_schema())
        .schema("MessageList", list("Message"))
        .schema("MessageWrite", message_write_schema())
        .schema("Upload", upload_schema())
        .schema("UploadList", list("Upload"))
        .schema("UploadBody", upload_body_schema())
        .schema("Workout", workout_schema())
        .schema("WorkoutList", list("Workout"))
        .schema("WorkoutWrite", workout_write_schema(true))
        .schema("WorkoutPatch", workout_write_schema(false))
        .build();
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Xhale Athlete API (Paceline)")
                .version("1")
                .description(Some(
                    "The training calendar, files, planned workouts and messages of the token's user, or of an athlete they coach. \
                     Bodies are form-encoded or JSON. Errors: {\"detail\": ...}, or \
                     {\"field\": [\"message\"]} for bad fields.",
                ))
                .build(),
        )
        .paths(paths.build())
        .components(Some(components))
        .build()
}

fn document_json() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| serde_json::to_value(document()).unwrap_or_default())
}

/// `GET /api/openapi.json`.
pub(crate) async fn get_openapi() -> Json<&'static Value> {
    Json(document_json())
}

/// One endpoint on the reference page.
struct EndpointView {
    method: String,
    path: &'static str,
    summary: &'static str,
    scope: &'static str,
    params: Vec<(&'static str, &'static str)>,
    fields: Vec<(String, String, bool)>,
    answers: Vec<(u16, &'static str)>,
}

/// The reference page.
#[derive(Template)]
#[template(path = "xhale_reference.html")]
struct Reference {
    endpoints: Vec<EndpointView>,
}

fn kind_text(slot: Slot<'_>) -> String {
    match slot {
        Slot::Int(_, min, max) => format!("integer {min} to {max}, or empty"),
        Slot::RequiredInt(_, min, max) => format!("integer {min} to {max}"),
        Slot::IntAsText(_, min, max) => format!("integer {min} to {max}"),
        Slot::Number(_, min, max) => format!("number {min} to {max}, or empty"),
        Slot::Text(_, max) => format!("text, up to {max} characters"),
        Slot::RequiredText(_, max) => format!("text, 1 to {max} characters"),
        Slot::Bool(_) => "boolean".into(),
        Slot::Date(_) => "date YYYY-MM-DD".into(),
        Slot::Priority(_) => "a, b or c".into(),
    }
}

fn field_rows<V>(table: &[Field<V>], sample: &mut V) -> Vec<(String, String, bool)> {
    let mut rows: Vec<(String, String, bool)> = table
        .iter()
        .map(|f| (f.name.to_owned(), kind_text((f.slot)(sample)), f.required))
        .collect();
    rows.push((
        "training_log_files_to_add".into(),
        "upload ids (repeat the field, or a JSON list)".into(),
        false,
    ));
    rows
}

fn method_name(method: &HttpMethod) -> &'static str {
    match method {
        HttpMethod::Get => "GET",
        HttpMethod::Post => "POST",
        HttpMethod::Put => "PUT",
        HttpMethod::Patch => "PATCH",
        HttpMethod::Delete => "DELETE",
        HttpMethod::Head => "HEAD",
        HttpMethod::Options => "OPTIONS",
        HttpMethod::Trace => "TRACE",
    }
}

/// `GET /api/docs`: the reference, as HTML with nothing loaded from elsewhere.
pub(crate) async fn get_reference() -> Response {
    let endpoints = endpoints()
        .into_iter()
        .map(|(e, kind)| EndpointView {
            method: method_name(&e.method).to_owned(),
            path: e.path,
            summary: e.summary,
            scope: e.scope.name(),
            params: e.params.to_vec(),
            fields: match (e.body, kind) {
                (Some(_), "Session") => field_rows(sessions::FIELDS, &mut sample_session()),
                (Some(_), "Race") => field_rows(races::FIELDS, &mut sample_race()),
                _ => Vec::new(),
            },
            answers: e.answers.iter().map(|(s, m, _)| (*s, *m)).collect(),
        })
        .collect();
    crate::pages::render(StatusCode::OK, &Reference { endpoints }).into_response()
}
