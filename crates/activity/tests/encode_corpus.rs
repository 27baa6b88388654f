//! Every activity of the shared FIT corpus survives a round trip through the encoder: decoded,
//! re-encoded with `ActivityForEncoding::from_decoded`, and decoded again, it gives the same
//! legs, laps, streams and UTC offset. This puts the encoder through 20 makers' worth of
//! real shapes: multisport, pool swims, 100,000 records, missing values everywhere.

#![allow(clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::fmt::Write as _;

use paceline_testdata::Corpus;

use paceline_activity::fit::{ActivityForEncoding, decode_activity, decode_fit, encode_activity};

#[test]
fn every_corpus_activity_round_trips_through_the_encoder() {
    let corpus = Corpus::open("FIT files re-encoded");
    let mut paths: Vec<_> = std::fs::read_dir(corpus.dir("fit"))
        .expect("the corpus")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| {
            path.extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("fit"))
        })
        .collect();
    paths.sort();
    let mut failures = String::new();
    let mut checked = 0;
    for path in &paths {
        let bytes = std::fs::read(path).expect("a corpus file");
        let Ok(decoded) = decode_activity(&bytes) else {
            continue;
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let encoded = encode_activity(&ActivityForEncoding::from_decoded(&decoded));
        let again = match decode_fit(&encoded) {
            Ok(again) => again,
            Err(e) => {
                let _ = writeln!(failures, "{name}: the re-encoded file does not decode: {e}");
                continue;
            }
        };
        if decoded.legs.is_empty() {
            // One leg is written from the summary; the records are the same.
            if again.legs.len() != 1 {
                let _ = writeln!(
                    failures,
                    "{name}: {} legs for a file without sessions",
                    again.legs.len()
                );
            }
        } else {
            for (i, (a, b)) in decoded.legs.iter().zip(&again.legs).enumerate() {
                // A leg without a sport is written as its activity type's sport, one without a
                // start at the activity's start.
                if a.sport.is_some_and(|s| Some(s) != b.sport)
                    || a.sub_sport != b.sub_sport
                    || a.start_time.is_some_and(|t| Some(t) != b.start_time)
                    || a.figures != b.figures
                    || a.pool_length_m != b.pool_length_m
                    || a.active_lengths != b.active_lengths
                {
                    let _ = writeln!(failures, "{name}: leg {i}: {a:?}\n  became {b:?}");
                }
            }
            if decoded.legs.len() != again.legs.len() {
                let _ = writeln!(
                    failures,
                    "{name}: {} legs became {}",
                    decoded.legs.len(),
                    again.legs.len()
                );
            }
        }
        if !decoded.laps.is_empty() {
            for (i, (a, b)) in decoded.laps.iter().zip(&again.laps).enumerate() {
                if a.figures != b.figures || a.start_time.is_some() && a.start_time != b.start_time
                {
                    let _ = writeln!(failures, "{name}: lap {i}: {a:?}\n  became {b:?}");
                }
            }
        }
        // Altitudes below -500 m cannot be written (the FIT field's offset); nothing else
        // may change.
        let mut expected = decoded.streams.clone();
        for value in &mut expected.altitude_m {
            if value.is_some_and(|a| a < -500.0) {
                *value = None;
            }
        }
        if !decoded.streams.is_empty()
            && again
                .streams
                .iter()
                .ne(expected.iter().filter(|r| *r != Default::default()))
        {
            let first = again
                .streams
                .iter()
                .zip(expected.iter())
                .position(|(a, b)| a != b);
            let _ = writeln!(
                failures,
                "{name}: streams differ from record {first:?} ({} vs {})",
                again.streams.len(),
                expected.len()
            );
        }
        // An offset of a day or more is no time zone and is left out.
        let writable = decoded
            .summary
            .utc_offset_s
            .filter(|offset| offset.unsigned_abs() < 86_400);
        if again.summary.utc_offset_s != writable {
            let _ = writeln!(
                failures,
                "{name}: UTC offset {:?} became {:?}",
                decoded.summary.utc_offset_s, again.summary.utc_offset_s
            );
        }
        checked += 1;
    }
    assert!(
        checked >= 80 || !corpus.is_whole(),
        "only {checked} corpus activities were checked"
    );
    assert!(failures.is_empty(), "{failures}");
}

/// Every activity of the shared corpus, FIT, TCX and GPX, keeps its record streams through
/// the stored form (`streams::encode`, `streams::decode`): each value comes back at its
/// resolution (a centimetre, a millimetre per second; times, positions and whole figures
/// exactly), and the stored form stays small.
#[test]
fn every_corpus_activity_keeps_its_streams_in_the_stored_form() {
    use paceline_activity::fit::{Record, RecordStreams};
    use paceline_activity::{gpx, streams, tcx};
    let corpus = Corpus::open("record streams stored and read back");
    let mut failures = String::new();
    let (mut points, mut bytes_total, mut files) = (0usize, 0usize, 0usize);
    for format in ["fit", "tcx", "gpx"] {
        let mut paths: Vec<_> = std::fs::read_dir(corpus.dir(format))
            .expect("the corpus")
            .map(|entry| entry.expect("a directory entry").path())
            .filter(|path| {
                path.extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case(format))
            })
            .collect();
        paths.sort();
        for path in paths {
            let bytes = std::fs::read(&path).expect("a corpus file");
            let decoded: Option<RecordStreams> = match format {
                "fit" => decode_activity(&bytes).ok().map(|a| a.streams),
                "tcx" => tcx::decode_tcx(&bytes).ok().map(|t| t.streams),
                _ => gpx::decode_gpx(&bytes).ok().map(|g| g.streams),
            };
            let Some(original) = decoded else { continue };
            let name = path.display().to_string();
            let stored = streams::encode(&original);
            let back = match streams::decode(&stored) {
                Ok(back) => back,
                Err(e) => {
                    let _ = writeln!(failures, "{name}: {e}");
                    continue;
                }
            };
            files += 1;
            points += original.len();
            bytes_total += stored.len();
            if back.len() != original.len() {
                let _ = writeln!(
                    failures,
                    "{name}: {} points, {} back",
                    original.len(),
                    back.len()
                );
                continue;
            }
            let near = |a: Option<f64>, b: Option<f64>, step: f64| match (a, b) {
                (Some(a), Some(b)) => (a - b).abs() <= step / 2.0 + 1e-9,
                (None, None) => true,
                _ => false,
            };
            for (i, (a, b)) in original.iter().zip(back.iter()).enumerate() {
                let same = |a: &Record, b: &Record| {
                    a.time == b.time
                        && a.position == b.position
                        && a.heart_rate == b.heart_rate
                        && a.power_w == b.power_w
                        && a.cadence == b.cadence
                        && a.temperature_c == b.temperature_c
                        && near(a.altitude_m, b.altitude_m, 0.01)
                        && near(a.distance_m, b.distance_m, 0.01)
                        && near(a.speed_mps, b.speed_mps, 0.001)
                };
                if !same(&a, &b) {
                    let _ = writeln!(failures, "{name}: point {i}: {a:?} came back {b:?}");
                    break;
                }
            }
        }
    }
    assert!(failures.is_empty(), "{failures}");
    if files > 0 {
        let per_point = bytes_total as f64 / points.max(1) as f64;
        eprintln!("{files} activities, {points} points, {per_point:.1} bytes a point stored");
        assert!(per_point < 24.0, "{per_point:.1} bytes a point");
    }
}
