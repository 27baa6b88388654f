//! Every TCX and GPX file of the shared corpus reads to the reference values of its
//! `EXPECTED.json` entry, and every file the manifest marks `reject` is refused.
//!
//! Every field an entry lists is compared. Floats are compared at the reference's own
//! precision: the generator rounded them to six decimals, so ours must be within half a
//! unit of the sixth decimal; integers and strings must be equal; date-times are compared
//! at the precision the reference prints (whole seconds, or milliseconds when it shows
//! them). Where a reference value is an aggregate computed by python-tcxparser (a mean, the
//! last lap's cadence, the last trackpoint's distance) or gpxpy (lengths, climbs,
//! duration), the test computes the same aggregate from what our reader returns; the
//! notes at each field say how the reference defines it.

#![allow(clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::fmt::Write as _;
use std::sync::OnceLock;

use paceline_activity::gpx::{GpxFile, decode_gpx, decode_gpx_activity};
use paceline_activity::tcx::{TcxFile, decode_tcx, decode_tcx_activity};
use paceline_activity::xml::{Timestamp, XmlError};
use paceline_testdata::Corpus;
use serde_json::Value;

fn corpus() -> &'static Corpus {
    static CORPUS: OnceLock<Corpus> = OnceLock::new();
    CORPUS.get_or_init(|| Corpus::open("TCX and GPX files against their reference values"))
}

fn expected(kind: &str) -> serde_json::Map<String, Value> {
    let path = corpus().root().join(kind).join("EXPECTED.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let json: Value = serde_json::from_str(&text).expect("EXPECTED.json is JSON");
    json.get("files")
        .and_then(Value::as_object)
        .cloned()
        .expect("EXPECTED.json has a files object")
}

/// Half a unit of the sixth decimal, the references' rounding (plus the binary noise of
/// reading a six-decimal number back).
const SIX_DECIMALS: f64 = 0.5e-6 + 1e-9;

struct Check<'a> {
    file: &'a str,
    failures: Vec<String>,
}

impl Check<'_> {
    fn fail(&mut self, field: &str, detail: String) {
        self.failures
            .push(format!("{}: {field}: {detail}", self.file));
    }

    fn number(&mut self, field: &str, expected: Option<&Value>, actual: Option<f64>) {
        let expected = expected.filter(|v| !v.is_null()).map(|v| v.as_f64());
        match (expected, actual) {
            (None, None) => {}
            (Some(Some(e)), Some(a)) if (e - a).abs() <= SIX_DECIMALS * e.abs().max(1.0) => {}
            (e, a) => self.fail(field, format!("expected {e:?}, read {a:?}")),
        }
    }

    fn int(&mut self, field: &str, expected: Option<&Value>, actual: Option<i64>) {
        let expected = expected.filter(|v| !v.is_null()).map(|v| v.as_f64());
        match (expected, actual) {
            (None, None) => {}
            (Some(Some(e)), Some(a)) if e == a as f64 => {}
            (e, a) => self.fail(field, format!("expected {e:?}, read {a:?}")),
        }
    }

    fn text(&mut self, field: &str, expected: Option<&Value>, actual: Option<&str>) {
        let expected = expected.filter(|v| !v.is_null()).and_then(Value::as_str);
        if expected != actual {
            self.fail(field, format!("expected {expected:?}, read {actual:?}"));
        }
    }

    /// A date-time at the reference's precision; a reference without a zone is a file
    /// time without a zone, which we read as UTC.
    fn time(&mut self, field: &str, expected: Option<&Value>, actual: Option<Timestamp>) {
        let expected = expected.filter(|v| !v.is_null()).and_then(Value::as_str);
        let actual_text = actual.map(|t| {
            let full = t.to_string();
            let stem = &full[..19];
            match expected {
                Some(e) if e.len() > 20 && e.as_bytes()[19] == b'.' => {
                    let fraction = &e[20..e.len() - 1];
                    let ms = t.unix_micros().rem_euclid(1_000_000)
                        / 10i64.pow(6 - fraction.len() as u32);
                    format!("{stem}.{ms:0width$}Z", width = fraction.len())
                }
                Some(e) if !e.ends_with('Z') => stem.to_owned(),
                _ => format!("{stem}Z"),
            }
        });
        if expected != actual_text.as_deref() {
            self.fail(
                field,
                format!("expected {expected:?}, read {actual_text:?}"),
            );
        }
    }
}

fn somes<T>(column: &[Option<T>]) -> usize {
    column.iter().flatten().count()
}

