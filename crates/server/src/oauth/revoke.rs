//! `POST /api/oauth/revoke` (RFC 7009).

use crate::AppState;
use crate::oauth::{client_auth, form, response};
use crate::throttle::ClientAddress;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use paceline_domain::oauth::OAuthError;
use paceline_domain::oauth::token;

/// `POST /api/oauth/revoke`: 200 with an empty body whether or not the token existed.
pub(crate) async fn post_revoke(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let (client, pairs) = match client_auth::read_request(&state, address, &headers, body).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    let token_text = match form::single(&pairs, "token") {
        Ok(Some(token)) => token,
        Ok(None) => return response::error(&OAuthError::invalid_request("token is missing")),
        Err(error) => return response::error(&error),
    };
    match token::revoke(
        state.store.as_ref(),
        state.clock.as_ref(),
        &client,
        token_text,
    )
    .await
    {
        Ok(()) => response::no_store(StatusCode::OK, serde_json::json!({})),
        Err(error) => response::error(&error),
    }
}
