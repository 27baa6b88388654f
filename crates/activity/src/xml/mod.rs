//! What the TCX and GPX readers share: the error type, date-times, the limits that keep
//! hostile XML bounded, and the guarded scanner over quick-xml.
//!
//! # Decisions
//! - **No DTD.** A `<!DOCTYPE ...>` is refused outright, with any entity declarations in
//!   it: no activity format needs one, and refusing it rules out entity-expansion bombs.
//!   Entity references other than XML's five predefined ones and character references are
//!   refused too.
//! - **Bounded.** Inputs past [`MAX_INPUT_BYTES`] are refused before parsing; elements
//!   nested deeper than [`MAX_DEPTH`] are refused; at most [`crate::fit::MAX_RECORDS`]
//!   points and [`crate::fit::MAX_LAPS`] laps are kept. The scanner borrows the input and
//!   allocates only for the records and the few strings kept.
//! - **Tolerant where real files need it, strict elsewhere.** Whitespace (and a BOM) before
//!   the XML declaration is skipped (some TCX exports write it); element names are matched
//!   by their local name, so an undeclared or unusual namespace prefix on an extension
//!   (`gpxdata:`, `ns3:`) does not stop a file. Malformed XML, an unclosed document and
//!   numbers that do not parse are errors with the byte offset; values are never guessed.

mod error;
pub(crate) mod scan;
mod time;

pub use error::XmlError;
pub use time::Timestamp;

/// The largest TCX or GPX file read: 100 MiB (a 24-hour track at one point a second is
/// about 40 MB of TCX).
pub const MAX_INPUT_BYTES: usize = 100 * 1024 * 1024;
/// The deepest element nesting accepted (real files nest fewer than 10 levels).
pub const MAX_DEPTH: usize = 64;

/// Parses a number, surrounding whitespace allowed; `None` when empty or not finite.
pub(crate) fn number(text: &str) -> Option<f64> {
    let text = text.trim();
    text.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// A [`XmlError::BadValue`] for `text`, cut to 40 characters.
pub(crate) fn bad_value(offset: usize, what: &'static str, text: &str) -> XmlError {
    XmlError::BadValue {
        offset,
        what,
        value: text.trim().chars().take(40).collect(),
    }
}

/// A number that must be there when the element is.
pub(crate) fn required_number(
    text: &str,
    offset: usize,
    what: &'static str,
) -> Result<f64, XmlError> {
    number(text).ok_or_else(|| bad_value(offset, what, text))
}

/// A whole number from 0 to `max` (written as an integer or a float such as `120.0`).
pub(crate) fn whole(
    text: &str,
    offset: usize,
    what: &'static str,
    max: f64,
) -> Result<u32, XmlError> {
    let value = required_number(text, offset, what)?;
    if value < 0.0 || value > max {
        return Err(bad_value(offset, what, text));
    }
    Ok(value.round() as u32)
}

/// An empty element's value is absent, not an error; so is the text `null`, which some
/// exporters (Strava's) write for a value they lack.
pub(crate) fn is_blank(text: &str) -> bool {
    let text = text.trim();
    text.is_empty() || text == "null"
}

/// Degrees to FIT semicircles (2^31 per 180 degrees), rounded.
pub(crate) fn semicircles(degrees: f64) -> i32 {
    let value = (degrees * (2_147_483_648.0 / 180.0)).round();
    value.clamp(-2_147_483_647.0, 2_147_483_646.0) as i32
}