fn check_tcx(name: &str, entry: &Value, bytes: &[u8], tcx: &TcxFile) -> Vec<String> {
    let mut check = Check {
        file: name,
        failures: Vec::new(),
    };
    let xml = &entry["xml"];
    let at = |key: &str| xml.get(key);
    let s = &tcx.streams;
    let activity_records: usize = tcx.activities.iter().map(|a| a.records.len()).sum();
    let activity_column = |column_len: usize, count: &dyn Fn(std::ops::Range<usize>) -> usize| {
        if column_len == 0 {
            0
        } else {
            tcx.activities
                .iter()
                .map(|a| count(a.records.clone()))
                .sum::<usize>()
        }
    };
    check.int(
        "xml.activities",
        at("activities"),
        Some(tcx.activities.len() as i64),
    );
    let sports: Vec<Value> = tcx
        .activities
        .iter()
        .map(|a| Value::from(a.sport.clone()))
        .collect();
    if at("sports") != Some(&Value::from(sports.clone())) {
        check.fail(
            "xml.sports",
            format!("expected {:?}, read {sports:?}", at("sports")),
        );
    }
    let ids = at("activity_ids")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if ids.len() == tcx.activities.len() {
        for (i, (id, activity)) in ids.iter().zip(&tcx.activities).enumerate() {
            check.time(&format!("xml.activity_ids[{i}]"), Some(id), activity.id);
        }
    } else {
        check.fail(
            "xml.activity_ids",
            format!("{} ids for {} activities", ids.len(), tcx.activities.len()),
        );
    }
    check.int("xml.laps", at("laps"), Some(tcx.laps.len() as i64));
    check.int(
        "xml.trackpoints",
        at("trackpoints"),
        Some(activity_records as i64),
    );
    check.int(
        "xml.trackpoints_with_position",
        at("trackpoints_with_position"),
        Some(activity_column(s.position.len(), &|r| somes(&s.position[r])) as i64),
    );
    check.int(
        "xml.trackpoints_with_hr",
        at("trackpoints_with_hr"),
        Some(activity_column(s.heart_rate.len(), &|r| somes(&s.heart_rate[r])) as i64),
    );
    check.int(
        "xml.multisport_sessions",
        at("multisport_sessions"),
        Some(tcx.multisport_sessions as i64),
    );
    let lap_sum = |get: fn(&paceline_activity::fit::Figures) -> Option<f64>| {
        tcx.laps
            .iter()
            .filter_map(|l| get(&l.figures))
            .reduce(|a, b| a + b)
    };
    check.number(
        "xml.lap_total_time_s",
        at("lap_total_time_s"),
        lap_sum(|f| f.timer_s),
    );
    check.number(
        "xml.lap_distance_m",
        at("lap_distance_m"),
        lap_sum(|f| f.distance_m),
    );
    check.number(
        "xml.lap_calories",
        at("lap_calories"),
        lap_sum(|f| f.calories_kcal.map(f64::from)),
    );
    check.number(
        "xml.lap_max_hr",
        at("lap_max_hr"),
        tcx.laps
            .iter()
            .filter_map(|l| l.figures.max_heart_rate)
            .max()
            .map(f64::from),
    );
    check.time(
        "xml.first_lap_start",
        at("first_lap_start"),
        tcx.lap_details.first().and_then(|l| l.start),
    );
    check.int("xml.courses", at("courses"), Some(tcx.courses as i64));
    check.int("xml.workouts", at("workouts"), Some(tcx.workouts as i64));
    check.int(
        "xml.parse_ok",
        at("parse_ok")
            .map(|v| Value::from(i64::from(v.as_bool() == Some(true))))
            .as_ref(),
        Some(1),
    );

    // The summary follows the laps: totals are lap sums.
    if tcx.activities.len() == 1 {
        let f = &tcx.summary.figures;
        check.number("summary.timer_s", at("lap_total_time_s"), f.timer_s);
        check.number("summary.distance_m", at("lap_distance_m"), f.distance_m);
        check.number(
            "summary.calories_kcal",
            at("lap_calories"),
            f.calories_kcal.map(f64::from),
        );
    }

    // python-tcxparser's values, each as tcxparser defines it (its first activity; its
    // point queries run over the whole document).
    let Some(tp) = entry.get("tcxparser").filter(|v| v.is_object()) else {
        return check.failures;
    };
    let t = |key: &str| tp.get(key);
    let first = tcx.activities.first().expect("tcxparser read an activity");
    let first_laps = &tcx.laps[first.laps.clone()];
    let first_details = &tcx.lap_details[first.laps.clone()];
    check.text(
        "tcxparser.activity_type",
        t("activity_type"),
        Some(&first.sport.to_lowercase()),
    );
    // started_at: the first lap's StartTime.
    check.time(
        "tcxparser.started_at",
        t("started_at"),
        first_details.first().and_then(|l| l.start),
    );
    // completed_at: the last trackpoint of the last lap's first Track (lxml.objectify's
    // `Lap[-1].Track` is the first Track child).
    check.time(
        "tcxparser.completed_at",
        t("completed_at"),
        first_details
            .last()
            .and_then(|l| l.tracks.first())
            .and_then(|t| t.last_point),
    );
    // duration: the sum of the laps' TotalTimeSeconds.
    check.number(
        "tcxparser.duration",
        t("duration"),
        first_laps
            .iter()
            .filter_map(|l| l.figures.timer_s)
            .reduce(|a, b| a + b),
    );
    // distance: the last trackpoint DistanceMeters of the document, 0 without one.
    check.number(
        "tcxparser.distance",
        t("distance"),
        Some(
            s.distance_m
                .iter()
                .rev()
                .flatten()
                .next()
                .copied()
                .unwrap_or(0.0),
        ),
    );
    check.int(
        "tcxparser.calories",
        t("calories"),
        first_laps
            .iter()
            .map(|l| i64::from(l.figures.calories_kcal.unwrap_or(0)))
            .reduce(|a, b| a + b),
    );
    // hr_avg: int() of the mean trackpoint heart rate; hr_max: the largest.
    let hr: Vec<f64> = s
        .heart_rate
        .iter()
        .flatten()
        .map(|&v| f64::from(v))
        .collect();
    check.int(
        "tcxparser.hr_avg",
        t("hr_avg"),
        (!hr.is_empty()).then(|| (hr.iter().sum::<f64>() / hr.len() as f64) as i64),
    );
    check.int(
        "tcxparser.hr_max",
        t("hr_max"),
        hr.iter().copied().reduce(f64::max).map(|v| v as i64),
    );
    // ascent and descent: sums of the positive and negative steps between consecutive
    // AltitudeMeters values.
    let altitudes: Vec<f64> = s.altitude_m.iter().flatten().copied().collect();
    let (mut ascent, mut descent) = (0.0, 0.0);
    for pair in altitudes.windows(2) {
        let diff = pair[1] - pair[0];
        if diff > 0.0 {
            ascent += diff;
        } else if diff < 0.0 {
            descent += diff.abs();
        }
    }
    check.number("tcxparser.ascent", t("ascent"), Some(ascent));
    check.number("tcxparser.descent", t("descent"), Some(descent));
    check.number(
        "tcxparser.altitude_max",
        t("altitude_max"),
        altitudes.iter().copied().reduce(f64::max),
    );
    check.number(
        "tcxparser.altitude_min",
        t("altitude_min"),
        altitudes.iter().copied().reduce(f64::min),
    );
    // cadence_avg: the last lap's Cadence element.
    check.int(
        "tcxparser.cadence_avg",
        t("cadence_avg"),
        first_laps
            .last()
            .and_then(|l| l.figures.avg_cadence)
            .map(i64::from),
    );
    // power_avg: int() of the mean TPX Watts; power_max: the largest.
    let power: Vec<f64> = s.power_w.iter().flatten().map(|&v| f64::from(v)).collect();
    check.int(
        "tcxparser.power_avg",
        t("power_avg"),
        (!power.is_empty()).then(|| (power.iter().sum::<f64>() / power.len() as f64) as i64),
    );
    check.int(
        "tcxparser.power_max",
        t("power_max"),
        power.iter().copied().reduce(f64::max).map(|v| v as i64),
    );
    // trackpoints_first_activity: tcxparser counts every <Time> element of the document,
    // which is the first activity's trackpoints plus any <Time> outside activities (the
    // Author's build time in one file).
    let text = String::from_utf8_lossy(bytes);
    let outside = text
        .find("</Activities>")
        .map_or(0, |end| text[end..].matches("<Time>").count());
    check.int(
        "tcxparser.trackpoints_first_activity",
        t("trackpoints_first_activity"),
        Some((first.records.len() + outside) as i64),
    );
    check.failures
}

