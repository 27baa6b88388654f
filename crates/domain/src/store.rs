//! The persistence boundary. Each method is one use case and owns its transaction, so a
//! caller never sees a half-applied change; only domain types cross it.

use crate::email::Email;
use crate::entities::{
    AthleteSettings, CoachAssignment, Membership, MembershipInOrg, OrgKind, Organization, Role,
    User,
};
use crate::ids::{MembershipId, OrgId, UserId};
use crate::password::PasswordHash;
use crate::training::SettingsError;
use async_trait::async_trait;
use time::OffsetDateTime;

/// What can go wrong in storage, in terms the domain can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A record the change depends on does not exist.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The change would break a uniqueness rule; the name says which.
    #[error("conflict on {0}")]
    Conflict(&'static str),
    /// The database cannot be reached or is shutting down; worth retrying later.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// Anything else: a bug or a corrupt database.
    #[error("storage failure: {0}")]
    Other(String),
}

/// Where a new user's first membership goes.
#[derive(Debug, Clone)]
pub enum NewUserHome {
    /// A personal organization of this name, created with the user, who owns it.
    Personal {
        /// The organization's name.
        org_name: String,
    },
    /// An existing organization, with this role.
    Member {
        /// The organization.
        organization_id: OrgId,
        /// The role there.
        role: Role,
    },
    /// The organization and role of an open invitation, closed in the same transaction:
    /// `NotFound("invitation")`, with nothing written, when it no longer works.
    Invited {
        /// The hash of the invitation's token.
        token_hash: crate::oauth::secret::SecretHash,
    },
}

/// A change to an athlete's settings, applied inside the store's transaction: it edits the
/// settings read, or refuses (and nothing is written).
pub type SettingsChange<'a> =
    dyn Fn(&mut AthleteSettings) -> Result<(), SettingsError> + Send + Sync + 'a;

/// An athlete someone may act for, in one organization.
#[derive(Debug, Clone, PartialEq)]
pub struct CoachedAthlete {
    /// The athlete.
    pub user: User,
    /// The organization they are an athlete of.
    pub organization_id: OrgId,
    /// The coaches assigned to them there, by user id.
    pub coach_ids: Vec<UserId>,
}

/// A user to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Login name; unique.
    pub email: Email,
    /// Full name.
    pub name: String,
    /// Hash of the chosen password.
    pub password_hash: PasswordHash,
    /// First membership.
    pub home: NewUserHome,
    /// Initial athlete settings.
    pub settings: AthleteSettings,
    /// Creation time.
    pub now: OffsetDateTime,
}

/// A user just created, with the membership (and organization) created for them.
#[derive(Debug, Clone)]
pub struct CreatedUser {
    /// The account.
    pub user: User,
    /// Its first membership.
    pub membership: Membership,
    /// The organization of that membership.
    pub organization: Organization,
}

/// How a store's database connections are used at one moment, for metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Connections {
    /// Connections serving a request now.
    pub in_use: u32,
    /// Connections open and waiting for one.
    pub idle: u32,
    /// The most connections opened for reading (and, on PostgreSQL, writing) at once.
    pub max: u32,
}

/// Persistence for everything Paceline keeps, one supertrait per area. Implemented for
/// SQLite and PostgreSQL; one conformance suite holds both to the same behaviour.
#[async_trait]
pub trait Store:
    AccountStore
    + crate::activities::ActivityStore
    + crate::calendar::CalendarStore
    + crate::daily::DailyStore
    + crate::files::FileStore
    + crate::invitations::InvitationStore
    + crate::jobs::JobStore
    + crate::messaging::MessageStore
    + crate::oauth::store::OAuthStore
    + crate::resets::ResetStore
    + crate::workouts::WorkoutStore
    + crate::workouts::library::LibraryStore
    + Send
    + Sync
    + 'static
{
    /// The engine's name, for logs: `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;

    /// Answers when the database answers.
    async fn ping(&self) -> Result<(), StoreError>;

    /// How the database connections are used now.
    fn connections(&self) -> Connections;
}

