//! The two published API surfaces.

pub(crate) mod document;
pub(crate) mod tia;
pub(crate) mod xhale;
