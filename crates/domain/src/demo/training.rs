//! The demo athletes' training: weeks of rides and runs as a made-up device would record
//! them, a record a second over a made-up loop (position, altitude, speed, distance, heart
//! rate, power, cadence), with laps, encoded as FIT by Paceline's own encoder. Nothing here
//! comes from anyone's files; the numbers follow a simple model of a trained amateur.

use paceline_activity::fit::{
    self, ActivityForEncoding, FitTime, LapForEncoding, LegForEncoding, Position, Record,
    RecordStreams,
};
use rand::Rng;
use std::f64::consts::TAU;
use time::{Date, Duration, OffsetDateTime, Time, Weekday};

/// The kinds of workout the demo records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Outdoors, over the loop.
    Ride,
    /// On a trainer: no position or altitude.
    IndoorRide,
    /// Outdoors, over a shorter loop.
    Run,
}

/// One workout to record.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Workout {
    /// Its kind.
    pub kind: Kind,
    /// When it starts.
    pub start: OffsetDateTime,
    /// How long it lasts, seconds.
    pub seconds: u32,
    /// How hard, as a share of threshold (0.55 easy to 0.9 hard).
    pub effort: f64,
    /// Whether it holds intervals above threshold.
    pub intervals: bool,
}

/// The athlete the model rides and runs as.
struct Physiology {
    ftp_w: f64,
    resting_hr: f64,
    max_hr: f64,
    threshold_mps: f64,
}

/// The model athlete's maximum heart rate.
pub const MAX_HEART_RATE: u16 = 188;
/// The model athlete's functional threshold power.
pub const FTP_WATTS: u16 = 255;

const ATHLETE: Physiology = Physiology {
    ftp_w: FTP_WATTS as f64,
    resting_hr: 50.0,
    max_hr: MAX_HEART_RATE as f64,
    threshold_mps: 4.0,
};

/// Where the loops are: the hills south of a lake.
const HOME: (f64, f64) = (47.262, 8.627);

/// A week of training for an athlete who does both sports (`runner` only runs), with
/// workouts starting `[1, weeks]` weeks before `today` up to yesterday, in time order.
pub fn schedule(today: Date, weeks: i64, runner: bool, rng: &mut impl Rng) -> Vec<Workout> {
    let first = today - Duration::weeks(weeks);
    let mut plan = Vec::new();
    let mut day = first;
    while day < today {
        let slot = match (runner, day.weekday()) {
            (_, Weekday::Monday) => None,
            (false, Weekday::Tuesday) => Some((Kind::Run, 18, 45, 0.8, true)),
            (false, Weekday::Wednesday) => Some((Kind::Ride, 7, 75, 0.65, false)),
            (false, Weekday::Thursday) => Some((Kind::IndoorRide, 19, 60, 0.75, true)),
            (false, Weekday::Friday) => Some((Kind::Run, 7, 35, 0.6, false)),
            (false, Weekday::Saturday) => Some((Kind::Ride, 9, 150, 0.68, false)),
            (false, Weekday::Sunday) => Some((Kind::Run, 9, 70, 0.65, false)),
            (true, Weekday::Tuesday) => Some((Kind::Run, 18, 50, 0.85, true)),
            (true, Weekday::Wednesday) => Some((Kind::Run, 7, 40, 0.6, false)),
            (true, Weekday::Thursday) => Some((Kind::Run, 18, 45, 0.8, true)),
            (true, Weekday::Friday) => None,
            (true, Weekday::Saturday) => Some((Kind::Run, 8, 35, 0.6, false)),
            (true, Weekday::Sunday) => Some((Kind::Run, 9, 80, 0.65, false)),
        };
        // Now and then life gets in the way.
        if let Some((kind, hour, minutes, effort, intervals)) = slot
            && rng.random_bool(0.88)
        {
            let minute = rng.random_range(0..50);
            let start = day
                .with_time(Time::from_hms(hour, minute, 0).unwrap_or(Time::MIDNIGHT))
                .assume_utc();
            let minutes = f64::from(minutes) * rng.random_range(0.85..1.15);
            plan.push(Workout {
                kind,
                start,
                seconds: (minutes * 60.0) as u32,
                effort: effort + rng.random_range(-0.04..0.04),
                intervals,
            });
        }
        day = day.next_day().unwrap_or(today);
    }
    plan
}

/// The loop a ride or run goes round: an ellipse with bumps, `length` metres round.
struct Course {
    length: f64,
    radius_lat_m: f64,
    radius_lon_m: f64,
    bumps: f64,
    phase: f64,
}

impl Course {
    fn new(kind: Kind, rng: &mut impl Rng) -> Self {
        let length = match kind {
            Kind::Run => rng.random_range(4_500.0..7_500.0),
            _ => rng.random_range(18_000.0..32_000.0),
        };
        // An ellipse of this perimeter, roughly: 2π √((a² + b²) / 2).
        let ratio: f64 = rng.random_range(0.45..0.9);
        let a = length / (TAU * ((1.0 + ratio * ratio) / 2.0).sqrt());
        Self {
            length,
            radius_lat_m: a * ratio,
            radius_lon_m: a,
            bumps: rng.random_range(3.0..6.0),
            phase: rng.random_range(0.0..TAU),
        }
    }