/// Users, organizations, memberships, coach assignments and athlete settings.
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Creates an organization.
    async fn create_organization(
        &self,
        name: &str,
        kind: OrgKind,
        now: OffsetDateTime,
    ) -> Result<Organization, StoreError>;

    /// One organization by key.
    async fn get_organization(&self, id: OrgId) -> Result<Option<Organization>, StoreError>;

    /// Organizations whose name equals `name`, ignoring case; oldest first.
    async fn find_organizations_by_name(&self, name: &str)
    -> Result<Vec<Organization>, StoreError>;

    /// Every organization, oldest first.
    async fn list_organizations(&self) -> Result<Vec<Organization>, StoreError>;

    /// Creates a user, their settings and their first membership (and personal
    /// organization) in one transaction. `Conflict("email")` when the address is taken;
    /// `NotFound("organization")` when the home organization does not exist.
    async fn create_user(&self, new: NewUser) -> Result<CreatedUser, StoreError>;

    /// One user by key.
    async fn get_user(&self, id: UserId) -> Result<Option<User>, StoreError>;

    /// One user by login name.
    async fn find_user_by_email(&self, email: &Email) -> Result<Option<User>, StoreError>;

    /// Every user, oldest first.
    async fn list_users(&self) -> Result<Vec<User>, StoreError>;

    /// Replaces a user's password hash and, in the same transaction, ends their login
    /// sessions and revokes every token issued for them: whoever knew the old password must
    /// not keep access through it. `NotFound("user")` when there is no such user.
    async fn set_password_hash(
        &self,
        user: UserId,
        hash: &PasswordHash,
        now: OffsetDateTime,
    ) -> Result<(), StoreError>;

    /// Gives a user a new name. `NotFound("user")` when there is no such user.
    async fn rename_user(
        &self,
        user: UserId,
        name: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError>;

    /// Adds a user to an organization. `Conflict("membership")` when they already belong;
    /// `NotFound` when the user or organization does not exist.
    async fn add_membership(
        &self,
        organization: OrgId,
        user: UserId,
        role: Role,
        now: OffsetDateTime,
    ) -> Result<Membership, StoreError>;

    /// A user's memberships with their organizations, oldest first.
    async fn memberships_of_user(&self, user: UserId) -> Result<Vec<MembershipInOrg>, StoreError>;

    /// Makes a coach responsible for an athlete; both memberships must belong to
    /// `organization`. `Conflict("assignment")` when it already exists.
    async fn assign_coach(
        &self,
        organization: OrgId,
        coach: MembershipId,
        athlete: MembershipId,
        now: OffsetDateTime,
    ) -> Result<CoachAssignment, StoreError>;

    /// The assignments in which `coach` is the coach, oldest first.
    async fn assignments_of_coach(
        &self,
        coach: MembershipId,
    ) -> Result<Vec<CoachAssignment>, StoreError>;

    /// Whether `coach` coaches `athlete`: an assignment joins one of the coach's memberships
    /// to one of the athlete's.
    async fn coaches(&self, coach: UserId, athlete: UserId) -> Result<bool, StoreError>;

    /// Whether `actor` may act for `athlete`: as a coach assigned to them, or as an owner
    /// of a coaching company they are an athlete of.
    async fn acts_for(&self, actor: UserId, athlete: UserId) -> Result<bool, StoreError>;

    /// The athletes `actor` may act for ([`Self::acts_for`]), once per organization, by
    /// user id, each with the coaches assigned to them there.
    async fn athletes_of(&self, actor: UserId) -> Result<Vec<CoachedAthlete>, StoreError>;

    /// Every member of an organization with their account, in the order they joined.
    async fn members_of(&self, organization: OrgId) -> Result<Vec<(Membership, User)>, StoreError>;

    /// Ends the assignment of a coach's membership to an athlete's; whether there was one.
    async fn unassign_coach(
        &self,
        coach_membership: MembershipId,
        athlete_membership: MembershipId,
    ) -> Result<bool, StoreError>;

    /// The people a user works with: the athletes they coach and the coaches who coach them,
    /// each once, by id.
    async fn contacts(&self, user: UserId) -> Result<Vec<User>, StoreError>;

    /// A user's athlete settings; `None` when there is no such user.
    async fn athlete_settings(&self, user: UserId) -> Result<Option<AthleteSettings>, StoreError>;

    /// Replaces a user's athlete settings (units, seasons, zones and training figures) as a
    /// whole.
    async fn replace_athlete_settings(
        &self,
        user: UserId,
        settings: &AthleteSettings,
        now: OffsetDateTime,
    ) -> Result<(), StoreError>;

    /// Changes a user's athlete settings by `change`, atomically: read, changed and written
    /// in one transaction that holds the athlete, so two changes never lose each other.
    /// Answers the settings written, or why `change` refused (nothing written); `None` when
    /// there is no such user.
    async fn update_athlete_settings(
        &self,
        user: UserId,
        change: &SettingsChange<'_>,
        now: OffsetDateTime,
    ) -> Result<Option<Result<AthleteSettings, SettingsError>>, StoreError>;
}
