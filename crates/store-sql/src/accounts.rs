//! [`AccountStore`]: users, organizations, memberships, coach assignments and athlete
//! settings.
//!
//! The methods are here; the rows they read, with their column lists and conversions, are in
//! `rows`.

mod coaching;
mod rows;
mod settings;

use crate::SqlStore;
use crate::db::first;
use crate::error::constraint;
use async_trait::async_trait;
use paceline_domain::StoreError;
use paceline_domain::email::Email;
use paceline_domain::entities::{
    AthleteSettings, CoachAssignment, Membership, MembershipInOrg, OrgKind, Organization, Role,
    User,
};
use paceline_domain::ids::{MembershipId, OrgId, UserId};
use paceline_domain::password::PasswordHash;
use paceline_domain::store::{
    AccountStore, CoachedAthlete, CreatedUser, NewUser, NewUserHome, SettingsChange,
};
use paceline_domain::training::SettingsError;
use rows::{
    AssignmentRow, MembershipInOrgRow, MembershipRow, OrgRow, UserRow, assignment_columns, collect,
    membership_columns, org_columns, parse_stored, user_columns,
};
use time::OffsetDateTime;

#[async_trait]
impl AccountStore for SqlStore {
    async fn create_organization(
        &self,
        name: &str,
        kind: OrgKind,
        now: OffsetDateTime,
    ) -> Result<Organization, StoreError> {
        const SQL: &str = concat!(
            "INSERT INTO organizations (name, kind, created_at, updated_at) \
             VALUES ($1, $2, $3, $3) RETURNING ",
            org_columns!()
        );
        let args = [name.into(), kind.as_str().into(), now.into()];
        self.db
            .returning(SQL, &args, OrgRow::read)
            .await?
            .try_into()
    }

