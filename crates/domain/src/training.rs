//! An athlete's training settings (heart rates, FTP, threshold pace, swim CSS, weight) and
//! the training zones that follow from them.
//!
//! ## The zone model
//! Every sport has the five zones of the Xhale document, named Easy, Steady, Moderate, Hard
//! and All out; a zone's upper bound is one below the next zone's lower bound.
//! - **Heart rate**, from the maximum heart rate: zones start at 65, 75, 82, 89 and 94 % of
//!   it and the last ends at it (the document's own example: a maximum of 180 gives 117–134,
//!   135–147, 148–159, 160–168 and 169–180). A sport's own maximum, when one is kept for it,
//!   comes before the athlete's.
//! - **Power** (cycling), from FTP: zones start at 56, 70, 77 and 88 % of FTP, zone 4 ends
//!   at FTP (threshold is the top of "Hard", as the workout files read it) and zone 5 runs
//!   from one watt above to 150 %.
//! - **Pace** (running), from the threshold pace: as speeds, zones span 75–84, 84–90, 90–95,
//!   95–100 and 100–130 % of the threshold speed (`meters_per_second_slowest` to `_fastest`).
//!
//! A figure that is not known leaves its bounds empty. Any bound of any zone can be set by
//! hand (a kept [`Zone`] of the same number); a bound set by hand wins over the model.

use crate::entities::{SportZones, Zone, ZoneSport};

/// The names of the five zones, easiest first.
pub const ZONE_NAMES: [&str; 5] = ["Easy", "Steady", "Moderate", "Hard", "All out"];

/// Where each heart-rate zone starts, in % of the maximum heart rate.
const HEART_RATE_STARTS: [f64; 5] = [65.0, 75.0, 82.0, 89.0, 94.0];

/// Where each power zone below threshold starts, in % of FTP; the last zone starts one watt
/// above FTP and ends at [`POWER_TOP`].
const POWER_STARTS: [f64; 4] = [56.0, 70.0, 77.0, 88.0];
const POWER_TOP: f64 = 150.0;

/// The bounds of each pace zone, in % of the threshold speed.
const PACE_BOUNDS: [(f64, f64); 5] = [
    (75.0, 84.0),
    (84.0, 90.0),
    (90.0, 95.0),
    (95.0, 100.0),
    (100.0, 130.0),
];

/// The bounds each setting may take, as a user could plausibly have them.
pub mod limits {
    /// Heart rates, beats per minute.
    pub const HEART_RATE: (u16, u16) = (25, 250);
    /// FTP, watts.
    pub const FTP: (u16, u16) = (30, 2_000);
    /// Threshold run pace, seconds per kilometre (2:00 to 15:00).
    pub const PACE: (u16, u16) = (120, 900);
    /// Swim critical speed, seconds per 100 m (0:45 to 5:00).
    pub const CSS: (u16, u16) = (45, 300);
    /// Weight, kilograms.
    pub const WEIGHT: (f64, f64) = (20.0, 300.0);
}

/// What an athlete keeps about their physiology; every figure is optional.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrainingSettings {
    /// Maximum heart rate, beats per minute.
    pub max_heart_rate: Option<u16>,
    /// Resting heart rate, beats per minute.
    pub resting_heart_rate: Option<u16>,
    /// Threshold (lactate threshold) heart rate, beats per minute.
    pub threshold_heart_rate: Option<u16>,
    /// Functional threshold power, watts.
    pub ftp_watts: Option<u16>,
    /// Threshold run pace, seconds per kilometre.
    pub threshold_pace_s_per_km: Option<u16>,
    /// Swim critical swim speed, as seconds per 100 m.
    pub swim_css_s_per_100m: Option<u16>,
    /// Weight, kilograms.
    pub weight_kg: Option<f64>,
    /// A maximum heart rate an upload reached above the one kept, offered to the athlete to
    /// accept; never applied by itself.
    pub suggested_max_heart_rate: Option<u16>,
}

/// Why a setting was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    /// A figure outside its plausible bounds.
    #[error("{name} must be from {low} to {high}")]
    OutOfRange {
        /// The setting.
        name: &'static str,
        /// The lowest it may be.
        low: String,
        /// The highest it may be.
        high: String,
    },
    /// Heart rates that contradict each other.
    #[error(
        "the resting heart rate must be below the threshold, and the threshold at most the maximum"
    )]
    HeartRatesOutOfOrder,
    /// A suggestion accepted when there is none.
    #[error("there is no suggested maximum heart rate to accept")]
    NoSuggestion,
    /// A season that ends before it starts.
    #[error("a season must not end before it starts")]
    SeasonBackwards,
}

