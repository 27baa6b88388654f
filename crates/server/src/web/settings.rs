//! `/settings`: the athlete's name, units, season, the training figures their zones follow
//! from (with the suggested maximum heart rate to accept), their password, signing out
//! everywhere, and the way to the apps they allowed. Each form changes its own part only.

use super::format;
use super::{Layout, Viewer, field, posted, see_other};
use crate::AppState;
use crate::oauth::form::Pairs;
use crate::oauth::login::SESSION_COOKIE;
use crate::pages::{PageError, cookies};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use paceline_domain::accounts::{self, AccountError};
use paceline_domain::entities::{DistanceUnit, PoolUnit, Season, ZoneSport};
use paceline_domain::oauth::sessions::{self, PasswordChangeError};
use paceline_domain::password::Password;
use paceline_domain::settings::{self, ChangeError, Figure, SettingsEdit};
use time::Date;
use time::format_description::well_known::Iso8601;

/// One zone as a row of a table.
struct ZoneRow {
    name: String,
    heart_rate: String,
    power: String,
    pace: String,
}

/// One sport's zones.
struct ZoneTable {
    sport: &'static str,
    rows: Vec<ZoneRow>,
    has_power: bool,
    has_pace: bool,
}

/// What a training figure's field shows.
struct Input {
    name: &'static str,
    label: &'static str,
    value: String,
    hint: &'static str,
}

