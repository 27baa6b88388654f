//! The JSON form of a workout's steps: what the Xhale API takes and gives, and what the
//! `steps` column keeps, so a stored workout reads back exactly as it was written.
//!
//! ```json
//! [{"type": "step", "name": "Warm up", "notes": null, "intensity": "warmup",
//!   "duration": {"type": "time", "seconds": 600},
//!   "target": {"type": "heart_rate_zone", "zone": 2}},
//!  {"type": "repeat", "times": 5, "steps": [...]}]
//! ```
//!
//! Durations: `time` (`seconds`), `distance` (`meters`), `open` (until the lap button).
//! Targets: `open`, `heart_rate_zone` (`zone` 1–5), `heart_rate` (`low_bpm`, `high_bpm`),
//! `heart_rate_percent_max` (`low`, `high`), `power` (`low_watts`, `high_watts`),
//! `power_zone` (`zone` 1–7), `power_percent_ftp` (`low`, `high`), `speed` (`low_mps` the
//! slowest, `high_mps` the fastest: a pace range as speeds, as the current user's pace
//! zones are given) and `cadence` (`low`, `high`). A step without `target` has an open one.
//!
//! Reading is strict: unknown keys and values out of bounds are refused with a
//! [`StepError`] naming the step (`2.1` is the first step of the second entry) and the
//! field; the result also passes the workout model's own checks, so every encoder takes it.

use crate::activities::limits;
use paceline_activity::fit::Sport;
use paceline_activity::workout::{
    Intensity, MAX_REPEAT_DEPTH, Step, StepDuration, StepPath, StepTarget, Workout, WorkoutError,
    WorkoutStep,
};
use serde_json::{Map, Value, json};
use std::fmt;

/// The most times a repeat may be done.
pub const MAX_TIMES: i64 = 1_000;
/// The longest step name, in characters.
pub const NAME_CHARS: usize = 255;
/// The longest step notes, in characters.
pub const NOTES_CHARS: usize = 1_000;
/// The longest step by time: a week, in seconds.
pub const MAX_SECONDS: f64 = 604_800.0;
/// The longest step by distance: 5,000 km, in metres.
pub const MAX_METERS: f64 = 5_000_000.0;
/// The fastest speed target, metres per second.
pub const MAX_SPEED_MPS: f64 = 50.0;

/// A step the API refuses: where it is, which of its fields, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct StepError {
    /// The step (none for the list as a whole).
    pub step: Option<StepPath>,
    /// The field within the step, such as `target.zone`.
    pub field: Option<String>,
    /// What is wrong, in Django REST framework's words where it has some.
    pub message: String,
}

impl fmt::Display for StepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.step, &self.field) {
            (Some(step), Some(field)) => write!(f, "Step {step}, {field}: {}", self.message),
            (Some(step), None) => write!(f, "Step {step}: {}", self.message),
            (None, Some(field)) => write!(f, "{field}: {}", self.message),
            (None, None) => f.write_str(&self.message),
        }
    }
}

/// The intensities, as the JSON names them.
const INTENSITIES: [(&str, Intensity); 7] = [
    ("warmup", Intensity::Warmup),
    ("active", Intensity::Active),
    ("rest", Intensity::Rest),
    ("cooldown", Intensity::Cooldown),
    ("recovery", Intensity::Recovery),
    ("interval", Intensity::Interval),
    ("other", Intensity::Other),
];

/// Reads a list of steps from its JSON form and checks it as the encoders will.
///
/// # Errors
/// A [`StepError`] naming the first bad step and field.
pub fn from_json(value: &Value) -> Result<Vec<WorkoutStep>, StepError> {
    let steps = list(value, &mut Vec::new(), 0)?;
    check(&steps)?;
    Ok(steps)
}

/// Checks steps with the workout model's own rules (what every encoder relies on).
///
/// # Errors
/// A [`StepError`] naming the step the model refused.
pub fn check(steps: &[WorkoutStep]) -> Result<(), StepError> {
    let workout = Workout {
        name: String::new(),
        sport: Sport(0),
        sub_sport: None,
        steps: steps.to_vec(),
    };
    workout.check().map_err(|error| {
        let (flat, message) = match &error {
            WorkoutError::BadDuration { step, reason }
            | WorkoutError::BadTarget { step, reason } => (Some(*step), capitalized(reason)),
            other => (None, capitalized(&other.to_string())),
        };
        StepError {
            step: flat.and_then(|i| workout.path_of(i)),
            field: None,
            message,
        }
    })
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect::<String>() + ".",
        None => String::new(),
    }
}

