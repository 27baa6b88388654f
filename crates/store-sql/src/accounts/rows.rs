//! The rows the account methods read, with the column lists that select them, and their
//! conversions into domain types.

use crate::db::{Cols, DbError};
use paceline_domain::StoreError;
use paceline_domain::email::Email;
use paceline_domain::entities::{CoachAssignment, Membership, Organization, User};
use paceline_domain::ids::{AssignmentId, MembershipId, OrgId, UserId};
use paceline_domain::password::PasswordHash;
use paceline_domain::training::TrainingSettings;
use std::str::FromStr;
use time::OffsetDateTime;

// Column lists as macros, so that `concat!` can splice them into literal SQL.
macro_rules! org_columns {
    () => {
        "id, name, kind, created_at"
    };
}
pub(super) use org_columns;
macro_rules! user_columns {
    () => {
        "id, email, password_hash, name, image, created_at, updated_at"
    };
}
pub(super) use user_columns;
macro_rules! membership_columns {
    () => {
        "id, organization_id, user_id, role, created_at"
    };
}
pub(super) use membership_columns;
macro_rules! assignment_columns {
    () => {
        "id, organization_id, coach_membership_id, athlete_membership_id, created_at"
    };
}
pub(super) use assignment_columns;

pub(super) struct OrgRow {
    pub(super) id: i64,
    name: String,
    kind: String,
    created_at: OffsetDateTime,
}

impl OrgRow {
    /// Reads the columns of [`org_columns!`], in its order.
    pub(super) fn read(c: &mut Cols<'_>) -> Result<Self, DbError> {
        Ok(Self {
            id: c.get()?,
            name: c.get()?,
            kind: c.get()?,
            created_at: c.get()?,
        })
    }
}

impl TryFrom<OrgRow> for Organization {
    type Error = StoreError;

    fn try_from(row: OrgRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: OrgId(row.id),
            name: row.name,
            kind: parse_stored(&row.kind)?,
            created_at: row.created_at,
        })
    }
}

pub(super) struct UserRow {
    pub(super) id: i64,
    email: String,
    password_hash: String,
    name: String,
    image: Option<String>,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

impl UserRow {
    /// Reads the columns of [`user_columns!`], in its order.
    pub(super) fn read(c: &mut Cols<'_>) -> Result<Self, DbError> {
        Ok(Self {
            id: c.get()?,
            email: c.get()?,
            password_hash: c.get()?,
            name: c.get()?,
            image: c.get()?,
            created_at: c.get()?,
            updated_at: c.get()?,
        })
    }
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;

