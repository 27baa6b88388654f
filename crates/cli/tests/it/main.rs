//! Tests of the `paceline` binary as users run it: real processes, real signals, a fresh
//! database per test on both engines.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod admin;
mod athlete;
mod backup;
mod batch_crash;
mod crash;
mod db_copy;
mod export;
mod files_copy;
mod harness;
mod import;
mod instances;
mod metrics;
mod oauth_crash;
mod reprocess;
mod s3;
mod serve;
mod tls;
mod upload_crash;