    async fn get_organization(&self, id: OrgId) -> Result<Option<Organization>, StoreError> {
        const SQL: &str = concat!(
            "SELECT ",
            org_columns!(),
            " FROM organizations WHERE id = $1"
        );
        let row = self
            .db
            .optional(SQL, &[id.get().into()], OrgRow::read)
            .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn find_organizations_by_name(
        &self,
        name: &str,
    ) -> Result<Vec<Organization>, StoreError> {
        const SQL: &str = concat!(
            "SELECT ",
            org_columns!(),
            " FROM organizations WHERE lower(name) = lower($1) ORDER BY id"
        );
        collect(self.db.all(SQL, &[name.into()], OrgRow::read).await?)
    }

    async fn list_organizations(&self) -> Result<Vec<Organization>, StoreError> {
        const SQL: &str = concat!("SELECT ", org_columns!(), " FROM organizations ORDER BY id");
        collect(self.db.all(SQL, &[], OrgRow::read).await?)
    }

    async fn create_user(&self, new: NewUser) -> Result<CreatedUser, StoreError> {
        const INSERT_ORG: &str = concat!(
            "INSERT INTO organizations (name, kind, created_at, updated_at) \
             VALUES ($1, 'personal', $2, $2) RETURNING ",
            org_columns!()
        );
        const SELECT_ORG: &str = concat!(
            "SELECT ",
            org_columns!(),
            " FROM organizations WHERE id = $1"
        );
        const INSERT_USER: &str = concat!(
            "INSERT INTO users (email, password_hash, name, distance_unit, pool_unit, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING ",
            user_columns!()
        );
        const INSERT_MEMBERSHIP: &str = concat!(
            "INSERT INTO memberships (organization_id, user_id, role, created_at) \
             VALUES ($1, $2, $3, $4) RETURNING ",
            membership_columns!()
        );
        // An open invitation, closed by the account it makes.
        const ACCEPT: &str = "UPDATE invitations SET accepted_at = $2 WHERE token_hash = $1 \
             AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $2 \
             RETURNING organization_id, role";
        const ACCEPTED_BY: &str = "UPDATE invitations SET accepted_by = $2 WHERE token_hash = $1";
        let now = new.now;
        let mut tx = self.db.begin().await?;
        let (org, role) = match &new.home {
            NewUserHome::Personal { org_name } => {
                let org = tx
                    .one(INSERT_ORG, &[org_name.into(), now.into()], OrgRow::read)
                    .await?;
                (org, Role::Owner)
            }
            NewUserHome::Member {
                organization_id,
                role,
            } => {
                let org = tx
                    .optional(SELECT_ORG, &[organization_id.get().into()], OrgRow::read)
                    .await?
                    .ok_or(StoreError::NotFound("organization"))?;
                (org, *role)
            }
            NewUserHome::Invited { token_hash } => {
                let (organization_id, role): (i64, String) = tx
                    .optional(ACCEPT, &[token_hash.as_str().into(), now.into()], |c| {
                        Ok((c.get()?, c.get()?))
                    })
                    .await?
                    .ok_or(StoreError::NotFound("invitation"))?;
                let org = tx
                    .one(SELECT_ORG, &[organization_id.into()], OrgRow::read)
                    .await?;
                (org, parse_stored(&role)?)
            }
        };
        let user = tx
            .one(
                INSERT_USER,
                &[
                    new.email.as_str().into(),
                    new.password_hash.as_str().into(),
                    new.name.as_str().into(),
                    new.settings.distance_unit.as_str().into(),
                    new.settings.pool_unit.as_str().into(),
                    now.into(),
                ],
                UserRow::read,
            )
            .await
            .map_err(constraint("email", "user"))?;
        let membership = tx
            .one(
                INSERT_MEMBERSHIP,
                &[
                    org.id.into(),
                    user.id.into(),
                    role.as_str().into(),
                    now.into(),
                ],
                MembershipRow::read,
            )
            .await
            .map_err(constraint("membership", "organization"))?;
        settings::insert(&mut tx, user.id, &new.settings).await?;
        if let NewUserHome::Invited { token_hash } = &new.home {
            tx.execute(ACCEPTED_BY, &[token_hash.as_str().into(), user.id.into()])
                .await?;
        }
        tx.commit().await?;
        Ok(CreatedUser {
            user: user.try_into()?,
            membership: membership.try_into()?,
            organization: org.try_into()?,
        })
    }

    async fn get_user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        const SQL: &str = concat!("SELECT ", user_columns!(), " FROM users WHERE id = $1");
        let row = self
            .db
            .optional(SQL, &[id.get().into()], UserRow::read)
            .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn find_user_by_email(&self, email: &Email) -> Result<Option<User>, StoreError> {
        const SQL: &str = concat!("SELECT ", user_columns!(), " FROM users WHERE email = $1");
        let row = self
            .db
            .optional(SQL, &[email.as_str().into()], UserRow::read)
            .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn list_users(&self) -> Result<Vec<User>, StoreError> {
        const SQL: &str = concat!("SELECT ", user_columns!(), " FROM users ORDER BY id");
        collect(self.db.all(SQL, &[], UserRow::read).await?)
    }

    async fn set_password_hash(
        &self,
        user: UserId,
        hash: &PasswordHash,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1";
        const SESSIONS: &str = "DELETE FROM web_sessions WHERE user_id = $1";
        const FAMILIES: &str = "UPDATE oauth_token_families SET revoked_at = $2 \
             WHERE user_id = $1 AND revoked_at IS NULL";
        const CODES: &str = "UPDATE oauth_authorization_codes SET redeemed_at = $2 \
             WHERE user_id = $1 AND redeemed_at IS NULL";
        let mut tx = self.db.begin().await?;
        let changed = tx
            .execute(SQL, &[user.get().into(), hash.as_str().into(), now.into()])
            .await?;
        if changed == 0 {
            return Err(StoreError::NotFound("user"));
        }
        tx.execute(SESSIONS, &[user.get().into()]).await?;
        for sql in [FAMILIES, CODES] {
            tx.execute(sql, &[user.get().into(), now.into()]).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn rename_user(
        &self,
        user: UserId,
        name: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE users SET name = $2, updated_at = $3 WHERE id = $1";
        let changed = self
            .db
            .execute(SQL, &[user.get().into(), name.into(), now.into()])
            .await?;
        if changed == 0 {
            return Err(StoreError::NotFound("user"));
        }
        Ok(())
    }

    async fn add_membership(
        &self,
        organization: OrgId,
        user: UserId,
        role: Role,
        now: OffsetDateTime,
    ) -> Result<Membership, StoreError> {
        const SQL: &str = concat!(
            "INSERT INTO memberships (organization_id, user_id, role, created_at) \
             VALUES ($1, $2, $3, $4) RETURNING ",
            membership_columns!()
        );
        let args = [
            organization.get().into(),
            user.get().into(),
            role.as_str().into(),
            now.into(),
        ];
        self.db
            .returning(SQL, &args, MembershipRow::read)
            .await
            .map_err(constraint("membership", "organization or user"))?
            .try_into()
    }

    async fn members_of(&self, organization: OrgId) -> Result<Vec<(Membership, User)>, StoreError> {
        const MEMBERS: &str = concat!(
            "SELECT ",
            membership_columns!(),
            " FROM memberships WHERE organization_id = $1 ORDER BY id"
        );
        const USERS: &str = concat!(
            "SELECT ",
            user_columns!(),
            " FROM users WHERE id IN (SELECT user_id FROM memberships WHERE organization_id = $1)"
        );
        let org = [organization.get().into()];
        let mut reader = self.db.reader().await?;
        let members = reader.all(MEMBERS, &org, MembershipRow::read).await?;
        let users: Vec<User> = collect(reader.all(USERS, &org, UserRow::read).await?)?;
        drop(reader);
        let mut found = Vec::with_capacity(members.len());
        for row in members {
            let membership: Membership = row.try_into()?;
            // A user who left between the two reads is left out.
            if let Some(user) = users.iter().find(|u| u.id == membership.user_id) {
                found.push((membership, user.clone()));
            }
        }
        Ok(found)
    }

    async fn memberships_of_user(&self, user: UserId) -> Result<Vec<MembershipInOrg>, StoreError> {
        const SQL: &str = "SELECT m.id, m.organization_id, m.user_id, m.role, m.created_at, \
             o.name, o.kind, o.created_at \
             FROM memberships m JOIN organizations o ON o.id = m.organization_id \
             WHERE m.user_id = $1 ORDER BY m.id";
        let rows = self
            .db
            .all(SQL, &[user.get().into()], MembershipInOrgRow::read)
            .await?;
        rows.into_iter()
            .map(|row| {
                let organization = Organization {
                    id: OrgId(row.membership.organization_id),
                    name: row.org_name,
                    kind: parse_stored(&row.org_kind)?,
                    created_at: row.org_created_at,
                };
                Ok(MembershipInOrg {
                    membership: row.membership.try_into()?,
                    organization,
                })
            })
            .collect()
    }

    async fn assign_coach(
        &self,
        organization: OrgId,
        coach: MembershipId,
        athlete: MembershipId,
        now: OffsetDateTime,
    ) -> Result<CoachAssignment, StoreError> {
        // Both memberships must belong to the organization: the INSERT ... SELECT finds
        // nothing to insert otherwise.
        const SQL: &str = concat!(
            "INSERT INTO coach_assignments (organization_id, coach_membership_id, \
             athlete_membership_id, created_at) \
             SELECT c.organization_id, c.id, a.id, $4 FROM memberships c, memberships a \
             WHERE c.id = $2 AND a.id = $3 AND c.organization_id = $1 \
             AND a.organization_id = $1 RETURNING ",
            assignment_columns!()
        );
        let args = [
            organization.get().into(),
            coach.get().into(),
            athlete.get().into(),
            now.into(),
        ];
        let mut tx = self.db.begin().await?;
        let row = tx
            .optional(SQL, &args, AssignmentRow::read)
            .await
            .map_err(constraint("assignment", "membership"))?;
        tx.commit().await?;
        row.map(Into::into)
            .ok_or(StoreError::NotFound("membership in organization"))
    }

    async fn assignments_of_coach(
        &self,
        coach: MembershipId,
    ) -> Result<Vec<CoachAssignment>, StoreError> {
        const SQL: &str = concat!(
            "SELECT ",
            assignment_columns!(),
            " FROM coach_assignments WHERE coach_membership_id = $1 ORDER BY id"
        );
        let rows = self
            .db
            .all(SQL, &[coach.get().into()], AssignmentRow::read)
            .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn coaches(&self, coach: UserId, athlete: UserId) -> Result<bool, StoreError> {
        const SQL: &str = "SELECT 1 FROM coach_assignments a \
             JOIN memberships c ON c.id = a.coach_membership_id \
             JOIN memberships t ON t.id = a.athlete_membership_id \
             WHERE c.user_id = $1 AND t.user_id = $2 LIMIT 1";
        let row = self
            .db
            .optional(
                SQL,
                &[coach.get().into(), athlete.get().into()],
                first::<i64>,
            )
            .await?;
        Ok(row.is_some())
    }

    async fn acts_for(&self, actor: UserId, athlete: UserId) -> Result<bool, StoreError> {
        coaching::acts_for(self, actor, athlete).await
    }

    async fn athletes_of(&self, actor: UserId) -> Result<Vec<CoachedAthlete>, StoreError> {
        coaching::athletes_of(self, actor).await
    }

    async fn unassign_coach(
        &self,
        coach_membership: MembershipId,
        athlete_membership: MembershipId,
    ) -> Result<bool, StoreError> {
        coaching::unassign_coach(self, coach_membership, athlete_membership).await
    }

    async fn contacts(&self, user: UserId) -> Result<Vec<User>, StoreError> {
        const SQL: &str = concat!(
            "SELECT ",
            user_columns!(),
            " FROM users WHERE id IN (\
             SELECT t.user_id FROM coach_assignments a \
             JOIN memberships c ON c.id = a.coach_membership_id \
             JOIN memberships t ON t.id = a.athlete_membership_id WHERE c.user_id = $1 \
             UNION \
             SELECT c.user_id FROM coach_assignments a \
             JOIN memberships c ON c.id = a.coach_membership_id \
             JOIN memberships t ON t.id = a.athlete_membership_id WHERE t.user_id = $1\
             ) ORDER BY id"
        );
        collect(
            self.db
                .all(SQL, &[user.get().into()], UserRow::read)
                .await?,
        )
    }

    async fn athlete_settings(&self, user: UserId) -> Result<Option<AthleteSettings>, StoreError> {
        let mut snapshot = self.db.snapshot().await?;
        let stored = settings::read(&mut snapshot, user).await?;
        drop(snapshot);
        stored.map(settings::assemble).transpose()
    }

    async fn replace_athlete_settings(
        &self,
        user: UserId,
        settings: &AthleteSettings,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.begin().await?;
        settings::write(&mut tx, user, settings, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn update_athlete_settings(
        &self,
        user: UserId,
        change: &SettingsChange<'_>,
        now: OffsetDateTime,
    ) -> Result<Option<Result<AthleteSettings, SettingsError>>, StoreError> {
        let mut tx = self.db.begin().await?;
        tx.lock_user(user.get()).await?;
        let Some(stored) = settings::read(&mut tx, user).await? else {
            tx.rollback().await?;
            return Ok(None);
        };
        let mut settings = settings::assemble(stored)?;
        if let Err(why) = change(&mut settings) {
            tx.rollback().await?;
            return Ok(Some(Err(why)));
        }
        settings::write(&mut tx, user, &settings, now).await?;
        tx.commit().await?;
        Ok(Some(Ok(settings)))
    }
}
