//! Structured workouts: the format-independent model that planned workouts are written from
//! (FIT through [`crate::fit::encode_workout`], Zwift's ZWO through
//! [`crate::zwo::encode_workout`], ERG through [`crate::erg::encode_workout`]) and read back
//! into ([`crate::fit::decode_workout`]).
//!
//! A workout is a list of steps; a [`WorkoutStep::Repeat`] repeats its own steps a number of
//! times and may hold further repeats. Each [`Step`] ends after a time, a distance, or when
//! the athlete presses lap ([`StepDuration::Open`]), and may aim at a heart-rate, power,
//! speed or cadence target.

use std::fmt;

use thiserror::Error;

use crate::fit::{Sport, SubSport};

/// The deepest nesting of repeats a workout may have.
pub const MAX_REPEAT_DEPTH: usize = 8;
/// The most FIT steps a workout may flatten to (each step, and each repeat's closing step).
pub const MAX_STEPS: usize = 10_000;

/// A planned, structured workout.
#[derive(Debug, Clone, PartialEq)]
pub struct Workout {
    /// Its name, as a watch lists it (FIT keeps up to 254 bytes).
    pub name: String,
    /// The FIT sport it is for.
    pub sport: Sport,
    /// The FIT sub-sport, if any.
    pub sub_sport: Option<SubSport>,
    /// The steps, in order.
    pub steps: Vec<WorkoutStep>,
}

/// One entry of a workout: a step, or a block of steps repeated.
#[derive(Debug, Clone, PartialEq)]
pub enum WorkoutStep {
    /// A single step.
    Step(Step),
    /// `steps` done `times` times in a row (`times` counts every pass, so 3 means three
    /// intervals).
    Repeat {
        /// How many times the block is done, at least 1.
        times: u32,
        /// The block, at least one step.
        steps: Vec<WorkoutStep>,
    },
}

/// A single step.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// A short name ("4 x 1 km", "Warm up"); FIT keeps up to 254 bytes.
    pub name: Option<String>,
    /// Free text for the athlete; FIT keeps up to 254 bytes.
    pub notes: Option<String>,
    /// What kind of effort the step is.
    pub intensity: Option<Intensity>,
    /// When the step ends.
    pub duration: StepDuration,
    /// What the athlete aims at during the step.
    pub target: StepTarget,
}

/// The FIT `intensity` of a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Intensity {
    /// `active`.
    Active,
    /// `rest`.
    Rest,
    /// `warmup`.
    Warmup,
    /// `cooldown`.
    Cooldown,
    /// `recovery`.
    Recovery,
    /// `interval`.
    Interval,
    /// `other`.
    Other,
}

impl Intensity {
    /// The FIT `intensity` value.
    #[must_use]
    pub fn fit_value(self) -> u8 {
        match self {
            Self::Active => 0,
            Self::Rest => 1,
            Self::Warmup => 2,
            Self::Cooldown => 3,
            Self::Recovery => 4,
            Self::Interval => 5,
            Self::Other => 6,
        }
    }

    /// The intensity of a FIT `intensity` value, if the profile names it.
    #[must_use]
    pub fn from_fit(value: u8) -> Option<Self> {
        Some(match value {
            0 => Self::Active,
            1 => Self::Rest,
            2 => Self::Warmup,
            3 => Self::Cooldown,
            4 => Self::Recovery,
            5 => Self::Interval,
            6 => Self::Other,
            _ => return None,
        })
    }
}

/// When a step ends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StepDuration {
    /// After this many seconds (FIT keeps milliseconds).
    Time {
        /// Seconds, more than 0.
        seconds: f64,
    },
    /// After this many metres (FIT keeps centimetres).
    Distance {
        /// Metres, more than 0.
        metres: f64,
    },
    /// When the athlete presses the lap button.
    Open,
}

/// What the athlete aims at during a step. Ranges are inclusive, low to high.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StepTarget {
    /// No target.
    Open,
    /// A heart-rate zone of the athlete's device, 1 to 5.
    HeartRateZone(u8),
    /// A heart-rate range in beats per minute, from 1 bpm.
    HeartRate {
        /// Lowest, bpm.
        low_bpm: u8,
        /// Highest, bpm.
        high_bpm: u8,
    },
    /// A heart-rate range in percent of the athlete's maximum, 1 to 100.
    HeartRatePercentMax {
        /// Lowest, percent.
        low: u8,
        /// Highest, percent.
        high: u8,
    },
    /// A power zone of the athlete's device, 1 to 7.
    PowerZone(u8),
    /// A power range in watts, from 1 W.
    Power {
        /// Lowest, watts.
        low_w: u16,
        /// Highest, watts.
        high_w: u16,
    },
    /// A power range in percent of the athlete's FTP, 1 to 1000 (the form ERG and ZWO
    /// workouts use).
    PowerPercentFtp {
        /// Lowest, percent.
        low: u16,
        /// Highest, percent.
        high: u16,
    },
    /// A speed range (a pace range) in metres per second (FIT keeps mm/s).
    Speed {
        /// Slowest, m/s.
        low_mps: f64,
        /// Fastest, m/s.
        high_mps: f64,
    },
    /// A cadence range (rpm, or steps or strokes per minute).
    Cadence {
        /// Lowest.
        low: u16,
        /// Highest.
        high: u16,
    },
}

