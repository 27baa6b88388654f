//! [`encode_workout`]: a workout as a Zwift workout file (`.zwo`), XML written with
//! quick-xml's writer, so user text is always escaped.
//!
//! # Decisions
//! - **Sports.** `cycling` becomes `<sportType>bike</sportType>`, `running` `run`; other
//!   sports are refused ([`ExportError::Sport`]).
//! - **Power is a fraction of FTP** in ZWO. Targets in percent of FTP are written as they are;
//!   targets in watts and power zones need the athlete's FTP (and the zone's watts), given in
//!   the [`PowerReference`]; without them the target is refused with
//!   [`ExportError::Needs`]. A range becomes its midpoint (`SteadyState Power`), except on a
//!   warm-up, which ramps up across it (`Warmup`), and a cool-down, which ramps down
//!   (`Cooldown`, whose `PowerLow` is where it starts).
//! - **Other targets.** An open target is a `FreeRide`, a cadence target a `FreeRide` with
//!   its midpoint `Cadence`. Zwift has no heart-rate or pace targets, and reads a run's
//!   "power" as a fraction of threshold pace: those steps are refused
//!   ([`ExportError::Step`]) rather than written as something else.
//! - **Durations** are whole seconds. A workout whose steps are all by distance is written
//!   with `<durationType>distance</durationType>` and durations in whole metres; ZWO keeps
//!   one kind for the whole file, so a workout mixing both is refused, as is a step that
//!   ends at the lap button (ZWO blocks need a length).
//! - **Repeats.** A repeat of two power steps is an `IntervalsT` (on, then off); any other
//!   repeat is written out in full, up to [`crate::workout::MAX_EXPORT_BLOCKS`] blocks.
//! - **Text.** Step names and notes become a `textevent` at the start of their block;
//!   control characters XML cannot hold are dropped.

use quick_xml::Writer;
use quick_xml::events::{BytesEnd, BytesStart, BytesText, Event};

use crate::export::{Budget, PowerUnit, clean_text, decimal, is_power, power_range, step_text};
use crate::workout::{
    ExportError, PowerReference, Step, StepDuration, StepPath, StepTarget, Workout, WorkoutStep,
};

const FORMAT: &str = "ZWO";

/// What a workout's durations are measured in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Measure {
    Seconds,
    Metres,
}

/// One element of `<workout>`.
#[derive(Debug, Clone, PartialEq)]
enum Block {
    Steady {
        length: f64,
        power: f64,
        text: Option<String>,
    },
    Ramp {
        element: &'static str,
        length: f64,
        from: f64,
        to: f64,
        text: Option<String>,
    },
    Free {
        length: f64,
        cadence: Option<f64>,
        text: Option<String>,
    },
    Intervals {
        times: u32,
        on_length: f64,
        off_length: f64,
        on_power: f64,
        off_power: f64,
        text: Option<String>,
    },
}

struct Context<'a> {
    bike: bool,
    measure: Measure,
    power: &'a PowerReference,
}

/// Encodes a workout as a Zwift workout file (UTF-8 XML). `description` is the workout's
/// description as the athlete reads it.
///
/// # Errors
/// [`ExportError`]: the workout breaks the model's rules, is for a sport ZWO does not
/// take, has a step ZWO cannot express (a heart-rate or pace target, an open duration,
/// time mixed with distance), needs the athlete's FTP or power zones that `power` does not
/// give, or unrolls past the block limit. See the [module docs](self).
pub fn encode_workout(
    workout: &Workout,
    description: &str,
    power: &PowerReference,
) -> Result<Vec<u8>, ExportError> {
    workout.check()?;
    let (sport_type, bike) = match workout.sport.0 {
        2 => ("bike", true),
        1 => ("run", false),
        _ => {
            return Err(ExportError::Sport {
                format: FORMAT,
                sports: "cycling and running",
            });
        }
    };
    let mut seen = (false, false);
    measure_of(&workout.steps, &mut Vec::new(), &mut seen)?;
    let measure = match seen {
        (true, true) => return Err(ExportError::MixedDurations { format: FORMAT }),
        (false, true) => Measure::Metres,
        _ => Measure::Seconds,
    };
    let context = Context {
        bike,
        measure,
        power,
    };
    let mut blocks = Vec::new();
    collect(
        &workout.steps,
        &mut Vec::new(),
        &context,
        &mut blocks,
        &mut Budget::default(),
    )?;
    Ok(write(
        &workout.name,
        description,
        sport_type,
        measure,
        &blocks,
    ))
}