    fn try_from(row: UserRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: UserId(row.id),
            email: Email::parse(&row.email)
                .map_err(|e| StoreError::Other(format!("stored user {}: {e}", row.id)))?,
            name: row.name,
            image: row.image,
            password_hash: PasswordHash::from_stored(row.password_hash),
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

pub(super) struct MembershipRow {
    id: i64,
    pub(super) organization_id: i64,
    user_id: i64,
    role: String,
    created_at: OffsetDateTime,
}

impl MembershipRow {
    /// Reads the columns of [`membership_columns!`], in its order.
    pub(super) fn read(c: &mut Cols<'_>) -> Result<Self, DbError> {
        Ok(Self {
            id: c.get()?,
            organization_id: c.get()?,
            user_id: c.get()?,
            role: c.get()?,
            created_at: c.get()?,
        })
    }
}

impl TryFrom<MembershipRow> for Membership {
    type Error = StoreError;

    fn try_from(row: MembershipRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: MembershipId(row.id),
            organization_id: OrgId(row.organization_id),
            user_id: UserId(row.user_id),
            role: parse_stored(&row.role)?,
            created_at: row.created_at,
        })
    }
}

pub(super) struct MembershipInOrgRow {
    pub(super) membership: MembershipRow,
    pub(super) org_name: String,
    pub(super) org_kind: String,
    pub(super) org_created_at: OffsetDateTime,
}

impl MembershipInOrgRow {
    /// Reads [`membership_columns!`] (with the alias `m`), then the organization's name,
    /// kind and creation time.
    pub(super) fn read(c: &mut Cols<'_>) -> Result<Self, DbError> {
        Ok(Self {
            membership: MembershipRow::read(c)?,
            org_name: c.get()?,
            org_kind: c.get()?,
            org_created_at: c.get()?,
        })
    }
}

pub(super) struct AssignmentRow {
    id: i64,
    organization_id: i64,
    coach_membership_id: i64,
    athlete_membership_id: i64,
    created_at: OffsetDateTime,
}

impl AssignmentRow {
    /// Reads the columns of [`assignment_columns!`], in its order.
    pub(super) fn read(c: &mut Cols<'_>) -> Result<Self, DbError> {
        Ok(Self {
            id: c.get()?,
            organization_id: c.get()?,
            coach_membership_id: c.get()?,
            athlete_membership_id: c.get()?,
            created_at: c.get()?,
        })
    }
}

impl From<AssignmentRow> for CoachAssignment {
    fn from(row: AssignmentRow) -> Self {
        Self {
            id: AssignmentId(row.id),
            organization_id: OrgId(row.organization_id),
            coach_membership_id: MembershipId(row.coach_membership_id),
            athlete_membership_id: MembershipId(row.athlete_membership_id),
            created_at: row.created_at,
        }
    }
}

pub(super) struct ZoneRow {
    pub(super) sport: String,
    pub(super) number: i32,
    pub(super) name: String,
    pub(super) heart_rate_min: Option<i32>,
    pub(super) heart_rate_max: Option<i32>,
    pub(super) power_min: Option<i32>,
    pub(super) power_max: Option<i32>,
    pub(super) speed_min_mps: Option<f64>,
    pub(super) speed_max_mps: Option<f64>,
}

impl ZoneRow {
    /// Reads `sport` to `speed_max_mps`, in the order of the struct.
    pub(super) fn read(c: &mut Cols<'_>) -> Result<Self, DbError> {
        Ok(Self {
            sport: c.get()?,
            number: c.get()?,
            name: c.get()?,
            heart_rate_min: c.get()?,
            heart_rate_max: c.get()?,
            power_min: c.get()?,
            power_max: c.get()?,
            speed_min_mps: c.get()?,
            speed_max_mps: c.get()?,
        })
    }
}

pub(super) struct TrainingRow {
    max_heart_rate: Option<i32>,
    resting_heart_rate: Option<i32>,
    threshold_heart_rate: Option<i32>,
    ftp_watts: Option<i32>,
    threshold_pace_s_per_km: Option<i32>,
    swim_css_s_per_100m: Option<i32>,
    weight_kg: Option<f64>,
    suggested_max_heart_rate: Option<i32>,
}

impl TrainingRow {
    /// Reads `max_heart_rate` to `suggested_max_heart_rate`, in the order of the struct.
    pub(super) fn read(c: &mut Cols<'_>) -> Result<Self, DbError> {
        Ok(Self {
            max_heart_rate: c.get()?,
            resting_heart_rate: c.get()?,
            threshold_heart_rate: c.get()?,
            ftp_watts: c.get()?,
            threshold_pace_s_per_km: c.get()?,
            swim_css_s_per_100m: c.get()?,
            weight_kg: c.get()?,
            suggested_max_heart_rate: c.get()?,
        })
    }
}

impl TryFrom<TrainingRow> for TrainingSettings {
    type Error = StoreError;

    fn try_from(row: TrainingRow) -> Result<Self, StoreError> {
        let figure = |v: Option<i32>| {
            v.map(|v| {
                u16::try_from(v).map_err(|_| StoreError::Other("corrupt training setting".into()))
            })
            .transpose()
        };
        Ok(Self {
            max_heart_rate: figure(row.max_heart_rate)?,
            resting_heart_rate: figure(row.resting_heart_rate)?,
            threshold_heart_rate: figure(row.threshold_heart_rate)?,
            ftp_watts: figure(row.ftp_watts)?,
            threshold_pace_s_per_km: figure(row.threshold_pace_s_per_km)?,
            swim_css_s_per_100m: figure(row.swim_css_s_per_100m)?,
            weight_kg: row.weight_kg,
            suggested_max_heart_rate: figure(row.suggested_max_heart_rate)?,
        })
    }
}

/// Reads a closed-set name written by this crate; anything else means a corrupt row.
pub(super) fn parse_stored<T: FromStr<Err = paceline_domain::entities::UnknownName>>(
    text: &str,
) -> Result<T, StoreError> {
    text.parse()
        .map_err(|e| StoreError::Other(format!("corrupt row: {e}")))
}

pub(super) fn collect<R, T>(rows: Vec<R>) -> Result<Vec<T>, StoreError>
where
    T: TryFrom<R, Error = StoreError>,
{
    rows.into_iter().map(T::try_from).collect()
}
