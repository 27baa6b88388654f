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
mod browser;
mod calendar;
mod checklist;
mod harness;
mod health;
mod interop;
mod oauth;
mod shutdown;
mod throttle;
mod tia;
mod workouts;
mod xhale;

/// Garmin's FIT SDK as the activity crate's encoder test runs it, shared by path.
#[path = "../../../activity/tests/garmin/sdk.rs"]
mod garmin_sdk;
