//! The rows the OAuth methods read, with the column lists that select them, and their
//! conversions into domain types.

use crate::db::{Cols, Column, DbError, Named, parse_postgres_text, parse_sqlite_text};
use paceline_domain::StoreError;
use paceline_domain::ids::UserId;
use paceline_domain::oauth::client::{ClientKey, OAuthClient};
use paceline_domain::oauth::scope::ScopeSet;
use paceline_domain::oauth::secret::SecretHash;
use paceline_domain::oauth::store::{AuthorizationCode, FamilyId, TokenKind, WebSession};
use rusqlite::types::ValueRef;
use sqlx::postgres::PgRow;
use time::OffsetDateTime;

macro_rules! client_columns {
    () => {
        "id, client_id, name, secret_hash, allowed_scopes, created_at, updated_at"
    };
}
pub(super) use client_columns;
macro_rules! code_columns {
    () => {
        "id, client_row_id, user_id, redirect_uri, scopes, code_challenge, expires_at, family_id"
    };
}
pub(super) use code_columns;

pub(super) struct ClientRow {
    pub(super) id: i64,
    client_id: String,
    name: String,
    secret_hash: Option<String>,
    allowed_scopes: String,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

impl ClientRow {
    /// Reads the columns of [`client_columns!`], in its order.
    pub(super) fn read(c: &mut Cols<'_>) -> Result<Self, DbError> {
        Ok(Self {
            id: c.get()?,
            client_id: c.get()?,
            name: c.get()?,
            secret_hash: c.get()?,
            allowed_scopes: c.get()?,
            created_at: c.get()?,
            updated_at: c.get()?,
        })
    }
}

/// A stored scope list, space-separated (empty for none).
pub(super) fn scopes(text: &str) -> Result<ScopeSet, DbError> {
    if text.is_empty() {
        return Ok(ScopeSet::EMPTY);
    }
    ScopeSet::parse(text).map_err(|e| DbError::Decode(format!("corrupt scope list: {e}")))
}

pub(super) fn client_from(
    row: ClientRow,
    redirect_uris: Vec<String>,
) -> Result<OAuthClient, StoreError> {
    Ok(OAuthClient {
        key: ClientKey(row.id),
        client_id: row.client_id,
        name: row.name,
        secret_hash: row.secret_hash.map(SecretHash::from_stored),
        redirect_uris,
        allowed_scopes: scopes(&row.allowed_scopes)?,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

pub(super) struct CodeRow {
    id: i64,
    client_row_id: i64,
    user_id: i64,
    redirect_uri: String,
    scopes: String,
    code_challenge: String,
    expires_at: OffsetDateTime,
    family_id: Option<i64>,
}

impl CodeRow {
    /// Reads the columns of [`code_columns!`], in its order.
    pub(super) fn read(c: &mut Cols<'_>) -> Result<Self, DbError> {
        Ok(Self {
            id: c.get()?,
            client_row_id: c.get()?,
            user_id: c.get()?,
            redirect_uri: c.get()?,
            scopes: c.get()?,
            code_challenge: c.get()?,
            expires_at: c.get()?,
            family_id: c.get()?,
        })
    }
}

impl TryFrom<CodeRow> for AuthorizationCode {
    type Error = StoreError;

    fn try_from(row: CodeRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: row.id,
            client: ClientKey(row.client_row_id),
            user_id: UserId(row.user_id),
            redirect_uri: row.redirect_uri,
            scopes: scopes(&row.scopes)?,
            code_challenge: row.code_challenge,
            expires_at: row.expires_at,
            family_id: row.family_id.map(FamilyId),
        })
    }
}

pub(super) struct TokenRow {
    pub(super) id: i64,
    pub(super) kind: Named<TokenKind>,
    pub(super) family_id: i64,
    pub(super) scopes: ScopeSet,
    pub(super) family_scopes: ScopeSet,
    pub(super) user_id: i64,
    pub(super) client_row_id: i64,
    pub(super) client_id: String,
    pub(super) allowed_scopes: ScopeSet,
    pub(super) expires_at: OffsetDateTime,
    pub(super) used_at: Option<OffsetDateTime>,
    pub(super) revoked_at: Option<OffsetDateTime>,
    pub(super) family_revoked_at: Option<OffsetDateTime>,
}

impl TokenRow {
    /// Reads the columns `find_token` selects, in its order.
    pub(super) fn read(c: &mut Cols<'_>) -> Result<Self, DbError> {
        Ok(Self {
            id: c.get()?,
            kind: c.get()?,
            family_id: c.get()?,
            scopes: c.get()?,
            family_scopes: c.get()?,
            user_id: c.get()?,
            client_row_id: c.get()?,
            client_id: c.get()?,
            allowed_scopes: c.get()?,
            expires_at: c.get()?,
            used_at: c.get()?,
            revoked_at: c.get()?,
            family_revoked_at: c.get()?,
        })
    }
}

/// A scope list, space-separated, read where it lies (the bearer check reads three).
impl Column for ScopeSet {
    fn sqlite(value: ValueRef<'_>) -> Result<Self, DbError> {
        parse_sqlite_text(value, scopes)
    }

    fn postgres(row: &PgRow, index: usize) -> Result<Self, DbError> {
        parse_postgres_text(row, index, scopes)
    }
}

pub(super) struct SessionRow {
    id: i64,
    user_id: i64,
    authenticated_at: OffsetDateTime,
    expires_at: OffsetDateTime,
}

impl SessionRow {
    /// Reads `id, user_id, authenticated_at, expires_at`.
    pub(super) fn read(c: &mut Cols<'_>) -> Result<Self, DbError> {
        Ok(Self {
            id: c.get()?,
            user_id: c.get()?,
            authenticated_at: c.get()?,
            expires_at: c.get()?,
        })
    }
}

impl From<SessionRow> for WebSession {
    fn from(row: SessionRow) -> Self {
        Self {
            id: row.id,
            user_id: UserId(row.user_id),
            authenticated_at: row.authenticated_at,
            expires_at: row.expires_at,
        }
    }
}
