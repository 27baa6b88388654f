//! An API surface's routes, registered with their documentation. A route is added together
//! with the OpenAPI operation that describes it ([`Route::on`]), and a surface's routes are
//! gathered by `utoipa-axum`'s router, so the document a surface serves is generated from
//! the routes it serves: no route exists undocumented, and no document names a route that
//! is not there. The schemas the operations refer to are gathered from the answer and body
//! types themselves ([`refer`]).

use crate::AppState;
use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use std::marker::PhantomData;
use std::sync::OnceLock;
use utoipa::openapi::path::{HttpMethod, Operation, Paths};
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, SchemaFormat, SchemaType, Type};
use utoipa::openapi::{ContentBuilder, KnownFormat, Ref, RefOr, ResponseBuilder, Schema};
use utoipa::{PartialSchema, ToSchema};
use utoipa_axum::PathItemExt;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};

pub(crate) mod reference;

/// The named schemas a surface's operations refer to, gathered for its components.
pub(crate) type Schemas = Vec<(String, RefOr<Schema>)>;

/// A schema an answer or a body refers to: gathers it (and what it refers to) and answers
/// the reference.
pub(crate) type SchemaOf = fn(&mut Schemas) -> RefOr<Schema>;

/// Refers to `T`'s schema, gathering it and the schemas it refers to.
pub(crate) fn refer<T: ToSchema>(schemas: &mut Schemas) -> RefOr<Schema> {
    let name = T::name().into_owned();
    T::schemas(schemas);
    if !schemas.iter().any(|(known, _)| *known == name) {
        schemas.push((name.clone(), T::schema()));
    }
    RefOr::Ref(Ref::from_schema_name(name))
}

/// What an answer carries.
#[derive(Clone, Copy)]
pub(crate) enum Content {
    /// No body.
    Empty,
    /// A JSON body of this schema.
    Json(SchemaOf),
    /// A file, as one of these media types.
    File(&'static [&'static str]),
}

/// One answer of an operation: its status, what it means, and its body.
#[derive(Clone, Copy)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) meaning: &'static str,
    pub(crate) content: Content,
}

impl Answer {
    /// A JSON answer of `T`.
    pub(crate) const fn json(status: u16, meaning: &'static str, schema: SchemaOf) -> Self {
        Self {
            status,
            meaning,
            content: Content::Json(schema),
        }
    }

    /// An answer without a body.
    pub(crate) const fn empty(status: u16, meaning: &'static str) -> Self {
        Self {
            status,
            meaning,
            content: Content::Empty,
        }
    }

    /// The OpenAPI response.
    pub(crate) fn response(&self, schemas: &mut Schemas) -> utoipa::openapi::Response {
        let mut response = ResponseBuilder::new().description(self.meaning);
        match self.content {
            Content::Empty => {}
            Content::Json(schema) => {
                response = response.content(
                    "application/json",
                    ContentBuilder::new().schema(Some(schema(schemas))).build(),
                );
            }
            Content::File(types) => {
                for media_type in types {
                    response = response.content(
                        *media_type,
                        ContentBuilder::new()
                            .schema(Some(Schema::Object(binary().build())))
                            .build(),
                    );
                }
            }
        }
        response.build()
    }
}

/// A string of bytes.
pub(crate) fn binary() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
}

/// A value of `kind`, or `null` when `nullable`.
pub(crate) fn typed(kind: Type, nullable: bool) -> ObjectBuilder {
    let schema_type = if nullable {
        SchemaType::from_iter([kind, Type::Null])
    } else {
        SchemaType::new(kind)
    };
    ObjectBuilder::new().schema_type(schema_type)
}

/// A JSON list of `T`, documented as `<T>List`.
pub(crate) struct List<T>(PhantomData<T>);

impl<T: ToSchema> PartialSchema for List<T> {
    fn schema() -> RefOr<Schema> {
        let item = RefOr::Ref(Ref::from_schema_name(T::name()));
        RefOr::T(Schema::Array(ArrayBuilder::new().items(item).build()))
    }
}

impl<T: ToSchema> ToSchema for List<T> {
    fn name() -> std::borrow::Cow<'static, str> {
        format!("{}List", T::name()).into()
    }

    fn schemas(schemas: &mut Schemas) {
        refer::<T>(schemas);
    }
}

/// The methods of one path, each registered with the operation that documents it.
pub(crate) struct Route {
    path: &'static str,
    schemas: Schemas,
    paths: Paths,
    router: MethodRouter<AppState>,
}

impl Route {
    /// A path with no method yet.
    pub(crate) fn new(path: &'static str) -> Self {
        Self {
            path,
            schemas: Schemas::new(),
            paths: Paths::new(),
            router: MethodRouter::new(),
        }
    }

    /// Serves `method` with `handler`, documented by the operation `describe` makes for
    /// this path (gathering the schemas it refers to).
    pub(crate) fn on<H, T>(
        mut self,
        method: HttpMethod,
        describe: impl FnOnce(&str, &mut Schemas) -> Operation,
        handler: H,
    ) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let operation = describe(self.path, &mut self.schemas);
        self.router = self.router.on(method.to_method_filter(), handler);
        self.paths
            .add_path_operation(self.path, vec![method], operation);
        self
    }

    /// Answers every other method with `handler` (the surface's 405).
    pub(crate) fn fallback<H, T>(mut self, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.router = self.router.fallback(handler);
        self
    }

    /// Takes bodies of up to `bytes` on the methods registered so far.
    pub(crate) fn body_limit(mut self, bytes: usize) -> Self {
        self.router = self.router.layer(DefaultBodyLimit::max(bytes));
        self
    }
}

impl From<Route> for UtoipaMethodRouter<AppState> {
    fn from(route: Route) -> Self {
        (route.schemas, route.paths, route.router)
    }
}

/// An API surface: its routes, and its document made once from them: as served (members
/// in the order they were declared, a record's fields in the spec's order) and as a value
/// to read.
pub(crate) struct Surface {
    routes: fn() -> OpenApiRouter<AppState>,
    document: OnceLock<(String, serde_json::Value)>,
}

impl Surface {
    /// The surface whose routes `routes` registers.
    pub(crate) const fn new(routes: fn() -> OpenApiRouter<AppState>) -> Self {
        Self {
            routes,
            document: OnceLock::new(),
        }
    }

    fn made(&self) -> &(String, serde_json::Value) {
        self.document.get_or_init(|| {
            let (_, document) = (self.routes)().split_for_parts();
            let text = serde_json::to_string(&document).unwrap_or_default();
            let value = serde_json::to_value(&document).unwrap_or_default();
            (text, value)
        })
    }

    /// The surface's OpenAPI document, to read.
    pub(crate) fn document(&self) -> &serde_json::Value {
        &self.made().1
    }

    /// `GET` the document: JSON, its members in their declared order.
    pub(crate) fn serve(&'static self) -> Response {
        let text: &'static str = &self.made().0;
        ([(header::CONTENT_TYPE, "application/json")], text).into_response()
    }
}

/// A surface's routes, gathered with their documentation.
pub(crate) fn gather(
    header: utoipa::openapi::OpenApi,
    routes: impl IntoIterator<Item = Route>,
) -> OpenApiRouter<AppState> {
    routes
        .into_iter()
        .fold(OpenApiRouter::with_openapi(header), |router, route| {
            router.routes(route.into())
        })
}
