//! OAuth clients: the apps an administrator registers, with their exact redirect URIs and
//! the scopes they may request.

use crate::oauth::scope::ScopeSet;
use crate::oauth::secret::{SecretHash, is_unreserved};
use std::fmt;
use time::OffsetDateTime;

/// The key of a client's row (never shown; clients are known by their `client_id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientKey(pub i64);

/// A registered client.
#[derive(Debug, Clone, PartialEq)]
pub struct OAuthClient {
    /// Row key.
    pub key: ClientKey,
    /// The public identifier, drawn from the unreserved characters.
    pub client_id: String,
    /// Shown on the consent page.
    pub name: String,
    /// The secret's hash for a confidential client; `None` for a public client.
    pub secret_hash: Option<SecretHash>,
    /// Redirect URIs, compared byte for byte.
    pub redirect_uris: Vec<String>,
    /// The scopes it may request.
    pub allowed_scopes: ScopeSet,
    /// Registration time.
    pub created_at: OffsetDateTime,
    /// Last change.
    pub updated_at: OffsetDateTime,
}

impl OAuthClient {
    /// Whether the client authenticates with a secret.
    pub fn is_confidential(&self) -> bool {
        self.secret_hash.is_some()
    }

    /// Whether `uri` is one of the registered redirect URIs: byte for byte (RFC 9700
    /// section 4.1.3: simple string comparison), except that a loopback IP redirect URI of
    /// a native app matches with any port (RFC 8252 section 7.3), everything else still
    /// exact.
    pub fn has_redirect_uri(&self, uri: &str) -> bool {
        self.redirect_uris
            .iter()
            .any(|registered| registered == uri || loopback_match(registered, uri))
    }
}

/// Why a redirect URI cannot be registered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("redirect URI `{uri}` refused: {reason}")]
pub struct InvalidRedirectUri {
    /// The URI given.
    pub uri: String,
    /// Why.
    pub reason: &'static str,
}

/// Checks a redirect URI for registration (RFC 6749 section 3.1.2, RFC 9700 section 2.6,
/// RFC 8252 section 7): absolute; no fragment, no user information, no wildcard; `https`, or
/// `http` only on a loopback address, or a private-use scheme of a native app written as a
/// reversed domain name (`com.example.app:/callback`).
pub fn check_redirect_uri(uri: &str) -> Result<(), InvalidRedirectUri> {
    let refuse = |reason| {
        Err(InvalidRedirectUri {
            uri: uri.to_owned(),
            reason,
        })
    };
    if uri.len() > 2000 {
        return refuse("longer than 2000 characters");
    }
    if uri.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return refuse("it contains spaces or control characters");
    }
    if uri.contains('#') {
        return refuse("it has a fragment");
    }
    if uri.contains('*') {
        return refuse("wildcards are not allowed");
    }
    let Some((scheme, rest)) = uri.split_once(':') else {
        return refuse("it is not an absolute URI");
    };
    let scheme_ok = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase())
        && scheme
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "+-.".contains(c));
    if !scheme_ok {
        return refuse("the scheme must be lowercase letters, digits, `+`, `-` or `.`");
    }
    match scheme {
        "https" | "http" => {
            let Some(after) = rest.strip_prefix("//") else {
                return refuse("it is not an absolute URI");
            };
            let authority = after.split(['/', '?']).next().unwrap_or("");
            if authority.contains('@') {
                return refuse("user information is not allowed");
            }
            let host = host_of(authority);
            if host.is_empty() {
                return refuse("it has no host");
            }
            if scheme == "http" && !is_loopback(host) {
                return refuse(
                    "plain http is allowed only for loopback addresses (127.0.0.1, [::1])",
                );
            }
            Ok(())
        }
        "javascript" | "data" | "file" | "vbscript" | "blob" | "about" | "ftp" | "ws" | "wss" => {
            refuse("this scheme cannot receive an authorization response")
        }
        _ if scheme.contains('.') => Ok(()),
        _ => refuse("a private-use scheme must be a reversed domain name, such as com.example.app"),
    }
}