/// Where a step sits in a workout: its position (from 1) among the workout's entries, then
/// among each enclosing repeat's steps down to it. `2.1` is the first step of the second
/// entry, a repeat. Written that way in errors, so a user can find the step.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct StepPath(pub Vec<usize>);

impl fmt::Display for StepPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, position) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            write!(f, "{position}")?;
        }
        Ok(())
    }
}

/// What an athlete's power targets are measured against, for the formats that need a
/// target as watts (ERG) or as a fraction of FTP (ZWO) whichever way the workout gave it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PowerReference {
    /// Functional threshold power, watts, when known.
    pub ftp_watts: Option<u16>,
    /// The athlete's power zones as watt ranges, zone 1 first; a [`StepTarget::PowerZone`]
    /// is written as its zone's range.
    pub zones_watts: Vec<(u16, u16)>,
}

/// What a format needs from the athlete to write a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// Their functional threshold power.
    Ftp,
    /// The watts of this power zone.
    PowerZone(u8),
}

impl fmt::Display for Needs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Ftp => f.write_str("functional threshold power (FTP)"),
            Self::PowerZone(zone) => write!(f, "power zone {zone} in watts"),
        }
    }
}

/// The most blocks (ZWO elements, ERG segments) a workout may unroll to: repeats that a
/// format cannot express are written out in full, and a hostile count must not make the
/// file unbounded.
pub const MAX_EXPORT_BLOCKS: usize = 10_000;

/// Why a workout cannot be written in a format other than FIT.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum ExportError {
    /// The workout breaks the model's own rules.
    #[error(transparent)]
    Invalid(#[from] WorkoutError),
    /// The format is not for this sport.
    #[error("{format} files are for {sports} workouts only")]
    Sport {
        /// The format.
        format: &'static str,
        /// The sports it takes.
        sports: &'static str,
    },
    /// A step the format cannot express.
    #[error("step {step}: {reason}")]
    Step {
        /// The step.
        step: StepPath,
        /// Why.
        reason: &'static str,
    },
    /// A target the format can express only with a figure of the athlete's that is not
    /// known.
    #[error("step {step}: writing its target needs the athlete's {needs}, which is not set")]
    Needs {
        /// The step.
        step: StepPath,
        /// The figure.
        needs: Needs,
    },
    /// The format keeps one kind of duration for the whole workout.
    #[error("{format} cannot mix steps by time with steps by distance")]
    MixedDurations {
        /// The format.
        format: &'static str,
    },
    /// Unrolled, the workout has more than [`MAX_EXPORT_BLOCKS`] blocks.
    #[error("the workout unrolls to more than {MAX_EXPORT_BLOCKS} blocks")]
    TooLong,
}

/// Why a workout cannot be written.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum WorkoutError {
    /// The workout has no step, or a repeat has no step.
    #[error("{0} has no step")]
    Empty(&'static str),
    /// A repeat's count is 0.
    #[error("a repeat must be done at least once")]
    ZeroRepeat,
    /// Repeats nest deeper than [`MAX_REPEAT_DEPTH`].
    #[error("repeats nest deeper than {MAX_REPEAT_DEPTH} levels")]
    TooDeep,
    /// More than [`MAX_STEPS`] steps.
    #[error("the workout has more than {MAX_STEPS} steps")]
    TooManySteps,
    /// A step's duration is not a positive, finite value FIT can hold.
    #[error("step {step}: {reason}")]
    BadDuration {
        /// The step's index among the flattened FIT steps.
        step: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// A step's target is out of range.
    #[error("step {step}: {reason}")]
    BadTarget {
        /// The step's index among the flattened FIT steps.
        step: usize,
        /// What is wrong.
        reason: &'static str,
    },
}

/// A workout's steps flattened the FIT way: each step, and after a repeat's steps a closing
/// entry that points back to its first step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum FlatStep<'a> {
    Step(&'a Step),
    Repeat { from: usize, times: u32 },
}

impl Workout {
    /// Checks the workout against every rule its encoders rely on.
    ///
    /// # Errors
    /// As [`crate::fit::encode_workout`].
    pub fn check(&self) -> Result<(), WorkoutError> {
        self.flatten().map(drop)
    }

    /// Where the step numbered `flat` among the flattened FIT steps (the numbering of
    /// [`WorkoutError`]) sits in the workout: a step, or the repeat whose closing FIT step
    /// it is.
    #[must_use]
    pub fn path_of(&self, flat: usize) -> Option<StepPath> {
        fn walk(
            steps: &[WorkoutStep],
            flat: usize,
            next: &mut usize,
            path: &mut Vec<usize>,
        ) -> bool {
            for (position, step) in steps.iter().enumerate() {
                path.push(position + 1);
                if let WorkoutStep::Repeat { steps, .. } = step
                    && walk(steps, flat, next, path)
                {
                    return true;
                }
                if *next == flat {
                    return true;
                }
                *next += 1;
                path.pop();
            }
            false
        }
        let mut path = Vec::new();
        walk(&self.steps, flat, &mut 0, &mut path).then_some(StepPath(path))
    }

    /// Checks the workout and flattens it into FIT steps.
    ///
    /// # Errors
    /// An empty workout or repeat, a repeat done 0 times, nesting past
    /// [`MAX_REPEAT_DEPTH`], more than [`MAX_STEPS`] steps, or a duration or target out of
    /// range.
    pub(crate) fn flatten(&self) -> Result<Vec<FlatStep<'_>>, WorkoutError> {
        if self.steps.is_empty() {
            return Err(WorkoutError::Empty("the workout"));
        }
        let mut flat = Vec::new();
        flatten_into(&self.steps, 0, &mut flat)?;
        Ok(flat)
    }
}

