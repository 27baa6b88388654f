//! Extractors shared by the API surfaces.

pub(crate) mod bearer;
pub(crate) mod body;
pub(crate) mod upload;