/// Writes steps in their JSON form.
pub fn to_json(steps: &[WorkoutStep]) -> Value {
    Value::Array(steps.iter().map(entry_json).collect())
}

fn number(value: f64) -> Value {
    if value.fract() == 0.0 && value.abs() < 9.0e15 {
        json!(value as i64)
    } else {
        json!(value)
    }
}

fn entry_json(entry: &WorkoutStep) -> Value {
    match entry {
        WorkoutStep::Repeat { times, steps } => json!({
            "type": "repeat",
            "times": times,
            "steps": to_json(steps),
        }),
        WorkoutStep::Step(step) => json!({
            "type": "step",
            "name": step.name,
            "notes": step.notes,
            "intensity": step.intensity.and_then(|i| {
                INTENSITIES.iter().find(|(_, v)| *v == i).map(|(name, _)| *name)
            }),
            "duration": match step.duration {
                StepDuration::Time { seconds } => json!({"type": "time", "seconds": number(seconds)}),
                StepDuration::Distance { metres } => json!({"type": "distance", "meters": number(metres)}),
                StepDuration::Open => json!({"type": "open"}),
            },
            "target": target_json(&step.target),
        }),
    }
}

fn target_json(target: &StepTarget) -> Value {
    match *target {
        StepTarget::Open => json!({"type": "open"}),
        StepTarget::HeartRateZone(zone) => json!({"type": "heart_rate_zone", "zone": zone}),
        StepTarget::HeartRate { low_bpm, high_bpm } => {
            json!({"type": "heart_rate", "low_bpm": low_bpm, "high_bpm": high_bpm})
        }
        StepTarget::HeartRatePercentMax { low, high } => {
            json!({"type": "heart_rate_percent_max", "low": low, "high": high})
        }
        StepTarget::PowerZone(zone) => json!({"type": "power_zone", "zone": zone}),
        StepTarget::Power { low_w, high_w } => {
            json!({"type": "power", "low_watts": low_w, "high_watts": high_w})
        }
        StepTarget::PowerPercentFtp { low, high } => {
            json!({"type": "power_percent_ftp", "low": low, "high": high})
        }
        StepTarget::Speed { low_mps, high_mps } => {
            json!({"type": "speed", "low_mps": number(low_mps), "high_mps": number(high_mps)})
        }
        StepTarget::Cadence { low, high } => json!({"type": "cadence", "low": low, "high": high}),
    }
}

/// One object being read: its members, where it is, and which members were read.
struct Object<'a> {
    map: &'a Map<String, Value>,
    step: StepPath,
    prefix: &'static str,
}

impl<'a> Object<'a> {
    fn error(&self, field: Option<&str>, message: impl Into<String>) -> StepError {
        let field = match (self.prefix, field) {
            ("", field) => field.map(str::to_owned),
            (prefix, Some(field)) => Some(format!("{prefix}.{field}")),
            (prefix, None) => Some(prefix.to_owned()),
        };
        StepError {
            step: Some(self.step.clone()),
            field,
            message: message.into(),
        }
    }

    /// Refuses members other than `allowed`.
    fn only(&self, allowed: &[&str]) -> Result<(), StepError> {
        match self.map.keys().find(|k| !allowed.contains(&k.as_str())) {
            Some(key) => Err(self.error(Some(key), "Unknown field: this API does not take it.")),
            None => Ok(()),
        }
    }

