//! [`OAuthStore`]: clients, consents, authorization codes, token families and login
//! sessions. Credentials are stored only as hashes.
//!
//! The methods are here; the rows they read, with their column lists and conversions, are in
//! `rows`, and the writes several methods share are in `writes`.

mod company;
mod rows;
mod writes;

use crate::db::first;
use crate::db_time::DbTime;
use crate::error::{constraint, other};
use crate::{BeginWrite, SqlStore, on_pool, on_writer};
use async_trait::async_trait;
use paceline_domain::StoreError;
use paceline_domain::ids::UserId;
use paceline_domain::oauth::client::{ClientKey, OAuthClient};
use paceline_domain::oauth::scope::ScopeSet;
use paceline_domain::oauth::secret::SecretHash;
use paceline_domain::oauth::store::{
    CodeTake, Consent, FamilyId, NewAuthorizationCode, NewClient, NewFamily, NewTokenPair,
    OAuthStore, Rotation, TokenId, TokenKind, TokenRecord, WebSession,
};
use rows::{
    ClientRow, CodeRow, SessionRow, TokenRow, client_columns, client_from, code_columns, scopes,
};
use std::collections::HashMap;
use time::OffsetDateTime;
use writes::{complete_rotation, insert_pair, insert_redirect_uris};

#[async_trait]
impl OAuthStore for SqlStore {
    async fn link_company_client(
        &self,
        client: ClientKey,
        organization: paceline_domain::ids::OrgId,
        service_user: UserId,
    ) -> Result<(), StoreError> {
        company::link(self, client, organization, service_user).await
    }

    async fn company_clients_of(
        &self,
        organization: paceline_domain::ids::OrgId,
    ) -> Result<Vec<OAuthClient>, StoreError> {
        company::clients_of(self, organization).await
    }

    async fn company_client(
        &self,
        client: ClientKey,
    ) -> Result<Option<paceline_domain::oauth::store::CompanyClient>, StoreError> {
        company::find(self, client).await
    }

