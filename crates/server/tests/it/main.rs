//! The server's integration tests: the real router on a real socket, over a fresh database
//! per test, on both engines.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stderr
)]

mod admin;
mod assets;
mod browser;
mod calendar;
mod checklist;
mod documents;
mod errors;
mod harness;
mod health;
mod interop;
mod oauth;
mod paths;
mod shutdown;
mod throttle;
mod tia;
mod web;
mod workouts;
mod xhale;

/// Garmin's FIT SDK as the activity crate's encoder test runs it, shared by path.
#[path = "../../../activity/tests/garmin/sdk.rs"]
mod garmin_sdk;

/// The API documents the tests quote are carried in `docs/spec`; they must be the contract
/// itself, word for word.
#[test]
fn the_carried_api_documents_are_the_shared_ones() {
    if let Some(drifted) = paceline_testdata::spec_drift() {
        assert!(
            drifted.is_empty(),
            "docs/spec differs from ../shared/spec in {drifted:?}: copy them again"
        );
    }
}
