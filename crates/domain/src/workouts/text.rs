//! A workout written as text, one step per line, as a coach would jot it down:
//!
//! ```text
//! 15 min warm up @ 60-70% FTP
//! 4 x
//!   5 min @ 105% FTP // seated, high cadence
//!   3 min recovery @ 55% FTP
//! open cool down @ Z1 HR
//! ```
//!
//! A line is `DURATION [NAME] [@ TARGET] [// NOTES]`; `N x` starts a repeat whose steps
//! follow on the lines below, indented deeper (repeats nest). Durations: `90 s`, `10 min`,
//! `1 h`, `1:30` (minutes and seconds), `1:05:00`, `400 m`, `5 km`, `2 mi`, `open` (until
//! the lap button). Targets: heart rate (`Z3 HR`, `140-150 bpm`, `80-85% max HR`,
//! `95-100% LTHR`), power (`Z4 power`, `250 W`, `90-95% FTP`), pace or speed
//! (`4:30-4:40 /km`, `7:15 /mi`, `30-32 km/h`, `90-95% threshold pace`) and cadence
//! (`85-95 rpm`, `170-180 spm`). The name's words `warm up`, `cool down`, `rest` and
//! `recovery` (or `easy`) set the step's kind.
//!
//! Reading gives a [`Plan`], which keeps the targets relative to an athlete's thresholds
//! (`% LTHR`, `% threshold pace`) as written, so a library workout suits any athlete;
//! [`Plan::steps`] turns it into the workout model's steps with one athlete's figures.
//! [`to_text`] writes any steps back as text.

use super::steps::{self, StepError};
use crate::training::TrainingSettings;
use paceline_activity::workout::{
    Intensity, MAX_REPEAT_DEPTH, Step, StepDuration, StepTarget, WorkoutStep,
};
use std::fmt::Write as _;

/// The most lines a workout text may have.
pub const MAX_LINES: usize = 500;

/// A line the reader refuses: which, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct TextError {
    /// The line, from 1 (0: the text as a whole).
    pub line: usize,
    /// What is wrong, in a coach's words.
    pub message: String,
}

impl std::fmt::Display for TextError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            0 => f.write_str(&self.message),
            line => write!(f, "Line {line}: {}", self.message),
        }
    }
}

fn error(line: usize, message: impl Into<String>) -> TextError {
    TextError {
        line,
        message: message.into(),
    }
}

/// A target as written: the workout model's own, or one relative to an athlete's threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Aim {
    /// A target the model keeps as it is.
    Fixed(StepTarget),
    /// Percent of the athlete's threshold heart rate.
    PercentLthr(u16, u16),
    /// Percent of the athlete's threshold speed (the speed of their threshold pace).
    PercentThresholdPace(u16, u16),
}

/// A step as written.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedStep {
    /// Its line.
    pub line: usize,
    /// Its name.
    pub name: Option<String>,
    /// Its notes.
    pub notes: Option<String>,
    /// Its kind.
    pub intensity: Option<Intensity>,
    /// When it ends.
    pub duration: StepDuration,
    /// What it aims at.
    pub aim: Aim,
}

/// An entry as written.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    /// A step.
    Step(PlannedStep),
    /// A repeat.
    Repeat {
        /// Its line.
        line: usize,
        /// How many times.
        times: u32,
        /// Its steps.
        entries: Vec<Entry>,
    },
}

/// A workout as written.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    /// The entries, in order.
    pub entries: Vec<Entry>,
}

/// Reads a workout's text.
///
/// # Errors
/// The first line that does not read, or a workout without a step.
pub fn parse(text: &str) -> Result<Plan, TextError> {
    let lines: Vec<(usize, usize, &str)> = text
        .lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let content = line.trim_end();
            let body = content.trim_start();
            (!body.is_empty()).then(|| {
                let indent = content.len() - body.len();
                (i + 1, indent, body)
            })
        })
        .collect();
    if lines.len() > MAX_LINES {
        return Err(error(
            0,
            format!("A workout has at most {MAX_LINES} lines."),
        ));
    }
    if lines.is_empty() {
        return Err(error(
            0,
            "Write at least one step, such as `10 min @ Z2 HR`.",
        ));
    }
    // Tabs and spaces mix badly in indentation; say so rather than guess.
    if let Some(tabbed) = text
        .lines()
        .position(|l| l.trim_start_matches(' ').starts_with('\t'))
    {
        return Err(error(tabbed + 1, "Indent repeats with spaces, not tabs."));
    }
    let mut at = 0;
    let least = lines
        .iter()
        .map(|(_, indent, _)| *indent)
        .min()
        .unwrap_or(0);
    let entries = block(&lines, &mut at, least, 0)?;
    Ok(Plan { entries })
}

