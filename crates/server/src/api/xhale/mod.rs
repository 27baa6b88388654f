//! The Xhale Athlete API, mounted at `/api/`: integer ids, snake_case fields, errors in the
//! shape Django REST framework clients parse (`{"detail": "..."}`, or `{"field":
//! ["message"]}` for a bad field).

pub(crate) mod auth;
pub(crate) mod users;
