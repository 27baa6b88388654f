//! The Xhale surface's OpenAPI 3.1 document, served at `/api/openapi.json`, and its
//! reference page at `/api/docs`. Both are generated from the routes ([`super::routes`]):
//! each route is registered with an [`Endpoint`] that describes it, made into an operation
//! here with the answers every endpoint may give.

use crate::api::document::reference;
use crate::api::document::{Answer, Content, SchemaOf, Schemas, Surface, refer, typed};
use crate::api::xhale::error::Detail;
use crate::api::xhale::schemas::{self, BadRequest};
use axum::response::Response;
use paceline_domain::oauth::Scope;
use std::borrow::Cow;
use utoipa::openapi::path::{Operation, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{SchemaFormat, Type};
use utoipa::openapi::security::{
    AuthorizationCode, ClientCredentials, Flow, OAuth2, Scopes, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, InfoBuilder, KnownFormat, OpenApi, OpenApiBuilder, Required,
};

/// A write body.
#[derive(Clone, Copy)]
pub(crate) enum Body {
    /// Form-encoded or JSON fields of this schema.
    Fields(SchemaOf),
    /// A multipart form of this schema.
    Multipart(SchemaOf),
}

/// An operation of the surface: what it does, the scope it needs, its parameters (by name,
/// with their meaning), its body and its own answers.
pub(crate) struct Endpoint {
    pub(crate) id: Cow<'static, str>,
    pub(crate) summary: &'static str,
    pub(crate) scope: Scope,
    pub(crate) params: &'static [(&'static str, &'static str)],
    pub(crate) body: Option<Body>,
    pub(crate) answers: Vec<Answer>,
}

/// A `{"detail": ...}` answer.
pub(crate) const fn detail(status: u16, meaning: &'static str) -> Answer {
    Answer::json(status, meaning, refer::<Detail>)
}

/// A 400 in either of its shapes.
pub(crate) const fn bad_request(meaning: &'static str) -> Answer {
    Answer::json(400, meaning, refer::<BadRequest>)
}

/// What any endpoint may answer besides its own answers: a malformed request, a token
/// without the scope (or a coach naming someone else's athlete), too many requests, and a
/// failure on the server's side.
const COMMON: [Answer; 6] = [
    bad_request("The request is malformed; the body says what is wrong."),
    detail(401, "Missing, invalid or expired access token."),
    detail(
        403,
        "The token lacks the scope, or the user may not act for that athlete.",
    ),
    detail(429, "Too many requests; see Retry-After."),
    detail(
        500,
        "A server error; the body's error_id is also in the server's log.",
    ),
    detail(
        503,
        "The store is unavailable for a moment; try again after Retry-After.",
    ),
];

const BODY_TYPE: Answer = detail(415, "The body is of a type this endpoint does not take.");

/// A parameter's place and schema, from its name and the path it is on.
fn parameter(path: &str, name: &str, description: &str) -> ParameterBuilder {
    let in_path = path.contains(&format!("{{{name}}}"));
    let (place, required, schema) = if in_path && name == "file" {
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
    } else if matches!(name, "athlete" | "limit" | "before_id") {
        (
            ParameterIn::Query,
            Required::False,
            typed(Type::Integer, false).minimum(Some(1.0)),
        )
    } else if name.ends_with("_date") {
        (
            ParameterIn::Query,
            Required::False,
            typed(Type::String, false).format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))),
        )
    } else {
        (
            ParameterIn::Query,
            Required::False,
            typed(Type::String, false),
        )
    };
    ParameterBuilder::new()
        .name(name)
        .parameter_in(place)
        .required(required)
        .description(Some(description))
        .schema(Some(schema))
}

impl Endpoint {
    /// The operation, on `path`, with the schemas it refers to gathered into `schemas`.
    pub(crate) fn operation(self, path: &str, schemas: &mut Schemas) -> Operation {
        let mut op = OperationBuilder::new()
            .operation_id(Some(self.id))
            .summary(Some(self.summary))
            .security(SecurityRequirement::new("oauth2", [self.scope.name()]));
        for (name, description) in self.params {
            op = op.parameter(parameter(path, name, description));
        }
        let body = match self.body {
            Some(Body::Fields(schema)) => {
                let schema = schema(schemas);
                let media = || ContentBuilder::new().schema(Some(schema.clone())).build();
                Some(
                    RequestBodyBuilder::new()
                        .content("application/x-www-form-urlencoded", media())
                        .content("application/json", media()),
                )
            }
            Some(Body::Multipart(schema)) => Some(RequestBodyBuilder::new().content(
                "multipart/form-data",
                ContentBuilder::new().schema(Some(schema(schemas))).build(),
            )),
            None => None,
        };
        let mut common = COMMON.to_vec();
        if let Some(body) = body {
            op = op.request_body(Some(body.required(Some(Required::True)).build()));
            common.push(BODY_TYPE);
        }
        common.retain(|c| !self.answers.iter().any(|a| a.status == c.status));
        for answer in self.answers.iter().chain(&common) {
            op = op.response(answer.status.to_string(), answer.response(schemas));
        }
        op.build()
    }

    /// Describes a route with this endpoint.
    pub(crate) fn describe(self) -> impl FnOnce(&str, &mut Schemas) -> Operation {
        move |path, schemas| self.operation(path, schemas)
    }
}

/// A file answer: FIT, ZWO (XML) or ERG (text).
pub(crate) const WORKOUT_FILE: Content =
    Content::File(&["application/vnd.ant.fit", "application/xml", "text/plain"]);

/// What the document says besides its routes: the surface, and how to authorize.
pub(crate) fn header() -> OpenApi {
    let scopes = [Scope::Read, Scope::Write, Scope::Upload].map(|s| (s.name(), s.description()));
    let oauth = OAuth2::with_description(
        [
            Flow::AuthorizationCode(AuthorizationCode::new(
                "/oauth/authorize",
                "/api/oauth/token",
                Scopes::from_iter(scopes),
            )),
            Flow::ClientCredentials(ClientCredentials::new(
                "/api/oauth/token",
                Scopes::from_iter(scopes),
            )),
        ],
        "Authorization code with PKCE (S256) for apps that users authorize; refresh tokens \
         rotate. Client credentials for a coaching company's own integration, provisioned by \
         the operator: its token acts for every athlete of the company (?athlete= on every \
         route, GET /api/athletes/ to list them) and nobody else, with its scopes only.",
    );
    let mut common = Schemas::new();
    schemas::common(&mut common);
    let components = ComponentsBuilder::new()
        .security_scheme("oauth2", SecurityScheme::OAuth2(oauth))
        .schemas_from_iter(common)
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
        .components(Some(components))
        .build()
}

/// The surface, and its document.
static SURFACE: Surface = Surface::new(super::routes::routes);

/// `GET /api/openapi.json`.
pub(crate) async fn get_openapi() -> Response {
    SURFACE.serve()
}

/// `GET /api/docs`: the reference, as HTML with nothing loaded from elsewhere.
pub(crate) async fn get_reference() -> Response {
    reference::page(true, SURFACE.document())
}