/// Reads the entries indented exactly `indent`, from `lines[*at]` on.
fn block(
    lines: &[(usize, usize, &str)],
    at: &mut usize,
    indent: usize,
    depth: usize,
) -> Result<Vec<Entry>, TextError> {
    let mut entries = Vec::new();
    while let Some(&(number, this_indent, body)) = lines.get(*at) {
        if this_indent < indent {
            break;
        }
        if this_indent > indent {
            return Err(error(
                number,
                "This line is indented, but no repeat (`4 x`) comes before it.",
            ));
        }
        *at += 1;
        if let Some(times) = repeat_header(body) {
            let times = times.map_err(|m| error(number, m))?;
            if depth >= MAX_REPEAT_DEPTH {
                return Err(error(
                    number,
                    format!("Repeats may nest at most {MAX_REPEAT_DEPTH} deep."),
                ));
            }
            let inner = match lines.get(*at) {
                Some(&(_, next, _)) if next > indent => next,
                _ => {
                    return Err(error(
                        number,
                        "A repeat needs its steps on the lines below it, indented.",
                    ));
                }
            };
            let steps = block(lines, at, inner, depth + 1)?;
            entries.push(Entry::Repeat {
                line: number,
                times,
                entries: steps,
            });
        } else {
            entries.push(Entry::Step(step(number, body)?));
        }
    }
    Ok(entries)
}

/// `4 x`, `4x`, `4 ×`: the repeat's count; `None` when the line is not a repeat header.
fn repeat_header(body: &str) -> Option<Result<u32, String>> {
    let lower = body.to_lowercase();
    let trimmed = lower.trim_end_matches(':').trim();
    let count = trimmed
        .strip_suffix('x')
        .or_else(|| trimmed.strip_suffix('×'))?
        .trim();
    if count.is_empty() || !count.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some(match count.parse::<u32>() {
        Ok(n) if (1..=steps::MAX_TIMES as u32).contains(&n) => Ok(n),
        _ => Err(format!("A repeat is done 1 to {} times.", steps::MAX_TIMES)),
    })
}

/// A step's line.
fn step(line: usize, body: &str) -> Result<PlannedStep, TextError> {
    let (body, notes) = match body.split_once("//") {
        Some((before, notes)) => (
            before,
            Some(notes.trim().to_owned()).filter(|n| !n.is_empty()),
        ),
        None => (body, None),
    };
    let (left, target) = match body.split_once('@') {
        Some((left, target)) => (left.trim(), Some(target.trim())),
        None => (body.trim(), None),
    };
    let (duration, name) = duration(left).map_err(|m| error(line, m))?;
    let aim = match target {
        Some(text) => aim(text).map_err(|m| error(line, m))?,
        None => Aim::Fixed(StepTarget::Open),
    };
    let name = Some(name.trim().to_owned()).filter(|n| !n.is_empty());
    if let Some(text) = &name
        && text.chars().count() > steps::NAME_CHARS
    {
        return Err(error(
            line,
            format!(
                "A step's name has at most {} characters.",
                steps::NAME_CHARS
            ),
        ));
    }
    if let Some(text) = &notes
        && text.chars().count() > steps::NOTES_CHARS
    {
        return Err(error(
            line,
            format!(
                "A step's notes have at most {} characters.",
                steps::NOTES_CHARS
            ),
        ));
    }
    Ok(PlannedStep {
        line,
        intensity: Some(intensity_of(name.as_deref().unwrap_or_default())),
        name,
        notes,
        duration,
        aim,
    })
}

/// The kind a step's name says.
fn intensity_of(name: &str) -> Intensity {
    let name = name.to_lowercase();
    let squeezed: String = name.chars().filter(|c| c.is_alphanumeric()).collect();
    if squeezed.contains("warmup") {
        Intensity::Warmup
    } else if squeezed.contains("cooldown") {
        Intensity::Cooldown
    } else if name.split_whitespace().next() == Some("rest") {
        Intensity::Rest
    } else if squeezed.contains("recover") || name.split_whitespace().any(|w| w == "easy") {
        Intensity::Recovery
    } else {
        Intensity::Active
    }
}

