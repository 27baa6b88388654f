//! [`decode_workout`]: a FIT workout file back into a [`Workout`].

use super::encode::workout_values::{
    HEART_RATE_BPM_OFFSET, POWER_WATTS_OFFSET, duration as dur, target as tgt,
};
use super::error::FitError;
use super::profile::{FileType, Sport, SubSport, mesg};
use super::reader::{self, Message, Visitor};
use crate::workout::{Intensity, Step, StepDuration, StepTarget, Workout, WorkoutStep};

/// The most steps one decode keeps.
const MAX_WORKOUT_STEPS: usize = crate::workout::MAX_STEPS;

/// Decodes a FIT workout file: the `workout` message and its `workout_step`s, repeats
/// nested again as [`WorkoutStep::Repeat`].
///
/// # Errors
/// [`FitError::NotAWorkout`] for a FIT file of another type; [`FitError::Malformed`] for a
/// workout without a `workout` message, a repeat that does not point back to the start of
/// a block of earlier steps, or a duration or target type Paceline does not model (speed
/// and cadence zones, heart-rate or power durations, swim strokes); otherwise as
/// [`super::decode_fit`].
pub fn decode_workout(bytes: &[u8]) -> Result<Workout, FitError> {
    let mut collector = Collector::default();
    reader::read(bytes, &mut collector)?;
    if let Some(file_type) = collector.file_type
        && file_type != FileType::Workout
    {
        return Err(FitError::NotAWorkout { file_type });
    }
    let (sport, sub_sport, name) = collector.workout.ok_or(FitError::Malformed {
        offset: bytes.len(),
        reason: "a workout file without a workout message",
    })?;
    let steps = nest(&collector.steps)?;
    Ok(Workout {
        name: name.unwrap_or_default(),
        sport: sport.unwrap_or(Sport(0)),
        sub_sport,
        steps,
    })
}

/// One `workout_step` message as read.
#[derive(Debug, Default)]
struct RawStep {
    offset: usize,
    message_index: Option<u16>,
    name: Option<String>,
    notes: Option<String>,
    duration_type: Option<u8>,
    duration_value: Option<u32>,
    target_type: Option<u8>,
    target_value: Option<u32>,
    low: Option<u32>,
    high: Option<u32>,
    intensity: Option<u8>,
}

#[derive(Default)]
struct Collector {
    file_type: Option<FileType>,
    workout: Option<(Option<Sport>, Option<SubSport>, Option<String>)>,
    steps: Vec<RawStep>,
}

impl Visitor for Collector {
    fn message(&mut self, message: &Message<'_>) -> Result<(), FitError> {
        let u8_of = |v: Option<i64>| v.and_then(|v| u8::try_from(v).ok());
        let u32_of = |v: Option<i64>| v.and_then(|v| u32::try_from(v).ok());
        match message.global {
            mesg::FILE_ID if self.file_type.is_none() => {
                self.file_type = message
                    .field(0)
                    .and_then(|f| u8_of(f.int()))
                    .map(FileType::from_number);
            }
            mesg::WORKOUT if self.workout.is_none() => {
                let mut workout = (None, None, None);
                for field in message.fields() {
                    match field.num() {
                        4 => workout.0 = u8_of(field.int()).map(Sport),
                        11 => workout.1 = u8_of(field.int()).map(SubSport),
                        8 => workout.2 = field.string().map(str::to_owned),
                        _ => {}
                    }
                }
                self.workout = Some(workout);
            }
            mesg::WORKOUT_STEP => {
                if self.steps.len() >= MAX_WORKOUT_STEPS {
                    return Err(FitError::TooLarge {
                        offset: message.offset,
                        what: "workout steps",
                        limit: MAX_WORKOUT_STEPS,
                    });
                }
                let mut step = RawStep {
                    offset: message.offset,
                    ..RawStep::default()
                };
                for field in message.fields() {
                    match field.num() {
                        254 => step.message_index = field.int().and_then(|v| u16::try_from(v).ok()),
                        0 => step.name = field.string().map(str::to_owned),
                        8 => step.notes = field.string().map(str::to_owned),
                        1 => step.duration_type = u8_of(field.int()),
                        2 => step.duration_value = u32_of(field.int()),
                        3 => step.target_type = u8_of(field.int()),
                        4 => step.target_value = u32_of(field.int()),
                        5 => step.low = u32_of(field.int()),
                        6 => step.high = u32_of(field.int()),
                        7 => step.intensity = u8_of(field.int()),
                        _ => {}
                    }
                }
                self.steps.push(step);
            }
            _ => {}
        }
        Ok(())
    }
}

