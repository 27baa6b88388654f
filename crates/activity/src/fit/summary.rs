//! The activity summary: from the sessions when the device wrote them, from the records
//! when it did not, and the sum of the legs for a multisport activity.

use super::collect::TimerEvents;
use super::profile::{ActivityType, Sport, SubSport};
use super::{
    ActivityInfo, ActivitySummary, Figures, FitTime, LegSummary, RecordStreams, SummarySource,
};

/// The FIT `multisport` sport.
const MULTISPORT: Sport = Sport(18);
/// Normalized power averages power over a rolling 30-second window.
const NP_WINDOW_S: u32 = 30;
/// Altitude changes smaller than this are noise, not ascent or descent.
const ELEVATION_HYSTERESIS_M: f64 = 2.0;

pub(crate) struct Inputs<'a> {
    pub(crate) legs: &'a [LegSummary],
    pub(crate) lap_count: usize,
    pub(crate) records: &'a RecordStats,
    pub(crate) activity: Option<&'a ActivityInfo>,
    pub(crate) sport: Option<(Option<Sport>, Option<SubSport>)>,
    pub(crate) first_lap_sport: Option<(Option<Sport>, Option<SubSport>)>,
    pub(crate) timer: &'a TimerEvents,
}

pub(crate) fn summarize(inputs: &Inputs<'_>) -> ActivitySummary {
    let utc_offset_s = inputs.activity.and_then(|activity| {
        let local = i64::from(activity.local_timestamp?.0);
        let utc = i64::from(activity.timestamp?.0);
        i32::try_from(local - utc).ok()
    });
    match inputs.legs {
        [] => {
            let (sport, sub_sport) = inputs
                .sport
                .or(inputs.first_lap_sport)
                .unwrap_or((None, None));
            let derived = inputs.records.derived();
            let mut figures = derived.figures;
            figures.timer_s = inputs
                .activity
                .and_then(|activity| activity.total_timer_s)
                .or_else(|| inputs.timer.seen.then_some(inputs.timer.total_s as f64))
                .or(figures.elapsed_s);
            if let (Some(distance), Some(timer)) = (figures.distance_m, figures.timer_s)
                && timer > 0.0
            {
                figures.avg_speed_mps = Some(distance / timer);
            }
            ActivitySummary {
                activity_type: ActivityType::from_sport(sport, sub_sport),
                sport,
                sub_sport,
                start_time: derived.start_time,
                utc_offset_s,
                figures,
                lap_count: inputs.lap_count,
                source: SummarySource::Records,
            }
        }
        [leg] => {
            let derived = inputs.records.derived().figures;
            ActivitySummary {
                activity_type: leg.activity_type,
                sport: leg.sport,
                sub_sport: leg.sub_sport,
                start_time: leg.start_time,
                utc_offset_s,
                figures: fill_missing(leg.figures, &derived),
                lap_count: inputs.lap_count,
                source: SummarySource::Sessions,
            }
        }
        legs => ActivitySummary {
            activity_type: ActivityType::Multisport,
            sport: Some(MULTISPORT),
            sub_sport: None,
            start_time: legs.iter().filter_map(|leg| leg.start_time).min(),
            utc_offset_s,
            figures: sum_legs(legs),
            lap_count: inputs.lap_count,
            source: SummarySource::Sessions,
        },
    }
}

/// The figures of a single session, with those it lacks taken from the records.
fn fill_missing(session: Figures, records: &Figures) -> Figures {
    Figures {
        elapsed_s: session.elapsed_s.or(records.elapsed_s),
        timer_s: session.timer_s.or(session.elapsed_s).or(records.timer_s),
        distance_m: session.distance_m.or(records.distance_m),
        ascent_m: session.ascent_m.or(records.ascent_m),
        descent_m: session.descent_m.or(records.descent_m),
        avg_heart_rate: session.avg_heart_rate.or(records.avg_heart_rate),
        max_heart_rate: session.max_heart_rate.or(records.max_heart_rate),
        avg_power_w: session.avg_power_w.or(records.avg_power_w),
        max_power_w: session.max_power_w.or(records.max_power_w),
        normalized_power_w: session.normalized_power_w.or(records.normalized_power_w),
        avg_cadence: session.avg_cadence.or(records.avg_cadence),
        max_cadence: session.max_cadence.or(records.max_cadence),
        avg_speed_mps: session.avg_speed_mps.or(records.avg_speed_mps),
        max_speed_mps: session.max_speed_mps.or(records.max_speed_mps),
        calories_kcal: session.calories_kcal,
    }
}

