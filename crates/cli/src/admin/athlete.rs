//! `paceline admin athlete settings|show`: an athlete's training settings, and the zones
//! they give (docs/training-zones.md).

use super::{Output, refused, stored};
use crate::Failure;
use crate::args::{AthleteCommand, SettingsArgs};
use paceline_domain::accounts;
use paceline_domain::entities::{AthleteSettings, Season, SportZones, ZoneSport};
use paceline_domain::settings::{self, ChangeError, SettingsEdit};
use paceline_domain::{Store, SystemClock};
use serde_json::{Value, json};
use time::Date;
use time::macros::format_description;

pub(super) async fn run(store: &dyn Store, command: AthleteCommand) -> Result<Output, Failure> {
    let (email, edit) = match command {
        AthleteCommand::Show { email } => (email, SettingsEdit::default()),
        AthleteCommand::Settings(args) => {
            let edit = edit_of(&args)?;
            (args.email, edit)
        }
    };
    let user = accounts::user_by_email(store, &email)
        .await
        .map_err(refused)?;
    let settings = if edit.is_empty() {
        store
            .athlete_settings(user.id)
            .await
            .map_err(stored)?
            .ok_or_else(|| usage("no such user".into()))?
    } else {
        settings::change(store, &SystemClock, user.id, &edit)
            .await
            .map_err(|e| match e {
                ChangeError::Refused(why) => usage(why.to_string()),
                ChangeError::NoSuchUser => usage("no such user".into()),
                ChangeError::Store(cause) => stored(cause),
            })?
    };
    Ok(Output {
        text: format!("{} ({})\n{}", user.name, user.email, text_of(&settings)),
        json: json_of(&settings),
    })
}

fn usage(message: String) -> Failure {
    Failure {
        exit: 1,
        code: "invalid-settings",
        message,
    }
}

fn day(text: &str) -> Result<Date, Failure> {
    Date::parse(text, format_description!("[year]-[month]-[day]"))
        .map_err(|_| usage(format!("{text:?} is not a day (YYYY-MM-DD)")))
}

/// The edit the options ask for.
fn edit_of(args: &SettingsArgs) -> Result<SettingsEdit, Failure> {
    let mut edit = SettingsEdit {
        max_heart_rate: args.max_hr.map(Some),
        resting_heart_rate: args.resting_hr.map(Some),
        threshold_heart_rate: args.threshold_hr.map(Some),
        ftp_watts: args.ftp.map(Some),
        threshold_pace_s_per_km: args.threshold_pace.map(Some),
        swim_css_s_per_100m: args.swim_css.map(Some),
        weight_kg: args.weight.map(Some),
        accept_suggested_max_heart_rate: args.accept_suggested_max_hr,
        ..SettingsEdit::default()
    };
    for name in &args.clear {
        match name.as_str() {
            "max-hr" => edit.max_heart_rate = Some(None),
            "resting-hr" => edit.resting_heart_rate = Some(None),
            "threshold-hr" => edit.threshold_heart_rate = Some(None),
            "ftp" => edit.ftp_watts = Some(None),
            "threshold-pace" => edit.threshold_pace_s_per_km = Some(None),
            "swim-css" => edit.swim_css_s_per_100m = Some(None),
            "weight" => edit.weight_kg = Some(None),
            other => {
                return Err(usage(format!(
                    "--clear takes max-hr, resting-hr, threshold-hr, ftp, threshold-pace, \
                     swim-css or weight, not {other:?}"
                )));
            }
        }
    }
    if let Some(unit) = &args.distance_unit {
        edit.distance_unit = Some(unit.parse().map_err(|e| usage(format!("{e}")))?);
    }
    if let Some(unit) = &args.pool_unit {
        edit.pool_unit = Some(unit.parse().map_err(|e| usage(format!("{e}")))?);
    }
    if let (Some(start), Some(end)) = (&args.season_start, &args.season_end) {
        edit.season = Some(Season {
            start: day(start)?,
            end: day(end)?,
        });
    }
    Ok(edit)
}

