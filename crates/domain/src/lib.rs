//! Paceline's domain: the entities of the training-data platform, the rules that govern them
//! and the services both API surfaces call.
//!
//! This crate knows nothing of HTTP, SQL or object storage: no axum, sqlx or object_store
//! here. Persistence is reached through the [`Store`] trait, time through [`Clock`] and
//! randomness through the functions that take an `Rng`, so tests control all three.

pub mod accounts;
pub mod activities;
pub mod calendar;
pub mod clock;
pub mod coaching;
pub mod daily;
pub mod demo;
pub mod disciplines;
pub mod email;
pub mod entities;
pub mod files;
pub mod ids;
pub mod imports;
pub mod invitations;
pub mod jobs;
pub mod listing;
pub mod mail;
pub mod messaging;
pub mod oauth;
pub mod password;
pub mod ratelimit;
pub mod read_scope;
pub mod resets;
pub mod settings;
pub mod store;
pub mod training;
pub mod workouts;

pub use clock::{Clock, FixedClock, SystemClock};
pub use store::{Store, StoreError};
