//! The writes several OAuth methods share: a client's redirect URIs, a token pair and the
//! end of a rotation, each inside its caller's transaction, and stamping a revocation.

use super::rows::scopes;
use crate::SqlStore;
use crate::db::{Tx, first};
use crate::error::constraint;
use paceline_domain::StoreError;
use paceline_domain::oauth::scope::ScopeSet;
use paceline_domain::oauth::store::{FamilyId, NewTokenPair, Rotation, TokenId};
use time::OffsetDateTime;

/// Inserts a client's redirect URIs, in order, in the transaction `tx`.
pub(super) async fn insert_redirect_uris(
    tx: &mut Tx<'_>,
    client: i64,
    uris: &[String],
) -> Result<(), StoreError> {
    const SQL: &str = "INSERT INTO oauth_client_redirect_uris (client_row_id, position, uri) \
         VALUES ($1, $2, $3)";
    for (position, uri) in uris.iter().enumerate() {
        let position = i32::try_from(position).unwrap_or(i32::MAX);
        tx.execute(SQL, &[client.into(), position.into(), uri.into()])
            .await?;
    }
    Ok(())
}

/// Inserts an access and refresh token of `family` in the transaction `tx`; the refresh
/// token carries `refresh_scopes` (the family's, on a rotation) and `parent` the token it
/// replaces.
pub(super) async fn insert_pair(
    tx: &mut Tx<'_>,
    family: i64,
    tokens: &NewTokenPair,
    refresh_scopes: ScopeSet,
    parent: Option<i64>,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    const INSERT: &str = "INSERT INTO oauth_tokens (family_id, kind, token_hash, scopes, \
         created_at, expires_at, parent_id) VALUES ($1, $2, $3, $4, $5, $6, $7)";
    for (kind, hash, scopes, expires_at) in [
        (
            "access",
            &tokens.access_hash,
            tokens.access_scopes,
            tokens.access_expires_at,
        ),
        (
            "refresh",
            &tokens.refresh_hash,
            refresh_scopes,
            tokens.refresh_expires_at,
        ),
    ] {
        let scopes = scopes.to_string();
        tx.execute(
            INSERT,
            &[
                family.into(),
                kind.into(),
                hash.as_str().into(),
                scopes.as_str().into(),
                now.into(),
                expires_at.into(),
                parent.into(),
            ],
        )
        .await
        .map_err(constraint("token", "token family"))?;
    }
    Ok(())
}

/// Ends a rotation in the transaction `tx` once its compare-and-set changed `changed` rows:
/// none means the refresh token was reused, and the family is revoked; one means the new
/// pair is stored with every scope of the family. The caller commits either way.
pub(super) async fn complete_rotation(
    tx: &mut Tx<'_>,
    changed: u64,
    old: TokenId,
    family: FamilyId,
    tokens: &NewTokenPair,
    now: OffsetDateTime,
) -> Result<Rotation, StoreError> {
    const REVOKE: &str = "UPDATE oauth_token_families SET revoked_at = $2 WHERE id = $1 \
         AND revoked_at IS NULL";
    const FAMILY: &str = "SELECT scopes FROM oauth_token_families WHERE id = $1";
    const TOUCH: &str = "UPDATE oauth_token_families SET last_used_at = $2 WHERE id = $1";
    if changed == 0 {
        tx.execute(REVOKE, &[family.0.into(), now.into()]).await?;
        return Ok(Rotation::Reused);
    }
    let family_scopes: String = tx.one(FAMILY, &[family.0.into()], first).await?;
    insert_pair(
        tx,
        family.0,
        tokens,
        scopes(&family_scopes)?,
        Some(old.0),
        now,
    )
    .await?;
    tx.execute(TOUCH, &[family.0.into(), now.into()]).await?;
    Ok(Rotation::Rotated)
}

impl SqlStore {
    /// Runs a revocation statement taking the row's key and the time.
    pub(super) async fn stamp_revoked(
        &self,
        sql: &'static str,
        key: i64,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.db.execute(sql, &[key.into(), now.into()]).await?;
        Ok(())
    }
}
