//! What the ZWO and ERG writers share: a bound on unrolled repeats, power targets in the
//! unit a format needs, and user text made safe for the format.

use crate::workout::{ExportError, MAX_EXPORT_BLOCKS, Needs, PowerReference, StepPath, StepTarget};

/// Counts the blocks a writer emits, refusing past [`MAX_EXPORT_BLOCKS`].
#[derive(Debug, Default)]
pub(crate) struct Budget {
    used: usize,
}

impl Budget {
    /// Takes one block.
    pub(crate) fn take(&mut self) -> Result<(), ExportError> {
        if self.used >= MAX_EXPORT_BLOCKS {
            return Err(ExportError::TooLong);
        }
        self.used += 1;
        Ok(())
    }
}

/// The unit a format writes power in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PowerUnit {
    /// A fraction of FTP (1.0 is FTP).
    FtpFraction,
    /// Percent of FTP.
    FtpPercent,
    /// Watts.
    Watts,
}

/// Whether a target is a power target.
pub(crate) fn is_power(target: &StepTarget) -> bool {
    matches!(
        target,
        StepTarget::Power { .. } | StepTarget::PowerPercentFtp { .. } | StepTarget::PowerZone(_)
    )
}

/// A power target's range, low to high, in `unit`; `None` for a target of another kind.
pub(crate) fn power_range(
    target: &StepTarget,
    unit: PowerUnit,
    reference: &PowerReference,
    step: &StepPath,
) -> Result<Option<(f64, f64)>, ExportError> {
    let needs = |needs| ExportError::Needs {
        step: step.clone(),
        needs,
    };
    let ftp = || {
        reference
            .ftp_watts
            .filter(|ftp| *ftp > 0)
            .map(f64::from)
            .ok_or_else(|| needs(Needs::Ftp))
    };
    let watts = match *target {
        StepTarget::Power { low_w, high_w } => (f64::from(low_w), f64::from(high_w)),
        StepTarget::PowerZone(zone) => {
            let (low, high) = usize::from(zone)
                .checked_sub(1)
                .and_then(|index| reference.zones_watts.get(index))
                .copied()
                .filter(|(low, high)| low <= high && *high > 0)
                .ok_or_else(|| needs(Needs::PowerZone(zone)))?;
            (f64::from(low), f64::from(high))
        }
        StepTarget::PowerPercentFtp { low, high } => {
            let (low, high) = (f64::from(low), f64::from(high));
            return Ok(Some(match unit {
                PowerUnit::FtpFraction => (low / 100.0, high / 100.0),
                PowerUnit::FtpPercent => (low, high),
                PowerUnit::Watts => {
                    let ftp = ftp()?;
                    (low * ftp / 100.0, high * ftp / 100.0)
                }
            }));
        }
        _ => return Ok(None),
    };
    Ok(Some(match unit {
        PowerUnit::Watts => watts,
        PowerUnit::FtpFraction => {
            let ftp = ftp()?;
            (watts.0 / ftp, watts.1 / ftp)
        }
        PowerUnit::FtpPercent => {
            let ftp = ftp()?;
            (watts.0 * 100.0 / ftp, watts.1 * 100.0 / ftp)
        }
    }))
}

/// `value` with at most `places` decimals, trailing zeros dropped (`0.88`, `600`).
pub(crate) fn decimal(value: f64, places: usize) -> String {
    let text = format!("{value:.places$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        &text
    };
    if text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

/// User text as a format can carry it: without the control characters XML 1.0 forbids
/// (even escaped) and, when `one_line`, with line breaks and tabs as spaces.
pub(crate) fn clean_text(text: &str, one_line: bool) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\t' | '\n' | '\r' if one_line => Some(' '),
            '\t' | '\n' | '\r' => Some(c),
            c if c.is_control() => None,
            '\u{FFFE}' | '\u{FFFF}' => None,
            c => Some(c),
        })
        .collect()
}

/// A step's name and notes as one line of text, if it has either.
pub(crate) fn step_text(name: Option<&str>, notes: Option<&str>) -> Option<String> {
    let name = name.map(str::trim).filter(|s| !s.is_empty());
    let notes = notes.map(str::trim).filter(|s| !s.is_empty());
    match (name, notes) {
        (Some(name), Some(notes)) => Some(format!("{name}: {notes}")),
        (Some(text), None) | (None, Some(text)) => Some(text.to_owned()),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_drop_trailing_zeros() {
        assert_eq!(decimal(0.88, 3), "0.88");
        assert_eq!(decimal(600.0, 2), "600");
        assert_eq!(decimal(1.0 / 3.0, 3), "0.333");
        assert_eq!(decimal(-0.0001, 2), "0");
    }

    #[test]
    fn text_loses_what_xml_cannot_hold() {
        assert_eq!(clean_text("a\u{1}b\tc\nd", false), "ab\tc\nd");
        assert_eq!(clean_text("a\u{1}b\tc\nd", true), "ab c d");
    }

    #[test]
    fn power_converts_with_the_reference_or_says_what_it_needs() {
        let step = StepPath(vec![2, 1]);
        let none = PowerReference::default();
        let known = PowerReference {
            ftp_watts: Some(250),
            zones_watts: vec![(100, 150), (151, 200)],
        };
        let pct = StepTarget::PowerPercentFtp { low: 88, high: 94 };
        let watts = StepTarget::Power {
            low_w: 200,
            high_w: 250,
        };
        assert_eq!(
            power_range(&pct, PowerUnit::FtpFraction, &none, &step),
            Ok(Some((0.88, 0.94)))
        );
        assert_eq!(
            power_range(&watts, PowerUnit::FtpFraction, &known, &step),
            Ok(Some((0.8, 1.0)))
        );
        assert_eq!(
            power_range(&watts, PowerUnit::FtpFraction, &none, &step),
            Err(ExportError::Needs {
                step: step.clone(),
                needs: Needs::Ftp
            })
        );
        assert_eq!(
            power_range(&StepTarget::PowerZone(2), PowerUnit::Watts, &known, &step),
            Ok(Some((151.0, 200.0)))
        );
        assert_eq!(
            power_range(&StepTarget::PowerZone(3), PowerUnit::Watts, &known, &step),
            Err(ExportError::Needs {
                step,
                needs: Needs::PowerZone(3)
            })
        );
        assert_eq!(
            power_range(
                &StepTarget::Cadence { low: 80, high: 90 },
                PowerUnit::Watts,
                &none,
                &StepPath::default()
            ),
            Ok(None)
        );
    }
}