    fn required(&self, key: &str) -> Result<&'a Value, StepError> {
        match self.map.get(key) {
            None => Err(self.error(Some(key), "This field is required.")),
            Some(Value::Null) => Err(self.error(Some(key), "This field may not be null.")),
            Some(value) => Ok(value),
        }
    }

    fn kind(&self, choices: &[&str]) -> Result<&'a str, StepError> {
        let value = self.required("type")?;
        let text = value.as_str().unwrap_or_default();
        if choices.contains(&text) {
            Ok(text)
        } else {
            Err(self.error(
                Some("type"),
                format!(
                    "\"{}\" is not a valid choice: one of {}.",
                    value
                        .as_str()
                        .map_or_else(|| value.to_string(), str::to_owned),
                    choices.join(", ")
                ),
            ))
        }
    }

    fn int(&self, key: &str, min: i64, max: i64) -> Result<i64, StepError> {
        let value = self.required(key)?;
        let n = match value {
            Value::Number(n) => n.as_i64().or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                    .map(|f| f as i64)
            }),
            _ => None,
        }
        .ok_or_else(|| self.error(Some(key), "A valid integer is required."))?;
        bounded(n, min, max).map_err(|message| self.error(Some(key), message))
    }

    /// A number more than `min` (or at least `min` when `inclusive`), at most `max`.
    fn number(&self, key: &str, min: f64, inclusive: bool, max: f64) -> Result<f64, StepError> {
        let value = self.required(key)?;
        let n = value
            .as_f64()
            .filter(|n| n.is_finite())
            .ok_or_else(|| self.error(Some(key), "A valid number is required."))?;
        if inclusive && n < min {
            return Err(self.error(
                Some(key),
                format!("Ensure this value is greater than or equal to {min}."),
            ));
        }
        if !inclusive && n <= min {
            return Err(self.error(
                Some(key),
                format!("Ensure this value is greater than {min}."),
            ));
        }
        if n > max {
            return Err(self.error(
                Some(key),
                format!("Ensure this value is less than or equal to {max}."),
            ));
        }
        Ok(n)
    }

    fn text(&self, key: &str, max_chars: usize) -> Result<Option<String>, StepError> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => {
                if s.contains('\0') {
                    return Err(self.error(Some(key), "Null characters are not allowed."));
                }
                if s.chars().count() > max_chars {
                    return Err(self.error(
                        Some(key),
                        format!("Ensure this field has no more than {max_chars} characters."),
                    ));
                }
                let s = s.trim();
                Ok((!s.is_empty()).then(|| s.to_owned()))
            }
            Some(_) => Err(self.error(Some(key), "Not a valid string.")),
        }
    }

    /// A `low`/`high` pair within bounds, low no higher than high.
    fn range(&self, low: &str, high: &str, min: i64, max: i64) -> Result<(i64, i64), StepError> {
        let (l, h) = (self.int(low, min, max)?, self.int(high, min, max)?);
        if l > h {
            return Err(self.error(Some(low), format!("Ensure {low} is no higher than {high}.")));
        }
        Ok((l, h))
    }
}

fn bounded(n: i64, min: i64, max: i64) -> Result<i64, String> {
    if n < min {
        Err(format!(
            "Ensure this value is greater than or equal to {min}."
        ))
    } else if n > max {
        Err(format!("Ensure this value is less than or equal to {max}."))
    } else {
        Ok(n)
    }
}

/// Narrows a value already bounded to fit `T`.
fn narrow<T: TryFrom<i64> + Default>(n: i64) -> T {
    T::try_from(n).unwrap_or_default()
}

/// Reads a list of steps at `path` (empty for the workout's own list), `depth` repeats deep.
fn list(value: &Value, path: &mut Vec<usize>, depth: usize) -> Result<Vec<WorkoutStep>, StepError> {
    let here = |message: &str, field: Option<&str>| StepError {
        step: (!path.is_empty()).then(|| StepPath(path.clone())),
        field: field.map(str::to_owned),
        message: message.to_owned(),
    };
    let field = (!path.is_empty()).then_some("steps");
    let Value::Array(items) = value else {
        return Err(here("Expected a list of steps.", field));
    };
    if items.is_empty() {
        return Err(here("This list may not be empty.", field));
    }
    let mut steps = Vec::with_capacity(items.len());
    for (position, item) in items.iter().enumerate() {
        path.push(position + 1);
        steps.push(entry(item, path, depth)?);
        path.pop();
    }
    Ok(steps)
}

/// Reads one entry of a list: a step or a repeat.
fn entry(value: &Value, path: &mut Vec<usize>, depth: usize) -> Result<WorkoutStep, StepError> {
    let Value::Object(map) = value else {
        return Err(StepError {
            step: Some(StepPath(path.clone())),
            field: None,
            message: "Expected an object with a \"type\" of step or repeat.".into(),
        });
    };
    let object = Object {
        map,
        step: StepPath(path.clone()),
        prefix: "",
    };
    match object.kind(&["step", "repeat"])? {
        "repeat" => {
            object.only(&["type", "times", "steps"])?;
            if depth >= MAX_REPEAT_DEPTH {
                return Err(object.error(
                    None,
                    format!("Repeats may nest at most {MAX_REPEAT_DEPTH} levels deep."),
                ));
            }
            let times = object.int("times", 1, MAX_TIMES)?;
            let steps = list(object.required("steps")?, path, depth + 1)?;
            Ok(WorkoutStep::Repeat {
                times: narrow(times),
                steps,
            })
        }
        _ => {
            object.only(&["type", "name", "notes", "intensity", "duration", "target"])?;
            let intensity = match map.get("intensity") {
                None | Some(Value::Null) => None,
                Some(value) => Some(
                    INTENSITIES
                        .iter()
                        .find(|(name, _)| Some(*name) == value.as_str())
                        .map(|(_, i)| *i)
                        .ok_or_else(|| {
                            object.error(
                                Some("intensity"),
                                format!(
                                    "\"{}\" is not a valid choice: one of {}.",
                                    value
                                        .as_str()
                                        .map_or_else(|| value.to_string(), str::to_owned),
                                    INTENSITIES.map(|(name, _)| name).join(", ")
                                ),
                            )
                        })?,
                ),
            };
            let duration = duration(&object.nested("duration")?)?;
            let target = match map.get("target") {
                None | Some(Value::Null) => StepTarget::Open,
                Some(_) => target(&object.nested("target")?)?,
            };
            Ok(WorkoutStep::Step(Step {
                name: object.text("name", NAME_CHARS)?,
                notes: object.text("notes", NOTES_CHARS)?,
                intensity,
                duration,
                target,
            }))
        }
    }
}

