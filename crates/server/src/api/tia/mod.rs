//! Train it All External API v1, mounted at `/api/external/v1`.

pub(crate) mod activities;
pub(crate) mod auth;
pub(crate) mod body;
pub(crate) mod daily;
pub(crate) mod document;
pub(crate) mod error;
pub(crate) mod fields;
pub(crate) mod fit;
pub(crate) mod list;
pub(crate) mod profile;
pub(crate) mod routes;
pub(crate) mod schemas;

use time::OffsetDateTime;
use time::format_description::well_known::iso8601::{
    Config, EncodedConfig, Iso8601, TimePrecision,
};

const MILLIS: EncodedConfig = Config::DEFAULT
    .set_time_precision(TimePrecision::Second {
        decimal_digits: std::num::NonZeroU8::new(3),
    })
    .encode();

/// An instant as the spec writes it: `2026-01-17T10:11:12.000Z`. Written digit by digit
/// (every item of a list has three); years outside 0 to 9999 take the general formatter.
pub(crate) fn timestamp(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    let Ok(year) = u32::try_from(at.year()) else {
        return iso8601(at);
    };
    if year > 9999 {
        return iso8601(at);
    }
    let mut out = String::with_capacity(24);
    let mut push = |value: u32, digits: u32, after: char| {
        for place in (0..digits).rev() {
            let digit = value / 10u32.pow(place) % 10;
            out.push(char::from(b'0' + u8::try_from(digit).unwrap_or(0)));
        }
        out.push(after);
    };
    push(year, 4, '-');
    push(u32::from(u8::from(at.month())), 2, '-');
    push(u32::from(at.day()), 2, 'T');
    push(u32::from(at.hour()), 2, ':');
    push(u32::from(at.minute()), 2, ':');
    push(u32::from(at.second()), 2, '.');
    push(u32::from(at.millisecond()), 3, 'Z');
    out
}

/// [`timestamp`] by the general ISO 8601 formatter.
fn iso8601(at: OffsetDateTime) -> String {
    at.format(&Iso8601::<MILLIS>).unwrap_or_default()
}

/// A figure as JSON: a whole number as an integer (`9800`, not `9800.0`).
pub(crate) fn number(value: f64) -> serde_json::Value {
    if value.fract() == 0.0 && value.abs() < 9.0e15 {
        serde_json::Value::from(value as i64)
    } else {
        serde_json::Value::from(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn timestamps_look_like_the_spec() {
        assert_eq!(
            timestamp(datetime!(2026-01-17 10:11:12 UTC)),
            "2026-01-17T10:11:12.000Z"
        );
        assert_eq!(
            timestamp(datetime!(2026-01-17 10:11:12.123456 UTC)),
            "2026-01-17T10:11:12.123Z"
        );
        assert_eq!(
            timestamp(datetime!(2026-01-17 12:11:12 +02:00)),
            "2026-01-17T10:11:12.000Z"
        );
        assert_eq!(
            timestamp(datetime!(0001-02-03 04:05:06.789 UTC)),
            "0001-02-03T04:05:06.789Z"
        );
    }

    proptest::proptest! {
        /// Written digit by digit, a timestamp reads as the general formatter writes it.
        #[test]
        fn timestamps_match_the_general_formatter(
            seconds in -62_000_000_000_i64..260_000_000_000,
            nanos in 0_u32..1_000_000_000,
            offset_minutes in -900_i16..900,
        ) {
            let offset = time::UtcOffset::from_whole_seconds(i32::from(offset_minutes) * 60)
                .unwrap_or(time::UtcOffset::UTC);
            let at = OffsetDateTime::from_unix_timestamp(seconds)
                .unwrap_or(OffsetDateTime::UNIX_EPOCH)
                .replace_nanosecond(nanos)
                .unwrap_or(OffsetDateTime::UNIX_EPOCH)
                .to_offset(offset);
            proptest::prop_assert_eq!(
                timestamp(at),
                iso8601(at.to_offset(time::UtcOffset::UTC))
            );
        }
    }
}
