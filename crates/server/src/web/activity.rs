//! `/activities/{id}`: one activity's page: its figures, charts of its records against time
//! or distance, its laps, the time in each zone, and its route.

use super::activities::{title_of, viewed};
use super::chart::{self, GAP_COLUMNS, LineChart, LineSpec, Route, nice_step};
use super::format::{self, Units};
use super::{At, Id, Layout};
use crate::AppState;
use crate::pages::PageError;
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use paceline_activity::fit::RecordStreams;
use paceline_domain::activities::{Activity, ActivityType, Detail, Figures, Lap};
use paceline_domain::entities::{AthleteSettings, ZoneSport};
use paceline_domain::training::{ZoneMeasure, time_in_zones};

/// Which way the charts run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Axis {
    Time,
    Distance,
}

/// One figure of the summary.
struct Figure {
    label: &'static str,
    value: String,
}

/// One row of the laps table.
struct LapRow {
    number: usize,
    start: String,
    time: String,
    distance: String,
    speed: String,
    heart_rate: String,
    power: String,
    cadence: String,
}

/// One zone's share of the time.
struct ZoneRow {
    name: String,
    range: String,
    time: String,
    percent: String,
    /// The bar's length, of 100.
    width: f64,
}

/// The time in zones of one measure.
struct ZoneBlock {
    title: &'static str,
    rows: Vec<ZoneRow>,
}

#[derive(Template)]
#[template(path = "app/activity.html")]
struct ActivityPage {
    layout: Layout,
    title: String,
    sport: &'static str,
    class: &'static str,
    when: String,
    figures: Vec<Figure>,
    legs: Vec<(String, String)>,
    notes: String,
    charts: Vec<LineChart>,
    by_distance: bool,
    can_use_distance: bool,
    href: String,
    speed_title: &'static str,
    laps: Vec<LapRow>,
    zones: Vec<ZoneBlock>,
    route: Option<Route>,
    no_route: &'static str,
    original: Option<String>,
    recorded: bool,
    x_unit: &'static str,
}

