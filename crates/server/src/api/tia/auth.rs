//! The Train it All surface's authentication: [`TiaAuth`] extracts and checks the bearer
//! token and counts the request against the token's and the client's rate limits;
//! [`TiaAuth::require`] checks a route's scope. Failures use the surface's error body.

use crate::AppState;
use crate::api::tia::error::{error, with_challenge};
use crate::extract::bearer::{self, BearerFailure, Refusal};
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use paceline_domain::oauth::Scope;
use paceline_domain::oauth::bearer::AccessGrant;

/// A request with a valid access token, within its rate limits.
pub(crate) struct TiaAuth(pub(crate) AccessGrant);

fn refused(failure: BearerFailure) -> Response {
    let challenge = bearer::challenge(&failure);
    let response = match failure {
        BearerFailure::Missing => error(
            StatusCode::UNAUTHORIZED,
            "Missing access token.",
            "unauthorized",
            "Send Authorization: Bearer <access token>.",
        ),
        BearerFailure::Invalid(why) => error(
            StatusCode::UNAUTHORIZED,
            &format!("Invalid access token: {why}."),
            "invalid_token",
            "Refresh the access token with your refresh token, or authorize again.",
        ),
        BearerFailure::Malformed(why) => error(
            StatusCode::BAD_REQUEST,
            &format!("Malformed Authorization header: {why}."),
            "invalid_request",
            "Send exactly one Authorization: Bearer <access token> header.",
        ),
        BearerFailure::Unavailable => error(
            StatusCode::SERVICE_UNAVAILABLE,
            "The service is temporarily unavailable.",
            "unavailable",
            "Retry in a few seconds.",
        ),
    };
    with_challenge(response, challenge)
}

impl FromRequestParts<AppState> for TiaAuth {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match bearer::admit(state, &parts.headers).await {
            Ok(grant) => Ok(Self(grant)),
            Err(Refusal::Bearer(failure)) => Err(refused(failure)),
            Err(Refusal::Limited(limited)) => {
                let mut response = error(
                    StatusCode::TOO_MANY_REQUESTS,
                    &format!("Too many requests: the limit is {}.", limited.describe()),
                    "rate_limited",
                    &format!(
                        "Retry after {} seconds, and spread requests out.",
                        limited.retry_after_seconds
                    ),
                );
                limited.add_retry_after(&mut response);
                Err(response)
            }
        }
    }
}

impl TiaAuth {
    /// Succeeds when the token carries `scope`; otherwise names the missing scope.
    pub(crate) fn require(&self, scope: Scope) -> Result<&AccessGrant, MissingScope> {
        self.0
            .require(scope)
            .map(|()| &self.0)
            .map_err(MissingScope)
    }
}

/// A token without the scope a route needs: 403 naming the scope.
pub(crate) struct MissingScope(Scope);

impl IntoResponse for MissingScope {
    fn into_response(self) -> Response {
        let name = self.0.name();
        let response = error(
            StatusCode::FORBIDDEN,
            &format!("This access token lacks the scope {name}."),
            "insufficient_scope",
            &format!("Authorize again with scope={name} (it must be allowed for your client)."),
        );
        with_challenge(response, bearer::insufficient_scope(self.0))
    }
}
