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

/// An instant as the spec writes it: `2026-01-17T10:11:12.000Z`.
pub(crate) fn timestamp(at: OffsetDateTime) -> String {
    at.to_offset(time::UtcOffset::UTC)
        .format(&Iso8601::<MILLIS>)
        .unwrap_or_default()
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
    }
}
