//! The token endpoint's grants (RFC 6749 sections 4.1.3 and 6), client authentication
//! (section 2.3) and revocation (RFC 7009).

use crate::clock::Clock;
use crate::oauth::OAuthSettings;
use crate::oauth::client::OAuthClient;
use crate::oauth::error::OAuthError;
use crate::oauth::scope::{ScopeError, ScopeSet};
use crate::oauth::secret::{Secret, SecretHash, is_code_verifier, pkce_s256_matches};
use crate::oauth::store::{CodeTake, NewFamily, NewTokenPair, Rotation, TokenKind};
use crate::store::Store;
use rand::Rng;

/// Prefix of access tokens (the Train it All spec's `tia_at_…`).
pub const ACCESS_PREFIX: &str = "tia_at_";
/// Prefix of refresh tokens (`tia_rt_…`).
pub const REFRESH_PREFIX: &str = "tia_rt_";

/// How the client presented its credentials.
#[derive(Debug, Clone)]
pub enum ClientAuth {
    /// HTTP Basic (`client_secret_basic`), already form-decoded.
    Basic {
        /// Client id.
        client_id: String,
        /// Secret.
        secret: Secret,
    },
    /// Form fields `client_id` and `client_secret` (`client_secret_post`).
    Post {
        /// Client id.
        client_id: String,
        /// Secret.
        secret: Secret,
    },
    /// Only `client_id`: a public client.
    Public {
        /// Client id.
        client_id: String,
    },
}

impl ClientAuth {
    fn client_id(&self) -> &str {
        match self {
            Self::Basic { client_id, .. }
            | Self::Post { client_id, .. }
            | Self::Public { client_id } => client_id,
        }
    }
}

/// Tokens issued by the token endpoint.
#[derive(Debug, Clone)]
pub struct IssuedTokens {
    /// `tia_at_…`.
    pub access_token: Secret,
    /// `tia_rt_…`.
    pub refresh_token: Secret,
    /// Seconds the access token lives.
    pub expires_in: i64,
    /// The access token's scopes.
    pub scope: ScopeSet,
}

/// Authenticates the client of a token or revocation request. Confidential clients must
/// present their secret (compared in constant time); public clients must not.
pub async fn authenticate_client(
    store: &dyn Store,
    auth: &ClientAuth,
) -> Result<OAuthClient, OAuthError> {
    let failed = || OAuthError::invalid_client("client authentication failed");
    let client = if crate::oauth::client::check_client_id(auth.client_id()).is_ok() {
        store.find_client(auth.client_id()).await?
    } else {
        None
    };
    let Some(client) = client else {
        // Spend the same work as a real comparison.
        let _ = SecretHash::of("unknown client").matches("unknown client secret");
        return Err(failed());
    };
    match (&client.secret_hash, auth) {
        (Some(hash), ClientAuth::Basic { secret, .. } | ClientAuth::Post { secret, .. }) => {
            if hash.matches(secret.expose()) {
                Ok(client)
            } else {
                Err(failed())
            }
        }
        (None, ClientAuth::Public { .. }) => Ok(client),
        // requests-oauthlib sends a public client's id as HTTP Basic with an empty password:
        // no secret at all, so the same as sending client_id alone.
        (None, ClientAuth::Basic { secret, .. }) if secret.expose().is_empty() => Ok(client),
        (Some(_), ClientAuth::Public { .. }) => Err(OAuthError::invalid_client(
            "this client is confidential: authenticate with its secret (HTTP Basic or client_secret)",
        )),
        (None, _) => Err(OAuthError::invalid_client(
            "this client is public: send client_id without a secret",
        )),
    }
}

/// The `scope` parameter of a token request, read.
pub(crate) fn requested_scopes(text: &str) -> Result<ScopeSet, OAuthError> {
    ScopeSet::parse(text).map_err(|e| match e {
        ScopeError::Malformed => OAuthError::invalid_scope("the scope parameter is malformed"),
        ScopeError::Unknown(name) => OAuthError::invalid_scope(format!("unknown scope `{name}`")),
    })
}

