//! The two published API surfaces.

pub(crate) mod tia;
