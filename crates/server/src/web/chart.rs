//! Charts drawn by the server: the numbers an SVG template needs (a line's points, the axis
//! ticks, a read-out per pixel column, a sentence for those who do not look), computed from a
//! series reduced to what the chart can show. A series of any length becomes at most two
//! points per pixel column (the lowest and highest value there, in the order they came), so a
//! six-hour ride recorded every second draws as crisply, and weighs as little, as a short run.
//! The markup itself is the templates' (`templates/app/charts.html`).

use std::fmt::Write as _;

/// Pixel columns of a line chart's plot.
pub(crate) const PLOT_COLUMNS: usize = 600;
/// The plot's height.
const PLOT_HEIGHT: f64 = 170.0;
/// Room left of the plot for the value labels.
const LEFT: f64 = 56.0;
/// Room above the plot.
const TOP: f64 = 8.0;
/// Empty columns that break the line of a recording: a pause, or a stretch without the
/// sensor.
pub(crate) const GAP_COLUMNS: usize = 3;
/// The most points marked each with a dot.
const DOTS: usize = 60;

/// Writes `value` to one decimal: integers only, so that a path of a thousand points is
/// not a thousand float formattings (the profile of a long ride's page put them first).
pub(crate) fn tenths(out: &mut String, value: f64) {
    let tenths = (value * 10.0).round();
    // Chart coordinates and values are far inside i64; anything else is drawn as 0.
    let tenths = if tenths.is_finite() && tenths.abs() < 1e15 {
        tenths as i64
    } else {
        0
    };
    if tenths < 0 {
        out.push('-');
    }
    let magnitude = tenths.unsigned_abs();
    let _ = write!(out, "{}.{}", magnitude / 10, magnitude % 10);
}

/// Writes `value` rounded to a whole number, with integers only.
pub(crate) fn whole(out: &mut String, value: f64) {
    let rounded = value.round();
    let rounded = if rounded.is_finite() && rounded.abs() < 1e15 {
        rounded as i64
    } else {
        0
    };
    let _ = write!(out, "{rounded}");
}

/// Writes a path's point `x,y`.
fn point(out: &mut String, x: f64, y: f64) {
    tenths(out, x);
    out.push(',');
    tenths(out, y);
}

/// One labelled position on an axis.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Tick {
    /// Where, in the chart's coordinates.
    pub(crate) at: f64,
    /// What it reads.
    pub(crate) label: String,
}

/// One pixel column of a reduced series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Column {
    /// Which column.
    pub(crate) index: usize,
    /// The first of the column's extremes to come, then the other (equal when the column
    /// holds one value).
    pub(crate) extremes: (f64, f64),
    /// The mean of the column's values.
    pub(crate) mean: f64,
}

#[derive(Clone, Copy)]
struct Gathered {
    min: (f64, usize),
    max: (f64, usize),
    sum: f64,
    count: usize,
}

/// Reduces points `(x, y)` with `x` in `x0..=x1` to at most `columns` columns: per column its
/// lowest and highest `y` in the order they came, and its mean. Points outside the range and
/// values that are not finite are left out.
pub(crate) fn reduce(
    points: impl IntoIterator<Item = (f64, f64)>,
    x0: f64,
    x1: f64,
    columns: usize,
) -> Vec<Column> {
    let span = x1 - x0;
    if columns == 0 || !(span.is_finite() && span > 0.0) {
        return Vec::new();
    }
    let mut gathered: Vec<Option<Gathered>> = vec![None; columns];
    for (seq, (x, y)) in points.into_iter().enumerate() {
        if !(x.is_finite() && y.is_finite()) || x < x0 || x > x1 {
            continue;
        }
        // In range and finite: the column is within 0..columns once clamped.
        let at = (((x - x0) / span) * columns as f64).floor() as usize;
        let Some(slot) = gathered.get_mut(at.min(columns - 1)) else {
            continue;
        };
        match slot {
            None => {
                *slot = Some(Gathered {
                    min: (y, seq),
                    max: (y, seq),
                    sum: y,
                    count: 1,
                });
            }
            Some(g) => {
                if y < g.min.0 {
                    g.min = (y, seq);
                }
                if y > g.max.0 {
                    g.max = (y, seq);
                }
                g.sum += y;
                g.count += 1;
            }
        }
    }
    gathered
        .into_iter()
        .enumerate()
        .filter_map(|(index, g)| {
            let g = g?;
            let extremes = if g.min.1 <= g.max.1 {
                (g.min.0, g.max.0)
            } else {
                (g.max.0, g.min.0)
            };
            Some(Column {
                index,
                extremes,
                mean: g.sum / g.count as f64,
            })
        })
        .collect()
}

