//! [`InvitationStore`] and [`ResetStore`]: the one-time links of accounts (invitations into
//! an organization, password resets), kept by the hash of their token, and leaving an
//! organization for a personal one.

use crate::db_time::DbTime;
use crate::error::{constraint, other};
use crate::{BeginWrite, SqlStore, on_pool, on_writer};
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

#[derive(sqlx::FromRow)]
struct InvitationRow {
    id: i64,
    organization_id: i64,
    role: String,
    email: Option<String>,
    invited_by: Option<i64>,
    created_at: DbTime,
    expires_at: DbTime,
    accepted_at: Option<DbTime>,
    accepted_by: Option<i64>,
    revoked_at: Option<DbTime>,
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
            created_at: row.created_at.0,
            expires_at: row.expires_at.0,
            accepted: row
                .accepted_at
                .map(|at| (at.0, row.accepted_by.map(UserId))),
            revoked_at: row.revoked_at.map(|at| at.0),
        })
    }
}

#[derive(sqlx::FromRow)]
struct NewMembershipRow {
    id: i64,
    organization_id: i64,
    user_id: i64,
    role: String,
    created_at: DbTime,
}

#[async_trait]
impl InvitationStore for SqlStore {
    async fn create_invitation(&self, new: &NewInvitation) -> Result<Invitation, StoreError> {
        const SQL: &str = concat!(
            "INSERT INTO invitations (token_hash, organization_id, role, email, invited_by, \
             created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ",
            invitation_columns!()
        );
        let row = on_writer!(self, pool => sqlx::query_as::<_, InvitationRow>(SQL)
            .bind(new.token_hash.as_str())
            .bind(new.organization_id.get())
            .bind(new.role.as_str())
            .bind(new.email.as_ref().map(Email::as_str))
            .bind(new.invited_by.get())
            .bind(DbTime(new.now))
            .bind(DbTime(new.expires_at))
            .fetch_one(pool)
            .await
            .map_err(constraint("invitation", "organization"))?);
        row.try_into()
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
        let row = on_pool!(self, pool => sqlx::query_as::<_, InvitationRow>(SQL)
            .bind(token_hash.as_str())
            .fetch_optional(pool)
            .await
            .map_err(other)?);
        row.map(TryInto::try_into).transpose()
    }

    async fn invitations_of(&self, organization: OrgId) -> Result<Vec<Invitation>, StoreError> {
        const SQL: &str = concat!(
            "SELECT ",
            invitation_columns!(),
            " FROM invitations WHERE organization_id = $1 ORDER BY id DESC"
        );
        let rows = on_pool!(self, pool => sqlx::query_as::<_, InvitationRow>(SQL)
            .bind(organization.get())
            .fetch_all(pool)
            .await
            .map_err(other)?);
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
        let changed = on_writer!(self, pool => sqlx::query(SQL)
            .bind(organization.get())
            .bind(id.0)
            .bind(DbTime(now))
            .execute(pool)
            .await
            .map_err(other)?
            .rows_affected());
        Ok(changed == 1)
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
        let row = on_writer!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(other)?;
            let accepted: Option<(i64, String)> = sqlx::query_as(ACCEPT)
                .bind(token_hash.as_str())
                .bind(DbTime(now))
                .bind(user.get())
                .fetch_optional(&mut *tx)
                .await
                .map_err(other)?;
            let Some((organization, role)) = accepted else {
                return Ok(None);
            };
            let row = sqlx::query_as::<_, NewMembershipRow>(MEMBER)
                .bind(organization)
                .bind(user.get())
                .bind(&role)
                .bind(DbTime(now))
                .fetch_one(&mut *tx)
                .await
                .map_err(constraint("membership", "user"))?;
            tx.commit().await.map_err(other)?;
            row
        });
        Ok(Some(Membership {
            id: MembershipId(row.id),
            organization_id: OrgId(row.organization_id),
            user_id: UserId(row.user_id),
            role: row
                .role
                .parse()
                .map_err(|e: paceline_domain::entities::UnknownName| {
                    StoreError::Other(e.to_string())
                })?,
            created_at: row.created_at.0,
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
        on_writer!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(other)?;
            let found: Option<(i64,)> = sqlx::query_as(FIND)
                .bind(membership.0)
                .bind(organization.get())
                .fetch_optional(&mut *tx)
                .await
                .map_err(other)?;
            if found.is_none() {
                return Ok(false);
            }
            sqlx::query(ASSIGNMENTS)
                .bind(membership.0)
                .execute(&mut *tx)
                .await
                .map_err(other)?;
            let (personal,): (i64,) = sqlx::query_as(ORG)
                .bind(personal_name)
                .bind(DbTime(now))
                .fetch_one(&mut *tx)
                .await
                .map_err(other)?;
            sqlx::query(MOVE)
                .bind(membership.0)
                .bind(personal)
                .execute(&mut *tx)
                .await
                .map_err(other)?;
            tx.commit().await.map_err(other)?;
        });
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
        on_writer!(self, pool => sqlx::query(SQL)
            .bind(token_hash.as_str())
            .bind(user.get())
            .bind(DbTime(now))
            .bind(DbTime(expires_at))
            .execute(pool)
            .await
            .map_err(constraint("password reset", "user"))?
            .rows_affected());
        Ok(())
    }

    async fn password_reset_user(
        &self,
        token_hash: &SecretHash,
        now: OffsetDateTime,
    ) -> Result<Option<UserId>, StoreError> {
        const SQL: &str = "SELECT user_id FROM password_resets WHERE token_hash = $1 \
             AND used_at IS NULL AND expires_at > $2";
        let row: Option<(i64,)> = on_pool!(self, pool => sqlx::query_as(SQL)
            .bind(token_hash.as_str())
            .bind(DbTime(now))
            .fetch_optional(pool)
            .await
            .map_err(other)?);
        Ok(row.map(|(id,)| UserId(id)))
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
        let user = on_writer!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(other)?;
            let used: Option<(i64,)> = sqlx::query_as(USE)
                .bind(token_hash.as_str())
                .bind(DbTime(now))
                .fetch_optional(&mut *tx)
                .await
                .map_err(other)?;
            let Some((user,)) = used else {
                return Ok(None);
            };
            sqlx::query(PASSWORD)
                .bind(user)
                .bind(hash.as_str())
                .bind(DbTime(now))
                .execute(&mut *tx)
                .await
                .map_err(other)?;
            sqlx::query(SESSIONS)
                .bind(user)
                .execute(&mut *tx)
                .await
                .map_err(other)?;
            for sql in [OTHERS, FAMILIES, CODES] {
                sqlx::query(sql)
                    .bind(user)
                    .bind(DbTime(now))
                    .execute(&mut *tx)
                    .await
                    .map_err(other)?;
            }
            tx.commit().await.map_err(other)?;
            user
        });
        Ok(Some(UserId(user)))
    }
}
