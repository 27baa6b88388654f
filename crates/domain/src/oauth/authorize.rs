//! The authorization endpoint's rules (RFC 6749 section 4.1.1, RFC 7636, RFC 9700): which
//! requests are answered on an error page (never redirecting to an unverified URI), which
//! by an error redirect, and when the user must log in or consent.

use crate::clock::Clock;
use crate::oauth::OAuthSettings;
use crate::oauth::client::OAuthClient;
use crate::oauth::error::{OAuthError, OAuthErrorCode};
use crate::oauth::scope::{ScopeError, ScopeSet};
use crate::oauth::secret::{Secret, SecretHash, is_s256_challenge};
use crate::oauth::store::{NewAuthorizationCode, WebSession};
use crate::store::{Store, StoreError};
use rand::Rng;

/// The `prompt` values understood.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Prompt {
    /// Never show a page; answer `login_required` or `consent_required` instead.
    pub none: bool,
    /// Ask for the password again, even with a live session (and allow another account).
    pub login: bool,
    /// Show the consent page even when consent was given before.
    pub consent: bool,
}

/// A request that passed validation.
#[derive(Debug, Clone)]
pub struct AuthorizationRequest {
    /// The client.
    pub client: OAuthClient,
    /// The registered redirect URI it named.
    pub redirect_uri: String,
    /// Requested scopes (the client's allowed scopes when it named none).
    pub scopes: ScopeSet,
    /// `state`, echoed back.
    pub state: Option<String>,
    /// PKCE S256 challenge.
    pub code_challenge: String,
    /// `prompt`.
    pub prompt: Prompt,
}

/// Why a request is refused, and how to answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// The client or redirect URI cannot be trusted: answer on an error page, never redirect.
    Page {
        /// The error.
        error: OAuthError,
    },
    /// Tell the client by redirecting to its verified redirect URI.
    Redirect {
        /// The verified redirect URI.
        redirect_uri: String,
        /// The error.
        error: OAuthError,
        /// `state` to echo, unless it was ambiguous.
        state: Option<String>,
    },
    /// Storage failed.
    Unavailable(OAuthError),
}

impl From<StoreError> for Rejection {
    fn from(error: StoreError) -> Self {
        Self::Unavailable(error.into())
    }
}

/// What the user must do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStep {
    /// Log in (again).
    Login,
    /// Approve or deny on the consent page.
    Consent,
    /// Nothing: issue the code and redirect at once.
    Approve,
}

