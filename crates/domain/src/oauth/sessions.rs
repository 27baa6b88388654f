//! Login sessions of the web pages: a password check that takes as long for an unknown
//! e-mail address as for a wrong password, and a random session cookie stored as a hash.

use crate::clock::Clock;
use crate::email::Email;
use crate::ids::UserId;
use crate::oauth::OAuthSettings;
use crate::oauth::secret::{Secret, SecretHash};
use crate::oauth::store::WebSession;
use crate::password::{Password, PasswordHash};
use crate::store::{Store, StoreError};
use rand::Rng;
use std::sync::OnceLock;

/// The prefix of session cookies' values.
const SESSION_PREFIX: &str = "pl_ses_";

/// Why a login failed.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// Unknown address or wrong password; deliberately not told apart.
    #[error("the e-mail address or password is wrong")]
    BadCredentials,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A hash to verify against when the address is unknown, so that the answer takes the
/// same time either way.
fn decoy_hash() -> &'static PasswordHash {
    static DECOY: OnceLock<PasswordHash> = OnceLock::new();
    DECOY.get_or_init(|| {
        PasswordHash::create(&Password::new("decoy password for unknown accounts"))
            .unwrap_or_else(|_| PasswordHash::from_stored(String::new()))
    })
}

/// Checks an e-mail address and password and opens a session; returns the cookie value.
pub async fn login(
    store: &dyn Store,
    clock: &dyn Clock,
    rng: &mut (impl Rng + Send),
    settings: &OAuthSettings,
    email: &str,
    password: Password,
) -> Result<(Secret, WebSession), LoginError> {
    let user = match Email::parse(email) {
        Ok(email) => store.find_user_by_email(&email).await?,
        Err(_) => None,
    };
    let hash = user
        .as_ref()
        .map_or_else(|| decoy_hash().clone(), |u| u.password_hash.clone());
    let verified = tokio::task::spawn_blocking(move || hash.verify(&password))
        .await
        .map_err(|e| StoreError::Other(format!("password check task: {e}")))?;
    let user = match (user, verified) {
        (Some(user), true) => user,
        _ => return Err(LoginError::BadCredentials),
    };
    Ok(start(store, clock, rng, settings, user.id).await?)
}

/// Starts a login session for `user`, who has just proven who they are some other way (an
/// invitation accepted, a password just chosen): the cookie value and the session.
pub async fn start(
    store: &dyn Store,
    clock: &dyn Clock,
    rng: &mut (impl Rng + Send),
    settings: &OAuthSettings,
    user: UserId,
) -> Result<(Secret, WebSession), StoreError> {
    let cookie = Secret::generate(SESSION_PREFIX, rng);
    let now = clock.now();
    let session = store
        .create_web_session(&cookie.hash(), user, now, now + settings.session_ttl)
        .await?;
    Ok((cookie, session))
}

/// The live session behind a cookie value, if any.
pub async fn current(
    store: &dyn Store,
    clock: &dyn Clock,
    cookie: &str,
) -> Result<Option<WebSession>, StoreError> {
    if !cookie.starts_with(SESSION_PREFIX) {
        return Ok(None);
    }
    store
        .find_web_session(&SecretHash::of(cookie), clock.now())
        .await
}

/// Ends the session behind a cookie value.
pub async fn logout(store: &dyn Store, cookie: &str) -> Result<(), StoreError> {
    store.delete_web_session(&SecretHash::of(cookie)).await
}

/// Why a password was not changed.
#[derive(Debug, thiserror::Error)]
pub enum PasswordChangeError {
    /// The current password given is wrong.
    #[error("the current password is wrong")]
    WrongPassword,
    /// The new password breaks a rule.
    #[error(transparent)]
    Weak(#[from] crate::password::WeakPassword),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Changes `user`'s password after checking the current one. Every login session and app
/// token of theirs ends with the old password ([`crate::store::AccountStore::set_password_hash`]);
/// the person who changed it gets a new session, whose cookie value this answers.
pub async fn change_password(
    store: &dyn Store,
    clock: &dyn Clock,
    rng: &mut (impl Rng + Send),
    settings: &OAuthSettings,
    user: &crate::entities::User,
    current: Password,
    new: &str,
) -> Result<(Secret, WebSession), PasswordChangeError> {
    let new = Password::new_for_account(new)?;
    let hash = user.password_hash.clone();
    let verified = tokio::task::spawn_blocking(move || hash.verify(&current))
        .await
        .map_err(|e| StoreError::Other(format!("password check task: {e}")))?;
    if !verified {
        return Err(PasswordChangeError::WrongPassword);
    }
    let hash = tokio::task::spawn_blocking(move || PasswordHash::create(&new))
        .await
        .map_err(|e| StoreError::Other(format!("password hash task: {e}")))?
        .map_err(|e| StoreError::Other(format!("password hash: {e}")))?;
    let now = clock.now();
    store.set_password_hash(user.id, &hash, now).await?;
    let cookie = Secret::generate(SESSION_PREFIX, rng);
    let session = store
        .create_web_session(&cookie.hash(), user.id, now, now + settings.session_ttl)
        .await?;
    Ok((cookie, session))
}

/// Ends every login session of `user`, this one included; how many there were.
pub async fn sign_out_everywhere(store: &dyn Store, user: UserId) -> Result<u64, StoreError> {
    store.delete_web_sessions_of(user).await
}