/// A number with a decimal point or comma.
fn number(text: &str) -> Option<f64> {
    text.replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
}

/// `1:30` (minutes:seconds) or `1:05:00` (hours:minutes:seconds) in seconds.
fn clock(text: &str) -> Option<f64> {
    let parts: Vec<&str> = text.split(':').collect();
    let whole = |p: &str| {
        (!p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
            .then(|| p.parse::<u32>().ok())
            .flatten()
    };
    match parts.as_slice() {
        [m, s] if s.len() == 2 => Some(f64::from(whole(m)? * 60 + whole(s).filter(|s| *s < 60)?)),
        [h, m, s] if m.len() == 2 && s.len() == 2 => Some(f64::from(
            whole(h)? * 3600 + whole(m).filter(|m| *m < 60)? * 60 + whole(s).filter(|s| *s < 60)?,
        )),
        _ => None,
    }
}

const DURATION_HELP: &str = "Start the line with how long the step lasts: `90 s`, `10 min`, `1 h`, `1:30`, `400 m`, `5 km`, `2 mi` or `open`.";

/// The duration a step's line starts with, and the rest (its name).
fn duration(left: &str) -> Result<(StepDuration, &str), String> {
    let mut words = left.splitn(2, char::is_whitespace);
    let first = words.next().unwrap_or_default();
    let rest = words.next().unwrap_or_default().trim_start();
    if first.eq_ignore_ascii_case("open") || first.eq_ignore_ascii_case("lap") {
        return Ok((StepDuration::Open, rest));
    }
    if first.contains(':') {
        let seconds = clock(first).ok_or_else(|| {
            format!("`{first}` is not a time: write minutes and seconds as `1:30`, or `1:05:00`.")
        })?;
        return time(seconds).map(|d| (d, rest));
    }
    // The number, then its unit: attached (`10min`) or as the next word (`10 min`).
    let split = first
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .unwrap_or(first.len());
    let (value, attached) = first.split_at(split);
    let Some(value) = number(value) else {
        return Err(DURATION_HELP.to_owned());
    };
    let (unit, name) = if attached.is_empty() {
        let mut more = rest.splitn(2, char::is_whitespace);
        (
            more.next().unwrap_or_default(),
            more.next().unwrap_or_default().trim_start(),
        )
    } else {
        (attached, rest)
    };
    let metres = |factor: f64| {
        // To the millimetre: `2.3 km` is 2300 m, not 2299.9999999999995.
        let metres = (value * factor * 1000.0).round() / 1000.0;
        if metres > 0.0 && metres <= steps::MAX_METERS {
            Ok(StepDuration::Distance { metres })
        } else {
            Err("A step's distance is more than 0 and at most 5,000 km.".to_owned())
        }
    };
    let duration = match unit.to_lowercase().trim_end_matches('.') {
        "s" | "sec" | "secs" | "second" | "seconds" => time(value),
        "min" | "mins" | "minute" | "minutes" | "'" => time(value * 60.0),
        "h" | "hr" | "hrs" | "hour" | "hours" => time(value * 3600.0),
        "m" | "metre" | "metres" | "meter" | "meters" => metres(1.0),
        "km" | "k" => metres(1000.0),
        "mi" | "mile" | "miles" => metres(1609.344),
        "" => Err(format!(
            "`{first}` needs a unit: `{first} min`, `{first} s`, `{first} km`, `{first} m`…"
        )),
        other => Err(format!(
            "`{other}` is not a unit of time or distance. {DURATION_HELP}"
        )),
    }?;
    Ok((duration, name))
}

fn time(seconds: f64) -> Result<StepDuration, String> {
    if seconds > 0.0 && seconds <= steps::MAX_SECONDS {
        Ok(StepDuration::Time { seconds })
    } else {
        Err("A step lasts more than 0 seconds and at most a week.".to_owned())
    }
}

const TARGET_HELP: &str = "Targets read like `Z3 HR`, `140-150 bpm`, `80-85% max HR`, `95% LTHR`, `Z4 power`, `250 W`, `90-95% FTP`, `4:30-4:40 /km`, `30-32 km/h`, `90% threshold pace` or `85-95 rpm`.";

/// A low-high pair from `a-b` or a single `a`, each read by `read`.
fn pair<T: Copy>(text: &str, read: impl Fn(&str) -> Option<T>) -> Option<(T, T)> {
    match text.split_once('-') {
        Some((low, high)) => Some((read(low.trim())?, read(high.trim())?)),
        None => {
            let value = read(text.trim())?;
            Some((value, value))
        }
    }
}

fn whole<T: TryFrom<u64>>(text: &str) -> Option<T> {
    let value = number(text)?;
    (value >= 0.0 && value.fract() == 0.0 && value < 1e9)
        .then(|| T::try_from(value as u64).ok())
        .flatten()
}

/// What a target's text aims at.
fn aim(text: &str) -> Result<Aim, String> {
    let lower = text
        .to_lowercase()
        .replace(['–', '—'], "-")
        .replace(" - ", "-");
    let words: Vec<&str> = lower.split_whitespace().collect();
    // Zones: `Z3 HR`, `HR Z3`, `zone 3 power`.
    let zone_of = |w: &str| w.strip_prefix('z').and_then(|n| n.parse::<u8>().ok());
    let (zone, rest): (Option<u8>, Vec<&str>) = match words.as_slice() {
        [first, rest @ ..] if zone_of(first).is_some() => (zone_of(first), rest.to_vec()),
        ["zone", n, rest @ ..] => (n.parse().ok(), rest.to_vec()),
        [rest @ .., last] if zone_of(last).is_some() => (zone_of(last), rest.to_vec()),
        _ => (None, Vec::new()),
    };
    if let Some(zone) = zone {
        let kind = rest.join(" ");
        return match kind.as_str() {
            "hr" | "heart rate" | "heart" | "bpm" => {
                Ok(Aim::Fixed(StepTarget::HeartRateZone(zone)))
            }
            "power" | "pwr" | "w" | "watts" => Ok(Aim::Fixed(StepTarget::PowerZone(zone))),
            _ => Err(format!("Say which zone: `Z{zone} HR` or `Z{zone} power`.")),
        };
    }
    // A value (a range, maybe in percent), then what it measures.
    let split = lower
        .find(|c: char| !(c.is_ascii_digit() || ".,:-% ".contains(c)))
        .unwrap_or(lower.len());
    let (value, unit) = lower.split_at(split);
    let percent = value.contains('%');
    let value = value.replace(['%', ' '], "");
    let unit = unit.trim().trim_start_matches("of ").trim();
    let unknown = || format!("`{text}` is not a target I can read. {TARGET_HELP}");
    let percents = || pair(&value, whole::<u16>).ok_or_else(unknown);
    let aim = match (percent, unit) {
        (false, "bpm") => {
            let (low_bpm, high_bpm) = pair(&value, whole::<u8>).ok_or_else(unknown)?;
            StepTarget::HeartRate { low_bpm, high_bpm }
        }
        (true, "max hr" | "hr max" | "hrmax" | "max" | "mhr" | "max heart rate") => {
            let (low, high) = pair(&value, whole::<u8>).ok_or_else(unknown)?;
            StepTarget::HeartRatePercentMax { low, high }
        }
        (true, "lthr" | "threshold hr" | "threshold heart rate") => {
            let (low, high) = percents()?;
            return Ok(Aim::PercentLthr(low, high));
        }
        (true, "ftp" | "threshold power") => {
            let (low, high) = percents()?;
            StepTarget::PowerPercentFtp { low, high }
        }
        (false, "w" | "watt" | "watts") => {
            let (low_w, high_w) = percents()?;
            StepTarget::Power { low_w, high_w }
        }
        (true, "threshold pace" | "pace" | "threshold speed") => {
            let (low, high) = percents()?;
            return Ok(Aim::PercentThresholdPace(low, high));
        }
        (false, "/km" | "min/km" | "/mi" | "min/mi" | "per km" | "per mi") => {
            let metres = if unit.ends_with("mi") {
                1609.344
            } else {
                1000.0
            };
            let (first, second) = pair(&value, clock).ok_or_else(|| {
                format!(
                    "Write a pace as minutes and seconds per {}: `4:30-4:40 {}`.",
                    if metres > 1500.0 { "mile" } else { "kilometre" },
                    unit
                )
            })?;
            if first <= 0.0 || second <= 0.0 {
                return Err("A pace is more than 0:00.".to_owned());
            }
            // The slower pace is the lower speed.
            let (slow, fast) = if first >= second {
                (first, second)
            } else {
                (second, first)
            };
            StepTarget::Speed {
                low_mps: metres / slow,
                high_mps: metres / fast,
            }
        }
        (false, "km/h" | "kph" | "mph") => {
            let factor = if unit == "mph" {
                1609.344 / 3600.0
            } else {
                1000.0 / 3600.0
            };
            let (low, high) = pair(&value, number).ok_or_else(unknown)?;
            StepTarget::Speed {
                low_mps: low * factor,
                high_mps: high * factor,
            }
        }
        (false, "rpm" | "spm" | "cadence") => {
            let (low, high) = percents()?;
            StepTarget::Cadence { low, high }
        }
        _ => return Err(unknown()),
    };
    Ok(Aim::Fixed(aim))
}

impl Plan {
    /// The workout model's steps, with `settings`' thresholds for relative targets.
    ///
    /// # Errors
    /// A relative target without the threshold it needs, or a step the model refuses
    /// (named by its line).
    pub fn steps(
        &self,
        settings: Option<&TrainingSettings>,
    ) -> Result<Vec<WorkoutStep>, TextError> {
        let steps = resolve(&self.entries, settings)?;
        steps::check(&steps).map_err(|e| self.located(&e))?;
        Ok(steps)
    }

    /// Whether a target needs an athlete's thresholds.
    pub fn is_relative(&self) -> bool {
        fn any(entries: &[Entry]) -> bool {
            entries.iter().any(|e| match e {
                Entry::Step(s) => !matches!(s.aim, Aim::Fixed(_)),
                Entry::Repeat { entries, .. } => any(entries),
            })
        }
        any(&self.entries)
    }

    /// A model error, placed on the line of the step it names.
    fn located(&self, error: &StepError) -> TextError {
        let line = error
            .step
            .as_ref()
            .and_then(|path| {
                let mut entries = &self.entries;
                let mut line = None;
                for position in &path.0 {
                    match entries.get(position.checked_sub(1)?)? {
                        Entry::Step(s) => line = Some(s.line),
                        Entry::Repeat {
                            line: l,
                            entries: inner,
                            ..
                        } => {
                            line = Some(*l);
                            entries = inner;
                        }
                    }
                }
                line
            })
            .unwrap_or(0);
        TextError {
            line,
            message: error.message.clone(),
        }
    }
}

fn resolve(
    entries: &[Entry],
    settings: Option<&TrainingSettings>,
) -> Result<Vec<WorkoutStep>, TextError> {
    entries
        .iter()
        .map(|entry| match entry {
            Entry::Repeat { times, entries, .. } => Ok(WorkoutStep::Repeat {
                times: *times,
                steps: resolve(entries, settings)?,
            }),
            Entry::Step(step) => {
                let target = match step.aim {
                    Aim::Fixed(target) => target,
                    Aim::PercentLthr(low, high) => {
                        let lthr = settings.and_then(|s| s.threshold_heart_rate).ok_or_else(|| {
                            error(step.line, "`% LTHR` needs the athlete's threshold heart rate: set it in their training settings, or aim at `% max HR` or a zone.")
                        })?;
                        let bpm = |p: u16| {
                            u8::try_from((f64::from(lthr) * f64::from(p) / 100.0).round() as u64)
                                .map_err(|_| error(step.line, "That heart rate is above 255 bpm."))
                        };
                        StepTarget::HeartRate {
                            low_bpm: bpm(low)?,
                            high_bpm: bpm(high)?,
                        }
                    }
                    Aim::PercentThresholdPace(low, high) => {
                        let pace = settings.and_then(|s| s.threshold_pace_s_per_km).ok_or_else(|| {
                            error(step.line, "`% threshold pace` needs the athlete's threshold pace: set it in their training settings, or aim at a pace such as `4:30-4:40 /km`.")
                        })?;
                        let speed = 1000.0 / f64::from(pace);
                        StepTarget::Speed {
                            low_mps: speed * f64::from(low) / 100.0,
                            high_mps: speed * f64::from(high) / 100.0,
                        }
                    }
                };
                Ok(WorkoutStep::Step(Step {
                    name: step.name.clone(),
                    notes: step.notes.clone(),
                    intensity: step.intensity,
                    duration: step.duration,
                    target,
                }))
            }
        })
        .collect()
}

/// `seconds` as a duration word: `90 s`, `10 min`, `1 h`, `1:30`, `1:05:00`.
fn time_text(seconds: f64) -> String {
    let whole = seconds.round();
    if (seconds - whole).abs() > 1e-6 {
        return format!("{seconds} s");
    }
    let s = whole as u64;
    match s {
        _ if s.is_multiple_of(3600) => format!("{} h", s / 3600),
        _ if s.is_multiple_of(60) => format!("{} min", s / 60),
        0..60 => format!("{s} s"),
        60..3600 => format!("{}:{:02}", s / 60, s % 60),
        _ => format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60),
    }
}

