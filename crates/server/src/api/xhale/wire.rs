//! How the Xhale surface writes and reads instants: naive UTC with microseconds, as
//! `2015-06-18T02:03:14.513292`; read back from that form, with or without fractions, and
//! from RFC 3339 with an offset.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// An instant as the spec writes it: UTC, microseconds, no offset.
pub(crate) fn datetime(at: OffsetDateTime) -> String {
    let at = at.to_offset(UtcOffset::UTC);
    at.format(format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]"
    ))
    .unwrap_or_default()
}

/// An instant a client wrote: `2015-06-17T03:00:00` (UTC), with optional fractions, or
/// RFC 3339 with `Z` or an offset.
pub(crate) fn parse_datetime(text: &str) -> Option<OffsetDateTime> {
    let text = text.trim();
    if let Ok(at) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(at);
    }
    let naive = [
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond]"),
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]"),
        format_description!("[year]-[month]-[day]T[hour]:[minute]"),
    ];
    naive
        .iter()
        .find_map(|format| PrimitiveDateTime::parse(text, format).ok())
        .map(PrimitiveDateTime::assume_utc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn instants_look_like_the_spec() {
        assert_eq!(
            datetime(datetime!(2015-06-18 02:03:14.513292 UTC)),
            "2015-06-18T02:03:14.513292"
        );
        assert_eq!(
            datetime(datetime!(2015-06-18 04:03:14 +02:00)),
            "2015-06-18T02:03:14.000000"
        );
    }

    #[test]
    fn instants_are_read_in_every_usual_form() {
        let at = datetime!(2015-06-17 03:00:00 UTC);
        for text in [
            "2015-06-17T03:00:00",
            "2015-06-17T03:00",
            "2015-06-17T03:00:00.000000",
            "2015-06-17T03:00:00Z",
            "2015-06-17T05:00:00+02:00",
        ] {
            assert_eq!(parse_datetime(text), Some(at), "{text}");
        }
        assert_eq!(parse_datetime("yesterday"), None);
        assert_eq!(parse_datetime("2015-06-17"), None);
    }
}
