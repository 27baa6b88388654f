//! Test support without dependencies: where the test files are, and a record of every check
//! a test run could not make.
//!
//! Two sets of files serve the tests. The repository carries, in `testdata/` at its root, the
//! permissively licensed files its tests name, with their provenance (`testdata/README.md`),
//! so that a clone with nothing beside it passes the test suite. The whole corpus, with
//! files under licences that must not be copied into the repository, is
//! `../shared/testdata` beside the repository (or the folder named by `PACELINE_TESTDATA`).
//! Both have the same layout: `MANIFEST.tsv`, and `fit/`, `tcx/`, `gpx/` each with an
//! `EXPECTED.json`.
//!
//! A test over the whole corpus takes [`Corpus::open`]: the shared corpus when it is there,
//! else the carried files, after recording with [`skipped`] that the rest was not checked.
//! `PACELINE_TEST_REQUIRE_CORPUS=1` (as in CI) makes a missing corpus a failure instead.
//!
//! [`skipped`] says loudly what did not run and why, and appends it to the file named by
//! `PACELINE_TEST_SKIP_LOG`, from which `scripts/test` prints its closing summary.
//!
//! This crate must not depend on any other crate of ours, so that `paceline-activity`'s tests
//! may use it and keep their crate free of everything but the codecs.
#![allow(clippy::print_stderr, clippy::panic, clippy::expect_used)]

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The repository's root (this crate is `crates/testdata` in it).
fn repository() -> PathBuf {
    // Cargo names the crate under test at run time; the path this crate was compiled in may
    // be another checkout's, as a build cache shared between checkouts reuses this crate.
    let crate_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    crate_dir
        .parent()
        .and_then(Path::parent)
        .map_or_else(|| crate_dir.join("../.."), Path::to_path_buf)
}

/// A path inside the repository the tests run from (`tests/interop`, for one).
pub fn in_repository(relative: &str) -> PathBuf {
    repository().join(relative)
}

/// The folder beside the repository that holds what the team shares (`../shared`).
fn beside() -> PathBuf {
    let repository = repository();
    repository
        .parent()
        .map_or_else(|| repository.join(".."), Path::to_path_buf)
        .join("shared")
}

/// The files the repository carries.
pub fn carried() -> PathBuf {
    repository().join("testdata")
}

/// Where the whole corpus is expected: `PACELINE_TESTDATA`, else `../shared/testdata`.
pub fn shared() -> PathBuf {
    std::env::var_os("PACELINE_TESTDATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| beside().join("testdata"))
}

fn flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| v == "1" || v == "true")
}

/// A file the repository carries, by its path in the corpus (`fit/fitsdkjs__Activity.fit`).
///
/// # Panics
/// When the repository does not carry it: a test that names a file must carry it, so that
/// a fresh clone passes.
pub fn file(path: &str) -> Vec<u8> {
    let at = carried().join(path);
    std::fs::read(&at).unwrap_or_else(|e| {
        panic!(
            "{} is not carried in testdata/ ({e}); copy it there with its manifest row, \
             if its licence allows",
            at.display()
        )
    })
}

/// The corpus a whole-corpus test reads.
#[derive(Debug, Clone)]
pub struct Corpus {
    root: PathBuf,
    whole: bool,
}

impl Corpus {
    /// The shared corpus when it is there; otherwise the carried files, after recording that
    /// `check` ran over those only.
    ///
    /// # Panics
    /// When the shared corpus is missing and `PACELINE_TEST_REQUIRE_CORPUS=1`.
    pub fn open(check: &str) -> Self {
        let shared = shared();
        if shared.join("MANIFEST.tsv").is_file() {
            return Self {
                root: shared,
                whole: true,
            };
        }
        assert!(
            !flag("PACELINE_TEST_REQUIRE_CORPUS"),
            "PACELINE_TEST_REQUIRE_CORPUS=1 but the shared corpus is not at {}",
            shared.display()
        );
        skipped(
            check,
            &format!(
                "the shared corpus is not at {} (set PACELINE_TESTDATA): ran over the files \
                 carried in testdata/ only",
                shared.display()
            ),
        );
        Self {
            root: carried(),
            whole: false,
        }
    }

    /// Whether this is the whole shared corpus rather than the carried files.
    pub fn is_whole(&self) -> bool {
        self.whole
    }

    /// The corpus folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A folder of the corpus: `fit`, `tcx`, `gpx`.
    pub fn dir(&self, kind: &str) -> PathBuf {
        self.root.join(kind)
    }

    /// Every file of a folder with the given extension (any case), sorted by name, with its
    /// bytes.
    pub fn files(&self, kind: &str, extension: &str) -> Vec<(String, Vec<u8>)> {
        let dir = self.dir(kind);
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
            .filter_map(|entry| {
                let path = entry.ok()?.path();
                let name = path.file_name()?.to_str()?.to_owned();
                let matches = path
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case(extension));
                matches.then(|| {
                    let bytes = std::fs::read(&path)
                        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
                    (name, bytes)
                })
            })
            .collect();
        files.sort();
        files
    }

    /// The manifest's rows, each as its columns (`file`, `source_repo`, `path`, `commit`,
    /// `license`, `note`, `expect`, `bytes`, `sha256`), the header left out.
    pub fn manifest(&self) -> Vec<Vec<String>> {
        let path = self.root.join("MANIFEST.tsv");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        text.lines()
            .skip(1)
            .map(|line| line.split('\t').map(str::to_owned).collect())
            .collect()
    }
}

/// Records that `check` did not run (or ran only in part) and why: on stderr, loudly, and in
/// the file named by `PACELINE_TEST_SKIP_LOG` for the test command's closing summary.
pub fn skipped(check: &str, why: &str) {
    eprintln!("\n*** SKIPPED: {check}: {why} ***\n");
    let Some(log) = std::env::var_os("PACELINE_TEST_SKIP_LOG") else {
        return;
    };
    let line = format!(
        "{}\t{}\n",
        why.replace(['\t', '\n'], " "),
        check.replace(['\t', '\n'], " ")
    );
    // One write of a short line to a file opened for appending lands whole, so the test
    // binaries and their threads can share the log.
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log)
        .and_then(|mut file| file.write_all(line.as_bytes()));
    if let Err(e) = written {
        eprintln!(
            "cannot record the skip in {}: {e}",
            Path::new(&log).display()
        );
    }
}

/// The text of an API document the repository carries in `docs/spec/`
/// (`xhale-athlete-api.txt`, `train-it-all-external-api-v1.txt`): the contract the tests
/// quote. [`spec_drift`] tells whether the copy still matches the shared one.
pub fn spec(name: &str) -> String {
    let path = repository().join("docs/spec").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The carried API documents that differ from those in `../shared/spec`, by name; `None`
/// (after recording the skip) when the shared documents are not there.
pub fn spec_drift() -> Option<Vec<String>> {
    let shared = beside().join("spec");
    let carried = repository().join("docs/spec");
    let Ok(entries) = std::fs::read_dir(&shared) else {
        skipped(
            "the carried API documents against the shared ones",
            &format!("{} is not there", shared.display()),
        );
        return None;
    };
    let mut drifted: Vec<String> = entries
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let name = path.file_name()?.to_str()?.to_owned();
            let same = std::fs::read(&path).ok() == std::fs::read(carried.join(&name)).ok();
            (!same).then_some(name)
        })
        .collect();
    drifted.sort();
    Some(drifted)
}