pub(crate) fn new_pair(
    clock: &dyn Clock,
    rng: &mut impl Rng,
    settings: &OAuthSettings,
    access_scopes: ScopeSet,
) -> (NewTokenPair, Secret, Secret) {
    let now = clock.now();
    let access = Secret::generate(ACCESS_PREFIX, rng);
    let refresh = Secret::generate(REFRESH_PREFIX, rng);
    let pair = NewTokenPair {
        access_hash: access.hash(),
        access_scopes,
        access_expires_at: now + settings.access_token_ttl,
        refresh_hash: refresh.hash(),
        refresh_expires_at: now + settings.refresh_token_ttl,
    };
    (pair, access, refresh)
}

/// The parameters of an authorization-code exchange.
#[derive(Debug, Clone, Copy)]
pub struct CodeExchange<'a> {
    /// `code`.
    pub code: &'a str,
    /// `redirect_uri`, which must repeat the authorization request's.
    pub redirect_uri: Option<&'a str>,
    /// `code_verifier` (PKCE).
    pub code_verifier: Option<&'a str>,
}

/// Exchanges an authorization code (grant_type=authorization_code). The code is single
/// use: it is spent even when the exchange fails, and a replay revokes the tokens it
/// produced (RFC 6749 section 4.1.2).
pub async fn exchange_code(
    store: &dyn Store,
    clock: &dyn Clock,
    rng: &mut (impl Rng + Send),
    settings: &OAuthSettings,
    client: &OAuthClient,
    exchange: CodeExchange<'_>,
) -> Result<IssuedTokens, OAuthError> {
    let CodeExchange {
        code,
        redirect_uri,
        code_verifier,
    } = exchange;
    let now = clock.now();
    let taken = store
        .take_authorization_code(&SecretHash::of(code), now)
        .await?;
    let code = match taken {
        CodeTake::Taken(code) => code,
        CodeTake::Missing => {
            return Err(OAuthError::invalid_grant(
                "the authorization code is invalid",
            ));
        }
        CodeTake::AlreadyRedeemed(code) => {
            if let Some(family) = code.family_id {
                store.revoke_family(family, now).await?;
            }
            return Err(OAuthError::invalid_grant(
                "the authorization code was already used; the tokens it produced are revoked",
            ));
        }
    };
    if code.client != client.key {
        return Err(OAuthError::invalid_grant(
            "the authorization code was issued to another client",
        ));
    }
    if code.expires_at <= now {
        return Err(OAuthError::invalid_grant(
            "the authorization code has expired",
        ));
    }
    if redirect_uri != Some(code.redirect_uri.as_str()) {
        return Err(OAuthError::invalid_grant(
            "redirect_uri must be the one sent in the authorization request",
        ));
    }
    let Some(verifier) = code_verifier else {
        return Err(OAuthError::invalid_grant(
            "code_verifier is required (PKCE)",
        ));
    };
    if !is_code_verifier(verifier) || !pkce_s256_matches(verifier, &code.code_challenge) {
        return Err(OAuthError::invalid_grant(
            "code_verifier does not match the code_challenge",
        ));
    }
    let scopes = code.scopes.intersection(client.allowed_scopes);
    let (pair, access, refresh) = new_pair(clock, rng, settings, scopes);
    let family = NewFamily {
        client: client.key,
        user_id: code.user_id,
        scopes,
        code_id: Some(code.id),
    };
    match store.issue_tokens(family, pair, now).await {
        Ok(_) => {}
        Err(crate::StoreError::NotFound("consent")) => {
            return Err(OAuthError::invalid_grant(
                "the user withdrew consent for this client",
            ));
        }
        Err(error) => return Err(error.into()),
    }
    Ok(IssuedTokens {
        access_token: access,
        refresh_token: refresh,
        expires_in: settings.access_token_ttl.whole_seconds(),
        scope: scopes,
    })
}

