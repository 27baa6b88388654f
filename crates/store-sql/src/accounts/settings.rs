//! A user's athlete settings as stored: units on the user's row, seasons, a sport's own
//! maximum heart rate, zone bounds set by hand, and the training figures.

use super::rows::{TrainingRow, ZoneRow, parse_stored};
use paceline_domain::StoreError;
use paceline_domain::entities::{AthleteSettings, Season, SportZones, Zone, ZoneSport};
use time::Date;

/// The rows of one user's settings.
pub(super) struct Stored {
    pub(super) units: (String, String),
    pub(super) seasons: Vec<(Date, Date)>,
    pub(super) sports: Vec<(String, Option<i32>)>,
    pub(super) zones: Vec<ZoneRow>,
    pub(super) training: Option<TrainingRow>,
}

/// The settings the rows hold.
pub(super) fn assemble(stored: Stored) -> Result<AthleteSettings, StoreError> {
    let mut by_sport = Vec::with_capacity(stored.sports.len());
    for (sport, max_heart_rate) in stored.sports {
        let sport: ZoneSport = parse_stored(&sport)?;
        let zones = stored
            .zones
            .iter()
            .filter(|z| z.sport == sport.as_str())
            .map(|z| {
                Ok(Zone {
                    number: u8::try_from(z.number)
                        .map_err(|_| StoreError::Other("corrupt zone number".into()))?,
                    name: z.name.clone(),
                    heart_rate_min: z.heart_rate_min,
                    heart_rate_max: z.heart_rate_max,
                    power_min: z.power_min,
                    power_max: z.power_max,
                    speed_min_mps: z.speed_min_mps,
                    speed_max_mps: z.speed_max_mps,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        by_sport.push(SportZones {
            sport,
            max_heart_rate,
            zones,
        });
    }
    Ok(AthleteSettings {
        distance_unit: parse_stored(&stored.units.0)?,
        pool_unit: parse_stored(&stored.units.1)?,
        seasons: stored
            .seasons
            .into_iter()
            .map(|(start, end)| Season { start, end })
            .collect(),
        zones: by_sport,
        training: stored
            .training
            .map(TryInto::try_into)
            .transpose()?
            .unwrap_or_default(),
    })
}

/// Writes a user's seasons and zones inside the transaction `$tx` (after removing the old
/// ones when replacing).
macro_rules! insert_settings {
    ($tx:expr, $user:expr, $settings:expr) => {{
        for season in &$settings.seasons {
            sqlx::query("INSERT INTO seasons (user_id, start_date, end_date) VALUES ($1, $2, $3)")
                .bind($user)
                .bind(season.start)
                .bind(season.end)
                .execute(&mut *$tx)
                .await
                .map_err(constraint("season", "user"))?;
        }
        for sport in &$settings.zones {
            sqlx::query(
                "INSERT INTO sport_zones (user_id, sport, max_heart_rate) VALUES ($1, $2, $3)",
            )
            .bind($user)
            .bind(sport.sport.as_str())
            .bind(sport.max_heart_rate)
            .execute(&mut *$tx)
            .await
            .map_err(constraint("zones", "user"))?;
            for zone in &sport.zones {
                sqlx::query(
                    "INSERT INTO training_zones (user_id, sport, number, name, heart_rate_min, \
                     heart_rate_max, power_min, power_max, speed_min_mps, speed_max_mps) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                )
                .bind($user)
                .bind(sport.sport.as_str())
                .bind(i32::from(zone.number))
                .bind(&zone.name)
                .bind(zone.heart_rate_min)
                .bind(zone.heart_rate_max)
                .bind(zone.power_min)
                .bind(zone.power_max)
                .bind(zone.speed_min_mps)
                .bind(zone.speed_max_mps)
                .execute(&mut *$tx)
                .await
                .map_err(constraint("zone", "user"))?;
            }
        }
        let training = &$settings.training;
        sqlx::query(
            "INSERT INTO training_settings (user_id, max_heart_rate, resting_heart_rate, \
             threshold_heart_rate, ftp_watts, threshold_pace_s_per_km, swim_css_s_per_100m, \
             weight_kg, suggested_max_heart_rate) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind($user)
        .bind(training.max_heart_rate.map(i32::from))
        .bind(training.resting_heart_rate.map(i32::from))
        .bind(training.threshold_heart_rate.map(i32::from))
        .bind(training.ftp_watts.map(i32::from))
        .bind(training.threshold_pace_s_per_km.map(i32::from))
        .bind(training.swim_css_s_per_100m.map(i32::from))
        .bind(training.weight_kg)
        .bind(training.suggested_max_heart_rate.map(i32::from))
        .execute(&mut *$tx)
        .await
        .map_err(constraint("training settings", "user"))?;
    }};
}

/// Reads a user's settings inside the transaction `$tx`: `None` when there is no such user.
macro_rules! read_settings {
    ($tx:expr, $user:expr) => {{
        const UNITS: &str = "SELECT distance_unit, pool_unit FROM users WHERE id = $1";
        const SEASONS: &str =
            "SELECT start_date, end_date FROM seasons WHERE user_id = $1 ORDER BY start_date";
        const SPORTS: &str =
            "SELECT sport, max_heart_rate FROM sport_zones WHERE user_id = $1 ORDER BY sport DESC";
        const ZONES: &str = "SELECT sport, number, name, heart_rate_min, heart_rate_max, \
             power_min, power_max, speed_min_mps, speed_max_mps FROM training_zones \
             WHERE user_id = $1 ORDER BY sport DESC, number";
        const TRAINING: &str = "SELECT max_heart_rate, resting_heart_rate, \
             threshold_heart_rate, ftp_watts, threshold_pace_s_per_km, swim_css_s_per_100m, \
             weight_kg, suggested_max_heart_rate FROM training_settings WHERE user_id = $1";
        let id = $user.get();
        match sqlx::query_as::<_, (String, String)>(UNITS)
            .bind(id)
            .fetch_optional(&mut *$tx)
            .await
            .map_err(other)?
        {
            None => None,
            Some(units) => Some(settings::Stored {
                units,
                seasons: sqlx::query_as::<_, (Date, Date)>(SEASONS)
                    .bind(id)
                    .fetch_all(&mut *$tx)
                    .await
                    .map_err(other)?,
                sports: sqlx::query_as::<_, (String, Option<i32>)>(SPORTS)
                    .bind(id)
                    .fetch_all(&mut *$tx)
                    .await
                    .map_err(other)?,
                zones: sqlx::query_as::<_, ZoneRow>(ZONES)
                    .bind(id)
                    .fetch_all(&mut *$tx)
                    .await
                    .map_err(other)?,
                training: sqlx::query_as::<_, TrainingRow>(TRAINING)
                    .bind(id)
                    .fetch_optional(&mut *$tx)
                    .await
                    .map_err(other)?,
            }),
        }
    }};
}

/// Replaces a user's settings inside the transaction `$tx`.
macro_rules! write_settings {
    ($tx:expr, $user:expr, $settings:expr, $now:expr) => {{
        const UNITS: &str =
            "UPDATE users SET distance_unit = $2, pool_unit = $3, updated_at = $4 WHERE id = $1";
        let changed = sqlx::query(UNITS)
            .bind($user.get())
            .bind($settings.distance_unit.as_str())
            .bind($settings.pool_unit.as_str())
            .bind(DbTime($now))
            .execute(&mut *$tx)
            .await
            .map_err(other)?
            .rows_affected();
        if changed == 0 {
            return Err(StoreError::NotFound("user"));
        }
        for table in [
            "DELETE FROM seasons WHERE user_id = $1",
            "DELETE FROM training_zones WHERE user_id = $1",
            "DELETE FROM sport_zones WHERE user_id = $1",
            "DELETE FROM training_settings WHERE user_id = $1",
        ] {
            sqlx::query(table)
                .bind($user.get())
                .execute(&mut *$tx)
                .await
                .map_err(other)?;
        }
        insert_settings!($tx, $user.get(), $settings);
    }};
}
