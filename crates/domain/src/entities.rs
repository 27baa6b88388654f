//! The account entities: users, organizations, memberships, coach assignments and the
//! settings an athlete keeps with their account.

use crate::email::Email;
use crate::ids::{AssignmentId, MembershipId, OrgId, UserId};
use crate::password::PasswordHash;
use crate::training::{self, TrainingSettings};
use time::{Date, Month, OffsetDateTime};

/// Declares a closed set of names stored as text, with `ALL`, `as_str`, `FromStr` and
/// `Display`; shared by every module of the domain.
macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// Every name, in declaration order.
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            /// The stored and displayed name.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::entities::UnknownName;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                match text {
                    $($text => Ok(Self::$variant),)+
                    _ => Err($crate::entities::UnknownName {
                        kind: stringify!($name),
                        given: text.to_owned(),
                        allowed: Self::NAMES,
                    }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use text_enum;

/// A name outside one of the closed sets above.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} `{given}`; expected one of: {}", allowed.join(", "))]
pub struct UnknownName {
    /// The set the name was checked against.
    pub kind: &'static str,
    /// The name given.
    pub given: String,
    /// The names accepted.
    pub allowed: &'static [&'static str],
}

text_enum!(
    /// What a member may do in an organization.
    Role {
        /// Runs the organization; may also coach and keep their own training.
        Owner = "owner",
        /// Plans and reads the training of the athletes assigned to them.
        Coach = "coach",
        /// Keeps their own training.
        Athlete = "athlete",
    }
);

impl Role {
    /// Whether a member with this role may have athletes assigned to them.
    pub const fn can_coach(self) -> bool {
        matches!(self, Self::Owner | Self::Coach)
    }
}

text_enum!(
    /// Whether an organization is a lone athlete's own or a coaching company.
    OrgKind {
        /// Created with a lone athlete's account; they own it.
        Personal = "personal",
        /// A coaching company or club, created by an administrator.
        Team = "team",
    }
);

text_enum!(
    /// How an athlete wants distances shown.
    DistanceUnit {
        /// Kilometres.
        Kilometers = "kilometers",
        /// Statute miles.
        Miles = "miles",
    }
);

text_enum!(
    /// How an athlete's pool is measured.
    PoolUnit {
        /// Metres.
        Meters = "meters",
        /// Yards.
        Yards = "yards",
    }
);

text_enum!(
    /// A sport with its own training zones.
    ZoneSport {
        /// Running: heart rate, power and pace.
        Run = "run",
        /// Cycling: heart rate and power.
        Bike = "bike",
    }
);

/// An organization: a lone athlete's personal one or a coaching company.
#[derive(Debug, Clone, PartialEq)]
pub struct Organization {
    /// Its key.
    pub id: OrgId,
    /// Its display name.
    pub name: String,
    /// Personal or team.
    pub kind: OrgKind,
    /// When it was created.
    pub created_at: OffsetDateTime,
}

/// A user account.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    /// Its key.
    pub id: UserId,
    /// The login name.
    pub email: Email,
    /// The full name as the user gave it.
    pub name: String,
    /// An avatar URL, if any.
    pub image: Option<String>,
    /// The argon2id hash of the password.
    pub password_hash: PasswordHash,
    /// When the account was created.
    pub created_at: OffsetDateTime,
    /// When the account last changed.
    pub updated_at: OffsetDateTime,
}

impl User {
    /// The first word of the name, as the Xhale surface's `first_name`.
    pub fn first_name(&self) -> &str {
        self.name.split_whitespace().next().unwrap_or("")
    }

    /// The rest of the name, as the Xhale surface's `last_name`.
    pub fn last_name(&self) -> &str {
        let first = self.first_name();
        self.name
            .trim_start()
            .get(first.len()..)
            .unwrap_or("")
            .trim()
    }
}

