//! `POST /api/oauth/token` (RFC 6749 sections 4.1.3, 4.4 and 6).

use crate::AppState;
use crate::oauth::response::OAuthRefusal;
use crate::oauth::{client_auth, form, request_rng, response};
use crate::throttle::ClientAddress;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use paceline_domain::oauth::client::OAuthClient;
use paceline_domain::oauth::company;
use paceline_domain::oauth::token::{self, CodeExchange, IssuedTokens};
use paceline_domain::oauth::{OAuthError, OAuthErrorCode};
use serde_json::json;

/// `POST /api/oauth/token`.
pub(crate) async fn post_token(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, OAuthRefusal> {
    let (client, pairs) = client_auth::read_request(&state, address, &headers, body).await?;
    let body = match form::single(&pairs, "grant_type")? {
        Some("client_credentials") => {
            let issued = company::client_credentials(
                state.store.as_ref(),
                state.clock.as_ref(),
                &mut request_rng(),
                &state.oauth,
                &client,
                form::single(&pairs, "scope")?,
            )
            .await?;
            json!({
                "access_token": issued.access_token.expose(),
                "token_type": "Bearer",
                "expires_in": issued.expires_in,
                "scope": issued.scope.to_string(),
            })
        }
        _ => {
            let tokens = grant(&state, &client, &pairs).await?;
            json!({
                "access_token": tokens.access_token.expose(),
                "token_type": "Bearer",
                "expires_in": tokens.expires_in,
                "refresh_token": tokens.refresh_token.expose(),
                "scope": tokens.scope.to_string(),
            })
        }
    };
    Ok(response::no_store(StatusCode::OK, body))
}

async fn grant(
    state: &AppState,
    client: &OAuthClient,
    pairs: &form::Pairs,
) -> Result<IssuedTokens, OAuthError> {
    let store = state.store.as_ref();
    let clock = state.clock.as_ref();
    let mut rng = request_rng();
    let required = |name: &str| -> Result<&str, OAuthError> {
        form::single(pairs, name)?
            .ok_or_else(|| OAuthError::invalid_request(format!("{name} is missing")))
    };
    match form::single(pairs, "grant_type")? {
        None => Err(OAuthError::invalid_request("grant_type is missing")),
        Some("authorization_code") => {
            // Missing parameters are refused before the code is spent.
            let exchange = CodeExchange {
                code: required("code")?,
                redirect_uri: Some(required("redirect_uri")?),
                code_verifier: form::single(pairs, "code_verifier")?,
            };
            token::exchange_code(store, clock, &mut rng, &state.oauth, client, exchange).await
        }
        Some("refresh_token") => {
            let refresh_token = required("refresh_token")?;
            let scope = form::single(pairs, "scope")?;
            token::refresh(
                store,
                clock,
                &mut rng,
                &state.oauth,
                client,
                refresh_token,
                scope,
            )
            .await
        }
        Some(_) => Err(OAuthError::new(
            OAuthErrorCode::UnsupportedGrantType,
            "grant_type must be authorization_code, refresh_token or client_credentials",
        )),
    }
}
