//! `GET /api/external/v1/profile` (spec section 5.1).

use crate::AppState;
use crate::api::tia::auth::TiaAuth;
use crate::api::tia::error::{TiaError, TiaResult};
use crate::api::tia::timestamp;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use paceline_domain::oauth::Scope;
use serde::Serialize;
use utoipa::ToSchema;

/// The token's user.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Profile {
    /// The user's id.
    id: String,
    email: String,
    name: String,
    /// A picture's URL.
    #[schema(required = true)]
    image: Option<String>,
    created_at: String,
}

/// The token's user: `id`, `email`, `name`, `image`, `createdAt`. Scope `profile:read`.
pub(crate) async fn get_profile(
    State(state): State<AppState>,
    auth: TiaAuth,
) -> TiaResult<Json<Profile>> {
    let grant = auth.require(Scope::ProfileRead)?;
    let user = state.store.get_user(grant.user_id).await?.ok_or_else(|| {
        TiaError::refused(
            StatusCode::NOT_FOUND,
            "Not found.",
            "not_found",
            "The account no longer exists.",
        )
    })?;
    Ok(Json(Profile {
        id: user.id.public(),
        email: user.email.as_str().to_owned(),
        name: user.name,
        image: user.image,
        created_at: timestamp(user.created_at),
    }))
}
