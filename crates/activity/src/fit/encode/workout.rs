//! [`encode_workout`]: a workout FIT file from a [`Workout`].

use super::super::profile::mesg;
use super::workout_values::{HEART_RATE_BPM_OFFSET, POWER_WATTS_OFFSET, duration, target};
use super::writer::{Value, Writer};
use crate::workout::{FlatStep, Step, StepDuration, StepTarget, Workout, WorkoutError};

mod local {
    pub(super) const FILE_ID: u8 = 0;
    pub(super) const WORKOUT: u8 = 6;
    pub(super) const WORKOUT_STEP: u8 = 7;
}

/// `file` type `workout`.
const FILE_WORKOUT: u8 = 5;
/// The FIT `manufacturer` value `development`.
const MANUFACTURER_DEVELOPMENT: u16 = 255;

/// Encodes a workout as a FIT workout file: `file_id` (type `workout`), the `workout`
/// message (sport, name, number of steps) and one `workout_step` per step, repeats
/// flattened the FIT way (see the [module docs](super)).
///
/// # Errors
/// [`WorkoutError`] for a workout FIT cannot express: no steps, an empty repeat or one done
/// 0 times, repeats nested too deep, too many steps, or a duration or target out of range.
pub fn encode_workout(workout: &Workout) -> Result<Vec<u8>, WorkoutError> {
    let steps = workout.flatten()?;
    let mut writer = Writer::with_capacity(128 + steps.len() * 64);
    writer.message(
        local::FILE_ID,
        mesg::FILE_ID,
        &[
            (0, Value::Enum(Some(FILE_WORKOUT))),
            (1, Value::U16(Some(MANUFACTURER_DEVELOPMENT))),
            (2, Value::U16(Some(0))),
            (8, Value::Str("Paceline")),
        ],
    );
    let count = u16::try_from(steps.len()).unwrap_or(u16::MAX);
    let mut fields = Vec::with_capacity(4);
    fields.extend([
        (4, Value::Enum(Some(workout.sport.0))),
        (11, Value::Enum(workout.sub_sport.map(|s| s.0))),
        (6, Value::U16(Some(count))),
    ]);
    if !workout.name.is_empty() {
        fields.push((8, Value::Str(&workout.name)));
    }
    writer.message(local::WORKOUT, mesg::WORKOUT, &fields);

    for (index, step) in steps.iter().enumerate() {
        let index = u16::try_from(index).unwrap_or(u16::MAX);
        match step {
            FlatStep::Step(step) => write_step(&mut writer, index, step),
            FlatStep::Repeat { from, times } => writer.message(
                local::WORKOUT_STEP,
                mesg::WORKOUT_STEP,
                &[
                    (254, Value::U16(Some(index))),
                    (1, Value::Enum(Some(duration::REPEAT_UNTIL_STEPS_CMPLT))),
                    (2, Value::U32(u32::try_from(*from).ok())),
                    (4, Value::U32(Some(*times))),
                ],
            ),
        }
    }
    Ok(writer.finish())
}

fn write_step(writer: &mut Writer, index: u16, step: &Step) {
    let (duration_type, duration_value) = match step.duration {
        StepDuration::Time { seconds } => (duration::TIME, Some(scale(seconds, 1000.0))),
        StepDuration::Distance { metres } => (duration::DISTANCE, Some(scale(metres, 100.0))),
        StepDuration::Open => (duration::OPEN, None),
    };
    let custom = |low: u32, high: u32, offset: u32| {
        (
            Some(low.saturating_add(offset)),
            Some(high.saturating_add(offset)),
        )
    };
    let (target_type, target_value, (low, high)) = match step.target {
        StepTarget::Open => (target::OPEN, Some(0), (None, None)),
        StepTarget::HeartRateZone(zone) => {
            (target::HEART_RATE, Some(u32::from(zone)), (None, None))
        }
        StepTarget::HeartRate { low_bpm, high_bpm } => (
            target::HEART_RATE,
            Some(0),
            custom(
                u32::from(low_bpm),
                u32::from(high_bpm),
                HEART_RATE_BPM_OFFSET,
            ),
        ),
        StepTarget::HeartRatePercentMax { low, high } => (
            target::HEART_RATE,
            Some(0),
            custom(u32::from(low), u32::from(high), 0),
        ),
        StepTarget::PowerZone(zone) => (target::POWER, Some(u32::from(zone)), (None, None)),
        StepTarget::Power { low_w, high_w } => (
            target::POWER,
            Some(0),
            custom(u32::from(low_w), u32::from(high_w), POWER_WATTS_OFFSET),
        ),
        StepTarget::PowerPercentFtp { low, high } => (
            target::POWER,
            Some(0),
            custom(u32::from(low), u32::from(high), 0),
        ),
        StepTarget::Speed { low_mps, high_mps } => (
            target::SPEED,
            Some(0),
            (Some(scale(low_mps, 1000.0)), Some(scale(high_mps, 1000.0))),
        ),
        StepTarget::Cadence { low, high } => (
            target::CADENCE,
            Some(0),
            custom(u32::from(low), u32::from(high), 0),
        ),
    };
    let mut fields = Vec::with_capacity(10);
    fields.push((254, Value::U16(Some(index))));
    if let Some(name) = step.name.as_deref().filter(|n| !n.is_empty()) {
        fields.push((0, Value::Str(name)));
    }
    fields.extend([
        (1, Value::Enum(Some(duration_type))),
        (2, Value::U32(duration_value)),
        (3, Value::Enum(Some(target_type))),
        (4, Value::U32(target_value)),
        (5, Value::U32(low)),
        (6, Value::U32(high)),
        (7, Value::Enum(step.intensity.map(|i| i.fit_value()))),
    ]);
    if let Some(notes) = step.notes.as_deref().filter(|n| !n.is_empty()) {
        fields.push((8, Value::Str(notes)));
    }
    writer.message(local::WORKOUT_STEP, mesg::WORKOUT_STEP, &fields);
}

/// A validated, finite, non-negative value at the field's scale.
fn scale(value: f64, scale: f64) -> u32 {
    (value * scale).round().clamp(0.0, f64::from(u32::MAX - 1)) as u32
}
