//! The Store conformance suite: every test runs on SQLite and on PostgreSQL.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod accounts;
mod activities;
mod calendar;
mod calendar_files;
mod copy;
mod daily;
mod detail;
mod engine;
mod files;
mod invitations;
mod jobs;
mod library;
mod messages;
mod oauth;
mod ratelimit;
mod schema;
mod settings;
mod workouts;
