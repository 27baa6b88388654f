//! `GET /api/users/current/`: the token's user, with seasons, disciplines, unit
//! preferences, account kind and training zones.

use crate::AppState;
use crate::api::xhale::auth::XhaleAuth;
use crate::api::xhale::error::{XhaleError, XhaleResult};
use axum::Json;
use axum::extract::State;
use paceline_domain::accounts;
use paceline_domain::disciplines::DISCIPLINES;
use paceline_domain::entities::{AthleteSettings, Season, SportZones, ZoneSport};
use paceline_domain::oauth::Scope;
use serde::Serialize;
use utoipa::ToSchema;

/// The current user, as the spec's example shows them.
#[derive(Serialize, ToSchema)]
#[schema(as = User)]
pub(crate) struct CurrentUser {
    id: i64,
    email: String,
    /// The current season's first and last day.
    season_dates: Vec<String>,
    /// Every season, each as its first and last day.
    seasons: Vec<Vec<String>>,
    discipline_options: Vec<DisciplineOption>,
    distance_unit_preference: &'static str,
    pool_unit_preference: &'static str,
    can_create_future_sessions: bool,
    first_name: String,
    last_name: String,
    beta_access_list: Vec<String>,
    diary_type: &'static str,
    account_type: &'static str,
    zones: Zones,
}

/// A discipline a session may name.
#[derive(Serialize, ToSchema)]
pub(crate) struct DisciplineOption {
    category: &'static str,
    id: i32,
    title: &'static str,
}

/// The user's training zones, per sport.
#[derive(Serialize, ToSchema)]
pub(crate) struct Zones {
    run: SportZoneList,
    bike: SportZoneList,
}

/// A sport's zones, easiest first.
#[derive(Serialize, ToSchema)]
pub(crate) struct SportZoneList {
    #[schema(required = true)]
    max_heart_rate: Option<i32>,
    zones: Vec<ZoneItem>,
}

/// One zone; pace (run only) as speeds in metres per second.
#[derive(Serialize, ToSchema)]
pub(crate) struct ZoneItem {
    name: String,
    number: u8,
    #[schema(required = true)]
    heart_rate_min: Option<i32>,
    #[schema(required = true)]
    heart_rate_max: Option<i32>,
    #[schema(required = true)]
    power_min: Option<i32>,
    #[schema(required = true)]
    power_max: Option<i32>,
    /// Run zones only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<f64>)]
    meters_per_second_fastest: Option<Option<f64>>,
    /// Run zones only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<f64>)]
    meters_per_second_slowest: Option<Option<f64>>,
}

/// A sport's zones as the spec shows them.
fn sport_zones(zones: &SportZones) -> SportZoneList {
    let run = zones.sport == ZoneSport::Run;
    SportZoneList {
        max_heart_rate: zones.max_heart_rate,
        zones: zones
            .zones
            .iter()
            .map(|zone| ZoneItem {
                name: zone.name.clone(),
                number: zone.number,
                heart_rate_min: zone.heart_rate_min,
                heart_rate_max: zone.heart_rate_max,
                power_min: zone.power_min,
                power_max: zone.power_max,
                meters_per_second_fastest: run.then_some(zone.speed_max_mps),
                meters_per_second_slowest: run.then_some(zone.speed_min_mps),
            })
            .collect(),
    }
}

/// First name and last name: the name split at its first space.
fn split_name(name: &str) -> (&str, &str) {
    match name.trim().split_once(char::is_whitespace) {
        Some((first, last)) => (first, last.trim()),
        None => (name.trim(), ""),
    }
}

/// `GET /api/users/current/`. Scope `read`.
pub(crate) async fn get_current_user(
    State(state): State<AppState>,
    auth: XhaleAuth,
) -> XhaleResult<Json<CurrentUser>> {
    let grant = auth.require(&[Scope::Read])?;
    let store = state.store.as_ref();
    let user = store
        .get_user(grant.user_id)
        .await?
        .ok_or(XhaleError::NotFound)?;
    let settings = store.athlete_settings(grant.user_id).await?;
    let kind = accounts::account_kind(store, grant.user_id).await?;
    let today = state.clock.now().date();
    let settings = settings.unwrap_or_else(|| AthleteSettings::new_athlete(today));
    let (first_name, last_name) = split_name(&user.name);
    let (account_type, diary_type) = kind;
    let days = |s: &Season| vec![s.start.to_string(), s.end.to_string()];
    Ok(Json(CurrentUser {
        id: user.id.get(),
        email: user.email.as_str().to_owned(),
        season_dates: settings
            .current_season(today)
            .map(|s| days(&s))
            .unwrap_or_default(),
        seasons: settings.seasons.iter().map(days).collect(),
        discipline_options: DISCIPLINES
            .iter()
            .map(|d| DisciplineOption {
                category: d.category,
                id: d.id,
                title: d.title,
            })
            .collect(),
        distance_unit_preference: settings.distance_unit.as_str(),
        pool_unit_preference: settings.pool_unit.as_str(),
        can_create_future_sessions: true,
        first_name: first_name.to_owned(),
        last_name: last_name.to_owned(),
        beta_access_list: Vec::new(),
        diary_type,
        account_type,
        zones: Zones {
            run: sport_zones(&settings.zones_of(ZoneSport::Run)),
            bike: sport_zones(&settings.zones_of(ZoneSport::Bike)),
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_at_the_first_space() {
        assert_eq!(split_name("Mentor User"), ("Mentor", "User"));
        assert_eq!(split_name("Anna Maria Schmidt"), ("Anna", "Maria Schmidt"));
        assert_eq!(split_name("Cher"), ("Cher", ""));
    }
}
