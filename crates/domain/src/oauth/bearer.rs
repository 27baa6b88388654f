//! Bearer tokens at the APIs (RFC 6750): one indexed lookup by hash, never a password hash.

use crate::clock::Clock;
use crate::ids::UserId;
use crate::oauth::client::ClientKey;
use crate::oauth::scope::{Scope, ScopeSet};
use crate::oauth::secret::SecretHash;
use crate::oauth::store::{TokenId, TokenKind};
use crate::oauth::token::ACCESS_PREFIX;
use crate::store::{Store, StoreError};

/// What a valid access token grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessGrant {
    /// The user the token acts for.
    pub user_id: UserId,
    /// The client holding it.
    pub client: ClientKey,
    /// The client's public id (the Train it All `sourceName` of its writes).
    pub client_id: String,
    /// Its scopes, less any the administrator has since withdrawn from the client.
    pub scopes: ScopeSet,
    /// The token.
    pub token: TokenId,
}

/// Why a bearer token is refused.
#[derive(Debug, thiserror::Error)]
pub enum BearerError {
    /// Unknown, malformed, expired, revoked or not an access token (`invalid_token`).
    #[error("{0}")]
    InvalidToken(&'static str),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AccessGrant {
    /// Succeeds when the grant carries `scope`; otherwise names the missing scope.
    pub fn require(&self, scope: Scope) -> Result<(), Scope> {
        if self.scopes.contains(scope) {
            Ok(())
        } else {
            Err(scope)
        }
    }
}

/// Checks an access token.
pub async fn authenticate(
    store: &dyn Store,
    clock: &dyn Clock,
    token: &str,
) -> Result<AccessGrant, BearerError> {
    if !token.starts_with(ACCESS_PREFIX) {
        return Err(BearerError::InvalidToken("the access token is malformed"));
    }
    let record = store
        .find_token(&SecretHash::of(token))
        .await?
        .filter(|r| r.kind == TokenKind::Access)
        .ok_or(BearerError::InvalidToken("the access token is invalid"))?;
    if record.revoked_at.is_some() {
        return Err(BearerError::InvalidToken("the access token was revoked"));
    }
    if record.expires_at <= clock.now() {
        return Err(BearerError::InvalidToken("the access token has expired"));
    }
    Ok(AccessGrant {
        user_id: record.user_id,
        client: record.client,
        client_id: record.client_id,
        scopes: record.scopes.intersection(record.client_allowed_scopes),
        token: record.id,
    })
}