/// A multisport activity's totals are the sums of its legs; its averages are weighted by
/// each leg's timer time; cadence (whose unit changes with the sport) and normalized power
/// (which does not add up) are left out.
fn sum_legs(legs: &[LegSummary]) -> Figures {
    fn sum<T: Copy + std::iter::Sum<T>>(
        values: impl Iterator<Item = Option<T>> + Clone,
    ) -> Option<T> {
        values
            .clone()
            .any(|v| v.is_some())
            .then(|| values.flatten().sum())
    }
    let figures = || legs.iter().map(|leg| leg.figures);
    let weight = |f: &Figures| f.timer_s.or(f.elapsed_s).unwrap_or(0.0);
    let weighted = |value: fn(&Figures) -> Option<f64>| {
        let (total, weights) = figures()
            .filter_map(|f| value(&f).map(|v| (v * weight(&f), weight(&f))))
            .fold((0.0, 0.0), |(t, w), (v, x)| (t + v, w + x));
        (weights > 0.0).then(|| total / weights)
    };
    let timer_s = sum(figures().map(|f| f.timer_s));
    let distance_m = sum(figures().map(|f| f.distance_m));
    Figures {
        elapsed_s: sum(figures().map(|f| f.elapsed_s)),
        timer_s,
        distance_m,
        ascent_m: sum(figures().map(|f| f.ascent_m)),
        descent_m: sum(figures().map(|f| f.descent_m)),
        avg_heart_rate: weighted(|f| f.avg_heart_rate.map(f64::from)).map(|v| v.round() as u8),
        max_heart_rate: figures().filter_map(|f| f.max_heart_rate).max(),
        avg_power_w: weighted(|f| f.avg_power_w.map(f64::from)).map(|v| v.round() as u16),
        max_power_w: figures().filter_map(|f| f.max_power_w).max(),
        normalized_power_w: None,
        avg_cadence: None,
        max_cadence: None,
        avg_speed_mps: match (distance_m, timer_s) {
            (Some(distance), Some(timer)) if timer > 0.0 => Some(distance / timer),
            _ => None,
        },
        max_speed_mps: figures()
            .filter_map(|f| f.max_speed_mps)
            .fold(None, |max: Option<f64>, v| {
                Some(max.map_or(v, |m| m.max(v)))
            }),
        calories_kcal: sum(figures().map(|f| f.calories_kcal)),
    }
}

pub(crate) struct Derived {
    start_time: Option<FitTime>,
    figures: Figures,
}

impl RecordStats {
    /// The figures of every record of `streams`.
    pub(crate) fn of(streams: &RecordStreams) -> Self {
        let mut stats = Self::default();
        for record in streams.iter() {
            stats.add(&record);
        }
        stats
    }
}

/// The figures derived from the records, gathered one record at a time, so that a decode
/// that keeps no record stream ends with the same figures as one that keeps them all.
///
/// Heart rate and power average every sample (zeros included for power, as Garmin does by
/// default); cadence averages the non-zero samples; ascent and descent add altitude changes
/// past a 2 m hysteresis; normalized power is the fourth-power mean of 30-second rolling
/// averages.
#[derive(Debug, Default)]
pub(crate) struct RecordStats {
    first_time: Option<FitTime>,
    last_time: Option<FitTime>,
    /// The altitude changes are measured from, and the ascent and descent so far.
    elevation: Option<(f64, f64, f64)>,
    heart_rate: Average,
    power: Average,
    cadence: Average,
    distance_m: Option<f64>,
    max_speed_mps: Option<f64>,
    normalized_power: NormalizedPower,
}

impl RecordStats {
    #[inline(always)]
    pub(crate) fn add(&mut self, record: &super::Record) {
        if let Some(time) = record.time {
            self.first_time.get_or_insert(time);
            self.last_time = Some(time);
        }
        if let Some(altitude) = record.altitude_m {
            match &mut self.elevation {
                None => self.elevation = Some((altitude, 0.0, 0.0)),
                Some((reference, ascent, descent)) => {
                    let change = altitude - *reference;
                    if change >= ELEVATION_HYSTERESIS_M {
                        *ascent += change;
                        *reference = altitude;
                    } else if change <= -ELEVATION_HYSTERESIS_M {
                        *descent -= change;
                        *reference = altitude;
                    }
                }
            }
        }
        if let Some(bpm) = record.heart_rate {
            self.heart_rate.add(u64::from(bpm), false);
        }
        if let Some(watts) = record.power_w {
            self.power.add(u64::from(watts), false);
        }
        if let Some(rpm) = record.cadence {
            self.cadence.add(u64::from(rpm), true);
        }
        if let Some(distance) = record.distance_m {
            self.distance_m = Some(self.distance_m.map_or(distance, |d| f64::max(d, distance)));
        }
        if let Some(speed) = record.speed_mps {
            self.max_speed_mps = Some(self.max_speed_mps.map_or(speed, |s| f64::max(s, speed)));
        }
        if let (Some(time), Some(watts)) = (record.time, record.power_w) {
            self.normalized_power.add(time.0, watts);
        }
    }