/// Notes whether the steps are by time (`seen.0`) or distance (`seen.1`); refuses open ones.
fn measure_of(
    steps: &[WorkoutStep],
    path: &mut Vec<usize>,
    seen: &mut (bool, bool),
) -> Result<(), ExportError> {
    for (position, step) in steps.iter().enumerate() {
        path.push(position + 1);
        match step {
            WorkoutStep::Step(step) => match step.duration {
                StepDuration::Time { .. } => seen.0 = true,
                StepDuration::Distance { .. } => seen.1 = true,
                StepDuration::Open => {
                    return Err(ExportError::Step {
                        step: StepPath(path.clone()),
                        reason: "a step that ends at the lap button cannot be written in a ZWO file (Zwift's blocks need a time or a distance)",
                    });
                }
            },
            WorkoutStep::Repeat { steps, .. } => measure_of(steps, path, seen)?,
        }
        path.pop();
    }
    Ok(())
}

fn length(step: &Step, measure: Measure) -> f64 {
    let value = match (step.duration, measure) {
        (StepDuration::Time { seconds }, Measure::Seconds) => seconds,
        (StepDuration::Distance { metres }, Measure::Metres) => metres,
        // measure_of refused the rest.
        _ => 0.0,
    };
    value.round().max(1.0)
}

fn collect(
    steps: &[WorkoutStep],
    path: &mut Vec<usize>,
    context: &Context<'_>,
    blocks: &mut Vec<Block>,
    budget: &mut Budget,
) -> Result<(), ExportError> {
    for (position, entry) in steps.iter().enumerate() {
        path.push(position + 1);
        match entry {
            WorkoutStep::Step(step) => {
                budget.take()?;
                blocks.push(single(step, &StepPath(path.clone()), context)?);
            }
            WorkoutStep::Repeat { times, steps } => {
                if let [WorkoutStep::Step(on), WorkoutStep::Step(off)] = steps.as_slice()
                    && context.bike
                    && is_power(&on.target)
                    && is_power(&off.target)
                {
                    budget.take()?;
                    let power = |step: &Step, at: usize| {
                        let mut at_path = path.clone();
                        at_path.push(at);
                        power_range(
                            &step.target,
                            PowerUnit::FtpFraction,
                            context.power,
                            &StepPath(at_path),
                        )
                        .map(|range| range.map_or(0.0, |(low, high)| (low + high) / 2.0))
                    };
                    blocks.push(Block::Intervals {
                        times: *times,
                        on_length: length(on, context.measure),
                        off_length: length(off, context.measure),
                        on_power: power(on, 1)?,
                        off_power: power(off, 2)?,
                        text: step_text(on.name.as_deref(), on.notes.as_deref()),
                    });
                } else {
                    for _ in 0..*times {
                        collect(steps, path, context, blocks, budget)?;
                    }
                }
            }
        }
        path.pop();
    }
    Ok(())
}

fn single(step: &Step, path: &StepPath, context: &Context<'_>) -> Result<Block, ExportError> {
    let refuse = |reason| ExportError::Step {
        step: path.clone(),
        reason,
    };
    let length = length(step, context.measure);
    let text = step_text(step.name.as_deref(), step.notes.as_deref());
    match step.target {
        StepTarget::Open => Ok(Block::Free {
            length,
            cadence: None,
            text,
        }),
        StepTarget::Cadence { low, high } => Ok(Block::Free {
            length,
            cadence: Some((f64::from(low) + f64::from(high)) / 2.0),
            text,
        }),
        StepTarget::HeartRate { .. }
        | StepTarget::HeartRateZone(_)
        | StepTarget::HeartRatePercentMax { .. } => Err(refuse(
            "heart-rate targets cannot be written in a ZWO file (Zwift has none)",
        )),
        StepTarget::Speed { .. } => Err(refuse(
            "pace targets cannot be written in a ZWO file (Zwift has none in metres per second)",
        )),
        StepTarget::Power { .. }
        | StepTarget::PowerZone(_)
        | StepTarget::PowerPercentFtp { .. }
            if !context.bike =>
        {
            Err(refuse(
                "power targets of a run cannot be written in a ZWO file (Zwift reads a run's power as a fraction of threshold pace)",
            ))
        }
        _ => {
            let (low, high) =
                power_range(&step.target, PowerUnit::FtpFraction, context.power, path)?
                    .unwrap_or((0.0, 0.0));
            Ok(match step.intensity {
                Some(crate::workout::Intensity::Warmup) => Block::Ramp {
                    element: "Warmup",
                    length,
                    from: low,
                    to: high,
                    text,
                },
                Some(crate::workout::Intensity::Cooldown) => Block::Ramp {
                    element: "Cooldown",
                    length,
                    from: high,
                    to: low,
                    text,
                },
                _ => Block::Steady {
                    length,
                    power: (low + high) / 2.0,
                    text,
                },
            })
        }
    }
}

