//! What the authorization server keeps, and the storage it needs. Credentials are stored
//! only as hashes.

use crate::StoreError;
use crate::ids::{OrgId, UserId};
use crate::oauth::client::{ClientKey, OAuthClient};
use crate::oauth::scope::ScopeSet;
use crate::oauth::secret::SecretHash;
use async_trait::async_trait;
use time::OffsetDateTime;

/// A client to register.
#[derive(Debug, Clone)]
pub struct NewClient {
    /// Public identifier; unique.
    pub client_id: String,
    /// Display name.
    pub name: String,
    /// Secret hash for a confidential client.
    pub secret_hash: Option<SecretHash>,
    /// Exact redirect URIs, in order.
    pub redirect_uris: Vec<String>,
    /// Scopes it may request.
    pub allowed_scopes: ScopeSet,
    /// Registration time.
    pub now: OffsetDateTime,
}

/// A user's standing consent for a client.
#[derive(Debug, Clone, PartialEq)]
pub struct Consent {
    /// The user.
    pub user_id: UserId,
    /// The client.
    pub client: ClientKey,
    /// Every scope the user has granted the client.
    pub scopes: ScopeSet,
    /// First granted.
    pub created_at: OffsetDateTime,
    /// Last widened.
    pub updated_at: OffsetDateTime,
}

/// An authorization code to store.
#[derive(Debug, Clone)]
pub struct NewAuthorizationCode {
    /// Hash of the code.
    pub code_hash: SecretHash,
    /// The client it was issued to.
    pub client: ClientKey,
    /// The user who approved it.
    pub user_id: UserId,
    /// The redirect URI of the request, to match at the token endpoint.
    pub redirect_uri: String,
    /// Granted scopes.
    pub scopes: ScopeSet,
    /// PKCE S256 challenge.
    pub code_challenge: String,
    /// When the user last logged in.
    pub auth_time: OffsetDateTime,
    /// Issue time.
    pub now: OffsetDateTime,
    /// Expiry.
    pub expires_at: OffsetDateTime,
}

/// A stored authorization code.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthorizationCode {
    /// Row key.
    pub id: i64,
    /// The client it was issued to.
    pub client: ClientKey,
    /// The user who approved it.
    pub user_id: UserId,
    /// The request's redirect URI.
    pub redirect_uri: String,
    /// Granted scopes.
    pub scopes: ScopeSet,
    /// PKCE S256 challenge.
    pub code_challenge: String,
    /// Expiry.
    pub expires_at: OffsetDateTime,
    /// The token family it produced, once exchanged.
    pub family_id: Option<FamilyId>,
}

/// The outcome of taking a code for exchange.
#[derive(Debug, Clone, PartialEq)]
pub enum CodeTake {
    /// Marked redeemed now; the caller may exchange it.
    Taken(AuthorizationCode),
    /// Redeemed before: a replay.
    AlreadyRedeemed(AuthorizationCode),
    /// No such code.
    Missing,
}

/// The key of a token family: every token issued from one authorization, through all its
/// rotations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FamilyId(pub i64);

/// The key of one token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenId(pub i64);

/// Access or refresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Presented to the APIs.
    Access,
    /// Presented to the token endpoint for new tokens.
    Refresh,
}

impl TokenKind {
    /// Stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Access => "access",
            Self::Refresh => "refresh",
        }
    }
}

/// A name that is not a token kind's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a token kind")]
pub struct NotATokenKind;

impl std::str::FromStr for TokenKind {
    type Err = NotATokenKind;

    /// The kind [`TokenKind::as_str`] names.
    fn from_str(name: &str) -> Result<Self, NotATokenKind> {
        match name {
            "access" => Ok(Self::Access),
            "refresh" => Ok(Self::Refresh),
            _ => Err(NotATokenKind),
        }
    }
}

