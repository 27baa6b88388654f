//! Charts of a figure by day (weight, sleep, resting heart rate...): a line over the days
//! with the days as its axis.

use super::chart::{LineChart, LineSpec, nice_step};
use super::format;
use time::{Date, Duration};

/// How a figure by day reads.
pub(crate) struct Figure<'a> {
    /// The element's id and colour class.
    pub(crate) key: &'static str,
    /// The heading.
    pub(crate) title: &'static str,
    /// The unit after a value.
    pub(crate) unit: &'a str,
    /// Formats a value.
    pub(crate) value: &'a dyn Fn(f64) -> String,
}

/// The chart of `points` (a day and its value, in any order) from `first` on, with a
/// sentence giving the latest value and the change since the first; `None` with fewer than
/// two days.
pub(crate) fn by_day(
    figure: &Figure<'_>,
    first: Date,
    points: &[(Date, f64)],
) -> Option<LineChart> {
    let mut points: Vec<(Date, f64)> = points
        .iter()
        .copied()
        .filter(|(day, value)| *day >= first && value.is_finite())
        .collect();
    points.sort_by_key(|p| p.0);
    let (earliest, latest) = (points.first()?, points.last()?);
    let offset = |day: Date| (day - first).whole_days() as f64;
    let label = |at: f64| format::day_short(first + Duration::days(at.round() as i64));
    let step = |span: f64| nice_step(span, 4.0).max(1.0).ceil();
    let change = latest.1 - earliest.1;
    let with_unit = |v: f64| match figure.unit {
        "" => (figure.value)(v),
        unit => format!("{} {unit}", (figure.value)(v)),
    };
    let summary = format!(
        "{}: {} on {}, {} {} since {}.",
        figure.title,
        with_unit(latest.1),
        format::day_short(latest.0),
        if change >= 0.0 { "up" } else { "down" },
        with_unit(change.abs()),
        format::day_short(earliest.0),
    );
    let spec = LineSpec {
        key: figure.key,
        title: figure.title,
        unit: figure.unit,
        value: figure.value,
        x_label: &label,
        x_step: &step,
        inverted: false,
        summary: Some(summary),
        gap_columns: usize::MAX,
    };
    let xy: Vec<(f64, f64)> = points.iter().map(|(d, v)| (offset(*d), *v)).collect();
    LineChart::of(&spec, &xy)
}