#[derive(Template)]
#[template(path = "app/settings.html")]
struct SettingsPage {
    layout: Layout,
    name: String,
    email: String,
    miles: bool,
    yards: bool,
    season_start: String,
    season_end: String,
    inputs: Vec<Input>,
    suggested: Option<u16>,
    zones: Vec<ZoneTable>,
    /// Which form was just saved.
    saved: String,
    /// Which form was refused, and why.
    problem: Option<(&'static str, String)>,
}

impl SettingsPage {
    fn problem_of(&self, form: &str) -> Option<&str> {
        self.problem
            .as_ref()
            .filter(|(f, _)| *f == form)
            .map(|(_, why)| why.as_str())
    }
}

/// Seconds as `m:ss`, for paces.
fn minutes_seconds(seconds: u16) -> String {
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

/// `m:ss` (or whole seconds) as seconds.
fn parse_minutes_seconds(text: &str) -> Option<u16> {
    match text.split_once(':') {
        Some((m, s)) => {
            let (m, s): (u16, u16) = (m.trim().parse().ok()?, s.trim().parse().ok()?);
            (s < 60)
                .then(|| m.checked_mul(60)?.checked_add(s))
                .flatten()
        }
        None => text.trim().parse().ok(),
    }
}

fn page(
    viewer: &Viewer,
    today: Date,
    saved: String,
    problem: Option<(&'static str, String)>,
) -> SettingsPage {
    let s = &viewer.settings;
    let t = &s.training;
    let number = |v: Option<u16>| v.map(|v| v.to_string()).unwrap_or_default();
    let inputs = vec![
        Input {
            name: "max_heart_rate",
            label: "Maximum heart rate (bpm)",
            value: number(t.max_heart_rate),
            hint: "The highest you reach all out; the heart rate zones follow from it.",
        },
        Input {
            name: "resting_heart_rate",
            label: "Resting heart rate (bpm)",
            value: number(t.resting_heart_rate),
            hint: "Measured lying down on waking.",
        },
        Input {
            name: "threshold_heart_rate",
            label: "Threshold heart rate (bpm)",
            value: number(t.threshold_heart_rate),
            hint: "What you hold for about an hour at your limit.",
        },
        Input {
            name: "ftp_watts",
            label: "FTP (W)",
            value: number(t.ftp_watts),
            hint: "Functional threshold power; the cycling power zones follow from it.",
        },
        Input {
            name: "threshold_pace",
            label: "Threshold run pace (min:s per km)",
            value: t
                .threshold_pace_s_per_km
                .map(minutes_seconds)
                .unwrap_or_default(),
            hint: "Such as 4:10; the running pace zones follow from it.",
        },
        Input {
            name: "swim_css",
            label: "Swim CSS (min:s per 100 m)",
            value: t
                .swim_css_s_per_100m
                .map(minutes_seconds)
                .unwrap_or_default(),
            hint: "Critical swim speed, such as 1:45.",
        },
        Input {
            name: "weight_kg",
            label: "Weight (kg)",
            value: t.weight_kg.map(|w| format!("{w:.1}")).unwrap_or_default(),
            hint: "",
        },
    ];
    let season = s
        .current_season(today)
        .unwrap_or_else(|| Season::default_containing(today));
    let zones = [(ZoneSport::Run, "Running"), (ZoneSport::Bike, "Cycling")]
        .into_iter()
        .map(|(sport, name)| {
            let zones = s.zones_of(sport).zones;
            let range = |low: Option<i32>, high: Option<i32>, unit: &str| match (low, high) {
                (Some(l), Some(h)) => format!("{l}–{h} {unit}"),
                (Some(l), None) => format!("from {l} {unit}"),
                (None, Some(h)) => format!("to {h} {unit}"),
                (None, None) => "–".to_owned(),
            };
            let pace =
                |mps: Option<f64>| mps.filter(|m| *m > 0.0).map(|m| format::clock(1000.0 / m));
            ZoneTable {
                sport: name,
                has_power: zones.iter().any(|z| z.power_min.is_some()),
                has_pace: zones.iter().any(|z| z.speed_min_mps.is_some()),
                rows: zones
                    .iter()
                    .map(|z| ZoneRow {
                        name: format!("Z{} {}", z.number, z.name),
                        heart_rate: range(z.heart_rate_min, z.heart_rate_max, "bpm"),
                        power: range(z.power_min, z.power_max, "W"),
                        pace: match (pace(z.speed_min_mps), pace(z.speed_max_mps)) {
                            (Some(slow), Some(fast)) => format!("{slow}–{fast} /km"),
                            (Some(slow), None) => format!("faster than {slow} /km"),
                            _ => "–".to_owned(),
                        },
                    })
                    .collect(),
            }
        })
        .filter(|table| !table.rows.is_empty())
        .collect();
    SettingsPage {
        layout: viewer.layout("Settings", "settings"),
        name: viewer.user.name.clone(),
        email: viewer.user.email.to_string(),
        miles: s.distance_unit == DistanceUnit::Miles,
        yards: s.pool_unit == PoolUnit::Yards,
        season_start: season.start.to_string(),
        season_end: season.end.to_string(),
        inputs,
        suggested: t.suggested_max_heart_rate,
        zones,
        saved,
        problem,
    }
}

/// `GET /settings?saved=…`.
pub(crate) async fn get_settings(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let viewer = Viewer::of(&state, &headers, "/settings").await?;
    let saved = form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "saved")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let today = state.clock.now().date();
    Ok(viewer.render(&page(&viewer, today, saved, None)))
}

/// A training figure's change from its field: blank clears it.
fn figure<T: std::str::FromStr>(
    pairs: &Pairs,
    name: &str,
    label: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Figure<T>, String> {
    match field(pairs, name).map(str::trim) {
        None => Ok(None),
        Some("") => Ok(Some(None)),
        Some(text) => parse(text)
            .map(|v| Some(Some(v)))
            .ok_or_else(|| format!("{label}: “{text}” is not a number this field takes")),
    }
}

/// The edit the training form asks for.
fn training_edit(pairs: &Pairs) -> Result<SettingsEdit, String> {
    let whole = |t: &str| t.parse::<u16>().ok();
    Ok(SettingsEdit {
        max_heart_rate: figure(pairs, "max_heart_rate", "Maximum heart rate", whole)?,
        resting_heart_rate: figure(pairs, "resting_heart_rate", "Resting heart rate", whole)?,
        threshold_heart_rate: figure(pairs, "threshold_heart_rate", "Threshold heart rate", whole)?,
        ftp_watts: figure(pairs, "ftp_watts", "FTP", whole)?,
        threshold_pace_s_per_km: figure(
            pairs,
            "threshold_pace",
            "Threshold pace",
            parse_minutes_seconds,
        )?,
        swim_css_s_per_100m: figure(pairs, "swim_css", "Swim CSS", parse_minutes_seconds)?,
        weight_kg: figure(pairs, "weight_kg", "Weight", |t| {
            t.replace(',', ".")
                .parse::<f64>()
                .ok()
                .filter(|w| w.is_finite())
        })?,
        ..SettingsEdit::default()
    })
}

/// `POST /settings`: the form named by `form`.
pub(crate) async fn post_settings(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let pairs = posted(&state, &headers, &body)?;
    let mut viewer = Viewer::of(&state, &headers, "/settings").await?;
    let form = field(&pairs, "form").unwrap_or_default();
    let store = state.store.as_ref();
    let clock = state.clock.as_ref();
    let outcome: Result<&'static str, (&'static str, String)> = match form {
        "profile" => accounts::rename(store, clock, viewer.id(), field(&pairs, "name").unwrap_or_default())
            .await
            .map(|_| "profile")
            .map_err(|e| match e {
                AccountError::Store(cause) => ("!", cause.to_string()),
                _ => ("profile", "Your name may not be empty, longer than 200 characters or hold control characters.".to_owned()),
            }),
        "units" => {
            let edit = SettingsEdit {
                distance_unit: Some(if field(&pairs, "distance") == Some("miles") {
                    DistanceUnit::Miles
                } else {
                    DistanceUnit::Kilometers
                }),
                pool_unit: Some(if field(&pairs, "pool") == Some("yards") {
                    PoolUnit::Yards
                } else {
                    PoolUnit::Meters
                }),
                ..SettingsEdit::default()
            };
            change(&state, &viewer, &edit, "units").await
        }
        "season" => {
            let day = |name| {
                field(&pairs, name).and_then(|t| Date::parse(t.trim(), &Iso8601::DATE).ok())
            };
            match (day("start"), day("end")) {
                (Some(start), Some(end)) => {
                    let edit = SettingsEdit {
                        season: Some(Season { start, end }),
                        ..SettingsEdit::default()
                    };
                    change(&state, &viewer, &edit, "season").await
                }
                _ => Err(("season", "Give the season's first and last day, such as 2026-11-01.".to_owned())),
            }
        }
        "training" => match training_edit(&pairs) {
            Ok(mut edit) => {
                edit.accept_suggested_max_heart_rate = field(&pairs, "accept") == Some("max_heart_rate");
                if edit.accept_suggested_max_heart_rate {
                    // Accepting sets the maximum; the other fields were not sent.
                    edit = SettingsEdit {
                        accept_suggested_max_heart_rate: true,
                        ..SettingsEdit::default()
                    };
                }
                change(&state, &viewer, &edit, "training").await
            }
            Err(why) => Err(("training", why)),
        },
        "password" => {
            let new = field(&pairs, "new").unwrap_or_default();
            if field(&pairs, "repeat").unwrap_or_default() != new {
                Err(("password", "The new password and its repetition differ.".to_owned()))
            } else {
                let current = Password::new(field(&pairs, "current").unwrap_or_default());
                match sessions::change_password(
                    store,
                    clock,
                    &mut crate::oauth::request_rng(),
                    &state.oauth,
                    &viewer.user,
                    current,
                    new,
                )
                .await
                {
                    Ok((cookie, session)) => {
                        let mut response = see_other("/settings?saved=password#password");
                        let max_age = (session.expires_at - state.clock.now()).whole_seconds();
                        if let Some(value) = cookies::set(SESSION_COOKIE, cookie.expose(), max_age, state.secure_cookies()) {
                            response.headers_mut().append(header::SET_COOKIE, value);
                        }
                        return Ok(response);
                    }
                    Err(PasswordChangeError::WrongPassword) => {
                        Err(("password", "The current password is wrong; nothing changed.".to_owned()))
                    }
                    Err(PasswordChangeError::Weak(why)) => Err(("password", format!("The new password is not accepted: {why}."))),
                    Err(PasswordChangeError::Store(cause)) => return Err(cause.into()),
                }
            }
        }
        "everywhere" => {
            sessions::sign_out_everywhere(store, viewer.id()).await?;
            let mut response = see_other("/login");
            if let Some(value) = cookies::clear(SESSION_COOKIE, state.secure_cookies()) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
            return Ok(response);
        }
        _ => return Err(PageError::NotFound("There is no such settings form.")),
    };
    match outcome {
        Ok(saved) => Ok(see_other(&format!("/settings?saved={saved}#{saved}"))),
        Err(("!", why)) => Err(PageError::internal(why)),
        Err(problem) => {
            // Show the page as it stands, with the reason beside the form.
            if let Some(fresh) = state.store.athlete_settings(viewer.id()).await? {
                viewer.settings = fresh;
            }
            let today = state.clock.now().date();
            let page = page(&viewer, today, String::new(), Some(problem));
            Ok(viewer.render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}

/// Applies `edit` to the viewer's settings; the form's name, or why it was refused.
async fn change(
    state: &AppState,
    viewer: &Viewer,
    edit: &SettingsEdit,
    form: &'static str,
) -> Result<&'static str, (&'static str, String)> {
    match settings::change(
        state.store.as_ref(),
        state.clock.as_ref(),
        viewer.id(),
        edit,
    )
    .await
    {
        Ok(_) => Ok(form),
        Err(ChangeError::Refused(why)) => Err((form, format!("Not saved: {why}."))),
        Err(other) => Err(("!", other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paces_read_as_minutes_and_seconds() {
        assert_eq!(parse_minutes_seconds("4:10"), Some(250));
        assert_eq!(parse_minutes_seconds(" 1:45 "), Some(105));
        assert_eq!(parse_minutes_seconds("250"), Some(250));
        assert_eq!(parse_minutes_seconds("4:60"), None);
        assert_eq!(parse_minutes_seconds("four"), None);
        assert_eq!(minutes_seconds(250), "4:10");
    }
}
