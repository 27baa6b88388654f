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

/// 404 `{"detail": "Not found."}`: an unknown record, one the user may not reach, or a
/// malformed id, all alike.
pub(crate) fn not_found() -> Response {
    detail(StatusCode::NOT_FOUND, "Not found.")
}

/// 503 for a storage failure, logged; the answer says nothing of the cause.
pub(crate) fn unavailable(cause: &dyn std::fmt::Display) -> Response {
    tracing::error!(%cause, "storage failed");
    detail(
        StatusCode::SERVICE_UNAVAILABLE,
        "Service temporarily unavailable, try again later.",
    )
}

/// 405 with `Allow: allow`.
fn method_not_allowed(allow: &'static str) -> Response {
    let mut response = detail(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed.");
    response.headers_mut().insert(
        axum::http::header::ALLOW,
        axum::http::HeaderValue::from_static(allow),
    );
    response
}

/// 405 on a read-only endpoint, with `Allow`.
pub(crate) async fn read_only() -> Response {
    method_not_allowed("GET, HEAD")
}

/// 405 on an endpoint that lists and creates, with `Allow`.
pub(crate) async fn list_and_create() -> Response {
    method_not_allowed("GET, HEAD, POST")
}
