//! Figures in words, in the athlete's units: distances, speeds and paces in kilometres or
//! miles, durations as clock time, dates as people write them.

use paceline_domain::activities::ActivityType;
use paceline_domain::entities::{AthleteSettings, DistanceUnit};
use time::{Date, OffsetDateTime};

const METRES_PER_MILE: f64 = 1_609.344;
const FEET_PER_METRE: f64 = 3.280_84;

/// The athlete's units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Units {
    miles: bool,
}

impl Units {
    /// The units `settings` ask for.
    pub(crate) fn of(settings: &AthleteSettings) -> Self {
        Self {
            miles: settings.distance_unit == DistanceUnit::Miles,
        }
    }

    /// Kilometres.
    #[cfg(test)]
    pub(crate) const METRIC: Self = Self { miles: false };

    /// Metres in the distance unit.
    pub(crate) fn distance_value(self, metres: f64) -> f64 {
        if self.miles {
            metres / METRES_PER_MILE
        } else {
            metres / 1000.0
        }
    }

    /// Metres of one distance unit.
    pub(crate) fn metres_per_unit(self) -> f64 {
        if self.miles { METRES_PER_MILE } else { 1000.0 }
    }

    /// `km` or `mi`.
    pub(crate) fn distance_unit(self) -> &'static str {
        if self.miles { "mi" } else { "km" }
    }

    /// A distance: `12.34 km`.
    pub(crate) fn distance(self, metres: f64) -> String {
        format!(
            "{:.2} {}",
            self.distance_value(metres),
            self.distance_unit()
        )
    }

    /// A speed in the unit per hour.
    pub(crate) fn speed_value(self, mps: f64) -> f64 {
        self.distance_value(mps * 3600.0)
    }

    /// `km/h` or `mph`.
    pub(crate) fn speed_unit(self) -> &'static str {
        if self.miles { "mph" } else { "km/h" }
    }

    /// A speed: `31.2 km/h`.
    pub(crate) fn speed(self, mps: f64) -> String {
        format!("{:.1} {}", self.speed_value(mps), self.speed_unit())
    }

    /// Seconds per distance unit at `mps`; `None` standing still.
    pub(crate) fn pace_value(self, mps: f64) -> Option<f64> {
        (mps > 0.0).then(|| self.metres_per_unit() / mps)
    }

    /// `/km` or `/mi`.
    pub(crate) fn pace_unit(self) -> &'static str {
        if self.miles { "/mi" } else { "/km" }
    }

    /// A pace: `4:35 /km`.
    pub(crate) fn pace(self, mps: f64) -> Option<String> {
        self.pace_value(mps)
            .map(|s| format!("{} {}", clock(s), self.pace_unit()))
    }

    /// Metres of height in the unit people use beside the distance unit.
    pub(crate) fn height_value(self, metres: f64) -> f64 {
        if self.miles {
            metres * FEET_PER_METRE
        } else {
            metres
        }
    }

    /// `m` or `ft`.
    pub(crate) fn height_unit(self) -> &'static str {
        if self.miles { "ft" } else { "m" }
    }

    /// A height: `412 m`.
    pub(crate) fn height(self, metres: f64) -> String {
        format!("{:.0} {}", self.height_value(metres), self.height_unit())
    }
}

/// Whether the sport is measured by pace (time per distance) rather than speed.
pub(crate) fn by_pace(kind: ActivityType) -> bool {
    matches!(
        kind,
        ActivityType::Run | ActivityType::Walk | ActivityType::Hike | ActivityType::Swim
    )
}

/// Seconds as clock time: `4:05` under an hour, `1:02:03` from one.
pub(crate) fn clock(seconds: f64) -> String {
    if !seconds.is_finite() || seconds < 0.0 {
        return "–".to_owned();
    }
    let total = seconds.round() as u64;
    let (h, m, s) = (total / 3600, total / 60 % 60, total % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// Seconds as hours and minutes: `1 h 05 min`, `45 min`.
pub(crate) fn hours_minutes(seconds: f64) -> String {
    let minutes = (seconds.max(0.0) / 60.0).round() as u64;
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, m) => format!("{h} h {m:02} min"),
    }
}

