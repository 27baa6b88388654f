//! `GET /api/athletes/`: the athletes the token's user may act for (with `?athlete=` on
//! every other route): those assigned to them as a coach, and, for an owner of a coaching
//! company, every athlete of it. An athlete without a coach sees an empty list.

use crate::AppState;
use crate::api::xhale::auth::XhaleAuth;
use crate::api::xhale::error::XhaleResult;
use crate::api::xhale::params::Params;
use axum::Json;
use axum::extract::{RawQuery, State};
use paceline_domain::oauth::Scope;
use serde::Serialize;
use utoipa::ToSchema;

/// An athlete the user may act for, in one organization.
#[derive(Serialize, ToSchema)]
#[schema(as = Athlete)]
pub(crate) struct AthleteItem {
    /// Their user id: the `athlete` of their records, and of `?athlete=`.
    id: i64,
    first_name: String,
    last_name: String,
    email: String,
    /// The user ids of the coaches assigned to them in this organization.
    coach_ids: Vec<i64>,
    /// The organization they are an athlete of.
    organization_id: i64,
}

/// `GET /api/athletes/`. Scope `read`.
pub(crate) async fn list_athletes(
    State(state): State<AppState>,
    auth: XhaleAuth,
    RawQuery(raw): RawQuery,
) -> XhaleResult<Json<Vec<AthleteItem>>> {
    let grant = auth.require(&[Scope::Read])?;
    Params::parse(raw.as_deref(), &[]).finish()?;
    let athletes = state.store.athletes_of(grant.user_id).await?;
    Ok(Json(
        athletes
            .into_iter()
            .map(|a| AthleteItem {
                id: a.user.id.get(),
                first_name: a.user.first_name().to_owned(),
                last_name: a.user.last_name().to_owned(),
                email: a.user.email.as_str().to_owned(),
                coach_ids: a.coach_ids.iter().map(|c| c.get()).collect(),
                organization_id: a.organization_id.get(),
            })
            .collect(),
    ))
}
