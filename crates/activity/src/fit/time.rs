//! FIT timestamps.

use std::fmt;

/// Seconds between the Unix epoch and the FIT epoch (1989-12-31T00:00:00Z).
pub const FIT_EPOCH_UNIX_S: i64 = 631_065_600;

/// Values below this are seconds since the device was switched on, not UTC (FIT profile,
/// `date_time` type).
const DEVICE_RELATIVE_LIMIT: u32 = 0x1000_0000;

/// A FIT `date_time`: whole seconds since 1989-12-31T00:00:00Z, as the file stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FitTime(pub u32);

impl FitTime {
    /// The raw value: seconds since the FIT epoch.
    #[must_use]
    pub fn fit_seconds(self) -> u32 {
        self.0
    }

    /// Seconds since the Unix epoch.
    ///
    /// For a device-relative value (see [`FitTime::is_device_relative`]) this is a date in
    /// 1990, as Garmin's own tools show it.
    #[must_use]
    pub fn unix_seconds(self) -> i64 {
        i64::from(self.0) + FIT_EPOCH_UNIX_S
    }

    /// The time for seconds since the Unix epoch, if it fits a FIT `date_time`.
    #[must_use]
    pub fn from_unix_seconds(unix: i64) -> Option<Self> {
        u32::try_from(unix.checked_sub(FIT_EPOCH_UNIX_S)?)
            .ok()
            .map(Self)
    }

    /// Whether the value counts seconds since the device was switched on rather than UTC
    /// (old devices without a clock fix write these).
    #[must_use]
    pub fn is_device_relative(self) -> bool {
        self.0 < DEVICE_RELATIVE_LIMIT
    }
}

/// Formats as RFC 3339 in UTC, `2020-04-20T19:56:20Z`.
impl fmt::Display for FitTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unix = self.unix_seconds();
        let days = unix.div_euclid(86_400);
        let secs = unix.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )
    }
}

/// The proleptic Gregorian date of a count of days since 1970-01-01 (Howard Hinnant's
/// `civil_from_days` algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    // Both are small positive numbers by construction.
    (
        year,
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}
