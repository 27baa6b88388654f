//! `POST /api/oauth/revoke` (RFC 7009).

use crate::AppState;
use crate::oauth::{form, response};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use paceline_domain::oauth::OAuthError;
use paceline_domain::oauth::token;

/// `POST /api/oauth/revoke`: 200 with an empty body whether or not the token existed.
pub(crate) async fn post_revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match revoke(&state, &headers, &body).await {
        Ok(()) => response::no_store(StatusCode::OK, serde_json::json!({})),
        Err(error) => response::error(&error),
    }
}

async fn revoke(state: &AppState, headers: &HeaderMap, body: &[u8]) -> Result<(), OAuthError> {
    if !form::is_form(headers) {
        return Err(OAuthError::invalid_request(
            "the body must be application/x-www-form-urlencoded",
        ));
    }
    let pairs = form::parse(body);
    form::refuse_repeats(&pairs)?;
    let auth = form::client_auth(headers, &pairs)?;
    let client = token::authenticate_client(state.store.as_ref(), &auth).await?;
    let token_text = form::single(&pairs, "token")?
        .ok_or_else(|| OAuthError::invalid_request("token is missing"))?;
    token::revoke(
        state.store.as_ref(),
        state.clock.as_ref(),
        &client,
        token_text,
    )
    .await
}
