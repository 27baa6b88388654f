//! Who may act on whose training: an athlete on their own, a coach on the athletes assigned
//! to them, an owner of a coaching company on every athlete of it, and nobody on anyone
//! else's. Both API surfaces resolve a request's subject here.

use crate::ids::UserId;
use crate::store::{Store, StoreError};

/// The user a request acts for and the user whose records it reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subject {
    /// The token's user.
    pub actor: UserId,
    /// Whose records: the actor, or an athlete the actor coaches (or whose company they own).
    pub athlete: UserId,
}

impl Subject {
    /// An athlete acting on their own records.
    pub const fn own(user: UserId) -> Self {
        Self {
            actor: user,
            athlete: user,
        }
    }

    /// Whether the actor is the athlete's coach rather than the athlete.
    pub fn by_coach(&self) -> bool {
        self.actor != self.athlete
    }
}

/// Why a subject was refused.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    /// The actor does not coach this user (or no such user exists: the answer is the same).
    #[error("you do not coach athlete {0}")]
    NotYourAthlete(i64),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The subject of a request by `actor` for `athlete`'s records (their own when `None`).
pub async fn subject(
    store: &dyn Store,
    actor: UserId,
    athlete: Option<UserId>,
) -> Result<Subject, AccessError> {
    match athlete {
        None => Ok(Subject::own(actor)),
        Some(athlete) if athlete == actor => Ok(Subject::own(actor)),
        Some(athlete) if store.acts_for(actor, athlete).await? => Ok(Subject { actor, athlete }),
        Some(athlete) => Err(AccessError::NotYourAthlete(athlete.get())),
    }
}
