//! An S3-compatible server per test: moto's (`tests/s3/moto_server.py`, PyPI's `moto`
//! pinned in `tests/s3/requirements.txt`), on a free loopback port, with one bucket.
//!
//! The Python comes from `PACELINE_TEST_PYTHON`, else the venv at `~/.cache/paceline/venv`
//! that `.ci/run` fills. Without it (or without moto in it) a test says loudly that it was
//! skipped, unless `PACELINE_TEST_REQUIRE_INTEROP=1` (as in CI) makes that a failure.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};

/// The access key id the test server is given (moto accepts any).
pub const ACCESS_KEY_ID: &str = "paceline-test";
/// The secret access key the test server is given.
pub const SECRET_ACCESS_KEY: &str = "paceline-test-secret";

/// A running S3 test server with one empty bucket; stopped when dropped.
#[derive(Debug)]
pub struct S3Server {
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// The bucket's name.
    pub bucket: String,
    _child: Child,
    /// The server ends when this closes.
    _stdin: ChildStdin,
}

fn required() -> bool {
    std::env::var("PACELINE_TEST_REQUIRE_INTEROP").is_ok_and(|v| v == "1")
}

fn skip(what: &str) {
    assert!(
        !required(),
        "{what} is required (PACELINE_TEST_REQUIRE_INTEROP=1) but missing"
    );
    paceline_testdata::skipped(
        "file storage on S3 (moto)",
        &format!(
            "{what} is not installed; scripts/test installs it (or pip install -r \
             tests/s3/requirements.txt)"
        ),
    );
}

/// The test Python: `PACELINE_TEST_PYTHON`, else the CI venv.
pub fn python() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("PACELINE_TEST_PYTHON").map(PathBuf::from),
        std::env::var_os("HOME")
            .map(|home| PathBuf::from(home).join(".cache/paceline/venv/bin/python")),
    ];
    candidates.into_iter().flatten().find(|p| p.is_file())
}

fn script() -> PathBuf {
    paceline_testdata::in_repository("tests/s3/moto_server.py")
}

/// Starts a server with a bucket named `bucket`, or skips (returns `None`) when moto is
/// not installed and not required.
pub async fn start(bucket: &str) -> Option<S3Server> {
    let Some(python) = python() else {
        skip("moto (a venv at ~/.cache/paceline/venv or PACELINE_TEST_PYTHON)");
        return None;
    };
    let mut child = Command::new(&python)
        .arg(script())
        .arg(bucket)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e}", python.display()));
    let stdin = child.stdin.take().expect("piped stdin");
    let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
    let port = tokio::time::timeout(Duration::from_secs(60), stdout.next_line())
        .await
        .expect("the S3 test server did not start within 60 s")
        .ok()
        .flatten()
        .and_then(|line| line.strip_prefix("listening ").map(str::to_owned));
    let Some(port) = port else {
        let status = child.wait().await.ok().and_then(|s| s.code());
        let mut stderr = String::new();
        if let Some(mut pipe) = child.stderr.take() {
            let _ = tokio::io::AsyncReadExt::read_to_string(&mut pipe, &mut stderr).await;
        }
        if status == Some(3) {
            skip(&format!("moto (in {})", python.display()));
            return None;
        }
        panic!("the S3 test server failed ({status:?}):\n{stderr}");
    };
    // moto logs each request to standard error: drain it so it never blocks.
    if let Some(stderr) = child.stderr.take() {
        tokio::spawn(async move {
            let mut lines = BufReader::new(stderr).lines();
            while let Ok(Some(_)) = lines.next_line().await {}
        });
    }
    Some(S3Server {
        endpoint: format!("http://127.0.0.1:{port}"),
        bucket: bucket.to_owned(),
        _child: child,
        _stdin: stdin,
    })
}