/// A user's place in an organization.
#[derive(Debug, Clone, PartialEq)]
pub struct Membership {
    /// Its key; the Train it All surface shows it as the athlete id (`mem_…`).
    pub id: MembershipId,
    /// The organization.
    pub organization_id: OrgId,
    /// The member.
    pub user_id: UserId,
    /// What the member may do there.
    pub role: Role,
    /// When the membership began.
    pub created_at: OffsetDateTime,
}

/// A coach's responsibility for an athlete within one organization.
#[derive(Debug, Clone, PartialEq)]
pub struct CoachAssignment {
    /// Its key.
    pub id: AssignmentId,
    /// The organization both belong to.
    pub organization_id: OrgId,
    /// The coach's membership.
    pub coach_membership_id: MembershipId,
    /// The athlete's membership.
    pub athlete_membership_id: MembershipId,
    /// When the assignment was made.
    pub created_at: OffsetDateTime,
}

/// A training season: the period the Xhale surface lists sessions and races for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Season {
    /// First day, inclusive.
    pub start: Date,
    /// Last day, inclusive.
    pub end: Date,
}

impl Season {
    /// The season that contains `day` when seasons run from 1 November to 31 October, the
    /// default for a new athlete (and the shape of the Xhale example).
    pub fn default_containing(day: Date) -> Self {
        let start_year = if day.month() >= Month::November {
            day.year()
        } else {
            day.year() - 1
        };
        let start = Date::from_calendar_date(start_year, Month::November, 1).unwrap_or(day);
        let end = Date::from_calendar_date(start_year + 1, Month::October, 31).unwrap_or(day);
        Self { start, end }
    }

    /// Whether `day` falls in this season.
    pub fn contains(&self, day: Date) -> bool {
        self.start <= day && day <= self.end
    }
}

/// One training zone of one sport.
#[derive(Debug, Clone, PartialEq)]
pub struct Zone {
    /// 1 for the easiest.
    pub number: u8,
    /// A name such as "Easy" or "All out".
    pub name: String,
    /// Lowest heart rate, beats per minute.
    pub heart_rate_min: Option<i32>,
    /// Highest heart rate, beats per minute.
    pub heart_rate_max: Option<i32>,
    /// Lowest power, watts.
    pub power_min: Option<i32>,
    /// Highest power, watts.
    pub power_max: Option<i32>,
    /// Slowest pace as speed, metres per second (running).
    pub speed_min_mps: Option<f64>,
    /// Fastest pace as speed, metres per second (running).
    pub speed_max_mps: Option<f64>,
}

/// The zones of one sport and the maximum heart rate they derive from.
#[derive(Debug, Clone, PartialEq)]
pub struct SportZones {
    /// The sport.
    pub sport: ZoneSport,
    /// Maximum heart rate, beats per minute.
    pub max_heart_rate: Option<i32>,
    /// The zones, easiest first.
    pub zones: Vec<Zone>,
}

/// What an athlete keeps with their account, whatever organization they train in.
#[derive(Debug, Clone, PartialEq)]
pub struct AthleteSettings {
    /// Distance unit preference.
    pub distance_unit: DistanceUnit,
    /// Pool unit preference.
    pub pool_unit: PoolUnit,
    /// Seasons, earliest first.
    pub seasons: Vec<Season>,
    /// Training zones set by hand, by sport: a sport's own maximum heart rate, and zone
    /// bounds that win over the ones [`crate::training`] derives (see [`Self::zones_of`]).
    pub zones: Vec<SportZones>,
    /// The figures the zones follow from.
    pub training: TrainingSettings,
}

impl AthleteSettings {
    /// The settings of a new athlete: metric units and the season containing `today`.
    pub fn new_athlete(today: Date) -> Self {
        Self {
            distance_unit: DistanceUnit::Kilometers,
            pool_unit: PoolUnit::Meters,
            seasons: vec![Season::default_containing(today)],
            zones: Vec::new(),
            training: TrainingSettings::default(),
        }
    }

