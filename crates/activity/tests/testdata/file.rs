//! One corpus file against its reference entry: refused when the manifest says so,
//! otherwise its file id, sessions, laps, activity, records and summary.

use crate::check::{Check, opt_i};
use crate::corpus;
use crate::records::check_records;
use crate::session::check_session;
use crate::summary::check_summary;
use paceline_activity::fit::{FitError, decode_activity, decode_fit};
use serde_json::Value;

pub(crate) fn check_file(name: &str, expected: &Value) -> Vec<String> {
    let reference = expected
        .get("reference")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut check = Check {
        file: name,
        failures: Vec::new(),
        absent_means_absent: reference == "garmin-fit-sdk",
    };
    let path = corpus().root().join(name);
    let bytes =
        std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let at = |key: &str| expected.get(key);
    let result = decode_fit(&bytes);
    if at("expect").and_then(Value::as_str) == Some("reject") {
        match result {
            Err(error) => {
                // A clear message, and an offset inside the file for anything but an empty one.
                if !bytes.is_empty() && error.offset().is_none_or(|o| o > bytes.len()) {
                    check.fail("error", format!("{error} has no offset within the file"));
                }
            }
            Ok(_) => check.fail("expect", "a reject file decoded without error".into()),
        }
        return check.failures;
    }
    let decoded = match result {
        Ok(decoded) => decoded,
        Err(error) => {
            check.fail("decode", format!("failed: {error}"));
            return check.failures;
        }
    };

    let structure = at("structure");
    check.int(
        "structure.subfiles",
        structure.and_then(|s| s.get("subfiles")),
        Some(decoded.fit_files as i64),
    );

    let file_id = at("file_id");
    let file_type = decoded.file_id.file_type;
    check.name(
        "file_id.type",
        file_id.and_then(|f| f.get("type")),
        file_type.and_then(|t| t.name()),
        file_type.map(|t| match t {
            paceline_activity::fit::FileType::Other(n) => u16::from(n),
            _ => 0,
        }),
    );
    check.time(
        "file_id.time_created",
        file_id.and_then(|f| f.get("time_created")),
        decoded.file_id.time_created,
    );
    check.int(
        "file_id.serial_number",
        file_id.and_then(|f| f.get("serial_number")),
        opt_i(decoded.file_id.serial_number),
    );
    check.int(
        "file_id.product",
        file_id.and_then(|f| f.get("product")),
        opt_i(decoded.file_id.product),
    );
    let maker = decoded.file_id.manufacturer;
    check.name(
        "file_id.manufacturer",
        file_id.and_then(|f| f.get("manufacturer")),
        maker.and_then(paceline_activity::fit::profile::manufacturer_name),
        maker,
    );

    // Uploading it as an activity: accepted for activities (and files that do not say),
    // refused naming the type for everything else.
    let activity = decode_activity(&bytes);
    match (file_type, &activity) {
        (None | Some(paceline_activity::fit::FileType::Activity), Ok(_)) => {}
        (Some(t), Err(FitError::NotAnActivity { file_type })) if *file_type == t => {
            let message = activity
                .as_ref()
                .err()
                .map(ToString::to_string)
                .unwrap_or_default();
            if !message.contains(&t.to_string()) {
                check.fail(
                    "decode_activity",
                    format!("the error {message:?} does not name the type"),
                );
            }
        }
        (t, r) => check.fail(
            "decode_activity",
            format!("file type {t:?} gave {:?}", r.as_ref().map(|_| "Ok")),
        ),
    }

    check.int(
        "record_count",
        at("record_count"),
        Some(decoded.record_messages as i64),
    );
    if at("lap_count").is_some_and(|v| !v.is_null()) {
        check.int(
            "lap_count",
            at("lap_count"),
            Some(decoded.laps.len() as i64),
        );
    }
    let sessions = at("sessions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if sessions.len() == decoded.legs.len() {
        for (index, (e, leg)) in sessions.iter().zip(&decoded.legs).enumerate() {
            check_session(&mut check, index, e, leg);
        }
    } else {
        check.fail(
            "sessions",
            format!(
                "expected {}, decoded {}",
                sessions.len(),
                decoded.legs.len()
            ),
        );
    }

    if let Some(expected_activity) = at("activity").filter(|a| !a.is_null()) {
        let a = decoded.activity.unwrap_or_default();
        let e = |key: &str| expected_activity.get(key);
        check.time("activity.timestamp", e("timestamp"), a.timestamp);
        check.int(
            "activity.local_timestamp",
            e("local_timestamp"),
            a.local_timestamp.map(|t| i64::from(t.0)),
        );
        check.int(
            "activity.num_sessions",
            e("num_sessions"),
            opt_i(a.num_sessions),
        );
        check.float(
            "activity.total_timer_time",
            e("total_timer_time"),
            a.total_timer_s,
            0.001,
        );
        if let Some(offset) = e("utc_offset_s") {
            check.int(
                "activity.utc_offset_s",
                Some(offset),
                opt_i(decoded.summary.utc_offset_s),
            );
        }
    }

    if let Some(records) = at("records").filter(|r| !r.is_null()) {
        check_records(&mut check, records, &decoded);
    }
    check_summary(&mut check, &decoded);
    check.failures
}