/// A step of 1, 2 or 5 times a power of ten that cuts `span` into about `parts`.
pub(crate) fn nice_step(span: f64, parts: f64) -> f64 {
    if !(span.is_finite() && span > 0.0) {
        return 1.0;
    }
    let raw = span / parts.max(1.0);
    let power = 10f64.powf(raw.log10().floor());
    let fraction = raw / power;
    let nice = if fraction <= 1.0 {
        1.0
    } else if fraction <= 2.0 {
        2.0
    } else if fraction <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * power
}

/// The value at quantile `q` (0 to 1) of `values`, sorted here.
fn quantile(values: &mut [f64], q: f64) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let last = values.len().checked_sub(1)?;
    let at = ((last as f64) * q).round() as usize;
    values.get(at.min(last)).copied()
}

/// What a line chart shows and how its numbers read.
pub(crate) struct LineSpec<'a> {
    /// A short key: the element's id and the line's colour class.
    pub(crate) key: &'static str,
    /// The heading.
    pub(crate) title: &'static str,
    /// The value's unit, as the read-out shows it.
    pub(crate) unit: &'a str,
    /// Formats a value for a label or the read-out.
    pub(crate) value: &'a dyn Fn(f64) -> String,
    /// Formats a position on the x axis.
    pub(crate) x_label: &'a dyn Fn(f64) -> String,
    /// Where the x ticks go, from the axis' span.
    pub(crate) x_step: &'a dyn Fn(f64) -> f64,
    /// Lower values higher up (pace: faster is up).
    pub(crate) inverted: bool,
    /// The summary in words, when not the average and range the chart computes.
    pub(crate) summary: Option<String>,
    /// Empty columns that break the line: a pause in a recording; none for a figure by day.
    pub(crate) gap_columns: usize,
}

/// A line chart, ready for the template.
#[derive(Debug, Clone)]
pub(crate) struct LineChart {
    /// The element's id and colour class.
    pub(crate) key: &'static str,
    /// The heading.
    pub(crate) title: &'static str,
    /// The line's path (`d`).
    pub(crate) path: String,
    /// The value labels, at their heights.
    pub(crate) y_ticks: Vec<Tick>,
    /// The position labels, along the bottom.
    pub(crate) x_ticks: Vec<Tick>,
    /// Each pixel column's mean, formatted, comma-separated (empty where there is none):
    /// what the hover read-out shows.
    pub(crate) readout: String,
    /// The x axis' first and last value, formatted at both ends of the read-out.
    pub(crate) x_range: (f64, f64),
    /// The unit after a read-out value.
    pub(crate) unit: String,
    /// The figures in words, for those who do not look at the chart.
    pub(crate) summary: String,
    /// How many points went in.
    pub(crate) points: usize,
    /// The points themselves, when there are few enough to mark each.
    pub(crate) dots: Vec<(f64, f64)>,
}