    /// The zones of `sport` as the athlete has them: from their training settings by the
    /// model of [`crate::training`], each bound set by hand winning; no zones at all when
    /// nothing about them is known.
    pub fn zones_of(&self, sport: ZoneSport) -> SportZones {
        let kept = self.zones.iter().find(|z| z.sport == sport);
        let by_hand = kept.map(|k| k.zones.as_slice()).unwrap_or_default();
        let mut zones = training::zones_for(
            sport,
            &self.training,
            kept.and_then(|k| k.max_heart_rate),
            by_hand,
        );
        let known = |z: &Zone| {
            [z.heart_rate_min, z.heart_rate_max, z.power_min, z.power_max]
                .iter()
                .any(Option::is_some)
                || z.speed_min_mps.is_some()
                || z.speed_max_mps.is_some()
        };
        if !zones.zones.iter().any(known) {
            zones.zones.clear();
        }
        zones
    }

    /// The season containing `today`, else the latest one that began before it.
    pub fn current_season(&self, today: Date) -> Option<Season> {
        self.seasons
            .iter()
            .copied()
            .find(|s| s.contains(today))
            .or_else(|| {
                self.seasons
                    .iter()
                    .copied()
                    .filter(|s| s.start <= today)
                    .max_by_key(|s| s.start)
            })
    }
}

/// A membership together with its organization, as listed for a user.
#[derive(Debug, Clone, PartialEq)]
pub struct MembershipInOrg {
    /// The membership.
    pub membership: Membership,
    /// Its organization.
    pub organization: Organization,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn default_seasons_run_november_to_october() {
        let s = Season::default_containing(date!(2021 - 03 - 15));
        assert_eq!(
            (s.start, s.end),
            (date!(2020 - 11 - 01), date!(2021 - 10 - 31))
        );
        let s = Season::default_containing(date!(2020 - 11 - 01));
        assert_eq!(
            (s.start, s.end),
            (date!(2020 - 11 - 01), date!(2021 - 10 - 31))
        );
        let s = Season::default_containing(date!(2021 - 10 - 31));
        assert_eq!(s.start, date!(2020 - 11 - 01));
    }

    #[test]
    fn names_split_into_first_and_last() {
        let mut user = sample_user("Max  von Mustermann ");
        assert_eq!(
            (user.first_name(), user.last_name()),
            ("Max", "von Mustermann")
        );
        user.name = "Cher".into();
        assert_eq!((user.first_name(), user.last_name()), ("Cher", ""));
        user.name = String::new();
        assert_eq!((user.first_name(), user.last_name()), ("", ""));
    }

    #[test]
    fn roles_parse_from_their_names_only() {
        assert_eq!("coach".parse::<Role>().unwrap(), Role::Coach);
        let err = "Coach".parse::<Role>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown Role `Coach`; expected one of: owner, coach, athlete"
        );
    }

    #[test]
    fn the_current_season_falls_back_to_the_latest_begun() {
        let mut settings = AthleteSettings::new_athlete(date!(2020 - 12 - 01));
        assert_eq!(
            settings
                .current_season(date!(2021 - 01 - 01))
                .unwrap()
                .start,
            date!(2020 - 11 - 01)
        );
        assert_eq!(
            settings
                .current_season(date!(2022 - 01 - 01))
                .unwrap()
                .start,
            date!(2020 - 11 - 01)
        );
        assert!(settings.current_season(date!(2019 - 01 - 01)).is_none());
        settings.seasons.clear();
        assert!(settings.current_season(date!(2021 - 01 - 01)).is_none());
    }

    fn sample_user(name: &str) -> User {
        User {
            id: UserId(1),
            email: Email::parse("a@example.com").unwrap(),
            name: name.into(),
            image: None,
            password_hash: PasswordHash::from_stored(String::new()),
            created_at: OffsetDateTime::UNIX_EPOCH,
            updated_at: OffsetDateTime::UNIX_EPOCH,
        }
    }
}
