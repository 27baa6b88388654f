//! The writes several OAuth methods share: a client's redirect URIs, a token pair and the
//! end of a rotation (macros, so that each expands inside its caller's transaction on
//! either engine), and stamping a revocation.

use crate::db_time::DbTime;
use crate::error::other;
use crate::{SqlStore, on_writer};
use paceline_domain::StoreError;
use time::OffsetDateTime;

/// Inserts a client's redirect URIs inside the transaction `$tx`.
macro_rules! insert_redirect_uris {
    ($tx:expr, $key:expr, $uris:expr) => {
        for (position, uri) in $uris.iter().enumerate() {
            sqlx::query(
                "INSERT INTO oauth_client_redirect_uris (client_row_id, position, uri) \
                 VALUES ($1, $2, $3)",
            )
            .bind($key)
            .bind(i32::try_from(position).unwrap_or(i32::MAX))
            .bind(uri)
            .execute(&mut *$tx)
            .await
            .map_err(other)?;
        }
    };
}
pub(super) use insert_redirect_uris;

/// Inserts an access and refresh token of family `$family` inside the transaction `$tx`.
macro_rules! insert_pair {
    ($tx:expr, $family:expr, $tokens:expr, $refresh_scopes:expr, $parent:expr, $now:expr) => {
        for (kind, hash, scopes, expires_at) in [
            (
                "access",
                &$tokens.access_hash,
                $tokens.access_scopes,
                $tokens.access_expires_at,
            ),
            (
                "refresh",
                &$tokens.refresh_hash,
                $refresh_scopes,
                $tokens.refresh_expires_at,
            ),
        ] {
            sqlx::query(
                "INSERT INTO oauth_tokens (family_id, kind, token_hash, scopes, created_at, \
                 expires_at, parent_id) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind($family)
            .bind(kind)
            .bind(hash.as_str())
            .bind(scopes.to_string())
            .bind(DbTime($now))
            .bind(DbTime(expires_at))
            .bind($parent)
            .execute(&mut *$tx)
            .await
            .map_err(constraint("token", "token family"))?;
        }
    };
}
pub(super) use insert_pair;

/// Ends a rotation inside the transaction `$tx` once its compare-and-set changed `$changed`
/// rows: none means the refresh token was reused, and the family is revoked; one means the
/// new pair is stored with every scope of the family.
macro_rules! complete_rotation {
    ($tx:expr, $changed:expr, $old:expr, $family:expr, $tokens:expr, $now:expr) => {{
        const REVOKE: &str = "UPDATE oauth_token_families SET revoked_at = $2 WHERE id = $1 \
             AND revoked_at IS NULL";
        const FAMILY: &str = "SELECT scopes FROM oauth_token_families WHERE id = $1";
        const TOUCH: &str = "UPDATE oauth_token_families SET last_used_at = $2 WHERE id = $1";
        if $changed == 0 {
            sqlx::query(REVOKE)
                .bind($family.0)
                .bind(DbTime($now))
                .execute(&mut *$tx)
                .await
                .map_err(other)?;
            $tx.commit().await.map_err(other)?;
            Rotation::Reused
        } else {
            let family_scopes = sqlx::query_scalar::<_, String>(FAMILY)
                .bind($family.0)
                .fetch_one(&mut *$tx)
                .await
                .map_err(other)?;
            let family_scopes = scopes(&family_scopes)?;
            insert_pair!($tx, $family.0, $tokens, family_scopes, Some($old.0), $now);
            sqlx::query(TOUCH)
                .bind($family.0)
                .bind(DbTime($now))
                .execute(&mut *$tx)
                .await
                .map_err(other)?;
            $tx.commit().await.map_err(other)?;
            Rotation::Rotated
        }
    }};
}
pub(super) use complete_rotation;

impl SqlStore {
    /// Runs a revocation statement taking the row's key and the time.
    pub(super) async fn stamp_revoked(
        &self,
        sql: &'static str,
        key: i64,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        on_writer!(self, pool => sqlx::query(sql)
            .bind(key)
            .bind(DbTime(now))
            .execute(pool)
            .await
            .map_err(other)?
            .rows_affected());
        Ok(())
    }
}
