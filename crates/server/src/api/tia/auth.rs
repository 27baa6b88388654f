//! The Train it All surface's authentication: [`TiaAuth`] extracts and checks the bearer
//! token and counts the request against the token's and the client's rate limits;
//! [`TiaAuth::require`] checks a route's scope. Refusals are [`TiaError`]s.

use crate::AppState;
use crate::api::tia::error::TiaError;
use crate::extract::bearer::{self, Refusal};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use paceline_domain::oauth::Scope;
use paceline_domain::oauth::bearer::AccessGrant;

/// A request with a valid access token, within its rate limits.
pub(crate) struct TiaAuth(pub(crate) AccessGrant);

impl FromRequestParts<AppState> for TiaAuth {
    type Rejection = TiaError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, TiaError> {
        match bearer::admit(state, parts).await {
            Ok(grant) => Ok(Self(grant)),
            Err(Refusal::Bearer(failure)) => Err(TiaError::Bearer(failure)),
            Err(Refusal::Limited(limited)) => Err(TiaError::Limited(limited)),
        }
    }
}

impl TiaAuth {
    /// Succeeds when the token carries `scope`; otherwise names the missing scope.
    pub(crate) fn require(&self, scope: Scope) -> Result<&AccessGrant, TiaError> {
        self.0
            .require(scope)
            .map(|()| &self.0)
            .map_err(|_| TiaError::MissingScope(scope))
    }
}