/// Rebuilds the nesting: each repeat step takes the steps from the one it points back to.
fn nest(raw: &[RawStep]) -> Result<Vec<WorkoutStep>, FitError> {
    // (the message index of the entry's first FIT step, the entry)
    let mut items: Vec<(usize, WorkoutStep)> = Vec::with_capacity(raw.len());
    for (position, step) in raw.iter().enumerate() {
        let index = step.message_index.map_or(position, usize::from);
        let malformed = |reason| FitError::Malformed {
            offset: step.offset,
            reason,
        };
        if step.duration_type == Some(dur::REPEAT_UNTIL_STEPS_CMPLT) {
            let from = step
                .duration_value
                .and_then(|v| usize::try_from(v).ok())
                .ok_or_else(|| malformed("a repeat step without the step it repeats from"))?;
            let start = items
                .iter()
                .rposition(|(first, _)| *first == from)
                .filter(|_| from < index)
                .ok_or_else(|| {
                    malformed(
                        "a repeat step that does not point back to the start of earlier steps",
                    )
                })?;
            let times = step
                .target_value
                .filter(|t| *t > 0)
                .ok_or_else(|| malformed("a repeat step without a repeat count"))?;
            let steps = items.split_off(start).into_iter().map(|(_, s)| s).collect();
            items.push((from, WorkoutStep::Repeat { times, steps }));
        } else {
            items.push((index, WorkoutStep::Step(single(step)?)));
        }
    }
    Ok(items.into_iter().map(|(_, step)| step).collect())
}

fn single(step: &RawStep) -> Result<Step, FitError> {
    let unsupported = |reason| FitError::Malformed {
        offset: step.offset,
        reason,
    };
    let duration = match (step.duration_type, step.duration_value) {
        (Some(dur::TIME), Some(ms)) => StepDuration::Time {
            seconds: f64::from(ms) / 1000.0,
        },
        (Some(dur::DISTANCE), Some(cm)) => StepDuration::Distance {
            metres: f64::from(cm) / 100.0,
        },
        (Some(dur::OPEN) | None, _) => StepDuration::Open,
        _ => return Err(unsupported("a step duration type Paceline does not model")),
    };
    let zone = step.target_value.filter(|v| *v > 0);
    let range = (step.low, step.high);
    let to_u8 = |v: u32| u8::try_from(v).ok();
    let to_u16 = |v: u32| u16::try_from(v).ok();
    let target = match (step.target_type, zone, range) {
        (Some(tgt::OPEN) | None, _, _) => Some(StepTarget::Open),
        (Some(tgt::HEART_RATE), Some(zone), _) => to_u8(zone).map(StepTarget::HeartRateZone),
        (Some(tgt::HEART_RATE), None, (Some(low), Some(high))) => {
            if low > HEART_RATE_BPM_OFFSET {
                to_u8(low - HEART_RATE_BPM_OFFSET)
                    .zip(high.checked_sub(HEART_RATE_BPM_OFFSET).and_then(to_u8))
                    .map(|(low_bpm, high_bpm)| StepTarget::HeartRate { low_bpm, high_bpm })
            } else {
                to_u8(low)
                    .zip(to_u8(high))
                    .map(|(low, high)| StepTarget::HeartRatePercentMax { low, high })
            }
        }
        (Some(tgt::POWER), Some(zone), _) => to_u8(zone).map(StepTarget::PowerZone),
        (Some(tgt::POWER), None, (Some(low), Some(high))) => {
            if low > POWER_WATTS_OFFSET {
                to_u16(low - POWER_WATTS_OFFSET)
                    .zip(high.checked_sub(POWER_WATTS_OFFSET).and_then(to_u16))
                    .map(|(low_w, high_w)| StepTarget::Power { low_w, high_w })
            } else {
                to_u16(low)
                    .zip(to_u16(high))
                    .map(|(low, high)| StepTarget::PowerPercentFtp { low, high })
            }
        }
        (Some(tgt::SPEED), None, (Some(low), Some(high))) => Some(StepTarget::Speed {
            low_mps: f64::from(low) / 1000.0,
            high_mps: f64::from(high) / 1000.0,
        }),
        (Some(tgt::CADENCE), None, (Some(low), Some(high))) => to_u16(low)
            .zip(to_u16(high))
            .map(|(low, high)| StepTarget::Cadence { low, high }),
        _ => None,
    }
    .ok_or_else(|| unsupported("a step target Paceline does not model"))?;
    Ok(Step {
        name: step.name.clone(),
        notes: step.notes.clone(),
        intensity: step.intensity.and_then(Intensity::from_fit),
        duration,
        target,
    })
}
