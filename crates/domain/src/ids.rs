//! Record identifiers.
//!
//! Every record has one integer key, which the Xhale surface shows as it is. The Train it
//! All surface shows the same key as an opaque prefixed string (`act_…`, `org_…`): the
//! prefix names the kind of record and the rest is the key passed through a fixed 64-bit
//! permutation and written in lowercase Crockford base 32. The encoding hides the ordering
//! of keys from casual eyes; it is not a secret, and no access decision rests on it.

use std::fmt;
use std::str::FromStr;

/// The kinds of record that have a Train it All id, each with its prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdKind {
    /// `usr_`: a user account.
    User,
    /// `org_`: an organization.
    Organization,
    /// `mem_`: a membership, which the Train it All surface calls the athlete.
    Membership,
    /// `act_`: an activity.
    Activity,
    /// `bm_`: a body-metrics measurement.
    BodyMetric,
    /// `sl_`: a sleep day.
    SleepDay,
    /// `nu_`: a nutrition day.
    NutritionDay,
    /// `dw_`: a daily-wellness day.
    DailyWellness,
}

impl IdKind {
    /// The prefix, without its underscore.
    pub const fn prefix(self) -> &'static str {
        match self {
            Self::User => "usr",
            Self::Organization => "org",
            Self::Membership => "mem",
            Self::Activity => "act",
            Self::BodyMetric => "bm",
            Self::SleepDay => "sl",
            Self::NutritionDay => "nu",
            Self::DailyWellness => "dw",
        }
    }

    /// Mixed into the permutation so that the same key of two kinds gives unrelated text.
    const fn tweak(self) -> u64 {
        match self {
            Self::User => 0x5bd1_e995_7a3c_0001,
            Self::Organization => 0x27d4_eb2f_1656_67c5,
            Self::Membership => 0x1656_67b1_9e37_79f9,
            Self::Activity => 0x85eb_ca77_c2b2_ae63,
            Self::BodyMetric => 0x94d0_49bb_1331_11eb,
            Self::SleepDay => 0xbf58_476d_1ce4_e5b9,
            Self::NutritionDay => 0xd6e8_feb8_6659_fd93,
            Self::DailyWellness => 0xa076_1d64_78bd_642f,
        }
    }
}

const M1: u64 = 0x9e37_79b9_7f4a_7c15;
const M2: u64 = 0xc2b2_ae3d_27d4_eb4f;
const M1_INV: u64 = mod_inverse(M1);
const M2_INV: u64 = mod_inverse(M2);
/// Crockford's base-32 digits, lowercase: public ids and random storage names use them.
pub const CROCKFORD: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
/// 13 characters of 5 bits hold 64 bits (the first character carries only 4).
const ENCODED_LEN: usize = 13;

/// The inverse of an odd number modulo 2^64, by Newton's iteration.
const fn mod_inverse(m: u64) -> u64 {
    let mut inv = m;
    let mut i = 0;
    while i < 6 {
        inv = inv.wrapping_mul(2u64.wrapping_sub(m.wrapping_mul(inv)));
        i += 1;
    }
    inv
}

fn permute(key: u64, kind: IdKind) -> u64 {
    let mut x = key ^ kind.tweak();
    x = x.wrapping_mul(M1);
    x ^= x >> 32;
    x = x.wrapping_mul(M2);
    x ^ (x >> 29)
}

fn unpermute(value: u64, kind: IdKind) -> u64 {
    let mut x = value;
    x ^= (x >> 29) ^ (x >> 58);
    x = x.wrapping_mul(M2_INV);
    x ^= x >> 32;
    x = x.wrapping_mul(M1_INV);
    x ^ kind.tweak()
}

/// Writes the Train it All id of the record `key` of `kind`.
pub fn encode_public_id(kind: IdKind, key: i64) -> String {
    let mut value = permute(key as u64, kind);
    let mut digits = [0u8; ENCODED_LEN];
    for digit in digits.iter_mut().rev() {
        *digit = CROCKFORD
            .get((value & 31) as usize)
            .copied()
            .unwrap_or(b'0');
        value >>= 5;
    }
    let mut out = String::with_capacity(kind.prefix().len() + 1 + ENCODED_LEN);
    out.push_str(kind.prefix());
    out.push('_');
    out.extend(digits.iter().map(|&d| char::from(d)));
    out
}

/// Reads a Train it All id of `kind` back into its key. Anything that is not such an id,
/// including an id of another kind, gives `None`, which callers treat as "not found".
pub fn decode_public_id(kind: IdKind, text: &str) -> Option<i64> {
    let rest = text.strip_prefix(kind.prefix())?.strip_prefix('_')?;
    if rest.len() != ENCODED_LEN {
        return None;
    }
    let mut value: u64 = 0;
    for (i, byte) in rest.bytes().enumerate() {
        let digit = CROCKFORD.iter().position(|&a| a == byte)? as u64;
        if i == 0 && digit > 15 {
            return None;
        }
        value = (value << 5) | digit;
    }
    let key = unpermute(value, kind) as i64;
    (key > 0).then_some(key)
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $kind:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub i64);

        impl $name {
            /// The integer key, as the Xhale surface shows it.
            pub const fn get(self) -> i64 {
                self.0
            }

            /// The prefixed Train it All id.
            pub fn public(self) -> String {
                encode_public_id($kind, self.0)
            }

            /// Reads a prefixed Train it All id of this kind.
            pub fn from_public(text: &str) -> Option<Self> {
                decode_public_id($kind, text).map(Self)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }
    };
}

id_type!(
    /// The key of a user account.
    UserId,
    IdKind::User
);
id_type!(
    /// The key of an organization.
    OrgId,
    IdKind::Organization
);
id_type!(
    /// The key of a membership of a user in an organization.
    MembershipId,
    IdKind::Membership
);
id_type!(
    /// The key of an activity.
    ActivityId,
    IdKind::Activity
);

id_type!(
    /// The key of a body-metrics measurement.
    BodyMetricId,
    IdKind::BodyMetric
);
id_type!(
    /// The key of a sleep day.
    SleepDayId,
    IdKind::SleepDay
);
id_type!(
    /// The key of a nutrition day.
    NutritionDayId,
    IdKind::NutritionDay
);
id_type!(
    /// The key of a daily-wellness day.
    WellnessDayId,
    IdKind::DailyWellness
);

/// The key of a coach-athlete assignment (shown by integer only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AssignmentId(pub i64);

impl OrgId {
    /// Reads an organization reference given as a Train it All id or an integer key.
    pub fn parse_reference(text: &str) -> Option<Self> {
        Self::from_public(text)
            .or_else(|| i64::from_str(text).ok().filter(|key| *key > 0).map(Self))
    }
}

#[cfg(test)]
mod tests;
