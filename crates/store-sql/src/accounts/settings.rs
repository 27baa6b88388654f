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
