//! The Xhale surface's authentication: [`XhaleAuth`] checks the bearer token and the API
//! limits, [`XhaleAuth::require`] a route's scope; refusals are `{"detail": "..."}`.

use crate::AppState;
use crate::api::tia::error::with_challenge;
use crate::extract::bearer::{self, BearerFailure, Refusal};
use axum::Json;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use paceline_domain::oauth::Scope;
use paceline_domain::oauth::bearer::AccessGrant;
use serde_json::json;

/// A `{"detail": ...}` answer.
pub(crate) fn detail(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "detail": message }))).into_response()
}

/// 503 for a storage failure, logged.
pub(crate) fn unavailable(cause: &dyn std::fmt::Display) -> Response {
    tracing::error!(%cause, "storage failed");
    detail(
        StatusCode::SERVICE_UNAVAILABLE,
        "Service temporarily unavailable, try again later.",
    )
}

/// 404 `{"detail": "Not found."}`: unknown ids, and other users' records alike.
pub(crate) fn not_found() -> Response {
    detail(StatusCode::NOT_FOUND, "Not found.")
}

/// A request with a valid access token, within its rate limits.
pub(crate) struct XhaleAuth(pub(crate) AccessGrant);

fn refused(refusal: Refusal) -> Response {
    match refusal {
        Refusal::Bearer(failure) => {
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
                BearerFailure::Unavailable => detail(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Service temporarily unavailable, try again later.",
                ),
            };
            with_challenge(response, challenge)
        }
        Refusal::Limited(limited) => {
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
    }
}

impl FromRequestParts<AppState> for XhaleAuth {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        bearer::admit(state, &parts.headers)
            .await
            .map(Self)
            .map_err(refused)
    }
}

impl XhaleAuth {
    /// The grant when the token carries every scope of `scopes`; otherwise the first one
    /// missing.
    pub(crate) fn require(&self, scopes: &[Scope]) -> Result<&AccessGrant, MissingScope> {
        match scopes.iter().find(|scope| self.0.require(**scope).is_err()) {
            Some(scope) => Err(MissingScope(*scope)),
            None => Ok(&self.0),
        }
    }
}

/// A token without a scope the route needs: 403 naming it.
pub(crate) struct MissingScope(Scope);

impl IntoResponse for MissingScope {
    fn into_response(self) -> Response {
        let response = detail(
            StatusCode::FORBIDDEN,
            &format!(
                "You do not have permission to perform this action: the access token lacks the scope {}.",
                self.0.name()
            ),
        );
        with_challenge(response, bearer::insufficient_scope(self.0))
    }
}

/// 405 with `Allow`.
fn not_allowed(method: &axum::http::Method, allow: &'static str) -> Response {
    let mut response = detail(
        StatusCode::METHOD_NOT_ALLOWED,
        &format!("Method \"{method}\" not allowed."),
    );
    response.headers_mut().insert(
        axum::http::header::ALLOW,
        axum::http::HeaderValue::from_static(allow),
    );
    response
}

/// 405 on a read-only endpoint.
pub(crate) async fn read_only(method: axum::http::Method) -> Response {
    not_allowed(&method, "GET, HEAD")
}

/// 405 on a list that takes creates.
pub(crate) async fn list_methods(method: axum::http::Method) -> Response {
    not_allowed(&method, "GET, HEAD, POST")
}

/// 405 on one record.
pub(crate) async fn record_methods(method: axum::http::Method) -> Response {
    not_allowed(&method, "GET, HEAD, PUT, PATCH, DELETE")
}

/// 405 on a record that can only be deleted.
pub(crate) async fn delete_only(method: axum::http::Method) -> Response {
    not_allowed(&method, "DELETE")
}

/// 405 on one record that is changed by PATCH only.
pub(crate) async fn patch_record_methods(method: axum::http::Method) -> Response {
    not_allowed(&method, "GET, HEAD, PATCH, DELETE")
}

/// 405 on an action.
pub(crate) async fn post_only(method: axum::http::Method) -> Response {
    not_allowed(&method, "POST")
}