/// `M:SS`.
fn pace(seconds: u16) -> String {
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

fn or_unset<T: ToString>(value: Option<T>) -> String {
    value.map_or_else(|| "not set".to_owned(), |v| v.to_string())
}

/// `  units: kilometers, pool in meters; seasons: 2025-11-01 to 2026-10-31`.
pub(super) fn units_line(settings: &AthleteSettings) -> String {
    let seasons: Vec<String> = settings
        .seasons
        .iter()
        .map(|s| format!("{} to {}", s.start, s.end))
        .collect();
    format!(
        "  units: {}, pool in {}; seasons: {}",
        settings.distance_unit,
        settings.pool_unit,
        seasons.join(", ")
    )
}

fn text_of(settings: &AthleteSettings) -> String {
    let t = &settings.training;
    let mut lines = vec![
        format!(
            "  heart rate: max {}, resting {}, threshold {}",
            or_unset(t.max_heart_rate),
            or_unset(t.resting_heart_rate),
            or_unset(t.threshold_heart_rate)
        ),
        format!(
            "  FTP {} W; threshold pace {} per km; swim CSS {} per 100 m; weight {} kg",
            or_unset(t.ftp_watts),
            or_unset(t.threshold_pace_s_per_km.map(pace)),
            or_unset(t.swim_css_s_per_100m.map(pace)),
            or_unset(t.weight_kg)
        ),
        units_line(settings),
    ];
    if let Some(suggested) = t.suggested_max_heart_rate {
        lines.push(format!(
            "  suggested max heart rate: {suggested} (an upload reached it; accept with \
             --accept-suggested-max-hr)"
        ));
    }
    for sport in [ZoneSport::Run, ZoneSport::Bike] {
        let zones = settings.zones_of(sport);
        lines.push(format!("  {sport} zones:"));
        if zones.zones.is_empty() {
            lines.push("    none yet: set a maximum heart rate, FTP or threshold pace".into());
        }
        for z in &zones.zones {
            let range = |low: Option<i32>, high: Option<i32>, unit: &str| match (low, high) {
                (Some(l), Some(h)) => format!("{l}-{h} {unit}"),
                _ => "-".to_owned(),
            };
            let speed = match (z.speed_min_mps, z.speed_max_mps) {
                (Some(slow), Some(fast)) if slow > 0.0 && fast > 0.0 => format!(
                    "{}-{} /km",
                    pace((1000.0 / slow).round() as u16),
                    pace((1000.0 / fast).round() as u16)
                ),
                _ => "-".to_owned(),
            };
            lines.push(format!(
                "    {} {:<9} {:<12} {:<12} {}",
                z.number,
                z.name,
                range(z.heart_rate_min, z.heart_rate_max, "bpm"),
                range(z.power_min, z.power_max, "W"),
                speed
            ));
        }
    }
    lines.join("\n")
}

fn zones_json(zones: &SportZones) -> Value {
    json!({
        "max_heart_rate": zones.max_heart_rate,
        "zones": zones.zones.iter().map(|z| json!({
            "number": z.number,
            "name": z.name,
            "heart_rate_min": z.heart_rate_min,
            "heart_rate_max": z.heart_rate_max,
            "power_min": z.power_min,
            "power_max": z.power_max,
            "meters_per_second_slowest": z.speed_min_mps,
            "meters_per_second_fastest": z.speed_max_mps,
        })).collect::<Vec<_>>(),
    })
}

fn json_of(settings: &AthleteSettings) -> Value {
    let t = &settings.training;
    json!({
        "max_heart_rate": t.max_heart_rate,
        "resting_heart_rate": t.resting_heart_rate,
        "threshold_heart_rate": t.threshold_heart_rate,
        "ftp_watts": t.ftp_watts,
        "threshold_pace_s_per_km": t.threshold_pace_s_per_km,
        "swim_css_s_per_100m": t.swim_css_s_per_100m,
        "weight_kg": t.weight_kg,
        "suggested_max_heart_rate": t.suggested_max_heart_rate,
        "distance_unit_preference": settings.distance_unit.as_str(),
        "pool_unit_preference": settings.pool_unit.as_str(),
        "seasons": settings
            .seasons
            .iter()
            .map(|s| json!([s.start.to_string(), s.end.to_string()]))
            .collect::<Vec<_>>(),
        "zones": {
            "run": zones_json(&settings.zones_of(ZoneSport::Run)),
            "bike": zones_json(&settings.zones_of(ZoneSport::Bike)),
        },
    })
}
