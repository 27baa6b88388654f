//! XML Schema date-times (`2019-04-18T14:12:19.000Z`) with microseconds.

use std::fmt;

use crate::fit::FitTime;

/// An instant read from an XML date-time, to the microsecond (as GPX and TCX files write
/// fractions of a second). A date-time without a zone is taken as UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    unix_us: i64,
}

impl Timestamp {
    /// The instant this many microseconds after the Unix epoch.
    #[must_use]
    pub fn from_unix_micros(unix_us: i64) -> Self {
        Self { unix_us }
    }

    /// Microseconds since the Unix epoch.
    #[must_use]
    pub fn unix_micros(self) -> i64 {
        self.unix_us
    }

    /// Seconds from `earlier` to this instant.
    #[must_use]
    pub fn seconds_since(self, earlier: Self) -> f64 {
        (self.unix_us - earlier.unix_us) as f64 / 1e6
    }

    /// The whole second it falls in, as a FIT time (`None` before 1989-12-31 or past 2126).
    #[must_use]
    pub fn fit_time(self) -> Option<FitTime> {
        FitTime::from_unix_seconds(self.unix_us.div_euclid(1_000_000))
    }

    /// Parses `YYYY-MM-DDThh:mm:ss[.f+][Z|±hh:mm]`, surrounding whitespace allowed.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim().as_bytes();
        let (date, rest) = (text.get(..10)?, text.get(10..)?);
        let &[y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = date else {
            return None;
        };
        let year = digits(&[y0, y1, y2, y3])?;
        let month = digits(&[m0, m1])?;
        let day = digits(&[d0, d1])?;
        let (&sep, rest) = rest.split_first()?;
        if sep != b'T' && sep != b't' && sep != b' ' {
            return None;
        }
        let &[h0, h1, b':', n0, n1, b':', s0, s1, ref rest @ ..] = rest else {
            return None;
        };
        let hour = digits(&[h0, h1])?;
        let minute = digits(&[n0, n1])?;
        let second = digits(&[s0, s1])?;
        let mut rest = rest;
        let mut micros = 0i64;
        if let [b'.', tail @ ..] = rest {
            let count = tail.iter().take_while(|b| b.is_ascii_digit()).count();
            if count == 0 {
                return None;
            }
            let (fraction, after) = tail.split_at(count);
            let mut scale = 100_000i64;
            for &digit in fraction.iter().take(6) {
                micros += i64::from(digit - b'0') * scale;
                scale /= 10;
            }
            rest = after;
        }
        let offset_s = match rest {
            [] | [b'Z' | b'z'] => 0,
            [sign @ (b'+' | b'-'), oh0, oh1, b':', om0, om1] => {
                let offset = digits(&[*oh0, *oh1])? * 3600 + digits(&[*om0, *om1])? * 60;
                if *sign == b'-' { -offset } else { offset }
            }
            _ => return None,
        };
        if !(1..=12).contains(&month)
            || day < 1
            || day > days_in_month(year, month)
            || hour > 24
            || minute > 59
            || second > 60
        {
            return None;
        }
        let days = days_from_civil(year, month, day);
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_s;
        Some(Self {
            unix_us: seconds * 1_000_000 + micros,
        })
    }
}

fn digits(bytes: &[u8]) -> Option<i64> {
    bytes.iter().try_fold(0i64, |value, &b| {
        b.is_ascii_digit().then(|| value * 10 + i64::from(b - b'0'))
    })
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// RFC 3339 in UTC, with the fraction of a second when there is one
/// (`2019-04-18T14:12:21.009Z`).
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seconds = self.unix_us.div_euclid(1_000_000);
        let micros = self.unix_us.rem_euclid(1_000_000);
        match FitTime::from_unix_seconds(seconds) {
            Some(time) => {
                let text = time.to_string();
                let stem = text.strip_suffix('Z').unwrap_or(&text);
                if micros == 0 {
                    write!(f, "{stem}Z")
                } else if micros % 1000 == 0 {
                    write!(f, "{stem}.{:03}Z", micros / 1000)
                } else {
                    write!(f, "{stem}.{micros:06}Z")
                }
            }
            None => write!(f, "{}us", self.unix_us),
        }
    }
}
