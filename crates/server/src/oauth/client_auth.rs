//! Client authentication at the token and revocation endpoints, with failed attempts counted
//! per client id: guessing a client's secret runs into 429 (RFC 6749 section 2.3.1: the
//! endpoint MUST be protected against brute force).

use crate::oauth::form;
use crate::oauth::response::OAuthRefusal;
use crate::{AppState, throttle};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::HeaderMap;
use paceline_domain::oauth::client::OAuthClient;
use paceline_domain::oauth::token::{self, ClientAuth};
use paceline_domain::oauth::{OAuthError, OAuthErrorCode};

/// Reads the form request of an authenticating client (the token and revocation
/// endpoints): the body (413 past the limit), a form content type, no repeated parameter,
/// and the client's credentials. Any failure is the refusal to send.
pub(crate) async fn read_request(
    state: &AppState,
    address: Option<std::net::IpAddr>,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(OAuthClient, form::Pairs), OAuthRefusal> {
    let body = body.map_err(OAuthRefusal::Body)?;
    if !form::is_form(headers) {
        return Err(OAuthError::invalid_request(
            "the body must be application/x-www-form-urlencoded",
        )
        .into());
    }
    let pairs = form::parse(&body);
    form::refuse_repeats(&pairs)?;
    let client = authenticate(state, address, headers, &pairs).await?;
    Ok((client, pairs))
}

/// The authenticated client, or the refusal to send: an OAuth error, or 429 when this
/// client id has failed too often.
async fn authenticate(
    state: &AppState,
    address: Option<std::net::IpAddr>,
    headers: &HeaderMap,
    pairs: &form::Pairs,
) -> Result<OAuthClient, OAuthRefusal> {
    let auth = form::client_auth(headers, pairs)?;
    let client_id = match &auth {
        ClientAuth::Basic { client_id, .. }
        | ClientAuth::Post { client_id, .. }
        | ClientAuth::Public { client_id } => client_id.clone(),
    };
    // Ids outside the registration alphabet cannot exist: refused without being counted,
    // so they cannot fill the limiter.
    if paceline_domain::oauth::client::check_client_id(&client_id).is_err() {
        return Err(OAuthError::invalid_client("client authentication failed").into());
    }
    // Failures are counted per client and address: a guesser is slowed down, yet cannot
    // lock a client out for everyone else. Only failures count, once known: a backend
    // refreshing many tokens at once must not be throttled by its own successes. Parallel
    // guesses may each fail once before the limit shows, which a secret of 256 random bits
    // makes harmless.
    let address = address.map_or_else(|| "-".to_owned(), |ip| ip.to_string());
    let checks = [(
        throttle::hashed_key("client-auth", &[&client_id, &address]),
        state.limits.client_auth_failures,
    )];
    throttle::peek(state, &checks)
        .await
        .map_err(OAuthRefusal::Limited)?;
    match token::authenticate_client(state.store.as_ref(), &auth).await {
        Ok(client) => Ok(client),
        Err(error) => {
            if error.code == OAuthErrorCode::InvalidClient {
                // Over the limit or not, the failure is answered as what it is.
                let _ = throttle::check(state, &checks).await;
            }
            Err(error.into())
        }
    }
}