fn within(
    name: &'static str,
    value: Option<u16>,
    (low, high): (u16, u16),
) -> Result<(), SettingsError> {
    match value {
        Some(v) if v < low || v > high => Err(SettingsError::OutOfRange {
            name,
            low: low.to_string(),
            high: high.to_string(),
        }),
        _ => Ok(()),
    }
}

impl TrainingSettings {
    /// Checks every figure against its bounds, and the heart rates against each other.
    pub fn check(&self) -> Result<(), SettingsError> {
        within("max_heart_rate", self.max_heart_rate, limits::HEART_RATE)?;
        within(
            "resting_heart_rate",
            self.resting_heart_rate,
            limits::HEART_RATE,
        )?;
        within(
            "threshold_heart_rate",
            self.threshold_heart_rate,
            limits::HEART_RATE,
        )?;
        within("ftp", self.ftp_watts, limits::FTP)?;
        within("threshold_pace", self.threshold_pace_s_per_km, limits::PACE)?;
        within("swim_css", self.swim_css_s_per_100m, limits::CSS)?;
        if let Some(kg) = self.weight_kg {
            let (low, high) = limits::WEIGHT;
            if !(low..=high).contains(&kg) {
                return Err(SettingsError::OutOfRange {
                    name: "weight",
                    low: low.to_string(),
                    high: high.to_string(),
                });
            }
        }
        let ordered = |low: Option<u16>, high: Option<u16>, strict: bool| match (low, high) {
            (Some(l), Some(h)) => l < h || (!strict && l == h),
            _ => true,
        };
        if !ordered(self.resting_heart_rate, self.threshold_heart_rate, true)
            || !ordered(self.resting_heart_rate, self.max_heart_rate, true)
            || !ordered(self.threshold_heart_rate, self.max_heart_rate, false)
        {
            return Err(SettingsError::HeartRatesOutOfOrder);
        }
        Ok(())
    }

    /// Notes that an activity reached `max_seen` beats per minute: above the maximum kept,
    /// it becomes the suggestion (the highest seen, until the athlete decides).
    pub fn saw_heart_rate(&mut self, max_seen: u16) {
        let above_kept = self.max_heart_rate.is_none_or(|kept| max_seen > kept);
        let plausible = max_seen <= limits::HEART_RATE.1;
        let above_suggested = self.suggested_max_heart_rate.is_none_or(|s| max_seen > s);
        if above_kept && plausible && above_suggested {
            self.suggested_max_heart_rate = Some(max_seen);
        }
    }

    /// Takes the suggested maximum heart rate as the maximum.
    pub fn accept_suggestion(&mut self) -> bool {
        match self.suggested_max_heart_rate.take() {
            Some(suggested) => {
                self.max_heart_rate = Some(suggested);
                true
            }
            None => false,
        }
    }
}

fn percent_of(base: u16, percent: f64) -> i32 {
    // Half a beat or watt rounds up, as the Xhale example does (82 % of 175 is 143.5: 144).
    (f64::from(base) * percent / 100.0 + 1e-9).round() as i32
}

/// Zones that start at `starts`, each ending one below the next, the last at `top`.
fn chained(starts: [i32; 5], top: i32) -> [(i32, i32); 5] {
    let mut ends = [top; 5];
    for (end, next) in ends.iter_mut().zip(starts.iter().skip(1)) {
        *end = next - 1;
    }
    let mut zones = [(0, 0); 5];
    for ((zone, start), end) in zones.iter_mut().zip(starts).zip(ends) {
        *zone = (start, end);
    }
    zones
}

/// Heart-rate zones from a maximum: each zone's start and end, easiest first.
fn heart_rate_zones(max: u16) -> [(i32, i32); 5] {
    chained(
        HEART_RATE_STARTS.map(|p| percent_of(max, p)),
        i32::from(max),
    )
}

/// Power zones from FTP.
fn power_zones(ftp: u16) -> [(i32, i32); 5] {
    let [a, b, c, d] = POWER_STARTS.map(|p| percent_of(ftp, p));
    chained([a, b, c, d, i32::from(ftp) + 1], percent_of(ftp, POWER_TOP))
}

/// Each zone's value, or none at all.
fn spread<T: Copy>(zones: Option<[T; 5]>) -> [Option<T>; 5] {
    match zones {
        Some(zones) => zones.map(Some),
        None => [None; 5],
    }
}

/// Pace zones from a threshold pace, as speeds: slowest and fastest, metres per second.
fn pace_zones(threshold_s_per_km: u16) -> [(f64, f64); 5] {
    let speed = 1000.0 / f64::from(threshold_s_per_km);
    PACE_BOUNDS.map(|(slow, fast)| (speed * slow / 100.0, speed * fast / 100.0))
}

