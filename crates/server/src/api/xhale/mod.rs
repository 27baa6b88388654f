//! The Xhale Athlete API, mounted at `/api/`: integer ids, snake_case fields, errors in the
//! shape Django REST framework clients parse (`{"detail": "..."}`, or `{"field":
//! ["message"]}` for a bad field).

pub(crate) mod auth;
#[expect(
    dead_code,
    reason = "the session and race routes read their bodies with it"
)]
pub(crate) mod input;
pub(crate) mod messages;
pub(crate) mod users;
#[cfg_attr(
    not(test),
    expect(
        dead_code,
        reason = "the session and race routes write their instants with it"
    )
)]
pub(crate) mod wire;
