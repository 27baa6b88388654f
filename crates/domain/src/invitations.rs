//! Joining a coaching company by invitation, and leaving it. An owner invites a coach or an
//! athlete by a one-time link that expires; the invited person opens it, chooses their name
//! and password, and is a member at once (or, already signed in, joins with their account).
//! The link's token is kept only by its SHA-256, like every credential here.
//!
//! Removing a member never takes their training from them: their membership, with every
//! record filed under it, moves into a personal organization of their own, and the coach
//! assignments it had end in the same transaction. Their ids and tokens keep working; the
//! company no longer reaches them.

use crate::accounts::{self, AccountError, hash_password, parse_name};
use crate::clock::Clock;
use crate::email::Email;
use crate::entities::{AthleteSettings, Membership, OrgKind, Role, User};
use crate::ids::{MembershipId, OrgId, UserId};
use crate::oauth::secret::{Secret, SecretHash};
use crate::password::Password;
use crate::store::{CreatedUser, NewUser, NewUserHome, Store, StoreError};
use async_trait::async_trait;
use rand::Rng;
use time::{Duration, OffsetDateTime};

/// How long an invitation link works.
pub const INVITATION_LIFETIME: Duration = Duration::days(7);

/// The prefix of an invitation token, so a leaked one is recognised.
const TOKEN_PREFIX: &str = "pli_";

/// An invitation's key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct InvitationId(pub i64);

/// An invitation to join an organization.
#[derive(Debug, Clone, PartialEq)]
pub struct Invitation {
    /// Its key.
    pub id: InvitationId,
    /// The organization.
    pub organization_id: OrgId,
    /// The role the invited person gets.
    pub role: Role,
    /// The address it was meant for, if the owner gave one.
    pub email: Option<Email>,
    /// Who invited, while that account exists.
    pub invited_by: Option<UserId>,
    /// When it was made.
    pub created_at: OffsetDateTime,
    /// When the link stops working.
    pub expires_at: OffsetDateTime,
    /// When it was accepted, and by whom.
    pub accepted: Option<(OffsetDateTime, Option<UserId>)>,
    /// When the owner withdrew it.
    pub revoked_at: Option<OffsetDateTime>,
}

impl Invitation {
    /// Whether the link still works at `now`.
    pub fn is_open(&self, now: OffsetDateTime) -> bool {
        self.accepted.is_none() && self.revoked_at.is_none() && now < self.expires_at
    }
}

/// An invitation to store.
#[derive(Debug, Clone)]
pub struct NewInvitation {
    /// The hash of its token.
    pub token_hash: SecretHash,
    /// The organization.
    pub organization_id: OrgId,
    /// The role.
    pub role: Role,
    /// The address it is meant for.
    pub email: Option<Email>,
    /// Who invites.
    pub invited_by: UserId,
    /// Now.
    pub now: OffsetDateTime,
    /// When it stops working.
    pub expires_at: OffsetDateTime,
}

/// Storage for invitations and for leaving an organization.
#[async_trait]
pub trait InvitationStore: Send + Sync {
    /// Stores an invitation.
    async fn create_invitation(&self, new: &NewInvitation) -> Result<Invitation, StoreError>;

    /// The invitation whose token hashes to `token_hash`, whatever its state.
    async fn invitation_by_token(
        &self,
        token_hash: &SecretHash,
    ) -> Result<Option<Invitation>, StoreError>;

    /// An organization's invitations, the newest first.
    async fn invitations_of(&self, organization: OrgId) -> Result<Vec<Invitation>, StoreError>;

