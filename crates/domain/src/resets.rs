//! Password reset by a one-time link. The operator prints one (`paceline admin user
//! reset-link`), or the login page's "forgot" form e-mails one when SMTP is configured;
//! whoever opens it within the hour chooses a new password, which ends every login session
//! and app token of the account as a password change does. Only the token's SHA-256 is kept.

use crate::accounts::AccountError;
use crate::clock::Clock;
use crate::ids::UserId;
use crate::oauth::secret::{Secret, SecretHash};
use crate::password::{Password, PasswordHash};
use crate::store::{Store, StoreError};
use async_trait::async_trait;
use rand::Rng;
use time::{Duration, OffsetDateTime};

/// How long a reset link works.
pub const RESET_LIFETIME: Duration = Duration::hours(1);

/// The prefix of a reset token.
const TOKEN_PREFIX: &str = "plr_";

/// Storage for reset links.
#[async_trait]
pub trait ResetStore: Send + Sync {
    /// Stores a reset link for `user`.
    async fn create_password_reset(
        &self,
        token_hash: &SecretHash,
        user: UserId,
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<(), StoreError>;

    /// The user of a reset link that still works at `now`.
    async fn password_reset_user(
        &self,
        token_hash: &SecretHash,
        now: OffsetDateTime,
    ) -> Result<Option<UserId>, StoreError>;

    /// Uses a working reset link: in one transaction the link is closed (with every other
    /// open link of the user), the password replaced and every login session and app token
    /// of the user ended. `None`, with nothing written, when the link no longer works.
    async fn reset_password(
        &self,
        token_hash: &SecretHash,
        hash: &PasswordHash,
        now: OffsetDateTime,
    ) -> Result<Option<UserId>, StoreError>;
}

/// Why a reset failed.
#[derive(Debug, thiserror::Error)]
pub enum ResetError {
    /// The link is unknown, used or expired.
    #[error("this reset link does not work any more")]
    Closed,
    /// The new password is refused.
    #[error(transparent)]
    Account(#[from] AccountError),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A new reset link's token for `user`, shown once.
pub async fn reset_link(
    store: &dyn Store,
    clock: &dyn Clock,
    rng: &mut (impl Rng + Send),
    user: UserId,
) -> Result<Secret, StoreError> {
    let token = Secret::generate(TOKEN_PREFIX, rng);
    let now = clock.now();
    store
        .create_password_reset(&token.hash(), user, now, now + RESET_LIFETIME)
        .await?;
    Ok(token)
}

/// Whose link this is, while it works.
pub async fn open(store: &dyn Store, clock: &dyn Clock, token: &str) -> Result<UserId, ResetError> {
    store
        .password_reset_user(&SecretHash::of(token), clock.now())
        .await?
        .ok_or(ResetError::Closed)
}

/// Sets the new password through the link.
pub async fn reset(
    store: &dyn Store,
    clock: &dyn Clock,
    token: &str,
    new: &str,
) -> Result<UserId, ResetError> {
    let password = Password::new_for_account(new).map_err(AccountError::from)?;
    let hash = crate::accounts::hash_password(password).await?;
    store
        .reset_password(&SecretHash::of(token), &hash, clock.now())
        .await?
        .ok_or(ResetError::Closed)
}
