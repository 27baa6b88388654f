//! The Xhale surface's authentication: [`XhaleAuth`] checks the bearer token and the API
//! limits, [`XhaleAuth::require`] a route's scopes; refusals are [`XhaleError`]s.

use crate::AppState;
use crate::api::xhale::error::XhaleError;
use crate::extract::bearer::{self, Refusal};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use paceline_domain::oauth::Scope;
use paceline_domain::oauth::bearer::AccessGrant;

/// A request with a valid access token, within its rate limits.
pub(crate) struct XhaleAuth(pub(crate) AccessGrant);

impl FromRequestParts<AppState> for XhaleAuth {
    type Rejection = XhaleError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, XhaleError> {
        match bearer::admit(state, parts).await {
            Ok(grant) => Ok(Self(grant)),
            Err(Refusal::Bearer(failure)) => Err(XhaleError::Bearer(failure)),
            Err(Refusal::Limited(limited)) => Err(XhaleError::Limited(limited)),
        }
    }
}

impl XhaleAuth {
    /// The grant when the token carries every scope of `scopes`; otherwise the first one
    /// missing.
    pub(crate) fn require(&self, scopes: &[Scope]) -> Result<&AccessGrant, XhaleError> {
        match scopes.iter().find(|scope| self.0.require(**scope).is_err()) {
            Some(scope) => Err(XhaleError::MissingScope(*scope)),
            None => Ok(&self.0),
        }
    }
}
