//! The two published API surfaces.

pub(crate) mod tia;
pub(crate) mod xhale;
