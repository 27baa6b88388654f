//! `POST /api/oauth/token` (RFC 6749 sections 4.1.3 and 6).

use crate::AppState;
use crate::oauth::{form, request_rng, response};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use paceline_domain::oauth::token::{self, CodeExchange, IssuedTokens};
use paceline_domain::oauth::{OAuthError, OAuthErrorCode};
use serde_json::json;

/// `POST /api/oauth/token`.
pub(crate) async fn post_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match grant(&state, &headers, &body).await {
        Ok(tokens) => response::no_store(
            StatusCode::OK,
            json!({
                "access_token": tokens.access_token.expose(),
                "token_type": "Bearer",
                "expires_in": tokens.expires_in,
                "refresh_token": tokens.refresh_token.expose(),
                "scope": tokens.scope.to_string(),
            }),
        ),
        Err(error) => response::error(&error),
    }
}

async fn grant(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<IssuedTokens, OAuthError> {
    if !form::is_form(headers) {
        return Err(OAuthError::invalid_request(
            "the body must be application/x-www-form-urlencoded",
        ));
    }
    let pairs = form::parse(body);
    form::refuse_repeats(&pairs)?;
    let auth = form::client_auth(headers, &pairs)?;
    let client = token::authenticate_client(state.store.as_ref(), &auth).await?;
    let store = state.store.as_ref();
    let clock = state.clock.as_ref();
    let mut rng = request_rng();
    match form::single(&pairs, "grant_type")? {
        None => Err(OAuthError::invalid_request("grant_type is missing")),
        Some("authorization_code") => {
            let code = form::single(&pairs, "code")?
                .ok_or_else(|| OAuthError::invalid_request("code is missing"))?;
            let exchange = CodeExchange {
                code,
                redirect_uri: form::single(&pairs, "redirect_uri")?,
                code_verifier: form::single(&pairs, "code_verifier")?,
            };
            token::exchange_code(store, clock, &mut rng, &state.oauth, &client, exchange).await
        }
        Some("refresh_token") => {
            let refresh_token = form::single(&pairs, "refresh_token")?
                .ok_or_else(|| OAuthError::invalid_request("refresh_token is missing"))?;
            let scope = form::single(&pairs, "scope")?;
            token::refresh(
                store,
                clock,
                &mut rng,
                &state.oauth,
                &client,
                refresh_token,
                scope,
            )
            .await
        }
        Some(_) => Err(OAuthError::new(
            OAuthErrorCode::UnsupportedGrantType,
            "grant_type must be authorization_code or refresh_token",
        )),
    }
}
