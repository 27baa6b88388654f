//! Scopes: what a token may do. One token may carry scopes of both surfaces; each route
//! checks its own.

use std::fmt;

/// Declares the scopes with their names and plain-words descriptions.
macro_rules! scopes {
    ($($variant:ident = $name:literal, $what:literal;)+) => {
        /// One scope.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[repr(u8)]
        pub enum Scope {
            $(
                #[doc = $what]
                $variant
            ),+
        }

        impl Scope {
            /// Every scope, in canonical order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The name used in `scope=` parameters.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $name),+
                }
            }

            /// What it allows, in plain words, for the consent page.
            pub const fn description(self) -> &'static str {
                match self {
                    $(Self::$variant => $what),+
                }
            }

            /// The scope of this name.
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $($name => Some(Self::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

scopes! {
    ProfileRead = "profile:read", "See your name, e-mail address and profile picture.";
    ActivitiesRead = "activities:read", "See your activities and download their files.";
    ActivitiesWrite = "activities:write", "Add activities and upload activity files.";
    BodyMetricsRead = "body-metrics:read", "See your body measurements (weight, body fat, resting heart rate...).";
    BodyMetricsWrite = "body-metrics:write", "Add and update your body measurements.";
    SleepRead = "sleep:read", "See your sleep.";
    SleepWrite = "sleep:write", "Add and update your sleep.";
    NutritionRead = "nutrition:read", "See what you eat and drink.";
    NutritionWrite = "nutrition:write", "Add and update what you eat and drink.";
    WellnessRead = "wellness:read", "See your daily steps, water and activity energy.";
    WellnessWrite = "wellness:write", "Add and update your daily steps, water and activity energy.";
    Read = "read", "See your training calendar, races, workouts, files and messages.";
    Write = "write", "Change your training calendar, races and workouts, and send messages.";
    Upload = "upload", "Upload training files.";
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of scopes, kept as a bit set: copying and comparing are free.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ScopeSet(u32);

/// Why a `scope` parameter is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    /// A character outside RFC 6749's scope-token grammar, or an empty token.
    #[error("the scope parameter is malformed")]
    Malformed,
    /// A well-formed name that is not a scope of Paceline.
    #[error("unknown scope `{0}`")]
    Unknown(String),
}

impl ScopeSet {
    /// No scope.
    pub const EMPTY: Self = Self(0);

    /// The set holding just `scope`.
    pub const fn of(scope: Scope) -> Self {
        Self(1 << scope as u8)
    }

    /// Reads a space-separated list (RFC 6749 section 3.3: tokens of `%x21 / %x23-5B /
    /// %x5D-7E` separated by single spaces). Order and repetition do not matter.
    pub fn parse(text: &str) -> Result<Self, ScopeError> {
        let mut set = Self::EMPTY;
        for token in text.split(' ') {
            // A known name is well formed; the characters are checked only to tell a
            // malformed token from an unknown one.
            if let Some(scope) = Scope::from_name(token) {
                set = set.with(scope);
                continue;
            }
            let well_formed = !token.is_empty()
                && token
                    .bytes()
                    .all(|b| b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b));
            return Err(if well_formed {
                ScopeError::Unknown(token.to_owned())
            } else {
                ScopeError::Malformed
            });
        }
        Ok(set)
    }

    /// This set and `scope`.
    pub const fn with(self, scope: Scope) -> Self {
        Self(self.0 | Self::of(scope).0)
    }

    /// Whether `scope` is in the set.
    pub const fn contains(self, scope: Scope) -> bool {
        self.0 & Self::of(scope).0 != 0
    }

    /// Whether every scope of `other` is in this set.
    pub const fn includes(self, other: Self) -> bool {
        other.0 & !self.0 == 0
    }

    /// The scopes in both sets.
    pub const fn intersection(self, other: Self) -> Self {
        Self(self.0 & other.0)
    }

    /// The scopes in either set.
    pub const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The scopes, in canonical order.
    pub fn iter(self) -> impl Iterator<Item = Scope> {
        Scope::ALL
            .iter()
            .copied()
            .filter(move |s| self.contains(*s))
    }
}

impl fmt::Display for ScopeSet {
    /// Space-separated names in canonical order: the form stored and sent in `scope`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for scope in self.iter() {
            if !first {
                f.write_str(" ")?;
            }
            first = false;
            f.write_str(scope.name())?;
        }
        Ok(())
    }
}

impl FromIterator<Scope> for ScopeSet {
    fn from_iter<I: IntoIterator<Item = Scope>>(iter: I) -> Self {
        iter.into_iter().fold(Self::EMPTY, Self::with)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_parse_in_any_order_and_print_canonically() {
        let set =
            ScopeSet::parse("activities:write profile:read activities:read profile:read").unwrap();
        assert_eq!(
            set.to_string(),
            "profile:read activities:read activities:write"
        );
        assert_eq!(ScopeSet::parse(&set.to_string()).unwrap(), set);
        assert!(set.contains(Scope::ActivitiesRead));
        assert!(!set.contains(Scope::Upload));
    }

    #[test]
    fn every_scope_round_trips() {
        let all: ScopeSet = Scope::ALL.iter().copied().collect();
        assert_eq!(Scope::ALL.len(), 14);
        assert_eq!(ScopeSet::parse(&all.to_string()).unwrap(), all);
        for scope in Scope::ALL {
            assert_eq!(Scope::from_name(scope.name()), Some(*scope));
            assert!(!scope.description().is_empty());
        }
    }

    #[test]
    fn malformed_and_unknown_scopes_are_refused() {
        for bad in [
            "",
            " ",
            "profile:read  activities:read",
            "profile:read\nevil",
            "a\"b",
            "a\\b",
            "\tread",
            "read ",
        ] {
            assert_eq!(ScopeSet::parse(bad), Err(ScopeError::Malformed), "{bad:?}");
        }
        assert_eq!(
            ScopeSet::parse("read admin"),
            Err(ScopeError::Unknown("admin".into()))
        );
        assert_eq!(
            ScopeSet::parse("READ"),
            Err(ScopeError::Unknown("READ".into()))
        );
    }

    #[test]
    fn set_algebra() {
        let read = ScopeSet::parse("read profile:read").unwrap();
        let more = read.with(Scope::Write);
        assert!(more.includes(read));
        assert!(!read.includes(more));
        assert_eq!(
            more.intersection(ScopeSet::of(Scope::Write)),
            ScopeSet::of(Scope::Write)
        );
        assert_eq!(read.union(ScopeSet::of(Scope::Write)), more);
        assert!(ScopeSet::EMPTY.is_empty());
    }
}