/// `GET /activities/{id}?x=distance`.
pub(crate) async fn get_activity(
    State(state): State<AppState>,
    at: At,
    headers: HeaderMap,
    Path(Id { id: raw_id }): Path<Id>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let (seen, activity) = viewed(&state, &headers, at, &raw_id).await?;
    let here = seen.href(&format!("/activities/{}", activity.id.public()));
    let asked_distance = form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .any(|(k, v)| k == "x" && v == "distance");
    let user = seen.athlete_id();
    let detail = state.store.activity_detail(user, activity.id).await?;
    let legs = state.store.legs_of(user, &[activity.id]).await?;
    let file = state.store.file_of_activity(user, activity.id).await?;
    let streams = streams_of(detail.as_ref())?;
    let units = seen.units();
    let kind = activity.activity_type;
    let has_distance = streams.distance_m.iter().flatten().nth(1).is_some();
    let axis = if asked_distance && has_distance {
        Axis::Distance
    } else {
        Axis::Time
    };
    let charts = charts(&streams, kind, units, axis);
    let positions: Vec<(f64, f64)> = streams
        .position
        .iter()
        .flatten()
        .map(|p| (p.lat_deg(), p.lon_deg()))
        .collect();
    let route = Route::of(&positions);
    let no_route = match kind {
        _ if route.is_some() => "",
        ActivityType::VirtualRide | ActivityType::Strength => {
            "Recorded indoors: this activity has no route."
        }
        _ if streams.is_empty() => "No records were kept for this activity, so it has no route.",
        _ => "This activity recorded no positions (indoors, or without GPS), so it has no route.",
    };
    let start = first_time(&streams);
    let laps = detail
        .as_ref()
        .map(|d| lap_rows(&d.laps, &activity, units, start))
        .unwrap_or_default();
    let zones = zone_blocks(&seen.settings, kind, &streams);
    let legs = legs
        .get(&activity.id)
        .map(|legs| {
            legs.iter()
                .map(|leg| {
                    (
                        format::sport(leg.activity_type).to_owned(),
                        brief(&leg.figures, units),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let page = ActivityPage {
        layout: seen.layout(title_of(&activity), "activities"),
        title: title_of(&activity),
        sport: format::sport(kind),
        class: format::sport_class(kind),
        when: format::moment(activity.started_at),
        figures: figures(&activity, units),
        legs,
        notes: activity.notes.clone().unwrap_or_default(),
        charts,
        by_distance: axis == Axis::Distance,
        can_use_distance: has_distance,
        href: here,
        speed_title: if format::by_pace(kind) {
            "Pace"
        } else {
            "Speed"
        },
        laps,
        zones,
        route,
        no_route,
        original: file.map(|f| f.file.format.as_str().to_uppercase()),
        recorded: detail.is_some(),
        x_unit: match axis {
            Axis::Time => "time",
            Axis::Distance => units.distance_unit(),
        },
    };
    Ok(seen.render(&page))
}

/// The record streams of an activity's detail, none without one.
pub(super) fn streams_of(detail: Option<&Detail>) -> Result<RecordStreams, PageError> {
    detail.map_or_else(
        || Ok(RecordStreams::default()),
        |d| d.streams.decode().map_err(PageError::internal),
    )
}

/// Cadence as people count it: steps a minute on foot (a FIT record counts strides), turns
/// or strokes a minute otherwise.
fn cadence_of(kind: ActivityType, cadence: f64) -> (f64, &'static str) {
    if matches!(
        kind,
        ActivityType::Run | ActivityType::Walk | ActivityType::Hike
    ) {
        (cadence * 2.0, "spm")
    } else {
        (cadence, "rpm")
    }
}

/// The summary's figures, those that are known.
fn figures(activity: &Activity, units: Units) -> Vec<Figure> {
    let f = &activity.figures;
    let kind = activity.activity_type;
    let mut out = Vec::new();
    let mut add = |label: &'static str, value: Option<String>| {
        if let Some(value) = value {
            out.push(Figure { label, value });
        }
    };
    add("Time", f.duration_sec.map(format::clock));
    add(
        "Distance",
        f.distance_m.filter(|d| *d > 0.0).map(|d| units.distance(d)),
    );
    let speed = match (f.distance_m, f.duration_sec) {
        (Some(d), Some(t)) if d > 0.0 && t > 0.0 => Some(d / t),
        _ => None,
    };
    if format::by_pace(kind) {
        add("Pace", speed.and_then(|s| units.pace(s)));
    } else {
        add("Speed", speed.map(|s| units.speed(s)));
    }
    add("Climb", f.elevation_gain_m.map(|m| units.height(m)));
    add("Heart rate", f.avg_hr.map(|hr| format!("{hr} bpm")));
    add("Max heart rate", f.max_hr.map(|hr| format!("{hr} bpm")));
    add("Power", f.avg_power.map(|w| format!("{w} W")));
    add(
        "Cadence",
        f.avg_cadence.map(|c| {
            let (value, unit) = cadence_of(kind, f64::from(c));
            format!("{value:.0} {unit}")
        }),
    );
    add("Energy", f.calories.map(|c| format!("{c} kcal")));
    add(
        "Effort (RPE)",
        activity.figures.rpe.map(|r| format!("{r} of 10")),
    );
    add("Load", f.load_score.map(|l| l.to_string()));
    out
}

/// A leg's figures in one line.
fn brief(f: &Figures, units: Units) -> String {
    let mut parts = Vec::new();
    if let Some(t) = f.duration_sec {
        parts.push(format::clock(t));
    }
    if let Some(d) = f.distance_m.filter(|d| *d > 0.0) {
        parts.push(units.distance(d));
    }
    if let Some(hr) = f.avg_hr {
        parts.push(format!("{hr} bpm"));
    }
    if let Some(w) = f.avg_power {
        parts.push(format!("{w} W"));
    }
    parts.join(" · ")
}

/// The first record's time, in Unix seconds.
fn first_time(streams: &RecordStreams) -> Option<i64> {
    streams
        .time
        .iter()
        .flatten()
        .next()
        .map(|t| t.unix_seconds())
}

/// The x of each record on `axis`, `None` where the record has none.
fn xs(streams: &RecordStreams, axis: Axis, units: Units) -> Vec<Option<f64>> {
    match axis {
        Axis::Time => {
            let start = first_time(streams);
            streams
                .time
                .iter()
                .map(|t| Some(((*t)?.unix_seconds() - start?) as f64))
                .collect()
        }
        Axis::Distance => streams
            .distance_m
            .iter()
            .map(|d| d.map(|d| units.distance_value(d)))
            .collect(),
    }
}

/// The x axis' tick step for a span of `span`.
fn time_step(span: f64) -> f64 {
    const STEPS: [f64; 10] = [
        60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0, 14_400.0, 28_800.0,
    ];
    STEPS
        .iter()
        .copied()
        .find(|step| span / step <= 7.0)
        .unwrap_or(86_400.0)
}

/// How an x axis reads: its labels and its tick step from its span.
type XAxis<'a> = (&'a dyn Fn(f64) -> String, &'a dyn Fn(f64) -> f64);

/// A chart's description.
fn line<'a>(
    key: &'static str,
    title: &'static str,
    unit: &'a str,
    value: &'a dyn Fn(f64) -> String,
    inverted: bool,
    (x_label, x_step): XAxis<'a>,
) -> LineSpec<'a> {
    LineSpec {
        key,
        title,
        unit,
        value,
        x_label,
        x_step,
        inverted,
        summary: None,
        gap_columns: GAP_COLUMNS,
    }
}

/// The charts of every channel the records have.
pub(super) fn charts(
    streams: &RecordStreams,
    kind: ActivityType,
    units: Units,
    axis: Axis,
) -> Vec<LineChart> {
    let xs = xs(streams, axis, units);
    // Column by column: building whole records for each chart cost more than the charts.
    let series = |values: &mut dyn Iterator<Item = Option<f64>>| -> Vec<(f64, f64)> {
        values
            .zip(&xs)
            .filter_map(|(value, x)| Some(((*x)?, value?)))
            .collect()
    };
    let x_label_time = |s: f64| format::clock(s);
    let x_label_distance = |d: f64| {
        if d.fract().abs() < 1e-9 {
            format!("{d:.0}")
        } else {
            format!("{d:.1}")
        }
    };
    let x: XAxis<'_> = match axis {
        Axis::Time => (&x_label_time, &time_step),
        Axis::Distance => (&x_label_distance, &|span| nice_step(span, 6.0)),
    };
    let whole = |v: f64| {
        let mut out = String::new();
        chart::whole(&mut out, v);
        out
    };
    let one = |v: f64| {
        let mut out = String::new();
        chart::tenths(&mut out, v);
        out
    };
    let pace_label = |v: f64| format::clock(v);
    let mut charts = Vec::new();
    let mut add = |spec: LineSpec<'_>, points: Vec<(f64, f64)>| {
        if let Some(chart) = LineChart::of(&spec, &points) {
            charts.push(chart);
        }
    };
    add(
        line("hr", "Heart rate", "bpm", &whole, false, x),
        series(&mut streams.heart_rate.iter().map(|v| v.map(f64::from))),
    );
    add(
        line("power", "Power", "W", &whole, false, x),
        series(&mut streams.power_w.iter().map(|v| v.map(f64::from))),
    );
    if format::by_pace(kind) {
        // Standing still has no pace: slower than a slow walk is left out.
        add(
            line("speed", "Pace", units.pace_unit(), &pace_label, true, x),
            series(
                &mut streams
                    .speed_mps
                    .iter()
                    .map(|v| v.filter(|s| *s >= 0.5).and_then(|s| units.pace_value(s))),
            ),
        );
    } else {
        add(
            line("speed", "Speed", units.speed_unit(), &one, false, x),
            series(
                &mut streams
                    .speed_mps
                    .iter()
                    .map(|v| v.map(|s| units.speed_value(s))),
            ),
        );
    }
    let cadence_unit = cadence_of(kind, 0.0).1;
    add(
        line("cadence", "Cadence", cadence_unit, &whole, false, x),
        series(
            &mut streams
                .cadence
                .iter()
                .map(|v| v.map(|c| cadence_of(kind, f64::from(c)).0)),
        ),
    );
    add(
        line(
            "altitude",
            "Altitude",
            units.height_unit(),
            &whole,
            false,
            x,
        ),
        series(
            &mut streams
                .altitude_m
                .iter()
                .map(|v| v.map(|m| units.height_value(m))),
        ),
    );
    charts
}

