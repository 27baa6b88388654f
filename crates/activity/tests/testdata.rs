//! Every FIT file of the shared test corpus decodes to the reference values of its
//! `EXPECTED.json` entry (Garmin's FIT SDK, or fitdecode where the SDK cannot read the file),
//! and every file the manifest marks `reject` is refused with an error.
//!
//! Values are compared at the resolution the FIT profile gives each field (a millisecond for
//! times, a centimetre for distances, a millimetre per second for speeds): that is the
//! precision the file itself carries, so the comparison is in effect exact. A value the
//! reference lacks must be absent from ours too.
//!
//! The checks, in `tests/testdata/`: `file.rs` (one file against its entry), `session.rs`,
//! `records.rs` and `summary.rs` (its parts), `check.rs` (collecting the mismatches).

// This binary is test code throughout; clippy's in-test allowances only reach `#[test]`
// functions, not their helpers.
#![allow(clippy::expect_used, clippy::panic)]

#[path = "testdata/check.rs"]
mod check;
#[path = "testdata/file.rs"]
mod file;
#[path = "testdata/records.rs"]
mod records;
#[path = "testdata/session.rs"]
mod session;
#[path = "testdata/summary.rs"]
mod summary;

use std::fmt::Write as _;
use std::sync::OnceLock;

use paceline_activity::fit::{FitTime, decode_activity};
use paceline_testdata::Corpus;
use serde_json::Value;

use file::check_file;

fn corpus() -> &'static Corpus {
    static CORPUS: OnceLock<Corpus> = OnceLock::new();
    CORPUS.get_or_init(|| Corpus::open("FIT files against their reference values"))
}

fn expected() -> serde_json::Map<String, Value> {
    let path = corpus().root().join("fit/EXPECTED.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let json: Value = serde_json::from_str(&text).expect("EXPECTED.json is JSON");
    json.get("files")
        .and_then(Value::as_object)
        .cloned()
        .expect("EXPECTED.json has a files object")
}

#[test]
fn every_fit_file_matches_its_reference_values() {
    let files = expected();
    if corpus().is_whole() {
        assert_eq!(files.len(), 99, "the corpus has 99 FIT files");
    }
    let mut failures = Vec::new();
    let mut passed = 0;
    for (name, expected) in &files {
        let file_failures = check_file(name, expected);
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
        "{passed} of {} files match; mismatches:\n{report}",
        files.len()
    );
}

/// Where Garmin's SDK fails on a file the manifest says is valid, our decoder must read it.
/// The one case in the corpus: `pyfitparse__compressed-speed-distance.fit` uses
/// compressed-timestamp record headers, which the FIT protocol defines and Garmin's Python
/// and JavaScript SDKs do not implement ("Compressed timestamp messages are not currently
/// supported"). Its reference values come from fitdecode and are checked above; here the
/// 755 compressed headers must resolve to a time for every record, in order, ending at the
/// activity's end.
#[test]
fn files_garmins_sdk_cannot_read_decode_with_compressed_timestamps_resolved() {
    let files = expected();
    let mut checked = 0;
    for (name, expected) in &files {
        let sdk_failed = expected
            .pointer("/garmin_sdk/decodes_without_errors")
            .and_then(Value::as_bool)
            == Some(false);
        if !sdk_failed || expected.get("expect").and_then(Value::as_str) != Some("accept") {
            continue;
        }
        let errors = expected
            .pointer("/garmin_sdk/errors")
            .map(Value::to_string)
            .unwrap_or_default();
        assert!(
            errors.contains("Compressed timestamp"),
            "{name}: the SDK fails for a reason this test does not know: {errors}"
        );
        let bytes = std::fs::read(corpus().root().join(name)).expect("corpus file");
        let decoded = decode_activity(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let compressed = expected
            .pointer("/structure/compressed_timestamp_msgs")
            .and_then(Value::as_u64)
            .unwrap_or_default();
        let times: Vec<FitTime> = decoded.streams.time.iter().flatten().copied().collect();
        assert_eq!(
            times.len() as u64,
            compressed,
            "{name}: every record has a resolved time"
        );
        assert!(
            times.windows(2).all(|w| w[0] <= w[1]),
            "{name}: record times go forward"
        );
        let end = decoded
            .activity
            .and_then(|a| a.timestamp)
            .expect("an activity message");
        let last = *times.last().expect("records");
        assert!(
            last <= end && end.0 - last.0 < 60,
            "{name}: the last record {last} is just before the end {end}"
        );
        checked += 1;
    }
    assert_eq!(
        checked, 1,
        "the corpus has one file only fitdecode can read"
    );
}
