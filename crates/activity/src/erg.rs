//! [`encode_workout`]: a cycling workout as an ERG file, the text format smart trainers'
//! apps read to hold a power (`[COURSE HEADER]`, `[COURSE DATA]` of minutes and power, and
//! the step names in `[COURSE TEXT]`).
//!
//! # Decisions
//! - **One unit per file, the coach's.** When every power target is in percent of FTP the
//!   file is written `MINUTES PERCENT` (the MRC form, which every ERG reader takes), so
//!   the athlete's app applies their FTP of the day and none is needed here. Otherwise it
//!   is `MINUTES WATTS`: watts as written, power zones as their zone's watts, and any
//!   percentages converted with the athlete's FTP, refused with [`ExportError::Needs`]
//!   when it is not known. `FTP = ` is written in the header whenever it is known.
//! - **What ERG holds.** Every step must last a time and aim at a power: a trainer in ERG
//!   mode needs a wattage at every moment. Steps by distance or lap button, and open,
//!   heart-rate, pace or cadence targets, are refused ([`ExportError::Step`]); cycling
//!   only ([`ExportError::Sport`]).
//! - **Shape.** A range becomes its midpoint, held for the step, except that a warm-up
//!   ramps up across it and a cool-down down. Each step is two points (its start and end
//!   power) at cumulative minutes with two decimals, computed from the exact start, so
//!   rounding never accumulates. Repeats are written out in full, up to
//!   [`crate::workout::MAX_EXPORT_BLOCKS`] steps.
//! - **Text** (the description line and `[COURSE TEXT]`) is one line each: line breaks and
//!   tabs become spaces, control characters are dropped.

use std::fmt::Write as _;

use crate::export::{Budget, PowerUnit, clean_text, decimal, is_power, power_range, step_text};
use crate::workout::{
    ExportError, Intensity, PowerReference, Step, StepDuration, StepPath, Workout, WorkoutStep,
};

const FORMAT: &str = "ERG";

/// One step, resolved.
struct Segment {
    seconds: f64,
    from: f64,
    to: f64,
    text: Option<String>,
}

/// Encodes a cycling workout as an ERG file. `description` is the workout's description.
///
/// # Errors
/// [`ExportError`]: the workout breaks the model's rules, is not a cycling workout, has a
/// step ERG cannot express (not by time, or not aiming at a power), needs the athlete's
/// FTP or power zones that `power` does not give, or unrolls past the block limit. See the
/// [module docs](self).
pub fn encode_workout(
    workout: &Workout,
    description: &str,
    power: &PowerReference,
) -> Result<String, ExportError> {
    workout.check()?;
    if workout.sport.0 != 2 {
        return Err(ExportError::Sport {
            format: FORMAT,
            sports: "cycling",
        });
    }
    let unit = if all_percent(&workout.steps) {
        PowerUnit::FtpPercent
    } else {
        PowerUnit::Watts
    };
    let mut segments = Vec::new();
    collect(
        &workout.steps,
        &mut Vec::new(),
        unit,
        power,
        &mut segments,
        &mut Budget::default(),
    )?;
    Ok(write(workout, description, unit, power, &segments))
}

/// Whether every target of the workout is in percent of FTP.
fn all_percent(steps: &[WorkoutStep]) -> bool {
    steps.iter().all(|step| match step {
        WorkoutStep::Step(step) => matches!(
            step.target,
            crate::workout::StepTarget::PowerPercentFtp { .. }
        ),
        WorkoutStep::Repeat { steps, .. } => all_percent(steps),
    })
}

fn collect(
    steps: &[WorkoutStep],
    path: &mut Vec<usize>,
    unit: PowerUnit,
    power: &PowerReference,
    segments: &mut Vec<Segment>,
    budget: &mut Budget,
) -> Result<(), ExportError> {
    for (position, entry) in steps.iter().enumerate() {
        path.push(position + 1);
        match entry {
            WorkoutStep::Step(step) => {
                budget.take()?;
                segments.push(segment(step, &StepPath(path.clone()), unit, power)?);
            }
            WorkoutStep::Repeat { times, steps } => {
                for _ in 0..*times {
                    collect(steps, path, unit, power, segments, budget)?;
                }
            }
        }
        path.pop();
    }
    Ok(())
}

