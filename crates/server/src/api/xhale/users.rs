//! `GET /api/users/current/`: the token's user, with seasons, disciplines, unit
//! preferences, account kind and training zones.

use crate::AppState;
use crate::api::xhale::auth::XhaleAuth;
use crate::api::xhale::error::{XhaleError, XhaleResult};
use axum::Json;
use axum::extract::State;
use paceline_domain::accounts;
use paceline_domain::disciplines::DISCIPLINES;
use paceline_domain::entities::{AthleteSettings, SportZones, ZoneSport};
use paceline_domain::oauth::Scope;
use serde_json::{Map, Value, json};

/// A sport's zones as the spec shows them; pace (run only) as speeds in metres per second.
fn zones_json(sport: ZoneSport, zones: Option<&SportZones>) -> Value {
    let items: Vec<Value> = zones
        .map(|z| z.zones.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|zone| {
            let mut item = Map::new();
            item.insert("name".into(), json!(zone.name));
            item.insert("number".into(), json!(zone.number));
            item.insert("heart_rate_min".into(), json!(zone.heart_rate_min));
            item.insert("heart_rate_max".into(), json!(zone.heart_rate_max));
            item.insert("power_min".into(), json!(zone.power_min));
            item.insert("power_max".into(), json!(zone.power_max));
            if sport == ZoneSport::Run {
                item.insert(
                    "meters_per_second_fastest".into(),
                    json!(zone.speed_max_mps),
                );
                item.insert(
                    "meters_per_second_slowest".into(),
                    json!(zone.speed_min_mps),
                );
            }
            Value::Object(item)
        })
        .collect();
    json!({
        "max_heart_rate": zones.and_then(|z| z.max_heart_rate),
        "zones": items,
    })
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
) -> XhaleResult<Json<Value>> {
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
    let sport = |s: ZoneSport| settings.zones.iter().find(|z| z.sport == s);
    Ok(Json(json!({
        "id": user.id.get(),
        "email": user.email.as_str(),
        "season_dates": settings
            .current_season(today)
            .map(|s| vec![s.start.to_string(), s.end.to_string()])
            .unwrap_or_default(),
        "seasons": settings
            .seasons
            .iter()
            .map(|s| vec![s.start.to_string(), s.end.to_string()])
            .collect::<Vec<_>>(),
        "discipline_options": DISCIPLINES
            .iter()
            .map(|d| json!({ "category": d.category, "id": d.id, "title": d.title }))
            .collect::<Vec<_>>(),
        "distance_unit_preference": settings.distance_unit.as_str(),
        "pool_unit_preference": settings.pool_unit.as_str(),
        "can_create_future_sessions": true,
        "first_name": first_name,
        "last_name": last_name,
        "beta_access_list": Vec::<String>::new(),
        "diary_type": diary_type,
        "account_type": account_type,
        "zones": {
            "run": zones_json(ZoneSport::Run, sport(ZoneSport::Run)),
            "bike": zones_json(ZoneSport::Bike, sport(ZoneSport::Bike)),
        },
    })))
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