/// The host and the rest (path and query) of an `http` URI on a loopback IP literal, with
/// the port dropped.
fn loopback_parts(uri: &str) -> Option<(&str, &str)> {
    let rest = uri.strip_prefix("http://")?;
    let (host, after_host) = if let Some(v6) = rest.strip_prefix("[::1]") {
        ("[::1]", v6)
    } else {
        let end = rest.find([':', '/', '?']).unwrap_or(rest.len());
        let host = rest.get(..end)?;
        if !host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
        {
            return None;
        }
        (host, rest.get(end..)?)
    };
    let tail = match after_host.strip_prefix(':') {
        Some(port_and_tail) => {
            let end = port_and_tail
                .find(['/', '?'])
                .unwrap_or(port_and_tail.len());
            let (port, tail) = port_and_tail.split_at(end);
            if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            tail
        }
        None => after_host,
    };
    Some((host, tail))
}

fn loopback_match(registered: &str, requested: &str) -> bool {
    match (loopback_parts(registered), loopback_parts(requested)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

fn host_of(authority: &str) -> &str {
    if let Some(rest) = authority.strip_prefix('[') {
        return rest.split(']').next().map_or("", |h| h);
    }
    authority
        .rsplit_once(':')
        .map_or(authority, |(host, _port)| host)
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Why a client id is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a client id must be 3 to 100 characters of A-Z, a-z, 0-9, `-`, `.`, `_` and `~`")]
pub struct InvalidClientId;

/// Checks an administrator-chosen client id: the unreserved characters only, so no client
/// library can encode it two ways.
pub fn check_client_id(client_id: &str) -> Result<(), InvalidClientId> {
    if (3..=100).contains(&client_id.len()) && is_unreserved(client_id) {
        Ok(())
    } else {
        Err(InvalidClientId)
    }
}

impl fmt::Display for ClientKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_redirect_uris_are_accepted() {
        for ok in [
            "https://your.app/oauth/callback",
            "https://your.app:8443/cb?tenant=1",
            "http://127.0.0.1/cb",
            "http://127.0.0.1:53124/cb",
            "http://[::1]:8080/cb",
            "http://localhost:3000/callback",
            "com.example.app:/oauth2redirect",
        ] {
            assert_eq!(check_redirect_uri(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn unsafe_redirect_uris_are_refused() {
        for bad in [
            "/cb",
            "your.app/cb",
            "https://a/cb#x",
            "http://a.example/cb",
            "https://*.a/cb",
            "https://u@a/cb",
            "https://u:p@a/cb",
            "javascript:alert(1)",
            "data:text/html,hi",
            "file:///etc/passwd",
            "https:///cb",
            "https://a/c b",
            "myapp:/cb",
            "HTTPS://a/cb",
            "http://127.0.0.1.evil.example/cb",
        ] {
            assert!(check_redirect_uri(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn loopback_redirects_match_with_any_port_and_nothing_else() {
        let client = OAuthClient {
            key: ClientKey(1),
            client_id: "native".into(),
            name: "Native".into(),
            secret_hash: None,
            redirect_uris: vec![
                "http://127.0.0.1/cb".into(),
                "http://[::1]:8000/cb?x=1".into(),
            ],
            allowed_scopes: ScopeSet::EMPTY,
            created_at: OffsetDateTime::UNIX_EPOCH,
            updated_at: OffsetDateTime::UNIX_EPOCH,
        };
        for ok in [
            "http://127.0.0.1/cb",
            "http://127.0.0.1:53124/cb",
            "http://[::1]/cb?x=1",
            "http://[::1]:1/cb?x=1",
        ] {
            assert!(client.has_redirect_uri(ok), "{ok}");
        }
        for bad in [
            "http://127.0.0.1:53124/cb2",
            "http://localhost:53124/cb",
            "http://[::1]:53124/cb",
            "http://127.0.0.1:/cb",
            "http://127.0.0.1:53124/cb?x=1",
            "https://127.0.0.1:53124/cb",
            "http://127.0.0.2:53124/cb",
            "http://127.0.0.1:12ab/cb",
        ] {
            assert!(!client.has_redirect_uri(bad), "{bad}");
        }
    }

    #[test]
    fn client_ids_use_unreserved_characters() {
        assert!(check_client_id("my-app_1.0~beta").is_ok());
        for bad in ["ab", "has space", "a/b", "a:b", "é-app", &"x".repeat(101)] {
            assert!(check_client_id(bad).is_err(), "{bad}");
        }
    }
}