/// A new access and refresh token pair, by hash.
#[derive(Debug, Clone)]
pub struct NewTokenPair {
    /// Access token hash.
    pub access_hash: SecretHash,
    /// Scopes of the access token (may be narrower than the family's).
    pub access_scopes: ScopeSet,
    /// Access token expiry.
    pub access_expires_at: OffsetDateTime,
    /// Refresh token hash.
    pub refresh_hash: SecretHash,
    /// Refresh token expiry.
    pub refresh_expires_at: OffsetDateTime,
}

/// A new token family.
#[derive(Debug, Clone)]
pub struct NewFamily {
    /// The client.
    pub client: ClientKey,
    /// The user.
    pub user_id: UserId,
    /// Every scope granted by the authorization; refresh tokens always carry all of them.
    pub scopes: ScopeSet,
    /// The code it comes from.
    pub code_id: Option<i64>,
}

/// A company integration: the coaching company it acts for, through its own user (an owner
/// of the company, who signs in nowhere).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompanyClient {
    /// The company.
    pub organization_id: OrgId,
    /// The user its tokens act as.
    pub service_user: UserId,
}

/// A token found by its hash, with what decides whether it still works.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenRecord {
    /// Its key.
    pub id: TokenId,
    /// Access or refresh.
    pub kind: TokenKind,
    /// Its family.
    pub family_id: FamilyId,
    /// The token's own scopes.
    pub scopes: ScopeSet,
    /// The family's scopes (all that was granted).
    pub family_scopes: ScopeSet,
    /// The user.
    pub user_id: UserId,
    /// The client.
    pub client: ClientKey,
    /// The client's public id.
    pub client_id: String,
    /// What the client may request today (an administrator may have narrowed it).
    pub client_allowed_scopes: ScopeSet,
    /// Expiry.
    pub expires_at: OffsetDateTime,
    /// When a refresh token was rotated.
    pub used_at: Option<OffsetDateTime>,
    /// When this token, its family or its client's grant was revoked.
    pub revoked_at: Option<OffsetDateTime>,
}

/// The outcome of rotating a refresh token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rotation {
    /// The old token is spent and the new pair stored.
    Rotated,
    /// The token had been rotated already: its whole family is now revoked.
    Reused,
}

/// A login session of the web pages.
#[derive(Debug, Clone, PartialEq)]
pub struct WebSession {
    /// Row key.
    pub id: i64,
    /// Who is logged in.
    pub user_id: UserId,
    /// When they entered their password.
    pub authenticated_at: OffsetDateTime,
    /// When the session ends.
    pub expires_at: OffsetDateTime,
}

/// Storage for the authorization server.
#[async_trait]
pub trait OAuthStore: Send + Sync {
    /// Registers a client. `Conflict("client_id")` when the id is taken.
    async fn create_client(&self, new: NewClient) -> Result<OAuthClient, StoreError>;

    /// Makes `client` a company integration of `organization`, acting through
    /// `service_user`.
    async fn link_company_client(
        &self,
        client: ClientKey,
        organization: OrgId,
        service_user: UserId,
    ) -> Result<(), StoreError>;

    /// The company and acting user of a company integration; `None` for any other client.
    async fn company_client(&self, client: ClientKey) -> Result<Option<CompanyClient>, StoreError>;

    /// The company integrations of `organization`, oldest first.
    async fn company_clients_of(&self, organization: OrgId)
    -> Result<Vec<OAuthClient>, StoreError>;

    /// A client by its public id.
    async fn find_client(&self, client_id: &str) -> Result<Option<OAuthClient>, StoreError>;

    /// Every client, oldest first.
    async fn list_clients(&self) -> Result<Vec<OAuthClient>, StoreError>;

    /// Replaces a client's name, secret hash, redirect URIs and scopes.
    async fn update_client(&self, client: &OAuthClient) -> Result<(), StoreError>;

    /// Deletes a client with its consents, codes and tokens. `false` when there was none.
    async fn delete_client(&self, client: ClientKey) -> Result<bool, StoreError>;

    /// A user's consent for a client, unless revoked.
    async fn find_consent(
        &self,
        user: UserId,
        client: ClientKey,
    ) -> Result<Option<Consent>, StoreError>;

