//! The activity summary against the rules it follows: one session gives its figures,
//! several make a multisport activity, none derive from the records.

use crate::check::Check;
use paceline_activity::fit::{ActivityType, DecodedActivity, Figures, SummarySource};

/// The summary follows the rules: one session gives its figures, several make a
/// multisport activity whose totals are the sums of the legs, none derive from the records.
pub(crate) fn check_summary(check: &mut Check<'_>, decoded: &DecodedActivity) {
    let summary = &decoded.summary;
    let sum = |get: fn(&Figures) -> Option<f64>| -> Option<f64> {
        let values: Vec<f64> = decoded
            .legs
            .iter()
            .filter_map(|l| get(&l.figures))
            .collect();
        (!values.is_empty()).then(|| values.iter().sum())
    };
    match decoded.legs.as_slice() {
        [] => {
            if summary.source != SummarySource::Records {
                check.fail(
                    "summary.source",
                    format!("{:?} without a session", summary.source),
                );
            }
            let first = decoded.streams.time.iter().flatten().next().copied();
            if summary.start_time != first {
                check.fail(
                    "summary.start_time",
                    format!(
                        "{:?} but the first record is at {first:?}",
                        summary.start_time
                    ),
                );
            }
        }
        [leg] => {
            if summary.activity_type != leg.activity_type || summary.start_time != leg.start_time {
                check.fail(
                    "summary",
                    "a single session's type and start must be the summary's".into(),
                );
            }
            for (name, s, l) in [
                (
                    "elapsed_s",
                    summary.figures.elapsed_s,
                    leg.figures.elapsed_s,
                ),
                (
                    "distance_m",
                    summary.figures.distance_m,
                    leg.figures.distance_m,
                ),
            ] {
                if l.is_some() && s != l {
                    check.fail(
                        &format!("summary.{name}"),
                        format!("{s:?}, the session says {l:?}"),
                    );
                }
            }
        }
        legs => {
            if summary.activity_type != ActivityType::Multisport {
                check.fail(
                    "summary.activity_type",
                    format!("{} for {} sessions", summary.activity_type, legs.len()),
                );
            }
            for (name, s, l) in [
                ("elapsed_s", summary.figures.elapsed_s, sum(|f| f.elapsed_s)),
                ("timer_s", summary.figures.timer_s, sum(|f| f.timer_s)),
                (
                    "distance_m",
                    summary.figures.distance_m,
                    sum(|f| f.distance_m),
                ),
                (
                    "calories_kcal",
                    summary.figures.calories_kcal.map(f64::from),
                    sum(|f| f.calories_kcal.map(f64::from)),
                ),
                (
                    "ascent_m",
                    summary.figures.ascent_m.map(f64::from),
                    sum(|f| f.ascent_m.map(f64::from)),
                ),
            ] {
                let close = match (s, l) {
                    (Some(s), Some(l)) => (s - l).abs() < 1e-6,
                    (None, None) => true,
                    _ => false,
                };
                if !close {
                    check.fail(
                        &format!("summary.{name}"),
                        format!("{s:?}, the legs add up to {l:?}"),
                    );
                }
            }
        }
    }
    if summary.lap_count != decoded.laps.len() {
        check.fail(
            "summary.lap_count",
            format!("{} for {} laps", summary.lap_count, decoded.laps.len()),
        );
    }
}