/// Rotates a refresh token (grant_type=refresh_token). The presented token stops working;
/// presenting it again revokes the whole family, unless a grace period is configured: then
/// a client that lost the response may present it once more within the period, which
/// revokes the lost pair and issues a new one. `scope` may narrow the new access token,
/// never widen it; the new refresh token keeps every scope of the original grant.
pub async fn refresh(
    store: &dyn Store,
    clock: &dyn Clock,
    rng: &mut (impl Rng + Send),
    settings: &OAuthSettings,
    client: &OAuthClient,
    refresh_token: &str,
    scope: Option<&str>,
) -> Result<IssuedTokens, OAuthError> {
    let now = clock.now();
    let invalid = || OAuthError::invalid_grant("the refresh token is invalid, expired or revoked");
    let record = if refresh_token.starts_with(REFRESH_PREFIX) {
        store.find_token(&SecretHash::of(refresh_token)).await?
    } else {
        None
    };
    let Some(record) = record.filter(|r| r.kind == TokenKind::Refresh) else {
        return Err(invalid());
    };
    if record.client != client.key {
        return Err(OAuthError::invalid_grant(
            "the refresh token was issued to another client",
        ));
    }
    if record.revoked_at.is_some() {
        // A refresh token revoked on its own was a generation a grace-period retry replaced:
        // presenting it is a reuse, and the family goes (a no-op when it went already).
        store.revoke_family(record.family_id, now).await?;
        return Err(invalid());
    }
    let reused = || {
        OAuthError::invalid_grant(
            "the refresh token was already used; every token of this authorization is revoked",
        )
    };
    let grace_start = now - settings.refresh_grace;
    let retry = match record.used_at {
        None => false,
        Some(spent) if settings.refresh_grace.is_positive() && spent >= grace_start => true,
        Some(_) => {
            store.revoke_family(record.family_id, now).await?;
            return Err(reused());
        }
    };
    if record.expires_at <= now {
        return Err(invalid());
    }
    // The client's scopes as stored now: an administrator may have narrowed them.
    let granted = record
        .family_scopes
        .intersection(record.client_allowed_scopes);
    let requested = match scope.filter(|s| !s.is_empty()) {
        None => granted,
        Some(text) => {
            let requested = requested_scopes(text)?;
            if !record.family_scopes.includes(requested) {
                return Err(OAuthError::invalid_scope(
                    "a refresh cannot add scopes that were not granted",
                ));
            }
            requested.intersection(record.client_allowed_scopes)
        }
    };
    let (pair, access, refresh) = new_pair(clock, rng, settings, requested);
    let rotation = if retry {
        store
            .retry_rotation(record.id, record.family_id, pair, grace_start, now)
            .await?
    } else {
        store
            .rotate_refresh_token(record.id, record.family_id, pair, now)
            .await?
    };
    match rotation {
        Rotation::Rotated => Ok(IssuedTokens {
            access_token: access,
            refresh_token: refresh,
            expires_in: settings.access_token_ttl.whole_seconds(),
            scope: requested,
        }),
        Rotation::Reused => Err(reused()),
    }
}

/// Revokes a token of `client` (RFC 7009). A refresh token takes its whole family with it.
/// Unknown tokens and tokens of other clients are answered as success without effect, so
/// the endpoint tells nothing about tokens a client does not hold.
pub async fn revoke(
    store: &dyn Store,
    clock: &dyn Clock,
    client: &OAuthClient,
    token: &str,
) -> Result<(), OAuthError> {
    let Some(record) = store.find_token(&SecretHash::of(token)).await? else {
        return Ok(());
    };
    if record.client != client.key {
        return Ok(());
    }
    let now = clock.now();
    match record.kind {
        TokenKind::Refresh => store.revoke_family(record.family_id, now).await?,
        TokenKind::Access => store.revoke_token(record.id, now).await?,
    }
    Ok(())
}