fn segment(
    step: &Step,
    path: &StepPath,
    unit: PowerUnit,
    power: &PowerReference,
) -> Result<Segment, ExportError> {
    let refuse = |reason| ExportError::Step {
        step: path.clone(),
        reason,
    };
    let StepDuration::Time { seconds } = step.duration else {
        return Err(refuse(
            "ERG files hold steps by time only (a trainer cannot end a step at a distance or the lap button)",
        ));
    };
    if !is_power(&step.target) {
        return Err(refuse(
            "ERG files hold power targets only (a trainer in ERG mode needs a wattage for every step)",
        ));
    }
    let (low, high) = power_range(&step.target, unit, power, path)?.unwrap_or((0.0, 0.0));
    let (from, to) = match step.intensity {
        Some(Intensity::Warmup) => (low, high),
        Some(Intensity::Cooldown) => (high, low),
        _ => {
            let mid = (low + high) / 2.0;
            (mid, mid)
        }
    };
    Ok(Segment {
        seconds,
        from,
        to,
        text: step_text(step.name.as_deref(), step.notes.as_deref()),
    })
}

fn write(
    workout: &Workout,
    description: &str,
    unit: PowerUnit,
    power: &PowerReference,
    segments: &[Segment],
) -> String {
    let mut out = String::with_capacity(256 + segments.len() * 32);
    let name = clean_text(&workout.name, true);
    let description = clean_text(description, true);
    let line = match (name.trim(), description.trim()) {
        (name, "") => name.to_owned(),
        ("", description) => description.to_owned(),
        (name, description) => format!("{name} - {description}"),
    };
    // Writing to a String cannot fail.
    let _ = writeln!(out, "[COURSE HEADER]");
    let _ = writeln!(out, "VERSION = 2");
    let _ = writeln!(out, "UNITS = ENGLISH");
    let _ = writeln!(out, "DESCRIPTION = {line}");
    if let Some(ftp) = power.ftp_watts.filter(|ftp| *ftp > 0) {
        let _ = writeln!(out, "FTP = {ftp}");
    }
    let columns = match unit {
        PowerUnit::Watts => "MINUTES WATTS",
        PowerUnit::FtpPercent | PowerUnit::FtpFraction => "MINUTES PERCENT",
    };
    let _ = writeln!(out, "{columns}");
    let _ = writeln!(out, "[END COURSE HEADER]");
    let _ = writeln!(out, "[COURSE DATA]");
    let value = |v: f64| match unit {
        PowerUnit::Watts => decimal(v.round(), 0),
        PowerUnit::FtpPercent | PowerUnit::FtpFraction => decimal(v, 1),
    };
    let mut start = 0.0;
    for segment in segments {
        let end = start + segment.seconds;
        let _ = writeln!(out, "{:.2}\t{}", start / 60.0, value(segment.from));
        let _ = writeln!(out, "{:.2}\t{}", end / 60.0, value(segment.to));
        start = end;
    }
    let _ = writeln!(out, "[END COURSE DATA]");
    if segments.iter().any(|s| s.text.is_some()) {
        let _ = writeln!(out, "[COURSE TEXT]");
        let mut start = 0.0;
        for segment in segments {
            if let Some(text) = &segment.text {
                let _ = writeln!(
                    out,
                    "{}\t{}\t{}",
                    decimal(start, 0),
                    clean_text(text, true),
                    decimal(segment.seconds, 0)
                );
            }
            start += segment.seconds;
        }
        let _ = writeln!(out, "[END COURSE TEXT]");
    }
    out
}

#[cfg(test)]
mod tests;
