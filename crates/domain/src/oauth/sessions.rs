//! Login sessions of the web pages: a password check that takes as long for an unknown
//! e-mail address as for a wrong password, and a random session cookie stored as a hash.

use crate::clock::Clock;
use crate::email::Email;
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
    let cookie = Secret::generate(SESSION_PREFIX, rng);
    let now = clock.now();
    let session = store
        .create_web_session(&cookie.hash(), user.id, now, now + settings.session_ttl)
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
