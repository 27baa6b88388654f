//! E-mail addresses, the login name of every account.

use std::fmt;

/// An e-mail address, trimmed and lowercased so that one mailbox is one account.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

/// Why a text is not an acceptable e-mail address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a valid e-mail address")]
pub struct InvalidEmail(pub String);

/// RFC 5321 caps a forward path at 254 characters.
const MAX_LEN: usize = 254;

impl Email {
    /// Accepts `local@domain` with a non-empty local part, a domain of dot-separated labels
    /// of letters, digits and hyphens, no spaces and no control characters.
    pub fn parse(text: &str) -> Result<Self, InvalidEmail> {
        let trimmed = text.trim();
        let invalid = || InvalidEmail(trimmed.to_owned());
        if trimmed.is_empty() || trimmed.len() > MAX_LEN {
            return Err(invalid());
        }
        let (local, domain) = trimmed.rsplit_once('@').ok_or_else(invalid)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.contains('@')
            && local
                .chars()
                .all(|c| !c.is_whitespace() && !c.is_control() && !"<>()[],;:\\\"".contains(c));
        let domain_ok = !domain.is_empty()
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        if local_ok && domain_ok {
            Ok(Self(trimmed.to_lowercase()))
        } else {
            Err(invalid())
        }
    }

    /// The normalized address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_trimmed_and_lowercased() {
        let email = Email::parse("  Max.Mustermann@Example.COM ").unwrap();
        assert_eq!(email.as_str(), "max.mustermann@example.com");
    }

    #[test]
    fn common_valid_forms_are_accepted() {
        for ok in [
            "a@b",
            "first+tag@sub.example.org",
            "o'brien@example.ie",
            "x@localhost",
        ] {
            assert!(Email::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn malformed_addresses_are_refused() {
        for bad in [
            "",
            "   ",
            "plain",
            "@example.com",
            "user@",
            "us er@example.com",
            "user@exa mple.com",
            "user@-example.com",
            "user@example..com",
            "a@b@c",
            "user\n@example.com",
            "<user>@example.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
        assert!(Email::parse(&format!("{}@example.com", "a".repeat(250))).is_err());
    }
}