/// Validates the query of an authorization request, given as its decoded pairs in order.
/// Parameters with empty values count as absent (RFC 6749 section 3.1).
pub async fn validate(
    store: &dyn Store,
    pairs: &[(String, String)],
) -> Result<AuthorizationRequest, Rejection> {
    let get = |name: &str| -> Result<Option<&str>, ()> {
        let mut values = pairs.iter().filter(|(k, v)| k == name && !v.is_empty());
        let first = values.next().map(|(_, v)| v.as_str());
        if values.next().is_some() {
            Err(())
        } else {
            Ok(first)
        }
    };
    let page = |description: &str| Rejection::Page {
        error: OAuthError::invalid_request(description),
    };

    // Client and redirect URI first: until both are verified, nothing redirects.
    let client_id = get("client_id")
        .map_err(|()| page("client_id is repeated"))?
        .ok_or_else(|| page("client_id is missing"))?;
    // Ids outside the registration alphabet cannot exist; they never reach the database.
    if crate::oauth::client::check_client_id(client_id).is_err() {
        return Err(Rejection::Page {
            error: OAuthError::invalid_client("unknown client_id"),
        });
    }
    let client = store
        .find_client(client_id)
        .await?
        .ok_or_else(|| Rejection::Page {
            error: OAuthError::invalid_client("unknown client_id"),
        })?;
    let redirect_uri = get("redirect_uri")
        .map_err(|()| page("redirect_uri is repeated"))?
        .ok_or_else(|| page("redirect_uri is missing"))?;
    if !client.has_redirect_uri(redirect_uri) {
        return Err(page(
            "redirect_uri does not match any URI registered for this client",
        ));
    }
    let redirect_uri = redirect_uri.to_owned();

    let state = get("state").ok().flatten().map(str::to_owned);
    let redirect = |error: OAuthError| Rejection::Redirect {
        redirect_uri: redirect_uri.clone(),
        error,
        state: state.clone(),
    };
    for name in [
        "response_type",
        "scope",
        "state",
        "code_challenge",
        "code_challenge_method",
        "prompt",
        "nonce",
        "response_mode",
    ] {
        if get(name).is_err() {
            return Err(redirect(OAuthError::invalid_request(format!(
                "{name} is repeated"
            ))));
        }
    }
    let single = |name: &str| get(name).ok().flatten();

    match single("response_type") {
        None => {
            return Err(redirect(OAuthError::invalid_request(
                "response_type is missing",
            )));
        }
        Some("code") => {}
        Some(_) => {
            return Err(redirect(OAuthError::new(
                OAuthErrorCode::UnsupportedResponseType,
                "only response_type=code is supported",
            )));
        }
    }
    if single("response_mode").is_some_and(|mode| mode != "query") {
        return Err(redirect(OAuthError::invalid_request(
            "only response_mode=query is supported",
        )));
    }

    let scopes = match single("scope") {
        None => client.allowed_scopes,
        Some(text) => ScopeSet::parse(text).map_err(|e| {
            redirect(OAuthError::invalid_scope(match e {
                ScopeError::Malformed => "the scope parameter is malformed".to_owned(),
                ScopeError::Unknown(name) => format!("unknown scope `{name}`"),
            }))
        })?,
    };
    if !client.allowed_scopes.includes(scopes) {
        let refused: Vec<&str> = scopes
            .iter()
            .filter(|s| !client.allowed_scopes.contains(*s))
            .map(|s| s.name())
            .collect();
        return Err(redirect(OAuthError::invalid_scope(format!(
            "this client may not request: {}",
            refused.join(" ")
        ))));
    }
    if scopes.is_empty() {
        return Err(redirect(OAuthError::invalid_scope("no scope requested")));
    }

    let code_challenge = single("code_challenge").ok_or_else(|| {
        redirect(OAuthError::invalid_request(
            "code_challenge is required (PKCE with S256)",
        ))
    })?;
    match single("code_challenge_method") {
        Some("S256") => {}
        None => {
            return Err(redirect(OAuthError::invalid_request(
                "code_challenge_method is required and must be S256 (plain is not supported)",
            )));
        }
        Some(_) => {
            return Err(redirect(OAuthError::invalid_request(
                "code_challenge_method must be S256 (plain is not supported)",
            )));
        }
    }
    if !is_s256_challenge(code_challenge) {
        return Err(redirect(OAuthError::invalid_request(
            "code_challenge must be 43 base64url characters (the S256 of the verifier)",
        )));
    }

    let mut prompt = Prompt::default();
    if let Some(text) = single("prompt") {
        for value in text.split(' ') {
            match value {
                "none" => prompt.none = true,
                "login" => prompt.login = true,
                "consent" => prompt.consent = true,
                "select_account" => prompt.login = true,
                _ => {
                    return Err(redirect(OAuthError::invalid_request(format!(
                        "unsupported prompt value `{value}`"
                    ))));
                }
            }
        }
        if prompt.none && (prompt.login || prompt.consent) {
            return Err(redirect(OAuthError::invalid_request(
                "prompt=none cannot be combined with other values",
            )));
        }
    }

    Ok(AuthorizationRequest {
        client,
        redirect_uri,
        scopes,
        state,
        code_challenge: code_challenge.to_owned(),
        prompt,
    })
}