fn metres_text(metres: f64) -> String {
    if metres >= 1000.0 && metres % 1000.0 == 0.0 {
        format!("{} km", metres / 1000.0)
    } else {
        format!("{metres} m")
    }
}

fn range<T: PartialEq + std::fmt::Display>(low: T, high: T) -> String {
    if low == high {
        low.to_string()
    } else {
        format!("{low}-{high}")
    }
}

/// Seconds per kilometre (or mile) of a speed, as `m:ss`.
fn pace(mps: f64, metres: f64) -> String {
    let seconds = (metres / mps).round() as u64;
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

fn target_text(target: &StepTarget, by_pace: bool) -> Option<String> {
    Some(match *target {
        StepTarget::Open => return None,
        StepTarget::HeartRateZone(z) => format!("Z{z} HR"),
        StepTarget::HeartRate { low_bpm, high_bpm } => format!("{} bpm", range(low_bpm, high_bpm)),
        StepTarget::HeartRatePercentMax { low, high } => format!("{}% max HR", range(low, high)),
        StepTarget::PowerZone(z) => format!("Z{z} power"),
        StepTarget::Power { low_w, high_w } => format!("{} W", range(low_w, high_w)),
        StepTarget::PowerPercentFtp { low, high } => format!("{}% FTP", range(low, high)),
        StepTarget::Speed { low_mps, high_mps } if by_pace && low_mps > 0.0 => {
            // Fast to slow, as a pace range reads.
            format!(
                "{} /km",
                range(pace(high_mps, 1000.0), pace(low_mps, 1000.0))
            )
        }
        StepTarget::Speed { low_mps, high_mps } => {
            let kmh = |v: f64| (v * 3.6 * 10.0).round() / 10.0;
            format!("{} km/h", range(kmh(low_mps), kmh(high_mps)))
        }
        StepTarget::Cadence { low, high } => format!("{} rpm", range(low, high)),
    })
}

/// Writes steps as text; speeds as paces when `by_pace` (runs, walks).
pub fn to_text(steps: &[WorkoutStep], by_pace: bool) -> String {
    let mut out = String::new();
    write_entries(&mut out, steps, 0, by_pace);
    out
}

fn write_entries(out: &mut String, steps: &[WorkoutStep], depth: usize, by_pace: bool) {
    let indent = "  ".repeat(depth);
    for entry in steps {
        match entry {
            WorkoutStep::Repeat { times, steps } => {
                let _ = writeln!(out, "{indent}{times} x");
                write_entries(out, steps, depth + 1, by_pace);
            }
            WorkoutStep::Step(step) => {
                let mut line = match step.duration {
                    StepDuration::Time { seconds } => time_text(seconds),
                    StepDuration::Distance { metres } => metres_text(metres),
                    StepDuration::Open => "open".to_owned(),
                };
                let name = step.name.clone().or_else(|| {
                    match step.intensity {
                        Some(Intensity::Warmup) => Some("warm up"),
                        Some(Intensity::Cooldown) => Some("cool down"),
                        Some(Intensity::Rest) => Some("rest"),
                        Some(Intensity::Recovery) => Some("recovery"),
                        _ => None,
                    }
                    .map(str::to_owned)
                });
                if let Some(name) = name {
                    // `@` and `//` would end the name early.
                    line.push(' ');
                    line.push_str(&name.replace('@', "at").replace("//", "/"));
                }
                if let Some(target) = target_text(&step.target, by_pace) {
                    line.push_str(" @ ");
                    line.push_str(&target);
                }
                if let Some(notes) = &step.notes {
                    line.push_str(" // ");
                    line.push_str(&notes.replace('\n', " "));
                }
                let _ = writeln!(out, "{indent}{line}");
            }
        }
    }
}

/// One block of a workout's intensity chart: a step as done, repeats unrolled.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    /// How long it lasts, in seconds (estimated for distances; open steps count 5 minutes).
    pub seconds: f64,
    /// Its intensity as a fraction of threshold, when the target says one.
    pub intensity: Option<f64>,
    /// Whether `seconds` is a guess (a distance or an open step).
    pub estimated: bool,
    /// The step's name or kind, for the read-out.
    pub label: String,
}