/// A day: `Tue 3 Nov 2026`.
pub(crate) fn day(date: Date) -> String {
    format!(
        "{} {} {} {}",
        short_weekday(date),
        date.day(),
        short_month(date),
        date.year()
    )
}

/// A day without its year: `Tue 3 Nov`.
pub(crate) fn day_short(date: Date) -> String {
    format!(
        "{} {} {}",
        short_weekday(date),
        date.day(),
        short_month(date)
    )
}

/// A moment, to the minute, in UTC: `Tue 3 Nov 2026, 07:14`.
pub(crate) fn moment(at: OffsetDateTime) -> String {
    format!("{}, {:02}:{:02}", day(at.date()), at.hour(), at.minute())
}

fn short_weekday(date: Date) -> &'static str {
    use time::Weekday::*;
    match date.weekday() {
        Monday => "Mon",
        Tuesday => "Tue",
        Wednesday => "Wed",
        Thursday => "Thu",
        Friday => "Fri",
        Saturday => "Sat",
        Sunday => "Sun",
    }
}

/// `Jan` to `Dec`.
pub(crate) fn short_month(date: Date) -> &'static str {
    use time::Month::*;
    match date.month() {
        January => "Jan",
        February => "Feb",
        March => "Mar",
        April => "Apr",
        May => "May",
        June => "Jun",
        July => "Jul",
        August => "Aug",
        September => "Sep",
        October => "Oct",
        November => "Nov",
        December => "Dec",
    }
}

/// A sport's name in words.
pub(crate) fn sport(kind: ActivityType) -> &'static str {
    match kind {
        ActivityType::Run => "Run",
        ActivityType::Ride => "Ride",
        ActivityType::VirtualRide => "Virtual ride",
        ActivityType::Swim => "Swim",
        ActivityType::Walk => "Walk",
        ActivityType::Hike => "Hike",
        ActivityType::Strength => "Strength",
        ActivityType::Row => "Row",
        ActivityType::Paddle => "Paddle",
        ActivityType::Ski => "Ski",
        ActivityType::Multisport => "Multisport",
        ActivityType::Other => "Other",
    }
}

/// A sport's colour class: one per family of sports.
pub(crate) fn sport_class(kind: ActivityType) -> &'static str {
    match kind {
        ActivityType::Run | ActivityType::Walk | ActivityType::Hike => "run",
        ActivityType::Ride | ActivityType::VirtualRide => "ride",
        ActivityType::Swim | ActivityType::Row | ActivityType::Paddle => "swim",
        ActivityType::Strength | ActivityType::Ski | ActivityType::Multisport => "other",
        ActivityType::Other => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn figures_read_as_people_write_them() {
        let km = Units::METRIC;
        let mi = Units { miles: true };
        assert_eq!(km.distance(12_345.0), "12.35 km");
        assert_eq!(mi.distance(METRES_PER_MILE * 3.0), "3.00 mi");
        assert_eq!(km.speed(10.0), "36.0 km/h");
        assert_eq!(km.pace(1000.0 / 275.0).as_deref(), Some("4:35 /km"));
        assert_eq!(
            mi.pace(METRES_PER_MILE / 480.0).as_deref(),
            Some("8:00 /mi")
        );
        assert_eq!(km.pace(0.0), None);
        assert_eq!(mi.height(100.0), "328 ft");
        assert_eq!(clock(59.6), "1:00");
        assert_eq!(clock(3723.0), "1:02:03");
        assert_eq!(clock(f64::NAN), "–");
        assert_eq!(hours_minutes(3900.0), "1 h 05 min");
        assert_eq!(hours_minutes(2700.0), "45 min");
        assert_eq!(day(date!(2026 - 11 - 03)), "Tue 3 Nov 2026");
        assert_eq!(day_short(date!(2026 - 12 - 05)), "Sat 5 Dec");
    }
}
