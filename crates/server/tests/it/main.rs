//! The server's integration tests: the real router on a real socket, over a fresh database
//! per test, on both engines.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod browser;
mod harness;
mod health;
mod oauth;
mod shutdown;
