//! The Xhale Athlete API, mounted at `/api/`: integer ids, snake_case fields, errors in the
//! shape Django REST framework clients parse (`{"detail": "..."}`, or `{"field":
//! ["message"]}` for a bad field).

pub(crate) mod access;
pub(crate) mod athletes;
pub(crate) mod attach;
pub(crate) mod auth;
pub(crate) mod calendar;
pub(crate) mod document;
pub(crate) mod error;
pub(crate) mod input;
pub(crate) mod messages;
pub(crate) mod params;
pub(crate) mod races;
pub(crate) mod record;
pub(crate) mod routes;
pub(crate) mod schemas;
pub(crate) mod sessions;
pub(crate) mod uploads;
pub(crate) mod users;
pub(crate) mod wire;
pub(crate) mod workouts;