/// An XML writer over a buffer. Writing to a `Vec` cannot fail, so the writer's
/// `io::Result`s are dropped in one place.
struct Xml(Writer<Vec<u8>>);

impl Xml {
    fn text_element(&mut self, name: &str, text: &str) {
        let clean = clean_text(text, false);
        let _ = self
            .0
            .create_element(name)
            .write_text_content(BytesText::new(&clean));
    }

    fn empty(&mut self, name: &str) {
        let _ = self.0.create_element(name).write_empty();
    }

    fn block(&mut self, name: &str, attributes: &[(&str, String)], text: Option<&str>) {
        let element = self
            .0
            .create_element(name)
            .with_attributes(attributes.iter().map(|(k, v)| (*k, v.as_str())));
        let _ = match text {
            None => element.write_empty().map(drop),
            Some(text) => {
                let message = clean_text(text, true);
                element
                    .write_inner_content(|inner| {
                        inner
                            .create_element("textevent")
                            .with_attribute(("timeoffset", "0"))
                            .with_attribute(("message", message.as_str()))
                            .write_empty()
                            .map(drop)
                    })
                    .map(drop)
            }
        };
    }

    fn open(&mut self, name: &str) {
        let _ = self.0.write_event(Event::Start(BytesStart::new(name)));
    }

    fn close(&mut self, name: &str) {
        let _ = self.0.write_event(Event::End(BytesEnd::new(name)));
    }
}

fn write(
    name: &str,
    description: &str,
    sport_type: &str,
    measure: Measure,
    blocks: &[Block],
) -> Vec<u8> {
    let power = |v: f64| decimal(v, 3);
    let whole = |v: f64| decimal(v, 0);
    let mut xml = Xml(Writer::new_with_indent(Vec::new(), b' ', 2));
    xml.open("workout_file");
    xml.text_element("author", "Paceline");
    xml.text_element("name", name);
    xml.text_element("description", description);
    xml.text_element("sportType", sport_type);
    if measure == Measure::Metres {
        xml.text_element("durationType", "distance");
    }
    xml.empty("tags");
    xml.open("workout");
    for block in blocks {
        match block {
            Block::Steady {
                length,
                power: p,
                text,
            } => xml.block(
                "SteadyState",
                &[("Duration", whole(*length)), ("Power", power(*p))],
                text.as_deref(),
            ),
            Block::Ramp {
                element,
                length,
                from,
                to,
                text,
            } => xml.block(
                element,
                &[
                    ("Duration", whole(*length)),
                    ("PowerLow", power(*from)),
                    ("PowerHigh", power(*to)),
                ],
                text.as_deref(),
            ),
            Block::Free {
                length,
                cadence,
                text,
            } => {
                let mut attributes = vec![("Duration", whole(*length))];
                if let Some(cadence) = cadence {
                    attributes.push(("Cadence", whole(*cadence)));
                }
                xml.block("FreeRide", &attributes, text.as_deref());
            }
            Block::Intervals {
                times,
                on_length,
                off_length,
                on_power,
                off_power,
                text,
            } => xml.block(
                "IntervalsT",
                &[
                    ("Repeat", times.to_string()),
                    ("OnDuration", whole(*on_length)),
                    ("OffDuration", whole(*off_length)),
                    ("OnPower", power(*on_power)),
                    ("OffPower", power(*off_power)),
                ],
                text.as_deref(),
            ),
        }
    }
    xml.close("workout");
    xml.close("workout_file");
    let mut bytes = xml.0.into_inner();
    bytes.push(b'\n');
    bytes
}

#[cfg(test)]
mod tests;
