//! Every FIT file the encoder writes must read in Garmin's official FIT SDK with no error and
//! give back the values that were encoded.
//!
//! The test writes a set of activities (with streams, summary only, multisport, pool swim,
//! no leg at all) and workouts (repeats, nested repeats, every duration and target type)
//! into a temporary folder, runs `tests/garmin/check.py` on it through `tests/garmin/sdk.rs`
//! (with the Python named by `PACELINE_TEST_PYTHON`, else
//! `$HOME/.cache/paceline/venv/bin/python`, where CI installs `tests/garmin/requirements.txt`),
//! and compares the SDK's decoded messages field by field with the inputs.
//!
//! Without that Python or the SDK the test says loudly that it was skipped; with
//! `PACELINE_TEST_REQUIRE_INTEROP=1` (CI) it fails instead.
//!
//! The parts, in `tests/garmin/`: `activities.rs` and `workouts.rs` (what is encoded and what
//! the SDK must read back), `compare.rs` (collecting the mismatches).

#![allow(
    clippy::expect_used,
    clippy::panic,
    clippy::unwrap_used,
    clippy::print_stderr,
    clippy::indexing_slicing
)]

#[path = "garmin/activities.rs"]
mod activities;
#[path = "garmin/compare.rs"]
mod compare;
#[path = "garmin/sdk.rs"]
mod sdk;
#[path = "garmin/workouts.rs"]
mod workouts;

use std::fmt::Write as _;

use crate::activities::{
    check_activity, pool_swim, records_only, ride_with_streams, run_summary_only, triathlon,
};
use crate::compare::Compare;
use crate::workouts::{check_workout, workouts};
use paceline_activity::fit::{encode_activity, encode_workout};

#[test]
fn every_encoded_file_reads_in_garmins_sdk_with_the_encoded_values() {
    let Some(python) = sdk::python_or_skip() else {
        return;
    };
    let activities = [
        ("ride_with_streams", ride_with_streams()),
        ("run_summary_only", run_summary_only()),
        ("triathlon", triathlon()),
        ("pool_swim", pool_swim()),
        ("records_only", records_only()),
    ];
    let workouts = workouts();
    let dir = sdk::scratch_dir("encoder");
    for (name, activity) in &activities {
        std::fs::write(dir.join(format!("{name}.fit")), encode_activity(activity)).unwrap();
    }
    for (name, workout) in &workouts {
        let bytes = encode_workout(workout).expect("a valid workout");
        std::fs::write(dir.join(format!("{name}.fit")), bytes).unwrap();
    }
    let json = sdk::check_dir(&python, &dir);
    let file = |name: &str| {
        let path = dir.join(format!("{name}.fit")).display().to_string();
        json.get("files")
            .and_then(|files| files.get(&path))
            .cloned()
            .unwrap_or_else(|| panic!("no SDK result for {path}"))
    };
    let mut cmp = Compare {
        failures: Vec::new(),
    };
    for (name, activity) in &activities {
        check_activity(&mut cmp, name, activity, &file(name));
    }
    for (name, workout) in &workouts {
        check_workout(&mut cmp, name, workout, &file(name));
    }
    if std::env::var_os("PACELINE_KEEP_GARMIN_DIR").is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    let mut report = String::new();
    for failure in &cmp.failures {
        let _ = writeln!(report, "{failure}");
    }
    assert!(
        cmp.failures.is_empty(),
        "{} mismatches between what was encoded and what Garmin's SDK read:\n{report}",
        cmp.failures.len()
    );
}