    /// Withdraws an open invitation of `organization`; whether there was one.
    async fn revoke_invitation(
        &self,
        organization: OrgId,
        id: InvitationId,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError>;

    /// Accepts an open invitation for an existing user, in one transaction with their new
    /// membership: `None` when the link no longer works (nothing written);
    /// `Conflict("membership")` when they are a member already.
    async fn join_by_invitation(
        &self,
        token_hash: &SecretHash,
        user: UserId,
        now: OffsetDateTime,
    ) -> Result<Option<Membership>, StoreError>;

    /// Moves `membership` of `organization` into a new personal organization named
    /// `personal_name`, as its owner, ending every coach assignment it had, in one
    /// transaction; whether there was such a membership.
    async fn move_to_personal(
        &self,
        organization: OrgId,
        membership: MembershipId,
        personal_name: &str,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError>;
}

/// Why an invitation could not be made, accepted or withdrawn.
#[derive(Debug, thiserror::Error)]
pub enum InvitationError {
    /// The user does not own this organization (or it is a personal one).
    #[error("only an owner of a coaching company invites and removes its members")]
    NotOwner,
    /// The link is unknown, used, withdrawn or expired: they all read the same.
    #[error("this invitation link does not work any more")]
    Closed,
    /// The person is already a member.
    #[error("you are already a member of this organization")]
    AlreadyMember,
    /// An owner may not remove the last owner, nor themselves.
    #[error("an owner does not remove themselves")]
    OwnSelf,
    /// No such member.
    #[error("no such member")]
    NoMember,
    /// The name, e-mail or password given.
    #[error(transparent)]
    Account(#[from] AccountError),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Whether `user` owns team organization `organization`.
pub async fn owns(
    store: &dyn Store,
    user: UserId,
    organization: OrgId,
) -> Result<bool, StoreError> {
    Ok(store.memberships_of_user(user).await?.iter().any(|m| {
        m.organization.id == organization
            && m.organization.kind == OrgKind::Team
            && m.membership.role == Role::Owner
    }))
}

/// An owner invites someone into their company as `role`: answers the invitation and the
/// token of its link, shown once.
pub async fn invite(
    store: &dyn Store,
    clock: &dyn Clock,
    rng: &mut (impl Rng + Send),
    owner: UserId,
    organization: OrgId,
    role: Role,
    email: Option<&str>,
) -> Result<(Invitation, Secret), InvitationError> {
    if !owns(store, owner, organization).await? {
        return Err(InvitationError::NotOwner);
    }
    let email = match email.map(str::trim).filter(|e| !e.is_empty()) {
        Some(text) => Some(Email::parse(text).map_err(AccountError::from)?),
        None => None,
    };
    let token = Secret::generate(TOKEN_PREFIX, rng);
    let now = clock.now();
    let invitation = store
        .create_invitation(&NewInvitation {
            token_hash: token.hash(),
            organization_id: organization,
            role,
            email,
            invited_by: owner,
            now,
            expires_at: now + INVITATION_LIFETIME,
        })
        .await?;
    Ok((invitation, token))
}

/// The invitation of a link, while it works.
pub async fn open_invitation(
    store: &dyn Store,
    clock: &dyn Clock,
    token: &str,
) -> Result<Invitation, InvitationError> {
    match store.invitation_by_token(&SecretHash::of(token)).await? {
        Some(invitation) if invitation.is_open(clock.now()) => Ok(invitation),
        _ => Err(InvitationError::Closed),
    }
}

/// What the invited person chooses for their new account.
#[derive(Debug, Clone)]
pub struct Acceptance {
    /// Their name.
    pub name: String,
    /// Their login e-mail.
    pub email: String,
    /// Their password.
    pub password: Password,
}

/// The invited person accepts with a new account: created with its membership in the same
/// transaction that closes the link, so a link makes one account at most.
pub async fn accept(
    store: &dyn Store,
    clock: &dyn Clock,
    token: &str,
    acceptance: Acceptance,
) -> Result<CreatedUser, InvitationError> {
    open_invitation(store, clock, token).await?;
    let email = Email::parse(&acceptance.email).map_err(AccountError::from)?;
    let name = parse_name(&acceptance.name, "user")?;
    let password =
        Password::new_for_account(acceptance.password.expose()).map_err(AccountError::from)?;
    if store.find_user_by_email(&email).await?.is_some() {
        return Err(AccountError::DuplicateEmail(email).into());
    }
    let password_hash = hash_password(password).await?;
    let now = clock.now();
    let new = NewUser {
        email: email.clone(),
        name,
        password_hash,
        home: NewUserHome::Invited {
            token_hash: SecretHash::of(token),
        },
        settings: AthleteSettings::new_athlete(now.date()),
        now,
    };
    match store.create_user(new).await {
        Ok(created) => Ok(created),
        Err(StoreError::NotFound("invitation")) => Err(InvitationError::Closed),
        Err(StoreError::Conflict("email")) => Err(AccountError::DuplicateEmail(email).into()),
        Err(other) => Err(other.into()),
    }
}

/// A signed-in user accepts with the account they have.
pub async fn join(
    store: &dyn Store,
    clock: &dyn Clock,
    token: &str,
    user: &User,
) -> Result<Membership, InvitationError> {
    match store
        .join_by_invitation(&SecretHash::of(token), user.id, clock.now())
        .await
    {
        Ok(Some(membership)) => Ok(membership),
        Ok(None) => Err(InvitationError::Closed),
        Err(StoreError::Conflict("membership")) => Err(InvitationError::AlreadyMember),
        Err(other) => Err(other.into()),
    }
}

/// An owner withdraws an open invitation of their company.
pub async fn revoke(
    store: &dyn Store,
    clock: &dyn Clock,
    owner: UserId,
    organization: OrgId,
    id: InvitationId,
) -> Result<bool, InvitationError> {
    if !owns(store, owner, organization).await? {
        return Err(InvitationError::NotOwner);
    }
    Ok(store
        .revoke_invitation(organization, id, clock.now())
        .await?)
}

/// An owner removes a member from their company: the member keeps their account and every
/// record, in a personal organization of their own (see the module's words).
pub async fn remove_member(
    store: &dyn Store,
    clock: &dyn Clock,
    owner: UserId,
    organization: OrgId,
    membership: MembershipId,
) -> Result<(), InvitationError> {
    if !owns(store, owner, organization).await? {
        return Err(InvitationError::NotOwner);
    }
    let member = store
        .members_of(organization)
        .await?
        .into_iter()
        .find(|(m, _)| m.id == membership)
        .ok_or(InvitationError::NoMember)?;
    if member.1.id == owner {
        return Err(InvitationError::OwnSelf);
    }
    let name = accounts::personal_org_name(&member.1.name);
    if store
        .move_to_personal(organization, membership, &name, clock.now())
        .await?
    {
        Ok(())
    } else {
        Err(InvitationError::NoMember)
    }
}