fn flatten_into<'a>(
    steps: &'a [WorkoutStep],
    depth: usize,
    flat: &mut Vec<FlatStep<'a>>,
) -> Result<(), WorkoutError> {
    for step in steps {
        if flat.len() >= MAX_STEPS {
            return Err(WorkoutError::TooManySteps);
        }
        match step {
            WorkoutStep::Step(step) => {
                check_step(step, flat.len())?;
                flat.push(FlatStep::Step(step));
            }
            WorkoutStep::Repeat { times, steps } => {
                if depth >= MAX_REPEAT_DEPTH {
                    return Err(WorkoutError::TooDeep);
                }
                if steps.is_empty() {
                    return Err(WorkoutError::Empty("a repeat"));
                }
                if *times == 0 {
                    return Err(WorkoutError::ZeroRepeat);
                }
                let from = flat.len();
                flatten_into(steps, depth + 1, flat)?;
                if flat.len() >= MAX_STEPS {
                    return Err(WorkoutError::TooManySteps);
                }
                flat.push(FlatStep::Repeat {
                    from,
                    times: *times,
                });
            }
        }
    }
    Ok(())
}

/// The largest time and distance a `uint32` field holds at its scale.
const MAX_SECONDS: f64 = (u32::MAX - 1) as f64 / 1000.0;
const MAX_METRES: f64 = (u32::MAX - 1) as f64 / 100.0;
const MAX_SPEED_MPS: f64 = (u32::MAX - 1) as f64 / 1000.0;

fn check_step(step: &Step, index: usize) -> Result<(), WorkoutError> {
    let bad_duration = |reason| WorkoutError::BadDuration {
        step: index,
        reason,
    };
    match step.duration {
        StepDuration::Time { seconds } => {
            if !(seconds > 0.0 && seconds <= MAX_SECONDS) {
                return Err(bad_duration("a time must be more than 0 and finite"));
            }
        }
        StepDuration::Distance { metres } => {
            if !(metres > 0.0 && metres <= MAX_METRES) {
                return Err(bad_duration("a distance must be more than 0 and finite"));
            }
        }
        StepDuration::Open => {}
    }
    let bad_target = |reason| WorkoutError::BadTarget {
        step: index,
        reason,
    };
    let ordered = |low: f64, high: f64| low <= high;
    let ok = match step.target {
        StepTarget::Open => true,
        StepTarget::HeartRateZone(zone) => (1..=5).contains(&zone),
        StepTarget::PowerZone(zone) => (1..=7).contains(&zone),
        StepTarget::HeartRate { low_bpm, high_bpm } => {
            low_bpm > 0 && ordered(f64::from(low_bpm), f64::from(high_bpm))
        }
        StepTarget::HeartRatePercentMax { low, high } => {
            low > 0 && high <= 100 && ordered(f64::from(low), f64::from(high))
        }
        StepTarget::Power { low_w, high_w } => {
            low_w > 0 && ordered(f64::from(low_w), f64::from(high_w))
        }
        StepTarget::PowerPercentFtp { low, high } => {
            low > 0 && high <= 1000 && ordered(f64::from(low), f64::from(high))
        }
        StepTarget::Speed { low_mps, high_mps } => {
            low_mps >= 0.0 && high_mps <= MAX_SPEED_MPS && ordered(low_mps, high_mps)
        }
        StepTarget::Cadence { low, high } => ordered(f64::from(low), f64::from(high)),
    };
    if ok {
        Ok(())
    } else {
        Err(bad_target(
            "the target is out of range (zones 1-5 for heart rate, 1-7 for power; heart rates and watts from 1; percentages 1-100 of max HR, 1-1000 of FTP; low no higher than high)",
        ))
    }
}

#[cfg(test)]
mod tests;
