//! `GET /api/external/v1/profile` (spec section 5.1).

use crate::AppState;
use crate::api::tia::auth::TiaAuth;
use crate::api::tia::error::{TiaError, TiaResult};
use crate::api::tia::timestamp;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use paceline_domain::oauth::Scope;
use serde_json::{Value, json};

/// The token's user: `id`, `email`, `name`, `image`, `createdAt`. Scope `profile:read`.
pub(crate) async fn get_profile(
    State(state): State<AppState>,
    auth: TiaAuth,
) -> TiaResult<Json<Value>> {
    let grant = auth.require(Scope::ProfileRead)?;
    let user = state.store.get_user(grant.user_id).await?.ok_or_else(|| {
        TiaError::refused(
            StatusCode::NOT_FOUND,
            "Not found.",
            "not_found",
            "The account no longer exists.",
        )
    })?;
    Ok(Json(json!({
        "id": user.id.public(),
        "email": user.email.as_str(),
        "name": user.name,
        "image": user.image,
        "createdAt": timestamp(user.created_at),
    })))
}