    async fn create_client(&self, new: NewClient) -> Result<OAuthClient, StoreError> {
        const SQL: &str = concat!(
            "INSERT INTO oauth_clients (client_id, name, secret_hash, allowed_scopes, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING ",
            client_columns!()
        );
        let row = on_writer!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(other)?;
            let row = sqlx::query_as::<_, ClientRow>(SQL)
                .bind(&new.client_id)
                .bind(&new.name)
                .bind(new.secret_hash.as_ref().map(SecretHash::as_str))
                .bind(new.allowed_scopes.to_string())
                .bind(DbTime(new.now))
                .fetch_one(&mut *tx)
                .await
                .map_err(constraint("client_id", "client"))?;
            insert_redirect_uris!(tx, row.id, new.redirect_uris);
            tx.commit().await.map_err(other)?;
            row
        });
        client_from(row, new.redirect_uris)
    }

    async fn find_client(&self, client_id: &str) -> Result<Option<OAuthClient>, StoreError> {
        const CLIENT: &str = concat!(
            "SELECT ",
            client_columns!(),
            " FROM oauth_clients WHERE client_id = $1"
        );
        const URIS: &str = "SELECT uri FROM oauth_client_redirect_uris WHERE client_row_id = $1 \
             ORDER BY position";
        let found = on_pool!(self, pool => {
            let row = sqlx::query_as::<_, ClientRow>(CLIENT)
                .bind(client_id)
                .fetch_optional(pool)
                .await
                .map_err(other)?;
            match row {
                None => None,
                Some(row) => {
                    let uris = sqlx::query_scalar::<_, String>(URIS)
                        .bind(row.id)
                        .fetch_all(pool)
                        .await
                        .map_err(other)?;
                    Some((row, uris))
                }
            }
        });
        found.map(|(row, uris)| client_from(row, uris)).transpose()
    }

    async fn list_clients(&self) -> Result<Vec<OAuthClient>, StoreError> {
        const CLIENTS: &str = concat!(
            "SELECT ",
            client_columns!(),
            " FROM oauth_clients ORDER BY id"
        );
        const URIS: &str = "SELECT client_row_id, uri FROM oauth_client_redirect_uris \
             ORDER BY client_row_id, position";
        let (rows, uris) = on_pool!(self, pool => {
            let rows = sqlx::query_as::<_, ClientRow>(CLIENTS).fetch_all(pool).await.map_err(other)?;
            let uris = sqlx::query_as::<_, (i64, String)>(URIS).fetch_all(pool).await.map_err(other)?;
            (rows, uris)
        });
        let mut by_client: HashMap<i64, Vec<String>> = HashMap::new();
        for (key, uri) in uris {
            by_client.entry(key).or_default().push(uri);
        }
        rows.into_iter()
            .map(|row| {
                let uris = by_client.remove(&row.id).unwrap_or_default();
                client_from(row, uris)
            })
            .collect()
    }

    async fn update_client(&self, client: &OAuthClient) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE oauth_clients SET name = $2, secret_hash = $3, \
             allowed_scopes = $4, updated_at = $5 WHERE id = $1";
        on_writer!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(other)?;
            let changed = sqlx::query(SQL)
                .bind(client.key.0)
                .bind(&client.name)
                .bind(client.secret_hash.as_ref().map(SecretHash::as_str))
                .bind(client.allowed_scopes.to_string())
                .bind(DbTime(client.updated_at))
                .execute(&mut *tx)
                .await
                .map_err(other)?
                .rows_affected();
            if changed == 0 {
                return Err(StoreError::NotFound("client"));
            }
            sqlx::query("DELETE FROM oauth_client_redirect_uris WHERE client_row_id = $1")
                .bind(client.key.0)
                .execute(&mut *tx)
                .await
                .map_err(other)?;
            insert_redirect_uris!(tx, client.key.0, client.redirect_uris);
            tx.commit().await.map_err(other)?;
        });
        Ok(())
    }

    async fn delete_client(&self, client: ClientKey) -> Result<bool, StoreError> {
        let deleted = on_writer!(self, pool => sqlx::query("DELETE FROM oauth_clients WHERE id = $1")
            .bind(client.0)
            .execute(pool)
            .await
            .map_err(other)?
            .rows_affected());
        Ok(deleted > 0)
    }

    async fn find_consent(
        &self,
        user: UserId,
        client: ClientKey,
    ) -> Result<Option<Consent>, StoreError> {
        const SQL: &str = "SELECT scopes, created_at, updated_at FROM oauth_consents \
             WHERE user_id = $1 AND client_row_id = $2 AND revoked_at IS NULL";
        let row = on_pool!(self, pool => sqlx::query_as::<_, (String, DbTime, DbTime)>(SQL)
            .bind(user.get())
            .bind(client.0)
            .fetch_optional(pool)
            .await
            .map_err(other)?);
        row.map(|(text, created_at, updated_at)| {
            Ok(Consent {
                user_id: user,
                client,
                scopes: scopes(&text)?,
                created_at: created_at.0,
                updated_at: updated_at.0,
            })
        })
        .transpose()
    }

    async fn grant_consent(
        &self,
        user: UserId,
        client: ClientKey,
        granted: ScopeSet,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        const CURRENT: &str = "SELECT scopes FROM oauth_consents WHERE user_id = $1 \
             AND client_row_id = $2 AND revoked_at IS NULL";
        // The union read earlier applies only if the consent is still live when the row is
        // written: a revocation committed in between leaves just the new grant.
        const UPSERT: &str = "INSERT INTO oauth_consents (user_id, client_row_id, scopes, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $4) \
             ON CONFLICT (user_id, client_row_id) DO UPDATE SET scopes = CASE WHEN \
             oauth_consents.revoked_at IS NULL THEN $5 ELSE excluded.scopes END, \
             updated_at = excluded.updated_at, revoked_at = NULL";
        on_writer!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(other)?;
            let current = sqlx::query_scalar::<_, String>(CURRENT)
                .bind(user.get())
                .bind(client.0)
                .fetch_optional(&mut *tx)
                .await
                .map_err(other)?;
            let union = match current {
                Some(text) => scopes(&text)?.union(granted),
                None => granted,
            };
            sqlx::query(UPSERT)
                .bind(user.get())
                .bind(client.0)
                .bind(granted.to_string())
                .bind(DbTime(now))
                .bind(union.to_string())
                .execute(&mut *tx)
                .await
                .map_err(constraint("consent", "user or client"))?;
            tx.commit().await.map_err(other)?;
        });
        Ok(())
    }

    async fn list_consents(&self, user: UserId) -> Result<Vec<(Consent, OAuthClient)>, StoreError> {
        const SQL: &str = "SELECT c.client_id FROM oauth_consents o JOIN oauth_clients c \
             ON c.id = o.client_row_id WHERE o.user_id = $1 AND o.revoked_at IS NULL ORDER BY o.id";
        let client_ids = on_pool!(self, pool => sqlx::query_scalar::<_, String>(SQL)
            .bind(user.get())
            .fetch_all(pool)
            .await
            .map_err(other)?);
        let mut out = Vec::with_capacity(client_ids.len());
        for client_id in client_ids {
            if let Some(client) = self.find_client(&client_id).await?
                && let Some(consent) = self.find_consent(user, client.key).await?
            {
                out.push((consent, client));
            }
        }
        Ok(out)
    }

    async fn revoke_consent(
        &self,
        user: UserId,
        client: ClientKey,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        const CONSENT: &str = "UPDATE oauth_consents SET revoked_at = $3 WHERE user_id = $1 \
             AND client_row_id = $2 AND revoked_at IS NULL";
        const FAMILIES: &str = "UPDATE oauth_token_families SET revoked_at = $3 \
             WHERE user_id = $1 AND client_row_id = $2 AND revoked_at IS NULL";
        let revoked = on_writer!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(other)?;
            let mut changed = 0;
            for sql in [CONSENT, FAMILIES] {
                changed += sqlx::query(sql)
                    .bind(user.get())
                    .bind(client.0)
                    .bind(DbTime(now))
                    .execute(&mut *tx)
                    .await
                    .map_err(other)?
                    .rows_affected();
            }
            tx.commit().await.map_err(other)?;
            changed
        });
        Ok(revoked > 0)
    }

    async fn insert_authorization_code(
        &self,
        code: NewAuthorizationCode,
    ) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO oauth_authorization_codes (code_hash, client_row_id, \
             user_id, redirect_uri, scopes, code_challenge, auth_time, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
        on_writer!(self, pool => sqlx::query(SQL)
            .bind(code.code_hash.as_str())
            .bind(code.client.0)
            .bind(code.user_id.get())
            .bind(&code.redirect_uri)
            .bind(code.scopes.to_string())
            .bind(&code.code_challenge)
            .bind(DbTime(code.auth_time))
            .bind(DbTime(code.now))
            .bind(DbTime(code.expires_at))
            .execute(pool)
            .await
            .map_err(constraint("authorization code", "user or client"))?.rows_affected());
        Ok(())
    }

    async fn take_authorization_code(
        &self,
        code_hash: &SecretHash,
        now: OffsetDateTime,
    ) -> Result<CodeTake, StoreError> {
        const TAKE: &str = concat!(
            "UPDATE oauth_authorization_codes SET redeemed_at = $2 WHERE code_hash = $1 \
             AND redeemed_at IS NULL RETURNING ",
            code_columns!()
        );
        const FIND: &str = concat!(
            "SELECT ",
            code_columns!(),
            " FROM oauth_authorization_codes WHERE code_hash = $1"
        );
        let (taken, found) = on_writer!(self, pool => {
            let taken = sqlx::query_as::<_, CodeRow>(TAKE)
                .bind(code_hash.as_str())
                .bind(DbTime(now))
                .fetch_optional(pool)
                .await
                .map_err(other)?;
            let found = match taken {
                Some(_) => None,
                None => sqlx::query_as::<_, CodeRow>(FIND)
                    .bind(code_hash.as_str())
                    .fetch_optional(pool)
                    .await
                    .map_err(other)?,
            };
            (taken, found)
        });
        Ok(match (taken, found) {
            (Some(row), _) => CodeTake::Taken(row.try_into()?),
            (None, Some(row)) => CodeTake::AlreadyRedeemed(row.try_into()?),
            (None, None) => CodeTake::Missing,
        })
    }

    async fn issue_tokens(
        &self,
        family: NewFamily,
        tokens: NewTokenPair,
        now: OffsetDateTime,
    ) -> Result<FamilyId, StoreError> {
        const FAMILY: &str = "INSERT INTO oauth_token_families (client_row_id, user_id, scopes, \
             created_at, last_used_at) SELECT $1, $2, $3, $4, $4 WHERE EXISTS (SELECT 1 FROM \
             oauth_consents WHERE user_id = $2 AND client_row_id = $1 AND revoked_at IS NULL) \
             RETURNING id";
        const LINK: &str = "UPDATE oauth_authorization_codes SET family_id = $2 WHERE id = $1";
        let family_scopes = family.scopes.to_string();
        let mut tx = self.db.begin().await?;
        let id = tx
            .optional(
                FAMILY,
                &[
                    family.client.0.into(),
                    family.user_id.get().into(),
                    family_scopes.as_str().into(),
                    now.into(),
                ],
                first::<i64>,
            )
            .await
            .map_err(constraint("token family", "user or client"))?
            .ok_or(StoreError::NotFound("consent"))?;
        insert_pair(&mut tx, id, &tokens, family.scopes, None, now).await?;
        if let Some(code) = family.code_id {
            tx.execute(LINK, &[code.into(), id.into()]).await?;
        }
        tx.commit().await?;
        Ok(FamilyId(id))
    }

    async fn find_token(&self, hash: &SecretHash) -> Result<Option<TokenRecord>, StoreError> {
        const SQL: &str = "SELECT t.id, t.kind, t.family_id, t.scopes, f.scopes AS family_scopes, \
             f.user_id, f.client_row_id, c.client_id, c.allowed_scopes, t.expires_at, t.used_at, \
             t.revoked_at, f.revoked_at AS family_revoked_at \
             FROM oauth_tokens t JOIN oauth_token_families f ON f.id = t.family_id \
             JOIN oauth_clients c ON c.id = f.client_row_id WHERE t.token_hash = $1";
        let row = self
            .db
            .optional(SQL, &[hash.as_str().into()], TokenRow::read)
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let kind = match row.kind.as_str() {
            "access" => TokenKind::Access,
            "refresh" => TokenKind::Refresh,
            other => return Err(StoreError::Other(format!("corrupt token kind `{other}`"))),
        };
        Ok(Some(TokenRecord {
            id: TokenId(row.id),
            kind,
            family_id: FamilyId(row.family_id),
            scopes: scopes(&row.scopes)?,
            family_scopes: scopes(&row.family_scopes)?,
            user_id: UserId(row.user_id),
            client: ClientKey(row.client_row_id),
            client_id: row.client_id,
            client_allowed_scopes: scopes(&row.allowed_scopes)?,
            expires_at: row.expires_at.0,
            used_at: row.used_at.map(|t| t.0),
            revoked_at: row.revoked_at.or(row.family_revoked_at).map(|t| t.0),
        }))
    }

    async fn rotate_refresh_token(
        &self,
        old: TokenId,
        family: FamilyId,
        tokens: NewTokenPair,
        now: OffsetDateTime,
    ) -> Result<Rotation, StoreError> {
        // Spending the old token is the compare-and-set that makes rotation safe: of two
        // concurrent refreshes, exactly one sees its UPDATE change a row.
        const SPEND: &str = "UPDATE oauth_tokens SET used_at = $2 WHERE id = $1 \
             AND used_at IS NULL AND revoked_at IS NULL AND family_id IN \
             (SELECT id FROM oauth_token_families WHERE revoked_at IS NULL)";
        let mut tx = self.db.begin().await?;
        let spent = tx.execute(SPEND, &[old.0.into(), now.into()]).await?;
        let rotation = complete_rotation(&mut tx, spent, old, family, &tokens, now).await?;
        tx.commit().await?;
        Ok(rotation)
    }

    async fn retry_rotation(
        &self,
        old: TokenId,
        family: FamilyId,
        tokens: NewTokenPair,
        spent_since: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<Rotation, StoreError> {
        // The retry is allowed once per spent token and only within the grace period: the
        // UPDATE is the compare-and-set that decides it.
        // A retry is for a client that never received the new pair: once the new refresh
        // token has itself been used, the old one is a plain reuse.
        const RETRY: &str = "UPDATE oauth_tokens SET retried_at = $3 WHERE id = $1 \
             AND used_at >= $2 AND retried_at IS NULL AND revoked_at IS NULL AND family_id IN \
             (SELECT id FROM oauth_token_families WHERE revoked_at IS NULL) AND NOT EXISTS \
             (SELECT 1 FROM oauth_tokens c WHERE c.parent_id = $1 AND c.kind = 'refresh' \
             AND c.used_at IS NOT NULL)";
        // The generation the client lost stops working: only the newest one stays valid.
        const REVOKE_LOST: &str =
            "UPDATE oauth_tokens SET revoked_at = $2 WHERE parent_id = $1 AND revoked_at IS NULL";
        let mut tx = self.db.begin().await?;
        let allowed = tx
            .execute(RETRY, &[old.0.into(), spent_since.into(), now.into()])
            .await?;
        if allowed == 1 {
            tx.execute(REVOKE_LOST, &[old.0.into(), now.into()]).await?;
        }
        let rotation = complete_rotation(&mut tx, allowed, old, family, &tokens, now).await?;
        tx.commit().await?;
        Ok(rotation)
    }

    async fn revoke_token(&self, token: TokenId, now: OffsetDateTime) -> Result<(), StoreError> {
        self.stamp_revoked(
            "UPDATE oauth_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
            token.0,
            now,
        )
        .await
    }

    async fn revoke_family(&self, family: FamilyId, now: OffsetDateTime) -> Result<(), StoreError> {
        self.stamp_revoked(
            "UPDATE oauth_token_families SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
            family.0,
            now,
        )
        .await
    }

    async fn create_web_session(
        &self,
        token_hash: &SecretHash,
        user: UserId,
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<WebSession, StoreError> {
        const SQL: &str = "INSERT INTO web_sessions (token_hash, user_id, authenticated_at, \
             created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $3, $3, $4) \
             RETURNING id, user_id, authenticated_at, expires_at";
        let row = on_writer!(self, pool => sqlx::query_as::<_, SessionRow>(SQL)
            .bind(token_hash.as_str())
            .bind(user.get())
            .bind(DbTime(now))
            .bind(DbTime(expires_at))
            .fetch_one(pool)
            .await
            .map_err(constraint("session", "user"))?);
        Ok(row.into())
    }

    async fn find_web_session(
        &self,
        token_hash: &SecretHash,
        now: OffsetDateTime,
    ) -> Result<Option<WebSession>, StoreError> {
        const SQL: &str = "SELECT id, user_id, authenticated_at, expires_at FROM web_sessions \
             WHERE token_hash = $1 AND expires_at > $2";
        let row = on_pool!(self, pool => sqlx::query_as::<_, SessionRow>(SQL)
            .bind(token_hash.as_str())
            .bind(DbTime(now))
            .fetch_optional(pool)
            .await
            .map_err(other)?);
        Ok(row.map(Into::into))
    }

    async fn delete_web_session(&self, token_hash: &SecretHash) -> Result<(), StoreError> {
        on_writer!(self, pool => sqlx::query("DELETE FROM web_sessions WHERE token_hash = $1")
            .bind(token_hash.as_str())
            .execute(pool)
            .await
            .map_err(other)?.rows_affected());
        Ok(())
    }

    async fn delete_web_sessions_of(&self, user: UserId) -> Result<u64, StoreError> {
        let ended = on_writer!(self, pool => sqlx::query("DELETE FROM web_sessions WHERE user_id = $1")
            .bind(user.get())
            .execute(pool)
            .await
            .map_err(other)?.rows_affected());
        Ok(ended)
    }

    async fn create_consent_ticket(
        &self,
        ticket_hash: &SecretHash,
        request_hash: &SecretHash,
        session: i64,
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO consent_tickets (ticket_hash, session_id, created_at, \
             expires_at, request_hash) VALUES ($1, $2, $3, $4, $5)";
        on_writer!(self, pool => sqlx::query(SQL)
            .bind(ticket_hash.as_str())
            .bind(session)
            .bind(DbTime(now))
            .bind(DbTime(expires_at))
            .bind(request_hash.as_str())
            .execute(pool)
            .await
            .map_err(constraint("consent ticket", "session"))?
            .rows_affected());
        Ok(())
    }

    async fn use_consent_ticket(
        &self,
        ticket_hash: &SecretHash,
        request_hash: &SecretHash,
        session: i64,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE consent_tickets SET used_at = $3 WHERE ticket_hash = $1 \
             AND session_id = $2 AND used_at IS NULL AND expires_at > $3 AND request_hash = $4";
        let used = on_writer!(self, pool => sqlx::query(SQL)
            .bind(ticket_hash.as_str())
            .bind(session)
            .bind(DbTime(now))
            .bind(request_hash.as_str())
            .execute(pool)
            .await
            .map_err(other)?
            .rows_affected());
        Ok(used == 1)
    }
}
