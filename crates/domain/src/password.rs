//! Passwords: the plaintext type that never prints, and argon2id hashing.

use argon2::password_hash::{PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, PasswordHash as PhcHash, Version};
use std::fmt;

/// Shortest password accepted for a new account.
pub const MIN_LEN: usize = 8;
/// Longest password accepted: bounds the work one login attempt can cost.
pub const MAX_LEN: usize = 1024;

/// A plaintext password. Its `Debug` form is redacted so it never reaches a log.
#[derive(Clone)]
pub struct Password(String);

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// Why a password is refused for a new account.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WeakPassword {
    /// Fewer than [`MIN_LEN`] characters.
    #[error("the password must have at least {MIN_LEN} characters")]
    TooShort,
    /// More than [`MAX_LEN`] bytes.
    #[error("the password must have at most {MAX_LEN} bytes")]
    TooLong,
}

impl Password {
    /// Wraps a password given at login, where only the length cap applies.
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// Wraps a password chosen for a new account, checking its length.
    pub fn new_for_account(text: impl Into<String>) -> Result<Self, WeakPassword> {
        let text = text.into();
        if text.chars().count() < MIN_LEN {
            Err(WeakPassword::TooShort)
        } else if text.len() > MAX_LEN {
            Err(WeakPassword::TooLong)
        } else {
            Ok(Self(text))
        }
    }

    /// The plaintext, for the hasher only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// An argon2id hash in PHC string form, as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(<redacted>)")
    }
}

/// Hashing failed; only possible with broken parameters, never because of the input.
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

impl PasswordHash {
    /// Wraps a PHC string read from storage.
    pub fn from_stored(phc: String) -> Self {
        Self(phc)
    }

    /// The PHC string to store.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Hashes `password` with argon2id at the OWASP-recommended cost (19 MiB, two passes,
    /// one lane) and a fresh random salt. This takes tens of milliseconds on purpose: call it
    /// off the async executor.
    pub fn create(password: &Password) -> Result<Self, HashError> {
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        let phc = hasher()?
            .hash_password(password.expose().as_bytes(), &salt)
            .map_err(|e| HashError(e.to_string()))?;
        Ok(Self(phc.to_string()))
    }

    /// Checks `password` against this hash in constant time. A malformed stored hash
    /// verifies nothing.
    pub fn verify(&self, password: &Password) -> bool {
        if password.expose().len() > MAX_LEN {
            return false;
        }
        let Ok(parsed) = PhcHash::new(&self.0) else {
            return false;
        };
        Argon2::default()
            .verify_password(password.expose().as_bytes(), &parsed)
            .is_ok()
    }
}

fn hasher() -> Result<Argon2<'static>, HashError> {
    let params = Params::new(19 * 1024, 2, 1, None).map_err(|e| HashError(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_and_nothing_else() {
        let password = Password::new_for_account("correct horse battery").unwrap();
        let hash = PasswordHash::create(&password).unwrap();
        assert!(hash.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(hash.verify(&password));
        assert!(!hash.verify(&Password::new("correct horse battery!")));
        assert!(!PasswordHash::from_stored("garbage".into()).verify(&password));
    }

    #[test]
    fn two_hashes_of_one_password_differ_by_salt() {
        let password = Password::new("same password");
        let a = PasswordHash::create(&password).unwrap();
        let b = PasswordHash::create(&password).unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn account_passwords_have_a_length_range() {
        assert_eq!(
            Password::new_for_account("short").unwrap_err(),
            WeakPassword::TooShort
        );
        assert_eq!(
            Password::new_for_account("x".repeat(MAX_LEN + 1)).unwrap_err(),
            WeakPassword::TooLong
        );
        assert!(Password::new_for_account("ünïcødé!").is_ok());
    }

    #[test]
    fn secrets_never_print() {
        let password = Password::new("hunter2hunter2");
        let hash = PasswordHash::create(&password).unwrap();
        assert!(!format!("{password:?}{hash:?}").contains("hunter2"));
        assert!(!format!("{hash:?}").contains("argon2"));
    }
}