    /// The time of the last record that had one.
    pub(crate) fn last_time(&self) -> Option<FitTime> {
        self.last_time
    }

    pub(crate) fn derived(&self) -> Derived {
        let elapsed_s = match (self.first_time, self.last_time) {
            (Some(first), Some(last)) => Some(f64::from(last.0.saturating_sub(first.0))),
            _ => None,
        };
        let (ascent_m, descent_m) = match self.elevation {
            Some((_, ascent, descent)) => {
                (Some(ascent.round() as u32), Some(descent.round() as u32))
            }
            None => (None, None),
        };
        let (avg_heart_rate, max_heart_rate) = self.heart_rate.average_and_max();
        let (avg_power_w, max_power_w) = self.power.average_and_max();
        let (avg_cadence, max_cadence) = self.cadence.average_and_max();
        Derived {
            start_time: self.first_time,
            figures: Figures {
                elapsed_s,
                timer_s: elapsed_s,
                distance_m: self.distance_m,
                ascent_m,
                descent_m,
                avg_heart_rate: avg_heart_rate.and_then(|v| u8::try_from(v).ok()),
                max_heart_rate: max_heart_rate.and_then(|v| u8::try_from(v).ok()),
                avg_power_w: avg_power_w.and_then(|v| u16::try_from(v).ok()),
                max_power_w: max_power_w.and_then(|v| u16::try_from(v).ok()),
                normalized_power_w: self.normalized_power.value(),
                avg_cadence: avg_cadence.and_then(|v| u8::try_from(v).ok()),
                max_cadence: max_cadence.and_then(|v| u8::try_from(v).ok()),
                avg_speed_mps: None,
                max_speed_mps: self.max_speed_mps,
                calories_kcal: None,
            },
        }
    }
}

/// A running average and maximum.
#[derive(Debug, Default)]
struct Average {
    sum: u64,
    count: u64,
    max: Option<u64>,
}

impl Average {
    /// Counts `value` in the maximum, and in the average unless it is a zero skipped.
    #[inline]
    fn add(&mut self, value: u64, skip_zeros: bool) {
        self.max = Some(self.max.map_or(value, |m| m.max(value)));
        if skip_zeros && value == 0 {
            return;
        }
        self.sum += value;
        self.count += 1;
    }

    fn average_and_max(&self) -> (Option<u64>, Option<u64>) {
        let average =
            (self.count > 0).then(|| (self.sum as f64 / self.count as f64).round() as u64);
        (average, self.max)
    }
}

/// Normalized power over samples that carry both a time and a power: the rolling mean over
/// the last 30 seconds, once 30 seconds have passed, raised to the fourth power, averaged,
/// and the fourth root taken. It holds the last 30 seconds of samples; their sum is kept as
/// an integer, which is what a sum of whole watts in a double would hold too, exactly.
#[derive(Debug, Default)]
struct NormalizedPower {
    first_time: Option<u32>,
    window: std::collections::VecDeque<(u32, u16)>,
    window_sum: u64,
    fourth_powers: f64,
    count: u64,
}

impl NormalizedPower {
    #[inline]
    fn add(&mut self, t: u32, watts: u16) {
        let first_time = *self.first_time.get_or_insert(t);
        self.window.push_back((t, watts));
        self.window_sum += u64::from(watts);
        while let Some(&(start_time, start_watts)) = self.window.front() {
            if t.saturating_sub(start_time) < NP_WINDOW_S {
                break;
            }
            self.window_sum -= u64::from(start_watts);
            self.window.pop_front();
        }
        if t.saturating_sub(first_time) + 1 >= NP_WINDOW_S {
            let in_window = self.window.len() as f64;
            self.fourth_powers += (self.window_sum as f64 / in_window).powi(4);
            self.count += 1;
        }
    }

    fn value(&self) -> Option<u16> {
        (self.count > 0).then(|| (self.fourth_powers / self.count as f64).powf(0.25).round() as u16)
    }
}