/// The laps table's rows.
fn lap_rows(laps: &[Lap], activity: &Activity, units: Units, start: Option<i64>) -> Vec<LapRow> {
    let start = start.unwrap_or_else(|| activity.started_at.unix_timestamp());
    let pace = format::by_pace(activity.activity_type);
    laps.iter()
        .enumerate()
        .map(|(i, lap)| {
            let f = &lap.figures;
            let time = lap.timer_sec.or(f.duration_sec);
            let speed = match (f.distance_m, time) {
                (Some(d), Some(t)) if d > 0.0 && t > 0.0 => Some(d / t),
                _ => None,
            };
            let speed = speed.and_then(|s| {
                if pace {
                    units.pace(s)
                } else {
                    Some(units.speed(s))
                }
            });
            LapRow {
                number: i + 1,
                start: format::clock((lap.started_at.unix_timestamp() - start).max(0) as f64),
                time: time.map(format::clock).unwrap_or_default(),
                distance: f
                    .distance_m
                    .filter(|d| *d > 0.0)
                    .map(|d| units.distance(d))
                    .unwrap_or_default(),
                speed: speed.unwrap_or_default(),
                heart_rate: f.avg_hr.map(|h| h.to_string()).unwrap_or_default(),
                power: f.avg_power.map(|w| w.to_string()).unwrap_or_default(),
                cadence: f
                    .avg_cadence
                    .map(|c| format!("{:.0}", cadence_of(activity.activity_type, f64::from(c)).0))
                    .unwrap_or_default(),
            }
        })
        .collect()
}