fn check_gpx(name: &str, entry: &Value, gpx: &GpxFile) -> Vec<String> {
    let mut check = Check {
        file: name,
        failures: Vec::new(),
    };
    let at = |key: &str| entry.get(key);
    let s = &gpx.streams;
    check.text("version", at("version"), gpx.version.as_deref());
    check.text("creator", at("creator"), gpx.creator.as_deref());
    check.int("tracks", at("tracks"), Some(gpx.tracks.len() as i64));
    check.int(
        "segments",
        at("segments"),
        Some(gpx.tracks.iter().map(|t| t.segments).sum::<usize>() as i64),
    );
    check.int("track_points", at("track_points"), Some(s.len() as i64));
    check.int("routes", at("routes"), Some(gpx.routes as i64));
    check.int(
        "route_points",
        at("route_points"),
        Some(gpx.route_points as i64),
    );
    check.int("waypoints", at("waypoints"), Some(gpx.waypoints as i64));
    let kinds: Vec<Value> = gpx
        .tracks
        .iter()
        .map(|t| t.kind.clone().map_or(Value::Null, Value::from))
        .collect();
    if at("track_types") != Some(&Value::from(kinds.clone())) {
        check.fail(
            "track_types",
            format!("expected {:?}, read {kinds:?}", at("track_types")),
        );
    }
    // track_names: the reference lists the first five tracks' names (cerknicko has eight
    // tracks and lists five).
    let names: Vec<Value> = gpx
        .tracks
        .iter()
        .take(5)
        .map(|t| t.name.clone().map_or(Value::Null, Value::from))
        .collect();
    if at("track_names") != Some(&Value::from(names.clone())) {
        check.fail(
            "track_names",
            format!("expected {:?}, read {names:?}", at("track_names")),
        );
    }
    check.int(
        "points_with_time",
        at("points_with_time"),
        Some(somes(&s.time) as i64),
    );
    check.int(
        "points_with_elevation",
        at("points_with_elevation"),
        Some(somes(&s.altitude_m) as i64),
    );
    check.int(
        "points_with_hr_extension",
        at("points_with_hr_extension"),
        Some(somes(&s.heart_rate) as i64),
    );
    check.time("start_time", at("start_time"), gpx.start_time);
    check.time("end_time", at("end_time"), gpx.end_time);
    check.number("duration_s", at("duration_s"), gpx.duration_s);
    check.number("length_2d_m", at("length_2d_m"), Some(gpx.length_2d_m));
    check.number("length_3d_m", at("length_3d_m"), Some(gpx.length_3d_m));
    check.number("uphill_m", at("uphill_m"), Some(gpx.uphill_m));
    check.number("downhill_m", at("downhill_m"), Some(gpx.downhill_m));
    check.int(
        "ok",
        at("ok")
            .map(|v| Value::from(i64::from(v.as_bool() == Some(true))))
            .as_ref(),
        Some(1),
    );
    if !s.is_empty() {
        check.number(
            "summary.distance_m",
            at("length_2d_m"),
            gpx.summary.figures.distance_m,
        );
    }
    check.failures
}

