//! Activity files: the FIT codec (decode and encode) and the TCX and GPX readers, turning
//! bytes into an activity summary and record streams and back.
//!
//! Pure and synchronous: no I/O, no async, no HTTP or database, and no dependency on any
//! other crate of Paceline's. Every input is untrusted: malformed, truncated or hostile
//! bytes give an error carrying the byte offset, never a panic, a hang or unbounded memory.
//!
//! The FIT codec lives in [`fit`]: [`fit::decode_activity`] for an uploaded activity,
//! [`fit::reader`] for the messages themselves, [`fit::encode_activity`] to write an
//! activity as FIT, and [`fit::encode_workout`] / [`fit::decode_workout`] for planned
//! workouts, whose format-independent model is [`workout`]; [`zwo`] and [`erg`] write the
//! same workouts for Zwift and for smart trainers' ERG mode. [`tcx`] and [`gpx`] read Garmin
//! Training Center and GPX files into the same summary and record streams; [`xml`] holds
//! what they share (the error type, date-times, the limits on hostile XML).

pub mod erg;
mod export;
pub mod fit;
pub mod gpx;
pub mod streams;
pub mod tcx;
pub mod workout;
pub mod xml;
pub mod zwo;
