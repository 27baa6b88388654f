//! Messages on both engines: only contacts exchange them, conversations read oldest first in
//! pages, reading as the recipient marks them seen once, unseen counts per contact, and
//! concurrent sends all kept.
//!
//! Here the people the tests share; the tests beside it: `sending` (who may send what, and
//! concurrent sends), `seen` (seen times and unseen counts), `pages` (long conversations).

mod pages;
mod seen;
mod sending;

use paceline_domain::accounts::{self, UserRequest};
use paceline_domain::entities::{Role, User};
use paceline_domain::messaging;
use paceline_domain::password::Password;
use paceline_domain::{Clock, FixedClock, Store};
use paceline_store_sql::SqlStore;
use paceline_testkit::TestContext;
use time::OffsetDateTime;
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2026-03-01 08:00:00.250001 UTC);

/// Two coaching companies, each with a coach and athletes, and a self-coached athlete.
struct People {
    coach_a: User,
    athlete_a: User,
    teammate_a: User,
    coach_b: User,
    athlete_b: User,
    lone: User,
}

async fn person(
    store: &dyn Store,
    clock: &dyn Clock,
    email: &str,
    name: &str,
    org: Option<&str>,
    role: Option<Role>,
) -> User {
    accounts::create_user(
        store,
        clock,
        UserRequest {
            email: email.into(),
            password: Password::new("a long enough password"),
            name: name.into(),
            organization: org.map(Into::into),
            role,
        },
    )
    .await
    .unwrap()
    .user
}

async fn people(store: &dyn Store, clock: &dyn Clock) -> People {
    for team in ["Team A", "Team B"] {
        accounts::create_organization(store, clock, team)
            .await
            .unwrap();
    }
    let coach_a = person(
        store,
        clock,
        "coach.a@example.com",
        "Casey Coach",
        Some("Team A"),
        Some(Role::Coach),
    )
    .await;
    let athlete_a = person(
        store,
        clock,
        "ann@example.com",
        "Ann Athlete",
        Some("Team A"),
        None,
    )
    .await;
    let teammate_a = person(
        store,
        clock,
        "tom@example.com",
        "Tom Teammate",
        Some("Team A"),
        None,
    )
    .await;
    let coach_b = person(
        store,
        clock,
        "coach.b@example.com",
        "Bea Coach",
        Some("Team B"),
        Some(Role::Coach),
    )
    .await;
    let athlete_b = person(
        store,
        clock,
        "bob@example.com",
        "Bob Athlete",
        Some("Team B"),
        None,
    )
    .await;
    let lone = person(store, clock, "solo@example.com", "Sol Solo", None, None).await;
    for (coach, athlete) in [
        ("coach.a@example.com", "ann@example.com"),
        ("coach.a@example.com", "tom@example.com"),
        ("coach.b@example.com", "bob@example.com"),
    ] {
        accounts::assign_coach(store, clock, coach, athlete, None)
            .await
            .unwrap();
    }
    People {
        coach_a,
        athlete_a,
        teammate_a,
        coach_b,
        athlete_b,
        lone,
    }
}

async fn setup(db: &TestContext) -> (SqlStore, FixedClock, People) {
    let store = db.open().await;
    let clock = FixedClock::new(NOW);
    let people = people(&store, &clock).await;
    (store, clock, people)
}

fn unseen_of(contacts: &[messaging::Contact], user: &User) -> u64 {
    contacts
        .iter()
        .find(|c| c.user.id == user.id)
        .map(|c| c.unseen_messages)
        .unwrap()
}
