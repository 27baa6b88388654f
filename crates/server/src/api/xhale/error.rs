//! The Xhale surface's one error type. Every refusal and failure of an Xhale handler is an
//! [`XhaleError`], rendered by one exhaustive match in Django REST framework's shapes:
//! `{"detail": "..."}`, or `{"field": ["message"]}` naming each bad field.

use crate::extract::bearer::{self, BearerFailure, with_challenge};
use crate::failure::Failure;
use crate::throttle::Limited;
use axum::Json;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use paceline_domain::StoreError;
use paceline_domain::files::BlobError;
use paceline_domain::oauth::Scope;

use super::input::FieldErrors;

/// Why an Xhale request did not succeed.
#[derive(Debug)]
pub(crate) enum XhaleError {
    /// A refusal in words: `{"detail": message}` with this status.
    Detail(StatusCode, String),
    /// 404 `{"detail": "Not found."}`: unknown ids and other users' records alike.
    NotFound,
    /// 400 naming each bad field.
    Fields(FieldErrors),
    /// The bearer token is missing, invalid or malformed (with `WWW-Authenticate`).
    Bearer(BearerFailure),
    /// The token lacks a scope the route needs: 403 naming it.
    MissingScope(Scope),
    /// A rate limit: 429 with `Retry-After`.
    Limited(Limited),
    /// A method the endpoint does not take: 405 with `Allow`.
    NotAllowed {
        /// The method asked for.
        method: Method,
        /// What the endpoint takes.
        allow: &'static str,
    },
    /// The server's side failed.
    Failure(Failure),
}

/// What an Xhale handler answers.
pub(crate) type XhaleResult<T = Response> = Result<T, XhaleError>;

impl XhaleError {
    /// A `{"detail": ...}` refusal.
    pub(crate) fn detail(status: StatusCode, message: impl Into<String>) -> Self {
        Self::Detail(status, message.into())
    }
}

/// A refusal or failure in words: `{"detail": "..."}`.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Detail {
    /// What went wrong, in English.
    detail: String,
    /// On a server error, the id its log line carries.
    #[serde(skip_serializing_if = "Option::is_none")]
    error_id: Option<String>,
}

fn detail(status: StatusCode, message: &str) -> Response {
    let body = Detail {
        detail: message.to_owned(),
        error_id: None,
    };
    (status, Json(body)).into_response()
}

impl IntoResponse for XhaleError {
    fn into_response(self) -> Response {
        match self {
            Self::Detail(status, message) => detail(status, &message),
            Self::NotFound => detail(StatusCode::NOT_FOUND, "Not found."),
            Self::Fields(errors) => errors.into_response(),
            Self::Bearer(failure) => {
                let challenge = bearer::challenge(&failure);
                let response = match failure {
                    BearerFailure::Missing => detail(
                        StatusCode::UNAUTHORIZED,
                        "Authentication credentials were not provided.",
                    ),
                    BearerFailure::Invalid(why) => {
                        detail(StatusCode::UNAUTHORIZED, &format!("Invalid token: {why}."))
                    }
                    BearerFailure::Malformed(why) => detail(
                        StatusCode::BAD_REQUEST,
                        &format!("Malformed Authorization header: {why}."),
                    ),
                    BearerFailure::Unavailable => {
                        return Self::Failure(Failure::Unavailable("the bearer check".into()))
                            .into_response();
                    }
                };
                with_challenge(response, challenge)
            }
            Self::MissingScope(scope) => {
                let response = detail(
                    StatusCode::FORBIDDEN,
                    &format!(
                        "You do not have permission to perform this action: the access token \
                         lacks the scope {}.",
                        scope.name()
                    ),
                );
                with_challenge(response, bearer::insufficient_scope(scope))
            }
            Self::Limited(limited) => {
                let mut response = detail(
                    StatusCode::TOO_MANY_REQUESTS,
                    &format!(
                        "Request was throttled: the limit is {}. Expected available in {} seconds.",
                        limited.describe(),
                        limited.retry_after_seconds
                    ),
                );
                limited.add_retry_after(&mut response);
                response
            }
            Self::NotAllowed { method, allow } => {
                let mut response = detail(
                    StatusCode::METHOD_NOT_ALLOWED,
                    &format!("Method \"{method}\" not allowed."),
                );
                response
                    .headers_mut()
                    .insert(header::ALLOW, HeaderValue::from_static(allow));
                response
            }
            Self::Failure(failure) => failure.respond(
                || {
                    detail(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "Service temporarily unavailable, try again later.",
                    )
                },
                |id| {
                    (
                        StatusCode::INTERNAL_SERVER_ERROR,
                        Json(Detail {
                            detail: format!("A server error occurred (error id {id})."),
                            error_id: Some(id.to_string()),
                        }),
                    )
                        .into_response()
                },
            ),
        }
    }
}

impl From<Failure> for XhaleError {
    fn from(failure: Failure) -> Self {
        Self::Failure(failure)
    }
}

impl From<StoreError> for XhaleError {
    fn from(error: StoreError) -> Self {
        Self::Failure(error.into())
    }
}

impl From<BlobError> for XhaleError {
    fn from(error: BlobError) -> Self {
        Self::Failure(error.into())
    }
}

impl From<FieldErrors> for XhaleError {
    fn from(errors: FieldErrors) -> Self {
        Self::Fields(errors)
    }
}

/// 405 on a read-only endpoint.
pub(crate) async fn read_only(method: Method) -> XhaleError {
    XhaleError::NotAllowed {
        method,
        allow: "GET, HEAD",
    }
}

/// 405 on a list that takes creates.
pub(crate) async fn list_methods(method: Method) -> XhaleError {
    XhaleError::NotAllowed {
        method,
        allow: "GET, HEAD, POST",
    }
}

/// 405 on one record.
pub(crate) async fn record_methods(method: Method) -> XhaleError {
    XhaleError::NotAllowed {
        method,
        allow: "GET, HEAD, PUT, PATCH, DELETE",
    }
}

/// 405 on a record that can only be deleted.
pub(crate) async fn delete_only(method: Method) -> XhaleError {
    XhaleError::NotAllowed {
        method,
        allow: "DELETE",
    }
}

/// 405 on one record that is changed by PATCH only.
pub(crate) async fn patch_record_methods(method: Method) -> XhaleError {
    XhaleError::NotAllowed {
        method,
        allow: "GET, HEAD, PATCH, DELETE",
    }
}

/// 405 on an action.
pub(crate) async fn post_only(method: Method) -> XhaleError {
    XhaleError::NotAllowed {
        method,
        allow: "POST",
    }
}

/// A path under `/api/` that no Xhale route has. Written without its trailing slash (and
/// not naming a file), it is redirected to the slashed path with 308, which keeps the method
/// and the body, as Django's `APPEND_SLASH` does for the spec's clients; anything else is
/// `{"detail": "Not found."}`.
pub(crate) fn unknown_path(uri: &Uri) -> Response {
    let path = uri.path();
    let last = path.rsplit('/').next().unwrap_or_default();
    if !path.ends_with('/') && !last.contains('.') {
        let target = match uri.query() {
            Some(query) => format!("{path}/?{query}"),
            None => format!("{path}/"),
        };
        if let Ok(location) = HeaderValue::from_str(&target) {
            return (
                StatusCode::PERMANENT_REDIRECT,
                [(header::LOCATION, location)],
            )
                .into_response();
        }
    }
    XhaleError::NotFound.into_response()
}
