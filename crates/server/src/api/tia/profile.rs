//! `GET /api/external/v1/profile` (spec section 5.1).

use crate::AppState;
use crate::api::tia::auth::TiaAuth;
use crate::api::tia::error::error;
use crate::api::tia::timestamp;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use paceline_domain::oauth::Scope;
use serde_json::json;

/// The token's user: `id`, `email`, `name`, `image`, `createdAt`. Scope `profile:read`.
pub(crate) async fn get_profile(State(state): State<AppState>, auth: TiaAuth) -> Response {
    let grant = match auth.require(Scope::ProfileRead) {
        Ok(grant) => grant,
        Err(missing) => return missing.into_response(),
    };
    match state.store.get_user(grant.user_id).await {
        Ok(Some(user)) => Json(json!({
            "id": user.id.public(),
            "email": user.email.as_str(),
            "name": user.name,
            "image": user.image,
            "createdAt": timestamp(user.created_at),
        }))
        .into_response(),
        Ok(None) => error(
            StatusCode::NOT_FOUND,
            "Not found.",
            "not_found",
            "The account no longer exists.",
        ),
        Err(cause) => {
            tracing::error!(%cause, "profile lookup failed");
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "The service is temporarily unavailable.",
                "unavailable",
                "Retry in a few seconds.",
            )
        }
    }
}
