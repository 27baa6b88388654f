//! The Train it All surface's OpenAPI 3.1 document, served at
//! `/api/external/v1/openapi.json`, and its reference page at `/api/external/v1/docs`. Both
//! are generated from the routes ([`super::routes`]): each route is registered with an
//! [`Endpoint`] that describes it, made into an operation here with the answers every
//! endpoint may give.

use crate::api::document::reference;
use crate::api::document::{Answer, SchemaOf, Schemas, Surface, binary, refer};
use crate::api::tia::error::ErrorBody;
use crate::api::tia::list;
use axum::response::Response;
use paceline_domain::listing::MAX_PER_PAGE;
use paceline_domain::oauth::Scope;
use utoipa::openapi::path::{Operation, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::security::{
    AuthorizationCode, Flow, OAuth2, Scopes, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, InfoBuilder, KnownFormat, OpenApi, OpenApiBuilder, Required,
};

/// What a list's `from` and `to` bound.
#[derive(Clone, Copy)]
pub(crate) enum Bounds {
    /// Days, `YYYY-MM-DD`.
    Days,
    /// Instants (a day is also taken).
    Instants,
}

/// A request body.
#[derive(Clone, Copy)]
pub(crate) enum Body {
    /// A JSON object of this schema.
    Json(SchemaOf),
    /// A multipart form with the file in the field `file`.
    File,
}

/// An operation of the surface: what it does, the scope it needs, its parameters, its body
/// and its own answers.
pub(crate) struct Endpoint {
    pub(crate) id: String,
    pub(crate) summary: &'static str,
    pub(crate) scope: Scope,
    /// For a list: what its bounds are.
    pub(crate) list: Option<Bounds>,
    pub(crate) body: Option<Body>,
    pub(crate) answers: Vec<Answer>,
}

/// An answer with the error body.
pub(crate) const fn error(status: u16, meaning: &'static str) -> Answer {
    Answer::json(status, meaning, refer::<ErrorBody>)
}

/// What any endpoint may answer besides its own answers.
const COMMON: [Answer; 5] = [
    error(401, "Missing, invalid or expired access token."),
    error(403, "The token lacks the scope; the error names it."),
    error(429, "Too many requests; see Retry-After."),
    error(
        500,
        "A server error; the body's errorId is also in the server's log.",
    ),
    error(
        503,
        "The store is unavailable for a moment; try again after Retry-After.",
    ),
];

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
fn parameter_schema(name: &str, bounds: Bounds) -> ObjectBuilder {
    let date = |format| {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(format)))
    };
    match (name, bounds) {
        ("page", _) => ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(1.0))
            .maximum(Some(f64::from(i32::MAX))),
        ("per_page", _) => ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(1.0))
            .maximum(Some(f64::from(MAX_PER_PAGE))),
        ("from" | "to", Bounds::Days) => date(KnownFormat::Date),
        // Instants; a day is also accepted, as the description says.
        _ => date(KnownFormat::DateTime),
    }
}

impl Endpoint {
    /// The operation, on `path`, with the schemas it refers to gathered into `schemas`.
    pub(crate) fn operation(self, path: &str, schemas: &mut Schemas) -> Operation {
        let name = self.scope.name();
        let mut op = OperationBuilder::new()
            .operation_id(Some(self.id))
            .summary(Some(self.summary))
            .description(Some(format!("Requires the scope `{name}`.")))
            .security(SecurityRequirement::new("oauth2", [name]));
        if let Some(bounds) = self.list {
            for param in list::PARAMS {
                op = op.parameter(
                    ParameterBuilder::new()
                        .name(param)
                        .parameter_in(ParameterIn::Query)
                        .required(Required::False)
                        .description(Some(parameter_description(param)))
                        .schema(Some(parameter_schema(param, bounds))),
                );
            }
        }
        if path.contains("{id}") {
            op = op.parameter(
                ParameterBuilder::new()
                    .name("id")
                    .parameter_in(ParameterIn::Path)
                    .required(Required::True)
                    .description(Some("The activity's id (`act_…`)."))
                    .schema(Some(ObjectBuilder::new().schema_type(Type::String))),
            );
        }
        let body = match self.body {
            Some(Body::Json(schema)) => Some((
                "application/json",
                ContentBuilder::new().schema(Some(schema(schemas))),
            )),
            Some(Body::File) => {
                let form = ObjectBuilder::new()
                    .schema_type(Type::Object)
                    .property("file", binary())
                    .required("file");
                Some((
                    "multipart/form-data",
                    ContentBuilder::new().schema(Some(form)),
                ))
            }
            None => None,
        };
        if let Some((media_type, content)) = body {
            op = op.request_body(Some(
                RequestBodyBuilder::new()
                    .required(Some(Required::True))
                    .content(media_type, content.build())
                    .build(),
            ));
        }
        let mut answers = self.answers;
        answers.extend(COMMON);
        for answer in &answers {
            op = op.response(answer.status.to_string(), answer.response(schemas));
        }
        op.build()
    }

    /// Describes a route with this endpoint.
    pub(crate) fn describe(self) -> impl FnOnce(&str, &mut Schemas) -> Operation {
        move |path, schemas| self.operation(path, schemas)
    }
}

/// What the document says besides its routes: the surface, and how to authorize.
pub(crate) fn header() -> OpenApi {
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
    let components = ComponentsBuilder::new()
        .security_scheme("oauth2", SecurityScheme::OAuth2(oauth))
        .build();
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
        .components(Some(components))
        .build()
}

/// The surface, and its document.
static SURFACE: Surface = Surface::new(super::routes::routes);

/// `GET /api/external/v1/openapi.json`.
pub(crate) async fn get_openapi() -> Response {
    SURFACE.serve()
}

/// `GET /api/external/v1/docs`: the reference, as HTML with nothing loaded from elsewhere.
pub(crate) async fn get_reference() -> Response {
    reference::page(false, SURFACE.document())
}
