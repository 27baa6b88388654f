//! [`InvitationStore`] and [`ResetStore`]: the one-time links of accounts (invitations into
//! an organization, password resets), kept by the hash of their token, and leaving an
//! organization for a personal one.

use crate::SqlStore;
use crate::db::{Cols, DbError, first};
use crate::error::constraint;
use async_trait::async_trait;
use paceline_domain::StoreError;
use paceline_domain::email::Email;
use paceline_domain::entities::{Membership, Role};
use paceline_domain::ids::{MembershipId, OrgId, UserId};
use paceline_domain::invitations::{Invitation, InvitationId, InvitationStore, NewInvitation};
use paceline_domain::oauth::secret::SecretHash;
use paceline_domain::password::PasswordHash;
use paceline_domain::resets::ResetStore;
use time::OffsetDateTime;

// The columns an invitation is read by, spliced into literal SQL.
macro_rules! invitation_columns {
    () => {
        "id, organization_id, role, email, invited_by, created_at, expires_at, accepted_at, \
         accepted_by, revoked_at"
    };
}

struct InvitationRow {
    id: i64,
    organization_id: i64,
    role: String,
    email: Option<String>,
    invited_by: Option<i64>,
    created_at: OffsetDateTime,
    expires_at: OffsetDateTime,
    accepted_at: Option<OffsetDateTime>,
    accepted_by: Option<i64>,
    revoked_at: Option<OffsetDateTime>,
}

impl InvitationRow {
    /// Reads the columns of [`invitation_columns!`], in its order.
    fn read(c: &mut Cols<'_>) -> Result<Self, DbError> {
        Ok(Self {
            id: c.get()?,
            organization_id: c.get()?,
            role: c.get()?,
            email: c.get()?,
            invited_by: c.get()?,
            created_at: c.get()?,
            expires_at: c.get()?,
            accepted_at: c.get()?,
            accepted_by: c.get()?,
            revoked_at: c.get()?,
        })
    }
}

impl TryFrom<InvitationRow> for Invitation {
    type Error = StoreError;

    fn try_from(row: InvitationRow) -> Result<Self, StoreError> {
        let bad = |what: &str| StoreError::Other(format!("stored invitation {}: {what}", row.id));
        Ok(Self {
            id: InvitationId(row.id),
            organization_id: OrgId(row.organization_id),
            role: row.role.parse::<Role>().map_err(|e| bad(&e.to_string()))?,
            email: row
                .email
                .as_deref()
                .map(Email::parse)
                .transpose()
                .map_err(|e| bad(&e.to_string()))?,
            invited_by: row.invited_by.map(UserId),
            created_at: row.created_at,
            expires_at: row.expires_at,
            accepted: row.accepted_at.map(|at| (at, row.accepted_by.map(UserId))),
            revoked_at: row.revoked_at,
        })
    }
}

#[async_trait]
impl InvitationStore for SqlStore {
    async fn create_invitation(&self, new: &NewInvitation) -> Result<Invitation, StoreError> {
        const SQL: &str = concat!(
            "INSERT INTO invitations (token_hash, organization_id, role, email, invited_by, \
             created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ",
            invitation_columns!()
        );
        let args = [
            new.token_hash.as_str().into(),
            new.organization_id.get().into(),
            new.role.as_str().into(),
            new.email.as_ref().map(Email::as_str).into(),
            new.invited_by.get().into(),
            new.now.into(),
            new.expires_at.into(),
        ];
        self.db
            .returning(SQL, &args, InvitationRow::read)
            .await
            .map_err(constraint("invitation", "organization"))?
            .try_into()
    }

