//! Credentials: generating them, hashing them for storage and comparing them in constant
//! time. Tokens, codes and client secrets carry 256 bits of randomness, so one SHA-256 is
//! the right hash for them: it makes a stolen database useless for presenting a token and
//! keeps a token check to one indexed lookup (a password hash here would be pointless work).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::Rng;
use sha2::{Digest, Sha256};
use std::fmt;
use subtle::ConstantTimeEq;

/// The characters of RFC 3986's unreserved set: safe in URLs, forms and Basic credentials
/// whatever encoding a client library applies.
const UNRESERVED: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

/// A credential in plaintext (a token, a code, a client secret). Prints redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl Secret {
    /// Wraps a credential received from a client.
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// `prefix` and 32 random bytes in base64url (43 characters).
    pub fn generate(prefix: &str, rng: &mut impl Rng) -> Self {
        let bytes: [u8; 32] = rng.random();
        Self(format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// `len` random characters of the unreserved set: for client secrets.
    pub fn generate_unreserved(len: usize, rng: &mut impl Rng) -> Self {
        Self(
            (0..len)
                .map(|_| {
                    let index = rng.random_range(0..UNRESERVED.len());
                    char::from(UNRESERVED.get(index).copied().unwrap_or(b'A'))
                })
                .collect(),
        )
    }

    /// The plaintext, to hand to its owner exactly once.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The hash to store and look up.
    pub fn hash(&self) -> SecretHash {
        SecretHash::of(&self.0)
    }
}

/// Whether `text` uses only unreserved characters (RFC 3986), as client ids and secrets
/// must so that every client library encodes them the same way.
pub fn is_unreserved(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| UNRESERVED.contains(&b))
}

/// The SHA-256 of a credential, as 64 lowercase hex digits.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SecretHash(String);

impl fmt::Debug for SecretHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretHash({}…)", self.0.get(..8).unwrap_or(""))
    }
}

impl SecretHash {
    /// Hashes `text`.
    pub fn of(text: &str) -> Self {
        Self(hex(&Sha256::digest(text.as_bytes())))
    }

    /// Wraps a stored hash.
    pub fn from_stored(hex: String) -> Self {
        Self(hex)
    }

    /// The stored form.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `candidate` hashes to this, compared in constant time.
    pub fn matches(&self, candidate: &str) -> bool {
        constant_time_eq(self.0.as_bytes(), Self::of(candidate).0.as_bytes())
    }
}

/// Bytes as lowercase hexadecimal: how SHA-256 digests are stored and shown.
pub fn hex(bytes: &[u8]) -> String {
    let digit = |nibble: u8| {
        char::from(if nibble < 10 {
            b'0' + nibble
        } else {
            b'a' + nibble - 10
        })
    };
    let mut out = String::with_capacity(bytes.len() * 2);
    for &byte in bytes {
        out.push(digit(byte >> 4));
        out.push(digit(byte & 0x0f));
    }
    out
}

/// Compares two byte strings in time that depends only on their lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// Whether `verifier` is a PKCE code verifier (RFC 7636 section 4.1: 43 to 128 unreserved
/// characters).
pub fn is_code_verifier(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len()) && is_unreserved(verifier)
}

/// Whether `challenge` is an S256 code challenge: 43 base64url characters, no padding.
pub fn is_s256_challenge(challenge: &str) -> bool {
    challenge.len() == 43
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Whether `verifier` hashes to `challenge` under S256, compared in constant time.
pub fn pkce_s256_matches(verifier: &str, challenge: &str) -> bool {
    let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    constant_time_eq(computed.as_bytes(), challenge.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn hashes_are_lowercase_hex_of_sha256() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
        assert_eq!(hex(&[]), "");
        // FIPS 180-2, appendix B.1.
        assert_eq!(
            SecretHash::of("abc").as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn rfc7636_appendix_b_example() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(is_code_verifier(verifier));
        assert!(is_s256_challenge(challenge));
        assert!(pkce_s256_matches(verifier, challenge));
        assert!(!pkce_s256_matches(
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXK",
            challenge
        ));
    }

    #[test]
    fn challenges_and_verifiers_are_checked_for_shape() {
        let ok = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        for bad in [
            &ok[..42],
            &format!("{ok}A"),
            &format!("{}=", &ok[..42]),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM",
        ] {
            assert!(!is_s256_challenge(bad), "{bad}");
        }
        assert!(!is_code_verifier(&"a".repeat(42)));
        assert!(is_code_verifier(&"a".repeat(128)));
        assert!(!is_code_verifier(&"a".repeat(129)));
        assert!(!is_code_verifier(&format!("{} ", "a".repeat(43))));
    }

    #[test]
    fn generated_credentials_have_their_shape() {
        let mut rng = StdRng::seed_from_u64(7);
        let token = Secret::generate("tia_at_", &mut rng);
        assert!(token.expose().starts_with("tia_at_"));
        assert_eq!(token.expose().len(), 7 + 43);
        let secret = Secret::generate_unreserved(48, &mut rng);
        assert!(is_unreserved(secret.expose()));
        assert_eq!(secret.expose().len(), 48);
        assert!(!format!("{token:?}").contains("tia_at_"));
    }

    #[test]
    fn hashes_match_only_their_text() {
        let hash = SecretHash::of("tia_at_abc");
        assert_eq!(hash.as_str().len(), 64);
        assert!(hash.matches("tia_at_abc"));
        assert!(!hash.matches("tia_at_abd"));
        assert_eq!(
            SecretHash::of("abc").as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