/// The time in the athlete's zones, by heart rate and (cycling) by power.
fn zone_blocks(
    settings: &AthleteSettings,
    kind: ActivityType,
    streams: &RecordStreams,
) -> Vec<ZoneBlock> {
    let sport = match kind {
        ActivityType::Run | ActivityType::Walk | ActivityType::Hike => ZoneSport::Run,
        ActivityType::Ride | ActivityType::VirtualRide => ZoneSport::Bike,
        _ => return Vec::new(),
    };
    let zones = settings.zones_of(sport).zones;
    let measures: [(&'static str, ZoneMeasure, &'static str); 2] = [
        ("Time in heart rate zones", ZoneMeasure::HeartRate, "bpm"),
        ("Time in power zones", ZoneMeasure::Power, "W"),
    ];
    let mut blocks = Vec::new();
    for (title, measure, unit) in measures {
        let records = streams.iter().filter_map(|r| {
            let at = r.time?.unix_seconds();
            let value = match measure {
                ZoneMeasure::HeartRate => r.heart_rate.map(f64::from),
                ZoneMeasure::Power => r.power_w.map(f64::from),
            };
            Some((at, value))
        });
        let Some(times) = time_in_zones(&zones, measure, records) else {
            continue;
        };
        let total: f64 = times.seconds.iter().sum::<f64>() + times.below;
        if total <= 0.0 {
            continue;
        }
        let mut rows: Vec<ZoneRow> = Vec::new();
        let share = |seconds: f64| seconds / total * 100.0;
        if times.below > 0.0 {
            rows.push(ZoneRow {
                name: "Below zone 1".to_owned(),
                range: String::new(),
                time: format::clock(times.below),
                percent: format!("{:.0}%", share(times.below)),
                width: share(times.below),
            });
        }
        for (zone, seconds) in zones.iter().zip(&times.seconds) {
            let (low, high) = match measure {
                ZoneMeasure::HeartRate => (zone.heart_rate_min, zone.heart_rate_max),
                ZoneMeasure::Power => (zone.power_min, zone.power_max),
            };
            let range = match (low, high) {
                (Some(l), Some(h)) => format!("{l}–{h} {unit}"),
                (Some(l), None) => format!("from {l} {unit}"),
                (None, Some(h)) => format!("to {h} {unit}"),
                (None, None) => String::new(),
            };
            rows.push(ZoneRow {
                name: format!("Z{} {}", zone.number, zone.name),
                range,
                time: format::clock(*seconds),
                percent: format!("{:.0}%", share(*seconds)),
                width: share(*seconds),
            });
        }
        blocks.push(ZoneBlock { title, rows });
    }
    blocks
}
