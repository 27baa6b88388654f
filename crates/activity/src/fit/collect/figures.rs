//! Session and lap messages: a leg or a lap with its figures, read from the fields where
//! each kind of message keeps them.

use super::{Collector, time};
use crate::fit::error::FitError;
use crate::fit::profile::{Sport, SubSport};
use crate::fit::reader::Message;
use crate::fit::{ActivityType, Figures, LapSummary, LegSummary, MAX_LAPS, MAX_SESSIONS};

impl Collector {
    pub(super) fn session(&mut self, message: &Message<'_>) -> Result<(), FitError> {
        if self.legs.len() >= MAX_SESSIONS {
            return Err(FitError::TooLarge {
                offset: message.offset,
                what: "sessions",
                limit: MAX_SESSIONS,
            });
        }
        let mut leg = LegSummary {
            activity_type: ActivityType::Other,
            sport: None,
            sub_sport: None,
            start_time: None,
            end_time: message.timestamp,
            figures: read_figures(message, &SESSION_FIGURES),
            lap_count: None,
            first_lap_index: None,
            pool_length_m: None,
            active_lengths: None,
        };
        for field in message.fields() {
            match field.num() {
                2 => leg.start_time = time(field.int()),
                5 => leg.sport = field.int().and_then(|v| u8::try_from(v).ok()).map(Sport),
                6 => leg.sub_sport = field.int().and_then(|v| u8::try_from(v).ok()).map(SubSport),
                25 => leg.first_lap_index = field.int().and_then(|v| u16::try_from(v).ok()),
                26 => leg.lap_count = field.int().and_then(|v| u16::try_from(v).ok()),
                44 => leg.pool_length_m = field.int().map(|raw| raw as f64 / 100.0),
                47 => leg.active_lengths = field.int().and_then(|v| u16::try_from(v).ok()),
                _ => {}
            }
        }
        leg.activity_type = ActivityType::from_sport(leg.sport, leg.sub_sport);
        self.legs.push(leg);
        Ok(())
    }

    pub(super) fn lap(&mut self, message: &Message<'_>) -> Result<(), FitError> {
        if self.laps.len() >= MAX_LAPS {
            return Err(FitError::TooLarge {
                offset: message.offset,
                what: "laps",
                limit: MAX_LAPS,
            });
        }
        let mut lap = LapSummary {
            sport: None,
            sub_sport: None,
            start_time: None,
            end_time: message.timestamp,
            figures: read_figures(message, &LAP_FIGURES),
        };
        for field in message.fields() {
            match field.num() {
                2 => lap.start_time = time(field.int()),
                25 => lap.sport = field.int().and_then(|v| u8::try_from(v).ok()).map(Sport),
                39 => lap.sub_sport = field.int().and_then(|v| u8::try_from(v).ok()).map(SubSport),
                _ => {}
            }
        }
        self.laps.push(lap);
        Ok(())
    }
}

/// Where a message keeps its figures.
struct FigureFields {
    elapsed: u8,
    timer: u8,
    distance: u8,
    calories: u8,
    avg_speed: u8,
    max_speed: u8,
    avg_heart_rate: u8,
    max_heart_rate: u8,
    avg_cadence: u8,
    max_cadence: u8,
    avg_power: u8,
    max_power: u8,
    ascent: u8,
    descent: u8,
    normalized_power: u8,
    enhanced_avg_speed: u8,
    enhanced_max_speed: u8,
}

const SESSION_FIGURES: FigureFields = FigureFields {
    elapsed: 7,
    timer: 8,
    distance: 9,
    calories: 11,
    avg_speed: 14,
    max_speed: 15,
    avg_heart_rate: 16,
    max_heart_rate: 17,
    avg_cadence: 18,
    max_cadence: 19,
    avg_power: 20,
    max_power: 21,
    ascent: 22,
    descent: 23,
    normalized_power: 34,
    enhanced_avg_speed: 124,
    enhanced_max_speed: 125,
};

const LAP_FIGURES: FigureFields = FigureFields {
    elapsed: 7,
    timer: 8,
    distance: 9,
    calories: 11,
    avg_speed: 13,
    max_speed: 14,
    avg_heart_rate: 15,
    max_heart_rate: 16,
    avg_cadence: 17,
    max_cadence: 18,
    avg_power: 19,
    max_power: 20,
    ascent: 21,
    descent: 22,
    normalized_power: 33,
    enhanced_avg_speed: 110,
    enhanced_max_speed: 111,
};

fn read_figures(message: &Message<'_>, at: &FigureFields) -> Figures {
    let mut figures = Figures::default();
    let (mut avg16, mut max16, mut avg32, mut max32) = (None, None, None, None);
    for field in message.fields() {
        let num = field.num();
        let value = field.int();
        let small = |v: Option<i64>| v.and_then(|v| u8::try_from(v).ok());
        let medium = |v: Option<i64>| v.and_then(|v| u16::try_from(v).ok());
        if num == at.elapsed {
            figures.elapsed_s = value.map(|raw| raw as f64 / 1000.0);
        } else if num == at.timer {
            figures.timer_s = value.map(|raw| raw as f64 / 1000.0);
        } else if num == at.distance {
            figures.distance_m = value.map(|raw| raw as f64 / 100.0);
        } else if num == at.calories {
            figures.calories_kcal = value.and_then(|v| u32::try_from(v).ok());
        } else if num == at.avg_speed {
            avg16 = value;
        } else if num == at.max_speed {
            max16 = value;
        } else if num == at.enhanced_avg_speed {
            avg32 = value;
        } else if num == at.enhanced_max_speed {
            max32 = value;
        } else if num == at.avg_heart_rate {
            figures.avg_heart_rate = small(value);
        } else if num == at.max_heart_rate {
            figures.max_heart_rate = small(value);
        } else if num == at.avg_cadence {
            figures.avg_cadence = small(value);
        } else if num == at.max_cadence {
            figures.max_cadence = small(value);
        } else if num == at.avg_power {
            figures.avg_power_w = medium(value);
        } else if num == at.max_power {
            figures.max_power_w = medium(value);
        } else if num == at.normalized_power {
            figures.normalized_power_w = medium(value);
        } else if num == at.ascent {
            figures.ascent_m = value.and_then(|v| u32::try_from(v).ok());
        } else if num == at.descent {
            figures.descent_m = value.and_then(|v| u32::try_from(v).ok());
        }
    }
    // As with records, the 16-bit speeds expand into the enhanced ones and win.
    figures.avg_speed_mps = avg16.or(avg32).map(|raw| raw as f64 / 1000.0);
    figures.max_speed_mps = max16.or(max32).map(|raw| raw as f64 / 1000.0);
    figures
}
