//! `POST /api/oauth/revoke` (RFC 7009).

use crate::AppState;
use crate::oauth::{client_auth, form, response};
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
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(rejection) => return response::unreadable_body(&rejection),
    };
    if !form::is_form(&headers) {
        return response::error(&OAuthError::invalid_request(
            "the body must be application/x-www-form-urlencoded",
        ));
    }
    let pairs = form::parse(&body);
    if let Err(error) = form::refuse_repeats(&pairs) {
        return response::error(&error);
    }
    let client = match client_auth::authenticate(&state, &headers, &pairs).await {
        Ok(client) => client,
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
