//! Garmin's official FIT SDK as a test oracle: finds the Python that has it, runs
//! `check.py` (beside this file) over a folder of FIT files and gives back what the SDK
//! decoded. Shared by the activity crate's encoder test and the server's workout downloads
//! (which include this file by path), so every FIT file Paceline writes is checked the same
//! way.
//!
//! The Python is `PACELINE_TEST_PYTHON`, else `$HOME/.cache/paceline/venv/bin/python`
//! (where `.ci/run` installs `requirements.txt`). Without it a check says loudly that it was
//! skipped; with `PACELINE_TEST_REQUIRE_INTEROP=1` (CI) it fails instead.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// The Python that can import `garmin_fit_sdk`, or why there is none.
pub fn python() -> Result<PathBuf, String> {
    let python = std::env::var_os("PACELINE_TEST_PYTHON")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .map(|home| PathBuf::from(home).join(".cache/paceline/venv/bin/python"))
        })
        .ok_or("neither PACELINE_TEST_PYTHON nor HOME is set")?;
    let probe = Command::new(&python)
        .args(["-c", "import garmin_fit_sdk"])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    if !probe.status.success() {
        return Err(format!(
            "{} cannot import garmin_fit_sdk: {}",
            python.display(),
            String::from_utf8_lossy(&probe.stderr).trim()
        ));
    }
    Ok(python)
}

/// The SDK's Python; `None` after saying loudly that the check is skipped. Panics instead
/// when `PACELINE_TEST_REQUIRE_INTEROP=1`.
pub fn python_or_skip() -> Option<PathBuf> {
    match python() {
        Ok(python) => Some(python),
        Err(why) => {
            let required = std::env::var("PACELINE_TEST_REQUIRE_INTEROP").is_ok_and(|v| v == "1");
            assert!(
                !required,
                "PACELINE_TEST_REQUIRE_INTEROP=1 but Garmin's FIT SDK cannot run: {why}"
            );
            paceline_testdata::skipped(
                "Garmin's FIT SDK check of the files we write",
                &format!(
                    "{why}; scripts/test installs it (or: python -m venv ~/.cache/paceline/venv \
                     && ~/.cache/paceline/venv/bin/pip install -r \
                     crates/activity/tests/garmin/requirements.txt)"
                ),
            );
            None
        }
    }
}

/// A fresh folder for files to check.
pub fn scratch_dir(label: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let dir = std::env::temp_dir().join(format!(
        "paceline-garmin-{label}-{}-{nanos}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    dir
}

/// Runs `check.py` over every `.fit` file in `dir`: fails the test unless the SDK read
/// each one with zero errors; gives back its JSON (`files` by path, each with `messages`).
pub fn check_dir(python: &Path, dir: &Path) -> Value {
    let script = paceline_testdata::in_repository("crates/activity/tests/garmin/check.py");
    let output = Command::new(python)
        .arg(&script)
        .arg(dir)
        .output()
        .expect("run check.py");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let json: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "check.py printed no JSON ({e}); stderr:\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    assert!(
        output.status.success(),
        "Garmin's SDK refused FIT files Paceline wrote:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    json
}