/// Decides what happens next for a validated request and the user's session, if any.
/// `prompt=none` turns a needed page into a `login_required` or `consent_required` redirect.
pub async fn next_step(
    store: &dyn Store,
    request: &AuthorizationRequest,
    session: Option<&WebSession>,
) -> Result<NextStep, Rejection> {
    let redirect = |code: OAuthErrorCode, description: &str| Rejection::Redirect {
        redirect_uri: request.redirect_uri.clone(),
        error: OAuthError::new(code, description),
        state: request.state.clone(),
    };
    let Some(session) = session.filter(|_| !request.prompt.login) else {
        return if request.prompt.none {
            Err(redirect(
                OAuthErrorCode::LoginRequired,
                "the user is not logged in",
            ))
        } else {
            Ok(NextStep::Login)
        };
    };
    let consent = store
        .find_consent(session.user_id, request.client.key)
        .await?;
    // A public client answering at a private-use scheme or a loopback port cannot prove it
    // is the app the user approved (another local app may claim the scheme or the port), so
    // it always asks (RFC 8252 section 8.6).
    let provable = request.client.is_confidential() || request.redirect_uri.starts_with("https://");
    let covered = provable && consent.is_some_and(|c| c.scopes.includes(request.scopes));
    if covered && !request.prompt.consent {
        return Ok(NextStep::Approve);
    }
    if request.prompt.none {
        return Err(redirect(
            OAuthErrorCode::ConsentRequired,
            "the user has not consented to these scopes",
        ));
    }
    Ok(NextStep::Consent)
}

/// Records the user's consent and issues a single-use authorization code for the request.
pub async fn approve(
    store: &dyn Store,
    clock: &dyn Clock,
    rng: &mut (impl Rng + Send),
    settings: &OAuthSettings,
    request: &AuthorizationRequest,
    session: &WebSession,
) -> Result<Secret, OAuthError> {
    let now = clock.now();
    store
        .grant_consent(session.user_id, request.client.key, request.scopes, now)
        .await?;
    let code = Secret::generate("", rng);
    store
        .insert_authorization_code(NewAuthorizationCode {
            code_hash: code.hash(),
            client: request.client.key,
            user_id: session.user_id,
            redirect_uri: request.redirect_uri.clone(),
            scopes: request.scopes,
            code_challenge: request.code_challenge.clone(),
            auth_time: session.authenticated_at,
            now,
            expires_at: now + settings.code_ttl,
        })
        .await?;
    Ok(code)
}

/// How long a consent page can be answered.
const CONSENT_TICKET_TTL: time::Duration = time::Duration::minutes(10);

/// A ticket for a consent page shown to `session` for the authorization request `raw`
/// (its query): its answer is accepted once, from that session, for that very request,
/// within ten minutes.
pub async fn issue_consent_ticket(
    store: &dyn Store,
    clock: &dyn Clock,
    rng: &mut (impl Rng + Send),
    session: &WebSession,
    raw: &str,
) -> Result<Secret, StoreError> {
    let ticket = Secret::generate("", rng);
    let now = clock.now();
    let request = SecretHash::of(raw);
    store
        .create_consent_ticket(
            &ticket.hash(),
            &request,
            session.id,
            now,
            now + CONSENT_TICKET_TTL,
        )
        .await?;
    Ok(ticket)
}

/// Spends a consent page's ticket: `false` when it was answered before, belongs to another
/// session (another account signed in since), was issued for another request (the form was
/// altered) or expired.
pub async fn redeem_consent_ticket(
    store: &dyn Store,
    clock: &dyn Clock,
    session: &WebSession,
    ticket: &str,
    raw: &str,
) -> Result<bool, StoreError> {
    store
        .use_consent_ticket(
            &SecretHash::of(ticket),
            &SecretHash::of(raw),
            session.id,
            clock.now(),
        )
        .await
}

/// `uri` with `params` appended to its query, form-encoded (RFC 6749 section 4.1.2).
pub fn redirect_with(uri: &str, params: &[(&str, &str)]) -> String {
    let mut out = String::from(uri);
    let mut encoder = form_urlencoded::Serializer::new(String::new());
    for (name, value) in params {
        encoder.append_pair(name, value);
    }
    let query = encoder.finish();
    if query.is_empty() {
        return out;
    }
    out.push(if uri.contains('?') { '&' } else { '?' });
    out.push_str(&query);
    out
}

/// The parameters of an error redirect: `error`, `error_description`, `state` and `iss`.
pub fn error_params<'a>(
    error: &'a OAuthError,
    description: &'a str,
    state: Option<&'a str>,
    issuer: &'a str,
) -> Vec<(&'a str, &'a str)> {
    let mut params = vec![
        ("error", error.code.as_str()),
        ("error_description", description),
    ];
    if let Some(state) = state {
        params.push(("state", state));
    }
    params.push(("iss", issuer));
    params
}