/// The zones of `sport` from `settings`, with `sport_max_heart_rate` (a maximum kept for
/// this sport alone) before the athlete's, and the bounds of the zones set by hand for this
/// sport (`by_hand`, matched by number) winning over the model.
pub fn zones_for(
    sport: ZoneSport,
    settings: &TrainingSettings,
    sport_max_heart_rate: Option<i32>,
    by_hand: &[Zone],
) -> SportZones {
    let max_heart_rate = sport_max_heart_rate
        .and_then(|m| u16::try_from(m).ok())
        .or(settings.max_heart_rate);
    let heart = max_heart_rate.map(heart_rate_zones);
    let power = match sport {
        ZoneSport::Bike => settings.ftp_watts.map(power_zones),
        ZoneSport::Run => None,
    };
    let pace = match sport {
        ZoneSport::Run => settings.threshold_pace_s_per_km.map(pace_zones),
        ZoneSport::Bike => None,
    };
    let heart = spread(heart);
    let power = spread(power);
    let pace = spread(pace);
    let zones = (1u8..)
        .zip(ZONE_NAMES)
        .zip(heart.into_iter().zip(power).zip(pace))
        .map(|((number, name), ((heart, power), pace))| {
            let mut zone = Zone {
                number,
                name: name.to_owned(),
                heart_rate_min: heart.map(|z| z.0),
                heart_rate_max: heart.map(|z| z.1),
                power_min: power.map(|z| z.0),
                power_max: power.map(|z| z.1),
                speed_min_mps: pace.map(|z| z.0),
                speed_max_mps: pace.map(|z| z.1),
            };
            for o in by_hand.iter().filter(|o| o.number == number) {
                zone.heart_rate_min = o.heart_rate_min.or(zone.heart_rate_min);
                zone.heart_rate_max = o.heart_rate_max.or(zone.heart_rate_max);
                zone.power_min = o.power_min.or(zone.power_min);
                zone.power_max = o.power_max.or(zone.power_max);
                zone.speed_min_mps = o.speed_min_mps.or(zone.speed_min_mps);
                zone.speed_max_mps = o.speed_max_mps.or(zone.speed_max_mps);
            }
            zone
        })
        .collect();
    SportZones {
        sport,
        max_heart_rate: max_heart_rate.map(i32::from),
        zones,
    }
}

/// What a zone bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZoneMeasure {
    /// Heart rate, beats per minute.
    HeartRate,
    /// Power, watts.
    Power,
}

impl ZoneMeasure {
    /// The lower bound of `zone` by this measure.
    fn lower(self, zone: &Zone) -> Option<f64> {
        match self {
            Self::HeartRate => zone.heart_rate_min.map(f64::from),
            Self::Power => zone.power_min.map(f64::from),
        }
    }
}

/// The time spent in each zone.
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneTimes {
    /// Seconds in each zone, in the zones' order.
    pub seconds: Vec<f64>,
    /// Seconds below the first zone.
    pub below: f64,
}

/// The longest gap between two records that still counts as time spent: a longer one is a
/// pause (the device stopped recording).
pub const MAX_RECORD_GAP_SECONDS: i64 = 30;

/// Seconds spent in each of `zones` by `measure`, from records `(time in seconds, value)`
/// in time order: each record's value holds until the next record, unless the gap is longer
/// than [`MAX_RECORD_GAP_SECONDS`]. A value belongs to the highest zone whose lower bound it
/// reaches (so a value above the last zone counts in the last). `None` when the zones do not
/// bound `measure`.
pub fn time_in_zones(
    zones: &[Zone],
    measure: ZoneMeasure,
    records: impl IntoIterator<Item = (i64, Option<f64>)>,
) -> Option<ZoneTimes> {
    let lowers: Vec<Option<f64>> = zones.iter().map(|z| measure.lower(z)).collect();
    if lowers.iter().all(Option::is_none) {
        return None;
    }
    let mut times = ZoneTimes {
        seconds: vec![0.0; zones.len()],
        below: 0.0,
    };
    let mut previous: Option<(i64, Option<f64>)> = None;
    for (at, value) in records {
        if let Some((then, Some(held))) = previous {
            let gap = at - then;
            if (1..=MAX_RECORD_GAP_SECONDS).contains(&gap) {
                let zone = lowers
                    .iter()
                    .rposition(|lower| lower.is_some_and(|lower| held >= lower));
                let slot = match zone {
                    Some(i) => times.seconds.get_mut(i),
                    None => Some(&mut times.below),
                };
                if let Some(slot) = slot {
                    *slot += gap as f64;
                }
            }
        }
        previous = Some((at, value));
    }
    Some(times)
}

#[cfg(test)]
mod tests;
