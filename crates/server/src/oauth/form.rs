//! Reading OAuth requests: form bodies and queries as ordered pairs (so repeated parameters
//! can be refused), and client credentials from HTTP Basic or the form.

use axum::http::{HeaderMap, header};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use paceline_domain::oauth::OAuthError;
use paceline_domain::oauth::secret::Secret;
use paceline_domain::oauth::token::ClientAuth;

/// Decoded `name=value` pairs, in order.
pub(crate) type Pairs = Vec<(String, String)>;

/// Parses an `application/x-www-form-urlencoded` text.
pub(crate) fn parse(text: &[u8]) -> Pairs {
    form_urlencoded::parse(text)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Whether the request declares a form body.
pub(crate) fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| {
            mime.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

/// The single non-empty value of `name`; repeated parameters are an error (RFC 6749
/// section 3.1), empty ones count as absent.
pub(crate) fn single<'a>(pairs: &'a Pairs, name: &str) -> Result<Option<&'a str>, OAuthError> {
    let mut values = pairs.iter().filter(|(k, v)| k == name && !v.is_empty());
    let first = values.next().map(|(_, v)| v.as_str());
    if values.next().is_some() {
        return Err(OAuthError::invalid_request(format!("{name} is repeated")));
    }
    Ok(first)
}

/// Refuses any parameter sent twice.
pub(crate) fn refuse_repeats(pairs: &Pairs) -> Result<(), OAuthError> {
    for (i, (name, _)) in pairs.iter().enumerate() {
        if pairs.iter().skip(i + 1).any(|(other, _)| other == name) {
            return Err(OAuthError::invalid_request(format!("{name} is repeated")));
        }
    }
    Ok(())
}

/// The client's credentials: HTTP Basic (each part form-decoded, RFC 6749 section 2.3.1),
/// or `client_id` and `client_secret` in the form, never both.
pub(crate) fn client_auth(headers: &HeaderMap, pairs: &Pairs) -> Result<ClientAuth, OAuthError> {
    let form_id = single(pairs, "client_id")?;
    let form_secret = single(pairs, "client_secret")?;
    let basic = match headers.get(header::AUTHORIZATION) {
        None => None,
        Some(value) => Some(parse_basic(value.to_str().unwrap_or(""))?),
    };
    match (basic, form_id, form_secret) {
        (Some(_), _, Some(_)) => Err(OAuthError::invalid_request(
            "use one client authentication method: HTTP Basic or client_secret, not both",
        )),
        (Some((id, _)), Some(form_id), None) if form_id != id => Err(OAuthError::invalid_request(
            "client_id differs from the HTTP Basic user",
        )),
        (Some((client_id, secret)), _, None) => Ok(ClientAuth::Basic { client_id, secret }),
        (None, Some(client_id), Some(secret)) => Ok(ClientAuth::Post {
            client_id: client_id.to_owned(),
            secret: Secret::new(secret),
        }),
        (None, Some(client_id), None) => Ok(ClientAuth::Public {
            client_id: client_id.to_owned(),
        }),
        (None, None, _) => Err(OAuthError::invalid_client(
            "client authentication is missing",
        )),
    }
}

fn parse_basic(value: &str) -> Result<(String, Secret), OAuthError> {
    let malformed = || OAuthError::invalid_client("malformed HTTP Basic credentials");
    let (scheme, encoded) = value.trim().split_once(' ').ok_or_else(malformed)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(malformed());
    }
    let decoded = STANDARD.decode(encoded.trim()).map_err(|_| malformed())?;
    let decoded = String::from_utf8(decoded).map_err(|_| malformed())?;
    let (id, secret) = decoded.split_once(':').ok_or_else(malformed)?;
    let id = form_decode(id).ok_or_else(malformed)?;
    let secret = form_decode(secret).ok_or_else(malformed)?;
    if id.is_empty() {
        return Err(malformed());
    }
    Ok((id, Secret::new(secret)))
}

/// Decodes one `application/x-www-form-urlencoded` component (`+` is a space).
fn form_decode(text: &str) -> Option<String> {
    let spaced = text.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8()
        .ok()
        .map(|s| s.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn basic(user: &str, password: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let value = format!("Basic {}", STANDARD.encode(format!("{user}:{password}")));
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&value).unwrap(),
        );
        headers
    }

    #[test]
    fn basic_credentials_are_form_decoded() {
        let headers = basic("my%2Dapp", "s%3Acret%2B-_.~+x");
        match client_auth(&headers, &Vec::new()).unwrap() {
            ClientAuth::Basic { client_id, secret } => {
                assert_eq!(client_id, "my-app");
                assert_eq!(secret.expose(), "s:cret+-_.~ x");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn one_method_only() {
        let pairs = parse(b"client_id=a&client_secret=b");
        assert!(matches!(
            client_auth(&HeaderMap::new(), &pairs).unwrap(),
            ClientAuth::Post { .. }
        ));
        assert!(client_auth(&basic("a", "b"), &pairs).is_err());
        let public = parse(b"client_id=a");
        assert!(matches!(
            client_auth(&HeaderMap::new(), &public).unwrap(),
            ClientAuth::Public { .. }
        ));
        assert!(
            client_auth(&basic("b", "x"), &public).is_err(),
            "ids disagree"
        );
        assert!(client_auth(&HeaderMap::new(), &Vec::new()).is_err());
    }

    #[test]
    fn repeats_and_empties() {
        let pairs = parse(b"a=1&b=&a=2");
        assert!(single(&pairs, "a").is_err());
        assert_eq!(single(&pairs, "b").unwrap(), None);
        assert!(refuse_repeats(&pairs).is_err());
        assert!(refuse_repeats(&parse(b"a=1&b=2")).is_ok());
    }
}