    /// The angle round the loop at `metres` from the start.
    fn angle(&self, metres: f64) -> f64 {
        TAU * (metres % self.length) / self.length
    }

    /// The position at `metres`: the loop starts and ends at its southern point.
    fn position(&self, metres: f64) -> Position {
        let angle = self.angle(metres);
        let wobble = 1.0 + 0.08 * (self.bumps * angle + self.phase).sin();
        let north = -self.radius_lat_m * angle.cos() * wobble + self.radius_lat_m;
        let east = self.radius_lon_m * angle.sin() * wobble;
        let lat = HOME.0 + north / 111_320.0;
        let lon = HOME.1 + east / (111_320.0 * HOME.0.to_radians().cos());
        let semicircles = |deg: f64| (deg * 2_147_483_648.0 / 180.0).round() as i32;
        Position {
            lat_semicircles: semicircles(lat),
            lon_semicircles: semicircles(lon),
        }
    }

    /// The altitude at `metres`, in metres.
    fn altitude(&self, metres: f64) -> f64 {
        let angle = self.angle(metres);
        let scale = self.length / 25_000.0;
        420.0 + scale * (55.0 * angle.sin() + 20.0 * (3.0 * angle + self.phase).sin())
    }
}

/// The effort asked at second `t` of `workout`: intervals after a ten-minute warm-up,
/// five minutes hard in every twelve, and a ten-minute cool-down.
fn effort_at(workout: &Workout, t: u32) -> f64 {
    let end = workout.seconds.saturating_sub(600);
    if t < 600 || t >= end {
        return (workout.effort * 0.8).min(0.6);
    }
    if workout.intervals && (t - 600) % 720 < 300 {
        1.08
    } else {
        workout.effort
    }
}

/// A noise of about `size` around zero.
fn noise(rng: &mut impl Rng, size: f64) -> f64 {
    rng.random_range(-size..size)
}

/// The records of `workout`, one a second.
pub fn records(workout: &Workout, rng: &mut impl Rng) -> RecordStreams {
    let course = Course::new(workout.kind, rng);
    let start = workout.start.unix_timestamp();
    let mut streams = RecordStreams::default();
    let (mut distance, mut speed, mut heart_rate) = (0.0f64, 0.0f64, ATHLETE.resting_hr + 25.0);
    for t in 0..workout.seconds {
        let effort = effort_at(workout, t);
        let grade = (course.altitude(distance + 10.0) - course.altitude(distance)) / 10.0;
        let (power, cadence, target_speed) = match workout.kind {
            Kind::Ride | Kind::IndoorRide => {
                let grade = if workout.kind == Kind::IndoorRide {
                    0.0
                } else {
                    grade
                };
                let coasting = grade < -0.025 && (t / 20) % 3 == 0;
                let power = if coasting {
                    0.0
                } else {
                    (ATHLETE.ftp_w * effort * (1.0 + 3.0 * grade) * (1.0 + noise(rng, 0.08)))
                        .max(0.0)
                };
                let cadence = if coasting {
                    0.0
                } else {
                    86.0 + 10.0 * (effort - 0.7) + noise(rng, 4.0)
                };
                let flat = 9.2 * (effort / 0.7).cbrt();
                (Some(power), cadence, (flat - 90.0 * grade).clamp(3.5, 17.0))
            }
            Kind::Run => {
                let pace = ATHLETE.threshold_mps * (0.62 + 0.3 * effort);
                let cadence = 82.0 + 6.0 * effort + noise(rng, 2.0);
                (None, cadence, (pace - 8.0 * grade).clamp(1.8, 5.5))
            }
        };
        speed += (target_speed - speed) / 6.0 + noise(rng, 0.05);
        speed = speed.max(0.0);
        distance += speed;
        let demand = match power {
            Some(watts) => watts / ATHLETE.ftp_w,
            None => speed / ATHLETE.threshold_mps,
        };
        let target_hr = ATHLETE.resting_hr
            + (ATHLETE.max_hr - ATHLETE.resting_hr) * (0.3 + 0.6 * demand.min(1.2));
        heart_rate += (target_hr - heart_rate) / 35.0 + noise(rng, 0.4);
        let outdoors = workout.kind != Kind::IndoorRide;
        streams.push(Record {
            time: FitTime::from_unix_seconds(start + i64::from(t)),
            position: outdoors.then(|| course.position(distance)),
            altitude_m: outdoors.then(|| course.altitude(distance)),
            heart_rate: Some(heart_rate.clamp(40.0, 220.0).round() as u8),
            power_w: power.map(|w| w.round().clamp(0.0, 2000.0) as u16),
            cadence: Some(cadence.clamp(0.0, 200.0).round() as u8),
            speed_mps: Some(speed),
            distance_m: Some(distance),
            temperature_c: None,
        });
    }
    streams
}