    /// Adds `scopes` to a user's consent for a client (creating or reviving it).
    async fn grant_consent(
        &self,
        user: UserId,
        client: ClientKey,
        scopes: ScopeSet,
        now: OffsetDateTime,
    ) -> Result<(), StoreError>;

    /// A user's standing consents, with their clients, oldest first.
    async fn list_consents(&self, user: UserId) -> Result<Vec<(Consent, OAuthClient)>, StoreError>;

    /// Revokes a user's consent for a client and every token family of theirs for it.
    /// `false` when there was no consent.
    async fn revoke_consent(
        &self,
        user: UserId,
        client: ClientKey,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError>;

    /// Stores an authorization code.
    async fn insert_authorization_code(&self, code: NewAuthorizationCode)
    -> Result<(), StoreError>;

    /// Marks a code redeemed, atomically: only one caller ever gets `Taken`.
    async fn take_authorization_code(
        &self,
        code_hash: &SecretHash,
        now: OffsetDateTime,
    ) -> Result<CodeTake, StoreError>;

    /// Creates a token family with its first pair (linking the code, if any), in the same
    /// statement that checks the user's consent for the client is still live:
    /// `NotFound("consent")` when it was withdrawn.
    async fn issue_tokens(
        &self,
        family: NewFamily,
        tokens: NewTokenPair,
        now: OffsetDateTime,
    ) -> Result<FamilyId, StoreError>;

    /// A token by the hash of its text.
    async fn find_token(&self, hash: &SecretHash) -> Result<Option<TokenRecord>, StoreError>;

    /// Spends refresh token `old` and stores `tokens` in its family, atomically; when `old`
    /// was spent already, revokes the family instead.
    async fn rotate_refresh_token(
        &self,
        old: TokenId,
        family: FamilyId,
        tokens: NewTokenPair,
        now: OffsetDateTime,
    ) -> Result<Rotation, StoreError>;

    /// Lets a client that lost the response to a refresh present the spent token `old`
    /// again, once, if it was spent at or after `spent_since` (the grace period): revokes the
    /// pair the first rotation issued and stores `tokens`. Otherwise revokes the family.
    async fn retry_rotation(
        &self,
        old: TokenId,
        family: FamilyId,
        tokens: NewTokenPair,
        spent_since: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<Rotation, StoreError>;

    /// Revokes one token.
    async fn revoke_token(&self, token: TokenId, now: OffsetDateTime) -> Result<(), StoreError>;

    /// Revokes a whole family.
    async fn revoke_family(&self, family: FamilyId, now: OffsetDateTime) -> Result<(), StoreError>;

    /// Starts a login session.
    async fn create_web_session(
        &self,
        token_hash: &SecretHash,
        user: UserId,
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<WebSession, StoreError>;

    /// A live session by the hash of its cookie.
    async fn find_web_session(
        &self,
        token_hash: &SecretHash,
        now: OffsetDateTime,
    ) -> Result<Option<WebSession>, StoreError>;

    /// Ends a session.
    async fn delete_web_session(&self, token_hash: &SecretHash) -> Result<(), StoreError>;

    /// Ends every login session of a user (their apps' tokens stay); how many there were.
    async fn delete_web_sessions_of(&self, user: UserId) -> Result<u64, StoreError>;

    /// Stores the ticket of a consent page shown to `session` for the request whose hash is
    /// `request_hash`.
    async fn create_consent_ticket(
        &self,
        ticket_hash: &SecretHash,
        request_hash: &SecretHash,
        session: i64,
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<(), StoreError>;

    /// Spends a consent ticket of `session` for the request whose hash is `request_hash`,
    /// atomically: `true` only for the first use of a live ticket of that session and request.
    async fn use_consent_ticket(
        &self,
        ticket_hash: &SecretHash,
        request_hash: &SecretHash,
        session: i64,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_kind_reads_back_from_its_stored_name() {
        for kind in [TokenKind::Access, TokenKind::Refresh] {
            assert_eq!(kind.as_str().parse::<TokenKind>(), Ok(kind));
        }
        assert_eq!("Access".parse::<TokenKind>(), Err(NotATokenKind));
    }
}