impl<'a> Object<'a> {
    /// The object under `key`, read as a part of this step.
    fn nested(&self, key: &'static str) -> Result<Object<'a>, StepError> {
        match self.required(key)? {
            Value::Object(map) => Ok(Object {
                map,
                step: self.step.clone(),
                prefix: key,
            }),
            _ => Err(self.error(Some(key), "Expected an object with a \"type\".")),
        }
    }
}

fn duration(object: &Object<'_>) -> Result<StepDuration, StepError> {
    Ok(match object.kind(&["time", "distance", "open"])? {
        "time" => {
            object.only(&["type", "seconds"])?;
            StepDuration::Time {
                seconds: object.number("seconds", 0.0, false, MAX_SECONDS)?,
            }
        }
        "distance" => {
            object.only(&["type", "meters"])?;
            StepDuration::Distance {
                metres: object.number("meters", 0.0, false, MAX_METERS)?,
            }
        }
        _ => {
            object.only(&["type"])?;
            StepDuration::Open
        }
    })
}

fn target(object: &Object<'_>) -> Result<StepTarget, StepError> {
    const KINDS: [&str; 9] = [
        "open",
        "heart_rate_zone",
        "heart_rate",
        "heart_rate_percent_max",
        "power",
        "power_zone",
        "power_percent_ftp",
        "speed",
        "cadence",
    ];
    let hr = (*limits::HEART_RATE.start(), *limits::HEART_RATE.end());
    Ok(match object.kind(&KINDS)? {
        "heart_rate_zone" => {
            object.only(&["type", "zone"])?;
            StepTarget::HeartRateZone(narrow(object.int("zone", 1, 5)?))
        }
        "heart_rate" => {
            object.only(&["type", "low_bpm", "high_bpm"])?;
            let (low, high) = object.range("low_bpm", "high_bpm", hr.0, hr.1)?;
            StepTarget::HeartRate {
                low_bpm: narrow(low),
                high_bpm: narrow(high),
            }
        }
        "heart_rate_percent_max" => {
            object.only(&["type", "low", "high"])?;
            let (low, high) = object.range("low", "high", 1, 100)?;
            StepTarget::HeartRatePercentMax {
                low: narrow(low),
                high: narrow(high),
            }
        }
        "power" => {
            object.only(&["type", "low_watts", "high_watts"])?;
            let (low, high) = object.range("low_watts", "high_watts", 1, *limits::POWER.end())?;
            StepTarget::Power {
                low_w: narrow(low),
                high_w: narrow(high),
            }
        }
        "power_zone" => {
            object.only(&["type", "zone"])?;
            StepTarget::PowerZone(narrow(object.int("zone", 1, 7)?))
        }
        "power_percent_ftp" => {
            object.only(&["type", "low", "high"])?;
            let (low, high) = object.range("low", "high", 1, 1000)?;
            StepTarget::PowerPercentFtp {
                low: narrow(low),
                high: narrow(high),
            }
        }
        "speed" => {
            object.only(&["type", "low_mps", "high_mps"])?;
            let low = object.number("low_mps", 0.0, true, MAX_SPEED_MPS)?;
            let high = object.number("high_mps", 0.0, true, MAX_SPEED_MPS)?;
            if low > high {
                return Err(object.error(
                    Some("low_mps"),
                    "Ensure low_mps is no higher than high_mps.",
                ));
            }
            StepTarget::Speed {
                low_mps: low,
                high_mps: high,
            }
        }
        "cadence" => {
            object.only(&["type", "low", "high"])?;
            let (low, high) = object.range("low", "high", 0, 300)?;
            StepTarget::Cadence {
                low: narrow(low),
                high: narrow(high),
            }
        }
        _ => {
            object.only(&["type"])?;
            StepTarget::Open
        }
    })
}