impl LineChart {
    /// The plot's left edge.
    pub(crate) const LEFT: f64 = LEFT;
    /// The plot's top edge.
    pub(crate) const TOP: f64 = TOP;
    /// The plot's right edge.
    pub(crate) const RIGHT: f64 = LEFT + PLOT_COLUMNS as f64;
    /// The plot's bottom edge.
    pub(crate) const BOTTOM: f64 = TOP + PLOT_HEIGHT;
    /// The whole drawing's width.
    pub(crate) const WIDTH: f64 = Self::RIGHT + 12.0;
    /// The whole drawing's height: the plot and the position labels below it.
    pub(crate) const HEIGHT: f64 = Self::BOTTOM + 22.0;

    /// The chart of `points` (`x` ascending), `None` when there is nothing to draw.
    pub(crate) fn of(spec: &LineSpec<'_>, points: &[(f64, f64)]) -> Option<Self> {
        let finite = || {
            points
                .iter()
                .filter(|(x, y)| x.is_finite() && y.is_finite())
        };
        let x0 = finite().map(|p| p.0).fold(f64::INFINITY, f64::min);
        let x1 = finite().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
        if x1.partial_cmp(&x0) != Some(std::cmp::Ordering::Greater) {
            return None;
        }
        let columns = reduce(points.iter().copied(), x0, x1, PLOT_COLUMNS);
        let mut lows: Vec<f64> = columns
            .iter()
            .map(|c| c.extremes.0.min(c.extremes.1))
            .collect();
        let mut highs: Vec<f64> = columns
            .iter()
            .map(|c| c.extremes.0.max(c.extremes.1))
            .collect();
        // The axis spans nearly every value: a lone spike does not flatten the rest.
        let low = quantile(&mut lows, 0.005)?;
        let high = quantile(&mut highs, 0.995)?;
        let (low, high) = if high > low {
            (low, high)
        } else {
            (low - 1.0, high + 1.0)
        };
        let step = nice_step(high - low, 4.0);
        let (bottom, top) = ((low / step).floor() * step, (high / step).ceil() * step);
        let y_of = |value: f64| {
            let share = ((value.clamp(bottom, top) - bottom) / (top - bottom)).clamp(0.0, 1.0);
            let share = if spec.inverted { 1.0 - share } else { share };
            TOP + PLOT_HEIGHT * (1.0 - share)
        };
        let mut path = String::with_capacity(columns.len() * 16);
        let mut previous: Option<usize> = None;
        for column in &columns {
            let x = LEFT + column.index as f64 + 0.5;
            let joined = previous.is_some_and(|p| column.index - p <= spec.gap_columns);
            let (a, b) = column.extremes;
            path.push(if joined { 'L' } else { 'M' });
            point(&mut path, x, y_of(a));
            if a != b {
                path.push('L');
                point(&mut path, x, y_of(b));
            }
            previous = Some(column.index);
        }
        let mut y_ticks = Vec::new();
        let mut value = bottom;
        while value <= top + step / 2.0 {
            y_ticks.push(Tick {
                at: y_of(value),
                label: (spec.value)(value),
            });
            value += step;
        }
        let x_step = (spec.x_step)(x1 - x0);
        let mut x_ticks = Vec::new();
        let mut at = (x0 / x_step).ceil() * x_step;
        while at <= x1 && x_step > 0.0 {
            x_ticks.push(Tick {
                at: LEFT + (at - x0) / (x1 - x0) * PLOT_COLUMNS as f64,
                label: (spec.x_label)(at),
            });
            at += x_step;
        }
        let mut readout = String::with_capacity(PLOT_COLUMNS * 4);
        let mut next = 0;
        for column in &columns {
            while next < column.index {
                readout.push(',');
                next += 1;
            }
            readout.push_str(&(spec.value)(column.mean));
            readout.push(',');
            next += 1;
        }
        readout.pop();
        let values = finite().map(|p| p.1);
        let (count, sum, min, max) = values.fold(
            (0usize, 0.0, f64::INFINITY, f64::NEG_INFINITY),
            |(n, s, lo, hi), v| (n + 1, s + v, lo.min(v), hi.max(v)),
        );
        let (lowest, highest) = if spec.inverted {
            (max, min)
        } else {
            (min, max)
        };
        let summary = match &spec.summary {
            Some(given) => given.clone(),
            None => format!(
                "{}: average {} {unit}, from {} to {} {unit}.",
                spec.title,
                (spec.value)(sum / count as f64),
                (spec.value)(lowest),
                (spec.value)(highest),
                unit = spec.unit,
            ),
        };
        let dots = if columns.len() <= DOTS {
            columns
                .iter()
                .map(|c| (LEFT + c.index as f64 + 0.5, y_of(c.mean)))
                .collect()
        } else {
            Vec::new()
        };
        Some(Self {
            dots,
            key: spec.key,
            title: spec.title,
            path,
            y_ticks,
            x_ticks,
            readout,
            x_range: (x0, x1),
            unit: spec.unit.to_owned(),
            summary,
            points: count,
        })
    }
}

