//! Account administration: organizations, users, memberships and coach assignments, with
//! the rules that keep them consistent. Both the `paceline admin` commands and (later) the
//! admin HTTP API call these functions.

use crate::clock::Clock;
use crate::email::{Email, InvalidEmail};
use crate::entities::{
    AthleteSettings, CoachAssignment, Membership, MembershipInOrg, OrgKind, Organization, Role,
    User,
};
use crate::ids::{OrgId, UserId};
use crate::password::{HashError, Password, PasswordHash, WeakPassword};
use crate::store::{CreatedUser, NewUser, NewUserHome, Store, StoreError};

/// Longest name accepted for a user or an organization.
pub const MAX_NAME_LEN: usize = 200;

/// Why an account operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// The e-mail address is malformed.
    #[error(transparent)]
    InvalidEmail(#[from] InvalidEmail),
    /// The password is too short or too long.
    #[error(transparent)]
    WeakPassword(#[from] WeakPassword),
    /// A name is empty, too long or holds control characters.
    #[error("the {0} name must be 1 to {MAX_NAME_LEN} characters without control characters")]
    InvalidName(&'static str),
    /// Another account has this address.
    #[error("a user with e-mail {0} already exists")]
    DuplicateEmail(Email),
    /// No organization matches the reference.
    #[error("unknown organization `{0}`")]
    UnknownOrganization(String),
    /// Several organizations have this name.
    #[error("{count} organizations are named `{name}`; give the organization's id instead")]
    AmbiguousOrganization {
        /// The name given.
        name: String,
        /// How many organizations have it.
        count: usize,
    },
    /// No account has this address.
    #[error("unknown user {0}")]
    UnknownUser(Email),
    /// A role was given without an organization to hold it.
    #[error(
        "--role needs --org: a user without an organization gets a personal one, which they own"
    )]
    RoleWithoutOrganization,
    /// The user already belongs to the organization.
    #[error("{email} is already a member of {organization}")]
    AlreadyMember {
        /// The user.
        email: Email,
        /// The organization's name.
        organization: String,
    },
    /// No organization has the coach as owner or coach and the athlete as athlete.
    #[error("{coach} does not coach in any organization where {athlete} is an athlete")]
    NoSharedOrganization {
        /// The would-be coach.
        coach: Email,
        /// The would-be athlete.
        athlete: Email,
    },
    /// Several organizations would fit; the caller must choose.
    #[error("{coach} and {athlete} share several organizations; choose one with --org")]
    AmbiguousSharedOrganization {
        /// The coach.
        coach: Email,
        /// The athlete.
        athlete: Email,
    },
    /// Someone was asked to coach themselves.
    #[error("a user cannot be their own coach")]
    SelfCoaching,
    /// The assignment exists already.
    #[error("{coach} already coaches {athlete}")]
    AlreadyAssigned {
        /// The coach.
        coach: Email,
        /// The athlete.
        athlete: Email,
    },
    /// There is no such assignment to end.
    #[error("{coach} does not coach {athlete}")]
    NotAssigned {
        /// The coach.
        coach: Email,
        /// The athlete.
        athlete: Email,
    },
    /// Hashing failed.
    #[error(transparent)]
    Hash(#[from] HashError),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Checks a display name: trimmed, 1..=200 characters, no control characters.
pub fn parse_name(text: &str, what: &'static str) -> Result<String, AccountError> {
    let name = text.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_LEN || name.chars().any(char::is_control)
    {
        return Err(AccountError::InvalidName(what));
    }
    Ok(name.to_owned())
}

/// Hashes off the async executor: argon2id is deliberately slow.
pub async fn hash_password(password: Password) -> Result<PasswordHash, AccountError> {
    tokio::task::spawn_blocking(move || PasswordHash::create(&password))
        .await
        .map_err(|e| AccountError::Store(StoreError::Other(format!("hashing task: {e}"))))?
        .map_err(AccountError::from)
}

/// What to create with [`create_user`].
#[derive(Debug, Clone)]
pub struct UserRequest {
    /// Login name, as given.
    pub email: String,
    /// Password, as given.
    pub password: Password,
    /// Full name, as given.
    pub name: String,
    /// Organization reference (id or name); without one, a personal organization.
    pub organization: Option<String>,
    /// Role in that organization; athlete when omitted.
    pub role: Option<Role>,
}

/// Creates an organization of kind team.
pub async fn create_organization(
    store: &dyn Store,
    clock: &dyn Clock,
    name: &str,
) -> Result<Organization, AccountError> {
    let name = parse_name(name, "organization")?;
    Ok(store
        .create_organization(&name, OrgKind::Team, clock.now())
        .await?)
}

/// Finds an organization by Train it All id, integer key or exact name (ignoring case).
pub async fn resolve_organization(
    store: &dyn Store,
    reference: &str,
) -> Result<Organization, AccountError> {
    let reference = reference.trim();
    if let Some(id) = OrgId::parse_reference(reference)
        && let Some(org) = store.get_organization(id).await?
    {
        return Ok(org);
    }
    let mut found = store.find_organizations_by_name(reference).await?;
    match found.len() {
        0 => Err(AccountError::UnknownOrganization(reference.to_owned())),
        1 => Ok(found.remove(0)),
        count => Err(AccountError::AmbiguousOrganization {
            name: reference.to_owned(),
            count,
        }),
    }
}

/// Creates a user with an argon2id password hash and their first membership: in the given
/// organization (as athlete unless a role is given), or else in a new personal organization
/// that they own.
pub async fn create_user(
    store: &dyn Store,
    clock: &dyn Clock,
    request: UserRequest,
) -> Result<CreatedUser, AccountError> {
    let email = Email::parse(&request.email)?;
    let name = parse_name(&request.name, "user")?;
    let password = Password::new_for_account(request.password.expose())?;
    let home = match (&request.organization, request.role) {
        (Some(reference), role) => NewUserHome::Member {
            organization_id: resolve_organization(store, reference).await?.id,
            role: role.unwrap_or(Role::Athlete),
        },
        (None, Some(_)) => return Err(AccountError::RoleWithoutOrganization),
        (None, None) => NewUserHome::Personal {
            org_name: personal_org_name(&name),
        },
    };
    if store.find_user_by_email(&email).await?.is_some() {
        return Err(AccountError::DuplicateEmail(email));
    }
    let password_hash = hash_password(password).await?;
    let now = clock.now();
    let new = NewUser {
        email: email.clone(),
        name,
        password_hash,
        home,
        settings: AthleteSettings::new_athlete(now.date()),
        now,
    };
    match store.create_user(new).await {
        Err(StoreError::Conflict("email")) => Err(AccountError::DuplicateEmail(email)),
        Err(StoreError::NotFound("organization")) => Err(AccountError::UnknownOrganization(
            request.organization.unwrap_or_default(),
        )),
        other => Ok(other?),
    }
}

/// The name of a user's personal organization.
pub(crate) fn personal_org_name(user_name: &str) -> String {
    format!("{user_name} (personal)")
}

/// Finds a user by e-mail address.
pub async fn user_by_email(store: &dyn Store, email: &str) -> Result<User, AccountError> {
    let email = Email::parse(email)?;
    store
        .find_user_by_email(&email)
        .await?
        .ok_or(AccountError::UnknownUser(email))
}

/// Replaces a user's password.
pub async fn set_password(
    store: &dyn Store,
    clock: &dyn Clock,
    email: &str,
    password: Password,
) -> Result<User, AccountError> {
    let user = user_by_email(store, email).await?;
    let password = Password::new_for_account(password.expose())?;
    let hash = hash_password(password).await?;
    store.set_password_hash(user.id, &hash, clock.now()).await?;
    Ok(user)
}

/// Gives a user a new name (checked as [`parse_name`]).
pub async fn rename(
    store: &dyn Store,
    clock: &dyn Clock,
    user: UserId,
    name: &str,
) -> Result<String, AccountError> {
    let name = parse_name(name, "name")?;
    store.rename_user(user, &name, clock.now()).await?;
    Ok(name)
}

/// The membership a user's own records (activities, body metrics, days) are filed under:
/// their oldest as an athlete, else their oldest (the owner of a personal organization).
/// `None` for a user without any.
pub async fn home_membership(
    store: &dyn Store,
    user: UserId,
) -> Result<Option<Membership>, StoreError> {
    let memberships = store.memberships_of_user(user).await?;
    let athlete = memberships
        .iter()
        .find(|m| m.membership.role == Role::Athlete);
    Ok(athlete
        .or(memberships.first())
        .map(|m| m.membership.clone()))
}

/// What a user does in Paceline, from their memberships: whether they keep training of their
/// own, coach anyone, and which coaching companies they own.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Roles {
    /// An athlete of some organization, or the owner of a personal one: they have their own
    /// training to keep.
    pub trains: bool,
    /// A coach or owner of a coaching company.
    pub coaches: bool,
    /// The coaching companies they own.
    pub owns: Vec<Organization>,
}

impl Roles {
    /// The roles a user's memberships give them.
    pub fn of(memberships: &[MembershipInOrg]) -> Self {
        let mut roles = Self::default();
        for m in memberships {
            let team = m.organization.kind == OrgKind::Team;
            match m.membership.role {
                Role::Athlete => roles.trains = true,
                Role::Owner if !team => roles.trains = true,
                Role::Owner => {
                    roles.coaches = true;
                    roles.owns.push(m.organization.clone());
                }
                Role::Coach => roles.coaches = roles.coaches || team,
            }
        }
        roles
    }
}

/// The roles of `user` ([`Roles::of`] their memberships).
pub async fn roles(store: &dyn Store, user: UserId) -> Result<Roles, StoreError> {
    Ok(Roles::of(&store.memberships_of_user(user).await?))
}

/// How the Xhale surface describes an account: `account_type` is `coached` for an athlete of
/// a coaching company (a team organization) and `self_coached` otherwise; `diary_type` is
/// `mentor` for a coach or owner of one and `athlete` otherwise.
pub async fn account_kind(
    store: &dyn Store,
    user: UserId,
) -> Result<(&'static str, &'static str), StoreError> {
    let memberships = store.memberships_of_user(user).await?;
    let in_team = |role: fn(Role) -> bool| {
        memberships
            .iter()
            .any(|m| m.organization.kind == OrgKind::Team && role(m.membership.role))
    };
    let account_type = if in_team(|r| r == Role::Athlete) {
        "coached"
    } else {
        "self_coached"
    };
    let diary_type = if in_team(Role::can_coach) {
        "mentor"
    } else {
        "athlete"
    };
    Ok((account_type, diary_type))
}

/// Adds an existing user to an organization with a role.
pub async fn add_member(
    store: &dyn Store,
    clock: &dyn Clock,
    organization: &str,
    email: &str,
    role: Role,
) -> Result<(Membership, Organization), AccountError> {
    let org = resolve_organization(store, organization).await?;
    let user = user_by_email(store, email).await?;
    match store
        .add_membership(org.id, user.id, role, clock.now())
        .await
    {
        Ok(membership) => Ok((membership, org)),
        Err(StoreError::Conflict(_)) => Err(AccountError::AlreadyMember {
            email: user.email,
            organization: org.name,
        }),
        Err(e) => Err(e.into()),
    }
}

/// The coach's and the athlete's memberships of the one organization they share where the
/// coach may coach and the athlete is an athlete (`organization` picks it when several).
async fn shared_memberships(
    store: &dyn Store,
    coach: &str,
    athlete: &str,
    organization: Option<&str>,
) -> Result<(User, User, MembershipInOrg, MembershipInOrg), AccountError> {
    let coach = user_by_email(store, coach).await?;
    let athlete = user_by_email(store, athlete).await?;
    if coach.id == athlete.id {
        return Err(AccountError::SelfCoaching);
    }
    let only_org = match organization {
        Some(reference) => Some(resolve_organization(store, reference).await?.id),
        None => None,
    };
    let coach_memberships = store.memberships_of_user(coach.id).await?;
    let athlete_memberships = store.memberships_of_user(athlete.id).await?;
    let mut candidates = coach_memberships.iter().filter_map(|c| {
        let athlete_side = athlete_memberships.iter().find(|a| {
            a.organization.id == c.organization.id && a.membership.role == Role::Athlete
        })?;
        let fits =
            c.membership.role.can_coach() && only_org.is_none_or(|id| id == c.organization.id);
        fits.then_some((c, athlete_side))
    });
    let no_shared = || AccountError::NoSharedOrganization {
        coach: coach.email.clone(),
        athlete: athlete.email.clone(),
    };
    let (c, a) = candidates.next().ok_or_else(no_shared)?;
    if candidates.next().is_some() {
        return Err(AccountError::AmbiguousSharedOrganization {
            coach: coach.email.clone(),
            athlete: athlete.email.clone(),
        });
    }
    let (c, a) = (c.clone(), a.clone());
    Ok((coach, athlete, c, a))
}

/// Makes `coach` responsible for `athlete` in the organization they share.
pub async fn assign_coach(
    store: &dyn Store,
    clock: &dyn Clock,
    coach: &str,
    athlete: &str,
    organization: Option<&str>,
) -> Result<(CoachAssignment, Organization), AccountError> {
    let (coach, athlete, c, a) = shared_memberships(store, coach, athlete, organization).await?;
    let result = store
        .assign_coach(
            c.organization.id,
            c.membership.id,
            a.membership.id,
            clock.now(),
        )
        .await;
    match result {
        Ok(assignment) => Ok((assignment, c.organization)),
        Err(StoreError::Conflict(_)) => Err(AccountError::AlreadyAssigned {
            coach: coach.email,
            athlete: athlete.email,
        }),
        Err(e) => Err(e.into()),
    }
}

/// Ends `coach`'s assignment to `athlete` in the organization they share; it takes effect
/// on the coach's next request (every request checks who may act for whom).
pub async fn unassign_coach(
    store: &dyn Store,
    coach: &str,
    athlete: &str,
    organization: Option<&str>,
) -> Result<Organization, AccountError> {
    let (coach, athlete, c, a) = shared_memberships(store, coach, athlete, organization).await?;
    if store
        .unassign_coach(c.membership.id, a.membership.id)
        .await?
    {
        Ok(c.organization)
    } else {
        Err(AccountError::NotAssigned {
            coach: coach.email,
            athlete: athlete.email,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            parse_name("  Team Alpine ", "organization").unwrap(),
            "Team Alpine"
        );
        assert!(parse_name("   ", "user").is_err());
        assert!(parse_name("tab\there", "user").is_err());
        assert!(parse_name(&"x".repeat(MAX_NAME_LEN + 1), "user").is_err());
        assert!(parse_name(&"é".repeat(MAX_NAME_LEN), "user").is_ok());
    }

    fn member(org: i64, kind: OrgKind, role: Role) -> MembershipInOrg {
        let at = time::OffsetDateTime::UNIX_EPOCH;
        MembershipInOrg {
            membership: Membership {
                id: crate::ids::MembershipId(org * 10),
                organization_id: OrgId(org),
                user_id: UserId(1),
                role,
                created_at: at,
            },
            organization: Organization {
                id: OrgId(org),
                name: format!("org {org}"),
                kind,
                created_at: at,
            },
        }
    }

    #[test]
    fn roles_say_who_trains_coaches_and_owns() {
        let lone = Roles::of(&[member(1, OrgKind::Personal, Role::Owner)]);
        assert_eq!(
            (lone.trains, lone.coaches, lone.owns.len()),
            (true, false, 0)
        );
        let coach = Roles::of(&[member(2, OrgKind::Team, Role::Coach)]);
        assert_eq!((coach.trains, coach.coaches), (false, true));
        let owner = Roles::of(&[
            member(1, OrgKind::Personal, Role::Owner),
            member(3, OrgKind::Team, Role::Owner),
        ]);
        assert_eq!((owner.trains, owner.coaches), (true, true));
        assert_eq!(
            owner.owns.iter().map(|o| o.id).collect::<Vec<_>>(),
            vec![OrgId(3)]
        );
        let athlete = Roles::of(&[member(3, OrgKind::Team, Role::Athlete)]);
        assert_eq!((athlete.trains, athlete.coaches), (true, false));
    }
}