/// The seconds an open step counts for in the chart.
pub const OPEN_SECONDS: f64 = 300.0;

/// Intensities of zones 1 to 7, as fractions of threshold (the middle of common zone models).
const POWER_ZONES: [f64; 7] = [0.45, 0.65, 0.83, 0.98, 1.13, 1.35, 1.6];
const HR_ZONES: [f64; 5] = [0.6, 0.75, 0.87, 0.97, 1.05];

/// The blocks of `steps` for a chart, with `settings`' thresholds where a target is absolute.
pub fn blocks(steps: &[WorkoutStep], settings: Option<&TrainingSettings>) -> Vec<Block> {
    let mut out = Vec::new();
    unroll(steps, settings, &mut out);
    out
}

fn unroll(steps: &[WorkoutStep], settings: Option<&TrainingSettings>, out: &mut Vec<Block>) {
    for entry in steps {
        if out.len() >= 2_000 {
            return;
        }
        match entry {
            WorkoutStep::Repeat { times, steps } => {
                for _ in 0..*times {
                    unroll(steps, settings, out);
                }
            }
            WorkoutStep::Step(step) => out.push(block_of(step, settings)),
        }
    }
}

fn block_of(step: &Step, settings: Option<&TrainingSettings>) -> Block {
    let mid = |low: f64, high: f64| (low + high) / 2.0;
    let ftp = settings.and_then(|s| s.ftp_watts).map(f64::from);
    let lthr = settings.and_then(|s| s.threshold_heart_rate).map(f64::from);
    let threshold_speed = settings
        .and_then(|s| s.threshold_pace_s_per_km)
        .map(|p| 1000.0 / f64::from(p));
    let intensity = match step.target {
        StepTarget::PowerPercentFtp { low, high } => {
            Some(mid(f64::from(low), f64::from(high)) / 100.0)
        }
        StepTarget::Power { low_w, high_w } => {
            ftp.map(|f| mid(f64::from(low_w), f64::from(high_w)) / f)
        }
        StepTarget::PowerZone(z) => POWER_ZONES.get(usize::from(z).saturating_sub(1)).copied(),
        StepTarget::HeartRateZone(z) => HR_ZONES.get(usize::from(z).saturating_sub(1)).copied(),
        StepTarget::HeartRate { low_bpm, high_bpm } => {
            lthr.map(|t| mid(f64::from(low_bpm), f64::from(high_bpm)) / t)
        }
        // Threshold heart rate sits near 90% of the maximum.
        StepTarget::HeartRatePercentMax { low, high } => {
            Some(mid(f64::from(low), f64::from(high)) / 90.0)
        }
        StepTarget::Speed { low_mps, high_mps } => {
            threshold_speed.map(|t| mid(low_mps, high_mps) / t)
        }
        StepTarget::Cadence { .. } | StepTarget::Open => match step.intensity {
            Some(
                Intensity::Warmup | Intensity::Cooldown | Intensity::Recovery | Intensity::Rest,
            ) => Some(0.5),
            _ => None,
        },
    };
    let (seconds, estimated) = match step.duration {
        StepDuration::Time { seconds } => (seconds, false),
        StepDuration::Open => (OPEN_SECONDS, true),
        StepDuration::Distance { metres } => {
            let speed = match step.target {
                StepTarget::Speed { low_mps, high_mps } if low_mps + high_mps > 0.0 => {
                    mid(low_mps, high_mps)
                }
                _ => threshold_speed.map_or(3.0, |t| t * intensity.unwrap_or(0.8).clamp(0.5, 1.2)),
            };
            (metres / speed, true)
        }
    };
    let label = step.name.clone().unwrap_or_else(|| {
        match step.intensity {
            Some(Intensity::Warmup) => "Warm up",
            Some(Intensity::Cooldown) => "Cool down",
            Some(Intensity::Rest) => "Rest",
            Some(Intensity::Recovery) => "Recovery",
            _ => "Step",
        }
        .to_owned()
    });
    Block {
        seconds,
        intensity,
        estimated,
        label,
    }
}

#[cfg(test)]
mod tests;