/// One part of a stacked bar.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Segment {
    /// Its top.
    pub(crate) y: f64,
    /// Its height.
    pub(crate) height: f64,
    /// Its colour class.
    pub(crate) class: &'static str,
    /// What it is, as a tooltip.
    pub(crate) title: String,
}

/// One bar of a stacked bar chart.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Bar {
    /// Its left edge.
    pub(crate) x: f64,
    /// Its label below.
    pub(crate) label: String,
    /// Its parts, bottom first.
    pub(crate) segments: Vec<Segment>,
    /// A mark for a target, such as the planned time, at this height.
    pub(crate) target: Option<f64>,
}

/// One bar to draw: its label, its parts (colour class, tooltip, value) and its target.
pub(crate) type BarInput = (String, Vec<(&'static str, String, f64)>, Option<f64>);

/// A stacked bar chart, ready for the template.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BarChart {
    /// The bars.
    pub(crate) bars: Vec<Bar>,
    /// Each bar's width.
    pub(crate) bar_width: f64,
    /// The value labels.
    pub(crate) y_ticks: Vec<Tick>,
}

impl BarChart {
    /// The plot's left edge.
    pub(crate) const LEFT: f64 = 44.0;
    /// The plot's top edge.
    pub(crate) const TOP: f64 = 8.0;
    /// The plot's height.
    pub(crate) const PLOT_HEIGHT: f64 = 130.0;
    /// The plot's bottom edge.
    pub(crate) const BOTTOM: f64 = Self::TOP + Self::PLOT_HEIGHT;
    /// The plot's width.
    pub(crate) const PLOT_WIDTH: f64 = 440.0;
    /// The plot's right edge.
    pub(crate) const RIGHT: f64 = Self::LEFT + Self::PLOT_WIDTH;
    /// The whole drawing's width.
    pub(crate) const WIDTH: f64 = Self::RIGHT + 8.0;
    /// The whole drawing's height.
    pub(crate) const HEIGHT: f64 = Self::BOTTOM + 22.0;

    /// Bars of stacked parts `(class, title, value)`, each with an optional target, values
    /// labelled by `label`.
    pub(crate) fn of(bars: Vec<BarInput>, label: &dyn Fn(f64) -> String) -> Self {
        let highest = bars
            .iter()
            .map(|(_, parts, target)| {
                let total: f64 = parts.iter().map(|p| p.2.max(0.0)).sum();
                total.max(target.unwrap_or(0.0))
            })
            .fold(0.0, f64::max);
        let step = nice_step(highest.max(1.0), 3.0);
        let top = (highest.max(1.0) / step).ceil() * step;
        let y_of = |value: f64| Self::BOTTOM - Self::PLOT_HEIGHT * (value / top).clamp(0.0, 1.0);
        let slot = Self::PLOT_WIDTH / bars.len().max(1) as f64;
        let bar_width = (slot * 0.7).max(1.0);
        let bars = bars
            .into_iter()
            .enumerate()
            .map(|(i, (bar_label, parts, target))| {
                let mut base = 0.0;
                let segments = parts
                    .into_iter()
                    .filter(|p| p.2 > 0.0)
                    .map(|(class, title, value)| {
                        let (from, to) = (y_of(base), y_of(base + value));
                        base += value;
                        Segment {
                            y: to,
                            height: from - to,
                            class,
                            title,
                        }
                    })
                    .collect();
                Bar {
                    x: Self::LEFT + slot * i as f64 + (slot - bar_width) / 2.0,
                    label: bar_label,
                    segments,
                    target: target.filter(|t| *t > 0.0).map(y_of),
                }
            })
            .collect();
        let mut y_ticks = Vec::new();
        let mut value = 0.0;
        while value <= top + step / 2.0 {
            y_ticks.push(Tick {
                at: y_of(value),
                label: label(value),
            });
            value += step;
        }
        Self {
            bars,
            bar_width,
            y_ticks,
        }
    }
}

/// A route drawn from positions, with no map beneath it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Route {
    /// The track's path (`d`).
    pub(crate) path: String,
    /// The first position, drawn.
    pub(crate) start: (f64, f64),
    /// The last position, drawn.
    pub(crate) end: (f64, f64),
    /// The drawing's width.
    pub(crate) width: f64,
    /// The drawing's height.
    pub(crate) height: f64,
    /// Positions that went in.
    pub(crate) points: usize,
}

