//! `POST /api/oauth/revoke` (RFC 7009).

use crate::AppState;
use crate::oauth::response::OAuthRefusal;
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
) -> Result<Response, OAuthRefusal> {
    let (client, pairs) = client_auth::read_request(&state, address, &headers, body).await?;
    let token_text = form::single(&pairs, "token")?
        .ok_or_else(|| OAuthError::invalid_request("token is missing"))?;
    token::revoke(
        state.store.as_ref(),
        state.clock.as_ref(),
        &client,
        token_text,
    )
    .await?;
    Ok(response::no_store(StatusCode::OK, serde_json::json!({})))
}
