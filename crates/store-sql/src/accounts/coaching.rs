//! Whom a user may act for: the athletes assigned to them, and, for an owner of a coaching
//! company, every athlete of it.

use super::rows::UserRow;
use crate::SqlStore;
use crate::db::first;
use paceline_domain::StoreError;
use paceline_domain::ids::{MembershipId, OrgId, UserId};
use paceline_domain::store::CoachedAthlete;
use std::collections::BTreeMap;

/// The athlete memberships `$1` may act for, as a condition on `t`, a membership: assigned
/// to one of `$1`'s memberships, or of a coaching company `$1` owns.
macro_rules! reachable {
    () => {
        "t.role = 'athlete' AND t.user_id <> $1 AND (\
         EXISTS (SELECT 1 FROM coach_assignments a \
                 JOIN memberships c ON c.id = a.coach_membership_id \
                 WHERE a.athlete_membership_id = t.id AND c.user_id = $1) \
         OR EXISTS (SELECT 1 FROM memberships o \
                 JOIN organizations g ON g.id = o.organization_id \
                 WHERE o.organization_id = t.organization_id AND o.user_id = $1 \
                 AND o.role = 'owner' AND g.kind = 'team'))"
    };
}

pub(super) async fn acts_for(
    store: &SqlStore,
    actor: UserId,
    athlete: UserId,
) -> Result<bool, StoreError> {
    const SQL: &str = concat!(
        "SELECT 1 FROM memberships t WHERE t.user_id = $2 AND ",
        reachable!(),
        " LIMIT 1"
    );
    let row = store
        .db
        .optional(
            SQL,
            &[actor.get().into(), athlete.get().into()],
            first::<i64>,
        )
        .await?;
    Ok(row.is_some())
}

struct AthleteRow {
    user: UserRow,
    organization_id: i64,
    membership_id: i64,
}

pub(super) async fn athletes_of(
    store: &SqlStore,
    actor: UserId,
) -> Result<Vec<CoachedAthlete>, StoreError> {
    const ATHLETES: &str = concat!(
        "SELECT u.id, u.email, u.password_hash, u.name, u.image, u.created_at, u.updated_at, \
         t.organization_id, t.id AS membership_id \
         FROM memberships t JOIN users u ON u.id = t.user_id WHERE ",
        reachable!(),
        " ORDER BY u.id, t.organization_id"
    );
    const COACHES: &str = concat!(
        "SELECT a.athlete_membership_id, c.user_id FROM coach_assignments a \
         JOIN memberships c ON c.id = a.coach_membership_id \
         WHERE a.athlete_membership_id IN (SELECT t.id FROM memberships t WHERE ",
        reachable!(),
        ") ORDER BY c.user_id"
    );
    let actor = [actor.get().into()];
    let mut snapshot = store.db.snapshot().await?;
    let rows = snapshot
        .all(ATHLETES, &actor, |c| {
            Ok(AthleteRow {
                user: UserRow::read(c)?,
                organization_id: c.get()?,
                membership_id: c.get()?,
            })
        })
        .await?;
    let coaches: Vec<(i64, i64)> = snapshot
        .all(COACHES, &actor, |c| Ok((c.get()?, c.get()?)))
        .await?;
    drop(snapshot);
    let mut by_membership: BTreeMap<i64, Vec<UserId>> = BTreeMap::new();
    for (membership, coach) in coaches {
        by_membership
            .entry(membership)
            .or_default()
            .push(UserId(coach));
    }
    rows.into_iter()
        .map(|row| {
            Ok(CoachedAthlete {
                user: row.user.try_into()?,
                organization_id: OrgId(row.organization_id),
                coach_ids: by_membership.remove(&row.membership_id).unwrap_or_default(),
            })
        })
        .collect()
}

pub(super) async fn unassign_coach(
    store: &SqlStore,
    coach_membership: MembershipId,
    athlete_membership: MembershipId,
) -> Result<bool, StoreError> {
    const SQL: &str = "DELETE FROM coach_assignments \
         WHERE coach_membership_id = $1 AND athlete_membership_id = $2";
    let removed = store
        .db
        .execute(
            SQL,
            &[
                coach_membership.get().into(),
                athlete_membership.get().into(),
            ],
        )
        .await?;
    Ok(removed > 0)
}