/// The figures of the records in `range`.
fn figures(streams: &RecordStreams, range: std::ops::Range<usize>) -> fit::Figures {
    let records: Vec<Record> = range.filter_map(|i| streams.get(i)).collect();
    let seconds = |r: &Record| r.time.map(|t| t.unix_seconds());
    let elapsed = match (
        records.first().and_then(seconds),
        records.last().and_then(seconds),
    ) {
        (Some(a), Some(b)) => Some((b - a + 1) as f64),
        _ => None,
    };
    let distance = match (
        records.first().and_then(|r| r.distance_m),
        records.last().and_then(|r| r.distance_m),
    ) {
        (Some(a), Some(b)) => Some(b - a),
        _ => None,
    };
    let mean = |values: Vec<f64>| {
        (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
    };
    let heart: Vec<f64> = records
        .iter()
        .filter_map(|r| r.heart_rate.map(f64::from))
        .collect();
    let power: Vec<f64> = records
        .iter()
        .filter_map(|r| r.power_w.map(f64::from))
        .collect();
    let cadence: Vec<f64> = records
        .iter()
        .filter_map(|r| r.cadence.map(f64::from))
        .collect();
    let ascent: f64 = records
        .windows(2)
        .filter_map(|pair| match pair {
            [a, b] => Some((b.altitude_m? - a.altitude_m?).max(0.0)),
            _ => None,
        })
        .sum();
    let avg_power = mean(power.clone());
    let kcal = match (avg_power, elapsed, distance) {
        (Some(watts), Some(s), _) => Some(watts * s / 1000.0 * 1.05),
        (None, _, Some(m)) => Some(m / 1000.0 * 70.0),
        _ => None,
    };
    fit::Figures {
        elapsed_s: elapsed,
        timer_s: elapsed,
        distance_m: distance,
        ascent_m: (ascent > 0.0).then(|| ascent.round() as u32),
        descent_m: None,
        avg_heart_rate: mean(heart.clone()).map(|v| v.round() as u8),
        max_heart_rate: heart.iter().copied().reduce(f64::max).map(|v| v as u8),
        avg_power_w: avg_power.map(|v| v.round() as u16),
        max_power_w: power.iter().copied().reduce(f64::max).map(|v| v as u16),
        normalized_power_w: None,
        avg_cadence: mean(cadence).map(|v| v.round() as u8),
        max_cadence: None,
        avg_speed_mps: match (distance, elapsed) {
            (Some(d), Some(s)) if s > 0.0 => Some(d / s),
            _ => None,
        },
        max_speed_mps: records.iter().filter_map(|r| r.speed_mps).reduce(f64::max),
        calories_kcal: kcal.map(|k| k.round() as u32),
    }
}

/// Where the laps start: at the warm-up's end, at each interval's start and end, and before
/// the cool-down; without intervals every twenty minutes of riding or every kilometre run.
fn lap_starts(workout: &Workout, streams: &RecordStreams) -> Vec<usize> {
    let n = streams.len();
    let mut starts = vec![0];
    if workout.intervals {
        let end = workout.seconds.saturating_sub(600) as usize;
        starts.push(600);
        let mut t = 600;
        while t + 300 < end {
            starts.extend([t, t + 300]);
            t += 720;
        }
        starts.push(end);
    } else if workout.kind == Kind::Run {
        let mut next_km = 1000.0;
        for (i, metres) in streams.distance_m.iter().enumerate() {
            if metres.is_some_and(|m| m >= next_km) {
                starts.push(i);
                next_km += 1000.0;
            }
        }
    } else {
        starts.extend((1..).map(|k| k * 1200).take_while(|t| *t < n));
    }
    starts.sort_unstable();
    starts.dedup();
    starts.retain(|s| *s < n);
    starts
}

/// `workout` recorded as a FIT activity file.
pub fn recording(workout: &Workout, rng: &mut impl Rng) -> Vec<u8> {
    let streams = records(workout, rng);
    let starts = lap_starts(workout, &streams);
    let ends = starts.iter().skip(1).copied().chain([streams.len()]);
    let time_at = |i: usize| streams.time.get(i).copied().flatten().unwrap_or(FitTime(0));
    let laps = starts
        .iter()
        .zip(ends)
        .map(|(&from, to)| LapForEncoding {
            start_time: time_at(from),
            figures: figures(&streams, from..to),
        })
        .collect();
    let kind = match workout.kind {
        Kind::Ride => fit::ActivityType::Ride,
        Kind::IndoorRide => fit::ActivityType::VirtualRide,
        Kind::Run => fit::ActivityType::Run,
    };
    let (sport, sub_sport) = kind.fit_sport();
    let activity = ActivityForEncoding {
        legs: vec![LegForEncoding {
            sport,
            sub_sport,
            start_time: time_at(0),
            figures: figures(&streams, 0..streams.len()),
            laps,
            pool_length_m: None,
            active_lengths: None,
        }],
        streams,
        utc_offset_s: Some(3600),
    };
    fit::encode_activity(&activity)
}

#[cfg(test)]
mod tests;
