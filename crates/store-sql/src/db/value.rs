//! [`Value`], an owned [`Arg`]: a row copied between databases, or a statement's parameters
//! kept to be run again (its plan shown).

use super::{Arg, Json};
use serde_json::value::RawValue;
use time::{Date, OffsetDateTime};

/// One value, owned, of any of the types a statement binds.
#[derive(Debug)]
pub(crate) enum Value {
    I64(Option<i64>),
    I32(Option<i32>),
    F64(Option<f64>),
    Bool(Option<bool>),
    Text(Option<String>),
    Blob(Option<Vec<u8>>),
    Time(Option<OffsetDateTime>),
    Date(Option<Date>),
    Json(Option<Json>),
}

impl Value {
    /// Bound as a parameter.
    pub(crate) fn arg(&self) -> Arg<'_> {
        match self {
            Self::I64(v) => Arg::I64(*v),
            Self::I32(v) => Arg::I32(*v),
            Self::F64(v) => Arg::F64(*v),
            Self::Bool(v) => Arg::Bool(*v),
            Self::Text(v) => Arg::Text(v.as_deref()),
            Self::Blob(v) => Arg::Blob(v.as_deref()),
            Self::Time(v) => Arg::Time(*v),
            Self::Date(v) => Arg::Date(*v),
            Self::Json(v) => Arg::Json(v.as_ref().map(|json| &*json.0)),
        }
    }
}

impl From<&Arg<'_>> for Value {
    fn from(arg: &Arg<'_>) -> Self {
        match *arg {
            Arg::I64(v) => Self::I64(v),
            Arg::I32(v) => Self::I32(v),
            Arg::F64(v) => Self::F64(v),
            Arg::Bool(v) => Self::Bool(v),
            Arg::Text(v) => Self::Text(v.map(str::to_owned)),
            Arg::Blob(v) => Self::Blob(v.map(<[u8]>::to_vec)),
            Arg::Time(v) => Self::Time(v),
            Arg::Date(v) => Self::Date(v),
            Arg::Json(v) => Self::Json(v.map(|raw: &RawValue| Json(raw.to_owned()))),
        }
    }
}