impl Route {
    /// The longer side of the drawing.
    const SIZE: f64 = 480.0;
    /// Room around the track.
    const MARGIN: f64 = 12.0;

    /// The route through `positions` (latitude, longitude in degrees), projected so that
    /// a kilometre is as long north to south as east to west at its latitude; points closer
    /// than a pixel to the last one drawn are left out. `None` without two distinct
    /// positions.
    pub(crate) fn of(positions: &[(f64, f64)]) -> Option<Self> {
        let valid: Vec<(f64, f64)> = positions
            .iter()
            .copied()
            .filter(|(lat, lon)| lat.is_finite() && lon.is_finite() && lat.abs() <= 90.0)
            .collect();
        let (first, last) = (valid.first()?, valid.last()?);
        let mean_lat = valid.iter().map(|p| p.0).sum::<f64>() / valid.len() as f64;
        let squeeze = mean_lat.to_radians().cos().max(0.01);
        let project = |(lat, lon): (f64, f64)| (lon * squeeze, -lat);
        let projected: Vec<(f64, f64)> = valid.iter().copied().map(project).collect();
        let (min_x, max_x, min_y, max_y) = projected.iter().fold(
            (
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::INFINITY,
                f64::NEG_INFINITY,
            ),
            |(a, b, c, d), (x, y)| (a.min(*x), b.max(*x), c.min(*y), d.max(*y)),
        );
        let (span_x, span_y) = (max_x - min_x, max_y - min_y);
        let span = span_x.max(span_y);
        if span.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
            return None;
        }
        let scale = (Self::SIZE - 2.0 * Self::MARGIN) / span;
        let width = span_x * scale + 2.0 * Self::MARGIN;
        let height = span_y * scale + 2.0 * Self::MARGIN;
        let place = |(x, y): (f64, f64)| {
            (
                (x - min_x) * scale + Self::MARGIN,
                (y - min_y) * scale + Self::MARGIN,
            )
        };
        let mut path = String::with_capacity(projected.len().min(4096) * 12);
        let mut drawn: Option<(f64, f64)> = None;
        for point in projected.iter().copied().map(place) {
            match drawn {
                Some((x, y)) if (point.0 - x).abs() < 1.0 && (point.1 - y).abs() < 1.0 => {}
                Some(_) => {
                    path.push('L');
                    self::point(&mut path, point.0, point.1);
                    drawn = Some(point);
                }
                None => {
                    path.push('M');
                    self::point(&mut path, point.0, point.1);
                    drawn = Some(point);
                }
            }
        }
        Some(Self {
            path,
            start: place(project(*first)),
            end: place(project(*last)),
            width,
            height,
            points: valid.len(),
        })
    }
}

#[cfg(test)]
mod tests;