    async fn invitation_by_token(
        &self,
        token_hash: &SecretHash,
    ) -> Result<Option<Invitation>, StoreError> {
        const SQL: &str = concat!(
            "SELECT ",
            invitation_columns!(),
            " FROM invitations WHERE token_hash = $1"
        );
        let row = self
            .db
            .optional(SQL, &[token_hash.as_str().into()], InvitationRow::read)
            .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn invitations_of(&self, organization: OrgId) -> Result<Vec<Invitation>, StoreError> {
        const SQL: &str = concat!(
            "SELECT ",
            invitation_columns!(),
            " FROM invitations WHERE organization_id = $1 ORDER BY id DESC"
        );
        let rows = self
            .db
            .all(SQL, &[organization.get().into()], InvitationRow::read)
            .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn revoke_invitation(
        &self,
        organization: OrgId,
        id: InvitationId,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE invitations SET revoked_at = $3 WHERE id = $2 \
             AND organization_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL";
        let args = [organization.get().into(), id.0.into(), now.into()];
        Ok(self.db.execute(SQL, &args).await? == 1)
    }

    async fn join_by_invitation(
        &self,
        token_hash: &SecretHash,
        user: UserId,
        now: OffsetDateTime,
    ) -> Result<Option<Membership>, StoreError> {
        const ACCEPT: &str = "UPDATE invitations SET accepted_at = $2, accepted_by = $3 \
             WHERE token_hash = $1 AND accepted_at IS NULL AND revoked_at IS NULL \
             AND expires_at > $2 RETURNING organization_id, role";
        const MEMBER: &str = "INSERT INTO memberships (organization_id, user_id, role, \
             created_at) VALUES ($1, $2, $3, $4) \
             RETURNING id, organization_id, user_id, role, created_at";
        let mut tx = self.db.begin().await?;
        let accepted: Option<(i64, String)> = tx
            .optional(
                ACCEPT,
                &[token_hash.as_str().into(), now.into(), user.get().into()],
                |c| Ok((c.get()?, c.get()?)),
            )
            .await?;
        let Some((organization, role)) = accepted else {
            tx.rollback().await?;
            return Ok(None);
        };
        let (id, organization_id, user_id, role, created_at): (i64, i64, i64, String, _) = tx
            .one(
                MEMBER,
                &[
                    organization.into(),
                    user.get().into(),
                    role.as_str().into(),
                    now.into(),
                ],
                |c| Ok((c.get()?, c.get()?, c.get()?, c.get()?, c.get()?)),
            )
            .await
            .map_err(constraint("membership", "user"))?;
        tx.commit().await?;
        Ok(Some(Membership {
            id: MembershipId(id),
            organization_id: OrgId(organization_id),
            user_id: UserId(user_id),
            role: role
                .parse()
                .map_err(|e: paceline_domain::entities::UnknownName| {
                    StoreError::Other(e.to_string())
                })?,
            created_at,
        }))
    }

    async fn move_to_personal(
        &self,
        organization: OrgId,
        membership: MembershipId,
        personal_name: &str,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        const FIND: &str = "SELECT id FROM memberships WHERE id = $1 AND organization_id = $2";
        const ASSIGNMENTS: &str = "DELETE FROM coach_assignments \
             WHERE coach_membership_id = $1 OR athlete_membership_id = $1";
        const ORG: &str = "INSERT INTO organizations (name, kind, created_at, updated_at) \
             VALUES ($1, 'personal', $2, $2) RETURNING id";
        const MOVE: &str =
            "UPDATE memberships SET organization_id = $2, role = 'owner' WHERE id = $1";
        let mut tx = self.db.begin().await?;
        let found: Option<i64> = tx
            .optional(
                FIND,
                &[membership.0.into(), organization.get().into()],
                first,
            )
            .await?;
        if found.is_none() {
            tx.rollback().await?;
            return Ok(false);
        }
        tx.execute(ASSIGNMENTS, &[membership.0.into()]).await?;
        let personal: i64 = tx
            .one(ORG, &[personal_name.into(), now.into()], first)
            .await?;
        tx.execute(MOVE, &[membership.0.into(), personal.into()])
            .await?;
        tx.commit().await?;
        Ok(true)
    }
}

#[async_trait]
impl ResetStore for SqlStore {
    async fn create_password_reset(
        &self,
        token_hash: &SecretHash,
        user: UserId,
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO password_resets (token_hash, user_id, created_at, \
             expires_at) VALUES ($1, $2, $3, $4)";
        let args = [
            token_hash.as_str().into(),
            user.get().into(),
            now.into(),
            expires_at.into(),
        ];
        self.db
            .execute(SQL, &args)
            .await
            .map_err(constraint("password reset", "user"))?;
        Ok(())
    }

    async fn password_reset_user(
        &self,
        token_hash: &SecretHash,
        now: OffsetDateTime,
    ) -> Result<Option<UserId>, StoreError> {
        const SQL: &str = "SELECT user_id FROM password_resets WHERE token_hash = $1 \
             AND used_at IS NULL AND expires_at > $2";
        let row: Option<i64> = self
            .db
            .optional(SQL, &[token_hash.as_str().into(), now.into()], first)
            .await?;
        Ok(row.map(UserId))
    }

    async fn reset_password(
        &self,
        token_hash: &SecretHash,
        hash: &PasswordHash,
        now: OffsetDateTime,
    ) -> Result<Option<UserId>, StoreError> {
        const USE: &str = "UPDATE password_resets SET used_at = $2 WHERE token_hash = $1 \
             AND used_at IS NULL AND expires_at > $2 RETURNING user_id";
        const OTHERS: &str = "UPDATE password_resets SET used_at = $2 \
             WHERE user_id = $1 AND used_at IS NULL";
        const PASSWORD: &str = "UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1";
        const SESSIONS: &str = "DELETE FROM web_sessions WHERE user_id = $1";
        const FAMILIES: &str = "UPDATE oauth_token_families SET revoked_at = $2 \
             WHERE user_id = $1 AND revoked_at IS NULL";
        const CODES: &str = "UPDATE oauth_authorization_codes SET redeemed_at = $2 \
             WHERE user_id = $1 AND redeemed_at IS NULL";
        let mut tx = self.db.begin().await?;
        let used: Option<i64> = tx
            .optional(USE, &[token_hash.as_str().into(), now.into()], first)
            .await?;
        let Some(user) = used else {
            tx.rollback().await?;
            return Ok(None);
        };
        tx.execute(PASSWORD, &[user.into(), hash.as_str().into(), now.into()])
            .await?;
        tx.execute(SESSIONS, &[user.into()]).await?;
        for sql in [OTHERS, FAMILIES, CODES] {
            tx.execute(sql, &[user.into(), now.into()]).await?;
        }
        tx.commit().await?;
        Ok(Some(UserId(user)))
    }
}