fn run(kind: &str, check_one: impl Fn(&str, &Value, &[u8]) -> Result<Vec<String>, XmlError>) {
    let files = expected(kind);
    let mut failures = Vec::new();
    let mut passed = 0;
    for (name, entry) in &files {
        let bytes = std::fs::read(corpus().root().join(name)).expect("a corpus file");
        let reject = entry.get("expect").and_then(Value::as_str) == Some("reject");
        let file_failures = match (check_one(name, entry, &bytes), reject) {
            (Ok(failures), false) => failures,
            (Err(error), true) if error.to_string().len() > 10 => Vec::new(),
            (Ok(_), true) => vec![format!("{name}: a reject file was read without error")],
            (Err(error), _) => vec![format!("{name}: refused: {error}")],
        };
        if file_failures.is_empty() {
            passed += 1;
        }
        failures.extend(file_failures);
    }
    let mut report = String::new();
    for failure in &failures {
        let _ = writeln!(report, "{failure}");
    }
    assert!(
        failures.is_empty(),
        "{passed} of {} {kind} files match; mismatches:\n{report}",
        files.len()
    );
}

#[test]
fn every_tcx_file_matches_its_reference_values() {
    if corpus().is_whole() {
        assert_eq!(expected("tcx").len(), 25);
    }
    run("tcx", |name, entry, bytes| {
        let tcx = decode_tcx(bytes)?;
        let mut failures = check_tcx(name, entry, bytes, &tcx);
        // As an upload, a file without trackpoints is refused, naming what it is.
        let activity = decode_tcx_activity(bytes);
        if tcx.streams.is_empty() && tcx.laps.is_empty() {
            match activity {
                Err(XmlError::NotAnActivity { .. }) => {}
                other => failures.push(format!("{name}: as an upload: {other:?}")),
            }
        } else if let Err(error) = activity {
            failures.push(format!("{name}: refused as an upload: {error}"));
        }
        Ok(failures)
    });
}

#[test]
fn every_gpx_file_matches_its_reference_values() {
    if corpus().is_whole() {
        assert_eq!(expected("gpx").len(), 26);
    }
    run("gpx", |name, entry, bytes| {
        let gpx = decode_gpx(bytes)?;
        let mut failures = check_gpx(name, entry, &gpx);
        let activity = decode_gpx_activity(bytes);
        if gpx.streams.is_empty() {
            match activity {
                Err(XmlError::NotAnActivity { .. }) => {}
                other => failures.push(format!("{name}: as an upload: {:?}", other.map(|_| ()))),
            }
        } else if let Err(error) = activity {
            failures.push(format!("{name}: refused as an upload: {error}"));
        }
        Ok(failures)
    });
}
