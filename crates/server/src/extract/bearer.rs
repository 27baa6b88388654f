//! Reading and checking the bearer token of an API request (RFC 6750 section 2.1: the
//! `Authorization` header only; tokens in query strings are not accepted).

use crate::AppState;
use crate::export::InProcess;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use paceline_domain::oauth::Scope;
use paceline_domain::oauth::bearer::{self, AccessGrant, BearerError};

/// Why a request is not authorized, for each surface to render in its own format.
#[derive(Debug)]
pub(crate) enum BearerFailure {
    /// No `Authorization: Bearer` header (401, `WWW-Authenticate` without an error code).
    Missing,
    /// A token that does not work (401, `error="invalid_token"`).
    Invalid(&'static str),
    /// The header is malformed or repeated (400, `error="invalid_request"`).
    Malformed(&'static str),
    /// The database failed (503).
    Unavailable,
}

/// Checks the request's bearer token.
pub(crate) async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<AccessGrant, BearerFailure> {
    let mut values = headers.get_all(header::AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Err(BearerFailure::Missing);
    };
    if values.next().is_some() {
        return Err(BearerFailure::Malformed("send one Authorization header"));
    }
    let value = value
        .to_str()
        .map_err(|_| BearerFailure::Malformed("the Authorization header is not text"))?;
    let Some((scheme, token)) = value.split_once(' ') else {
        return Err(BearerFailure::Missing);
    };
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(BearerFailure::Missing);
    }
    let token = token.trim();
    if token.is_empty() {
        return Err(BearerFailure::Invalid("the access token is empty"));
    }
    bearer::authenticate(state.store.as_ref(), state.clock.as_ref(), token)
        .await
        .map_err(|error| match error {
            BearerError::InvalidToken(why) => BearerFailure::Invalid(why),
            BearerError::Store(error) => {
                tracing::error!(%error, "bearer check failed");
                BearerFailure::Unavailable
            }
        })
}

/// The `WWW-Authenticate` value for a failure (RFC 6750 section 3).
pub(crate) fn challenge(failure: &BearerFailure) -> Option<HeaderValue> {
    let value = match failure {
        BearerFailure::Missing => "Bearer realm=\"paceline\"".to_owned(),
        BearerFailure::Invalid(why) => {
            format!(
                "Bearer realm=\"paceline\", error=\"invalid_token\", error_description=\"{why}\""
            )
        }
        BearerFailure::Malformed(why) => {
            format!(
                "Bearer realm=\"paceline\", error=\"invalid_request\", error_description=\"{why}\""
            )
        }
        BearerFailure::Unavailable => return None,
    };
    HeaderValue::from_str(&value).ok()
}

/// Adds a `WWW-Authenticate` challenge to a refusal.
pub(crate) fn with_challenge(
    mut response: axum::response::Response,
    challenge: Option<HeaderValue>,
) -> axum::response::Response {
    if let Some(value) = challenge {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

/// The `WWW-Authenticate` value for a token that lacks `scope`.
pub(crate) fn insufficient_scope(scope: Scope) -> Option<HeaderValue> {
    HeaderValue::from_str(&format!(
        "Bearer realm=\"paceline\", error=\"insufficient_scope\", scope=\"{}\"",
        scope.name()
    ))
    .ok()
}

/// Why an API request is turned away before its handler runs.
#[derive(Debug)]
pub(crate) enum Refusal {
    /// The bearer token.
    Bearer(BearerFailure),
    /// A rate limit of the token or its client.
    Limited(crate::throttle::Limited),
}

/// Checks the bearer token and counts the request against the token's and the client's
/// API limits: what both surfaces do before a handler, each rendering refusals its own way.
/// A request made inside the process with its own grant (the export's reads) carries no
/// token and counts against no limit.
pub(crate) async fn admit(state: &AppState, parts: &Parts) -> Result<AccessGrant, Refusal> {
    if let Some(InProcess(grant)) = parts.extensions.get::<InProcess>() {
        return Ok(grant.clone());
    }
    let headers = &parts.headers;
    let grant = authenticate(state, headers)
        .await
        .map_err(Refusal::Bearer)?;
    let checks = [
        (
            format!("token:{}", grant.token.0),
            state.limits.api_per_token,
        ),
        (
            format!("client:{}", grant.client.0),
            state.limits.api_per_client,
        ),
    ];
    crate::throttle::check(state, &checks)
        .await
        .map_err(Refusal::Limited)?;
    Ok(grant)
}
