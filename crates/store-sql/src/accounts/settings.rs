//! A user's athlete settings as stored: units on the user's row, seasons, a sport's own
//! maximum heart rate, zone bounds set by hand, and the training figures.

use super::rows::{TrainingRow, ZoneRow, parse_stored};
use crate::db::{Arg, Conn, Connection, Tx};
use crate::error::constraint;
use paceline_domain::StoreError;
use paceline_domain::entities::{AthleteSettings, Season, SportZones, Zone, ZoneSport};
use paceline_domain::ids::UserId;
use time::{Date, OffsetDateTime};

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

/// Writes a user's seasons, zones and training figures in the transaction `tx` (after
/// [`write`] removed the old ones, when replacing).
pub(super) async fn insert(
    tx: &mut Tx<'_>,
    user: i64,
    settings: &AthleteSettings,
) -> Result<(), StoreError> {
    const SEASON: &str = "INSERT INTO seasons (user_id, start_date, end_date) VALUES ($1, $2, $3)";
    const SPORT: &str =
        "INSERT INTO sport_zones (user_id, sport, max_heart_rate) VALUES ($1, $2, $3)";
    const ZONE: &str = "INSERT INTO training_zones (user_id, sport, number, name, \
         heart_rate_min, heart_rate_max, power_min, power_max, speed_min_mps, speed_max_mps) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
    const TRAINING: &str = "INSERT INTO training_settings (user_id, max_heart_rate, \
         resting_heart_rate, threshold_heart_rate, ftp_watts, threshold_pace_s_per_km, \
         swim_css_s_per_100m, weight_kg, suggested_max_heart_rate) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
    for season in &settings.seasons {
        tx.execute(
            SEASON,
            &[user.into(), season.start.into(), season.end.into()],
        )
        .await
        .map_err(constraint("season", "user"))?;
    }
    for sport in &settings.zones {
        tx.execute(
            SPORT,
            &[
                user.into(),
                sport.sport.as_str().into(),
                sport.max_heart_rate.into(),
            ],
        )
        .await
        .map_err(constraint("zones", "user"))?;
        for zone in &sport.zones {
            tx.execute(
                ZONE,
                &[
                    user.into(),
                    sport.sport.as_str().into(),
                    i32::from(zone.number).into(),
                    zone.name.as_str().into(),
                    zone.heart_rate_min.into(),
                    zone.heart_rate_max.into(),
                    zone.power_min.into(),
                    zone.power_max.into(),
                    zone.speed_min_mps.into(),
                    zone.speed_max_mps.into(),
                ],
            )
            .await
            .map_err(constraint("zone", "user"))?;
        }
    }
    let t = &settings.training;
    let figure = |v: Option<u16>| Arg::from(v.map(i32::from));
    tx.execute(
        TRAINING,
        &[
            user.into(),
            figure(t.max_heart_rate),
            figure(t.resting_heart_rate),
            figure(t.threshold_heart_rate),
            figure(t.ftp_watts),
            figure(t.threshold_pace_s_per_km),
            figure(t.swim_css_s_per_100m),
            t.weight_kg.into(),
            figure(t.suggested_max_heart_rate),
        ],
    )
    .await
    .map_err(constraint("training settings", "user"))?;
    Ok(())
}

/// Reads a user's settings in one snapshot: `None` when there is no such user.
pub(super) async fn read<C: Connection>(
    conn: &mut Conn<C>,
    user: UserId,
) -> Result<Option<Stored>, StoreError> {
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
    let id = [Arg::from(user.get())];
    let Some(units) = conn
        .optional(UNITS, &id, |c| Ok((c.get()?, c.get()?)))
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(Stored {
        units,
        seasons: conn.all(SEASONS, &id, |c| Ok((c.get()?, c.get()?))).await?,
        sports: conn.all(SPORTS, &id, |c| Ok((c.get()?, c.get()?))).await?,
        zones: conn.all(ZONES, &id, ZoneRow::read).await?,
        training: conn.optional(TRAINING, &id, TrainingRow::read).await?,
    }))
}

/// Replaces a user's settings in the transaction `tx`.
pub(super) async fn write(
    tx: &mut Tx<'_>,
    user: UserId,
    settings: &AthleteSettings,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    const UNITS: &str =
        "UPDATE users SET distance_unit = $2, pool_unit = $3, updated_at = $4 WHERE id = $1";
    let changed = tx
        .execute(
            UNITS,
            &[
                user.get().into(),
                settings.distance_unit.as_str().into(),
                settings.pool_unit.as_str().into(),
                now.into(),
            ],
        )
        .await?;
    if changed == 0 {
        return Err(StoreError::NotFound("user"));
    }
    for table in [
        "DELETE FROM seasons WHERE user_id = $1",
        "DELETE FROM training_zones WHERE user_id = $1",
        "DELETE FROM sport_zones WHERE user_id = $1",
        "DELETE FROM training_settings WHERE user_id = $1",
    ] {
        tx.execute(table, &[user.get().into()]).await?;
    }
    insert(tx, user.get(), settings).await
}
