//! The demo installation: one coaching company whose owner coaches its two athletes, so
//! that a newcomer sees a populated system, the company's own page included, with one
//! command.

use crate::accounts::{self, AccountError, UserRequest};
use crate::clock::Clock;
use crate::entities::{Organization, Role};
use crate::password::Password;
use crate::store::Store;
use rand::Rng;
use rand::distr::Alphanumeric;

pub mod season;
pub mod training;

/// The demo organization's name; seeding again finds it by this name.
pub const ORGANIZATION: &str = "Paceline Demo Coaching";

/// The demo people: role, e-mail, name.
pub const PEOPLE: [(Role, &str, &str); 3] = [
    (Role::Owner, "coach@demo.paceline.example", "Casey Coach"),
    (Role::Athlete, "alex@demo.paceline.example", "Alex Athlete"),
    (Role::Athlete, "sam@demo.paceline.example", "Sam Sprinter"),
];

/// One demo login.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    /// The role in the demo organization.
    pub role: Role,
    /// Login name.
    pub email: String,
    /// Full name.
    pub name: String,
    /// The password just set.
    pub password: Password,
}

/// What seeding produced.
#[derive(Debug, Clone)]
pub struct Demo {
    /// The demo organization.
    pub organization: Organization,
    /// The logins, coach first.
    pub logins: Vec<DemoLogin>,
    /// Whether the organization was created now (false: it existed and was refreshed).
    pub created: bool,
}

/// Creates the demo organization, its coach and athletes, and the coach's assignments.
/// Run again, it keeps what exists and gives every demo login a fresh password, so the
/// passwords it prints always work. Passwords are random: a demo server reachable from a
/// network has no well-known login.
pub async fn seed(
    store: &dyn Store,
    clock: &dyn Clock,
    rng: &mut impl Rng,
) -> Result<Demo, AccountError> {
    let existing = store
        .find_organizations_by_name(ORGANIZATION)
        .await?
        .into_iter()
        .next();
    let created = existing.is_none();
    let organization = match existing {
        Some(org) => org,
        None => accounts::create_organization(store, clock, ORGANIZATION).await?,
    };
    let org_ref = organization.id.public();
    let mut logins = Vec::with_capacity(PEOPLE.len());
    for (role, email, name) in PEOPLE {
        let password = Password::new(random_password(rng));
        let request = UserRequest {
            email: email.to_owned(),
            password: password.clone(),
            name: name.to_owned(),
            organization: Some(org_ref.clone()),
            role: Some(role),
        };
        match accounts::create_user(store, clock, request).await {
            Ok(_) => {}
            Err(AccountError::DuplicateEmail(_)) => {
                accounts::set_password(store, clock, email, password.clone()).await?;
            }
            Err(e) => return Err(e),
        }
        logins.push(DemoLogin {
            role,
            email: email.to_owned(),
            name: name.to_owned(),
            password,
        });
    }
    let coach = PEOPLE[0].1;
    for (_, athlete, _) in PEOPLE.iter().skip(1) {
        match accounts::assign_coach(store, clock, coach, athlete, Some(&org_ref)).await {
            Ok(_) | Err(AccountError::AlreadyAssigned { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(Demo {
        organization,
        logins,
        created,
    })
}

fn random_password(rng: &mut impl Rng) -> String {
    (0..16)
        .map(|_| char::from(rng.sample(Alphanumeric)))
        .collect()
}
