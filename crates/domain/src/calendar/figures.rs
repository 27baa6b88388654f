//! A session's completed figures from the files attached to it: overall and per sport,
//! whether a brick came as one file per sport or as one multisport file with its legs.

use super::{SessionLog, Splits};
use crate::activities::{Activity, ActivityType, Figures, Leg};
use crate::ids::ActivityId;
use std::collections::HashMap;

/// The sport an activity counts under in a session's splits.
fn sport_of(kind: ActivityType) -> Option<Sport> {
    match kind {
        ActivityType::Swim => Some(Sport::Swim),
        ActivityType::Ride | ActivityType::VirtualRide => Some(Sport::Bike),
        ActivityType::Run => Some(Sport::Run),
        _ => None,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Sport {
    Swim,
    Bike,
    Run,
}

/// Sums of one sport's activities.
#[derive(Default)]
struct Tally {
    count: usize,
    seconds: f64,
    metres: f64,
    climb: f64,
    /// Duration-weighted sums, and the durations they cover.
    hr: (f64, f64),
    power: (f64, f64),
    cadence: (f64, f64),
}

impl Tally {
    fn add(&mut self, f: &Figures) {
        let seconds = f
            .duration_sec
            .filter(|s| s.is_finite() && *s > 0.0)
            .unwrap_or(0.0);
        self.count += 1;
        self.seconds += seconds;
        self.metres += f.distance_m.filter(|m| m.is_finite()).unwrap_or(0.0);
        self.climb += f.elevation_gain_m.filter(|m| m.is_finite()).unwrap_or(0.0);
        if let Some(hr) = f.avg_hr {
            self.hr.0 += f64::from(hr) * seconds;
            self.hr.1 += seconds;
        }
        if let Some(watts) = f.avg_power {
            self.power.0 += f64::from(watts) * seconds;
            self.power.1 += seconds;
        }
        if let Some(rpm) = f.avg_cadence {
            self.cadence.0 += f64::from(rpm) * seconds;
            self.cadence.1 += seconds;
        }
    }

    fn minutes(&self) -> Option<i32> {
        (self.count > 0).then(|| (self.seconds / 60.0).round() as i32)
    }

    fn km(&self) -> Option<f64> {
        (self.count > 0).then(|| (self.metres / 10.0).round() / 100.0)
    }

    fn climb(&self) -> Option<i32> {
        (self.count > 0 && self.climb > 0.0).then(|| self.climb.round() as i32)
    }

    fn weighted((sum, seconds): (f64, f64)) -> Option<i32> {
        (seconds > 0.0).then(|| (sum / seconds).round() as i32)
    }
}

/// The activities of the files attached to a session, with the legs of the multisport
/// ones.
#[derive(Debug, Clone, Default)]
pub struct AttachedWork {
    /// The activities, by start.
    pub activities: Vec<Activity>,
    /// The legs of those that have several sports.
    pub legs: HashMap<ActivityId, Vec<Leg>>,
}

/// Sets a session's completed figures from the activities of its attached files: minutes
/// and kilometres overall and per sport (swim, bike, run: what a brick splits into, whether
/// it came as one file per sport or as one multisport file with its legs), the rides'
/// average speed, power, cadence and heart rate (weighted by duration) and climb, the runs'
/// heart rate and climb. `missed_session` stays as logged. Without activities, the figures
/// files give are cleared.
pub fn log_from_activities(log: &mut SessionLog, work: &AttachedWork) {
    let mut total = Tally::default();
    let mut by_sport = [Tally::default(), Tally::default(), Tally::default()];
    let mut add = |kind: ActivityType, figures: &Figures| {
        total.add(figures);
        let index = match sport_of(kind) {
            Some(Sport::Swim) => Some(0),
            Some(Sport::Bike) => Some(1),
            Some(Sport::Run) => Some(2),
            None => None,
        };
        if let Some(tally) = index.and_then(|i| by_sport.get_mut(i)) {
            tally.add(figures);
        }
    };
    for activity in &work.activities {
        match work.legs.get(&activity.id).filter(|legs| !legs.is_empty()) {
            Some(legs) => legs
                .iter()
                .for_each(|leg| add(leg.activity_type, &leg.figures)),
            None => add(activity.activity_type, &activity.figures),
        }
    }
    let [swim, bike, run] = &by_sport;
    log.completed_minutes = Splits {
        total: total.minutes(),
        swim: swim.minutes(),
        bike: bike.minutes(),
        run: run.minutes(),
    };
    log.completed_km = Splits {
        total: total.km(),
        swim: swim.km(),
        bike: bike.km(),
        run: run.km(),
    };
    log.bike_average_speed_kph = (bike.seconds > 0.0 && bike.metres > 0.0)
        .then(|| (bike.metres / bike.seconds * 36.0).round() / 10.0);
    log.bike_average_power_watts = Tally::weighted(bike.power);
    log.bike_average_cadence_rpm = Tally::weighted(bike.cadence);
    log.bike_average_heart_rate_bpm = Tally::weighted(bike.hr);
    log.bike_meters_climbed = bike.climb();
    log.run_average_heart_rate_bpm = Tally::weighted(run.hr);
    log.run_meters_climbed = run.climb();
}
