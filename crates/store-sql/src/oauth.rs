//! [`OAuthStore`]: clients, consents, authorization codes, token families and login
//! sessions. Credentials are stored only as hashes.
//!
//! The methods are here; the rows they read, with their column lists and conversions, are in
//! `rows`, and the writes several methods share are in `writes`.

mod company;
mod rows;
mod writes;

use crate::SqlStore;
use crate::db::first;
use crate::error::constraint;
use async_trait::async_trait;
use paceline_domain::StoreError;
use paceline_domain::ids::UserId;
use paceline_domain::oauth::client::{ClientKey, OAuthClient};
use paceline_domain::oauth::scope::ScopeSet;
use paceline_domain::oauth::secret::SecretHash;
use paceline_domain::oauth::store::{
    CodeTake, Consent, FamilyId, NewAuthorizationCode, NewClient, NewFamily, NewTokenPair,
    OAuthStore, Rotation, TokenId, TokenRecord, WebSession,
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
        let allowed = new.allowed_scopes.to_string();
        let mut tx = self.db.begin().await?;
        let row = tx
            .one(
                SQL,
                &[
                    new.client_id.as_str().into(),
                    new.name.as_str().into(),
                    new.secret_hash.as_ref().map(SecretHash::as_str).into(),
                    allowed.as_str().into(),
                    new.now.into(),
                ],
                ClientRow::read,
            )
            .await
            .map_err(constraint("client_id", "client"))?;
        insert_redirect_uris(&mut tx, row.id, &new.redirect_uris).await?;
        tx.commit().await?;
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
        let mut reader = self.db.reader().await?;
        let Some(row) = reader
            .optional(CLIENT, &[client_id.into()], ClientRow::read)
            .await?
        else {
            return Ok(None);
        };
        let uris = reader.all(URIS, &[row.id.into()], first).await?;
        client_from(row, uris).map(Some)
    }

    async fn list_clients(&self) -> Result<Vec<OAuthClient>, StoreError> {
        const CLIENTS: &str = concat!(
            "SELECT ",
            client_columns!(),
            " FROM oauth_clients ORDER BY id"
        );
        const URIS: &str = "SELECT client_row_id, uri FROM oauth_client_redirect_uris \
             ORDER BY client_row_id, position";
        let mut reader = self.db.reader().await?;
        let rows = reader.all(CLIENTS, &[], ClientRow::read).await?;
        let uris: Vec<(i64, String)> = reader.all(URIS, &[], |c| Ok((c.get()?, c.get()?))).await?;
        drop(reader);
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
        const URIS: &str = "DELETE FROM oauth_client_redirect_uris WHERE client_row_id = $1";
        let allowed = client.allowed_scopes.to_string();
        let mut tx = self.db.begin().await?;
        let changed = tx
            .execute(
                SQL,
                &[
                    client.key.0.into(),
                    client.name.as_str().into(),
                    client.secret_hash.as_ref().map(SecretHash::as_str).into(),
                    allowed.as_str().into(),
                    client.updated_at.into(),
                ],
            )
            .await?;
        if changed == 0 {
            return Err(StoreError::NotFound("client"));
        }
        tx.execute(URIS, &[client.key.0.into()]).await?;
        insert_redirect_uris(&mut tx, client.key.0, &client.redirect_uris).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn delete_client(&self, client: ClientKey) -> Result<bool, StoreError> {
        const SQL: &str = "DELETE FROM oauth_clients WHERE id = $1";
        Ok(self.db.execute(SQL, &[client.0.into()]).await? > 0)
    }

    async fn find_consent(
        &self,
        user: UserId,
        client: ClientKey,
    ) -> Result<Option<Consent>, StoreError> {
        const SQL: &str = "SELECT scopes, created_at, updated_at FROM oauth_consents \
             WHERE user_id = $1 AND client_row_id = $2 AND revoked_at IS NULL";
        let row: Option<(String, OffsetDateTime, OffsetDateTime)> = self
            .db
            .optional(SQL, &[user.get().into(), client.0.into()], |c| {
                Ok((c.get()?, c.get()?, c.get()?))
            })
            .await?;
        row.map(|(text, created_at, updated_at)| {
            Ok(Consent {
                user_id: user,
                client,
                scopes: scopes(&text)?,
                created_at,
                updated_at,
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
        let mut tx = self.db.begin().await?;
        let current: Option<String> = tx
            .optional(CURRENT, &[user.get().into(), client.0.into()], first)
            .await?;
        let union = match current {
            Some(text) => scopes(&text)?.union(granted),
            None => granted,
        };
        let (granted, union) = (granted.to_string(), union.to_string());
        tx.execute(
            UPSERT,
            &[
                user.get().into(),
                client.0.into(),
                granted.as_str().into(),
                now.into(),
                union.as_str().into(),
            ],
        )
        .await
        .map_err(constraint("consent", "user or client"))?;
        tx.commit().await?;
        Ok(())
    }

    async fn list_consents(&self, user: UserId) -> Result<Vec<(Consent, OAuthClient)>, StoreError> {
        const SQL: &str = "SELECT c.client_id FROM oauth_consents o JOIN oauth_clients c \
             ON c.id = o.client_row_id WHERE o.user_id = $1 AND o.revoked_at IS NULL ORDER BY o.id";
        let client_ids: Vec<String> = self.db.all(SQL, &[user.get().into()], first).await?;
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
        let args = [user.get().into(), client.0.into(), now.into()];
        let mut tx = self.db.begin().await?;
        let mut changed = 0;
        for sql in [CONSENT, FAMILIES] {
            changed += tx.execute(sql, &args).await?;
        }
        tx.commit().await?;
        Ok(changed > 0)
    }

    async fn insert_authorization_code(
        &self,
        code: NewAuthorizationCode,
    ) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO oauth_authorization_codes (code_hash, client_row_id, \
             user_id, redirect_uri, scopes, code_challenge, auth_time, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
        let scopes = code.scopes.to_string();
        self.db
            .execute(
                SQL,
                &[
                    code.code_hash.as_str().into(),
                    code.client.0.into(),
                    code.user_id.get().into(),
                    code.redirect_uri.as_str().into(),
                    scopes.as_str().into(),
                    code.code_challenge.as_str().into(),
                    code.auth_time.into(),
                    code.now.into(),
                    code.expires_at.into(),
                ],
            )
            .await
            .map_err(constraint("authorization code", "user or client"))?;
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
        let mut tx = self.db.begin().await?;
        let taken = tx
            .optional(
                TAKE,
                &[code_hash.as_str().into(), now.into()],
                CodeRow::read,
            )
            .await?;
        let found = match taken {
            Some(_) => None,
            None => {
                tx.optional(FIND, &[code_hash.as_str().into()], CodeRow::read)
                    .await?
            }
        };
        tx.commit().await?;
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
        Ok(Some(TokenRecord {
            id: TokenId(row.id),
            kind: row.kind.0,
            family_id: FamilyId(row.family_id),
            scopes: row.scopes,
            family_scopes: row.family_scopes,
            user_id: UserId(row.user_id),
            client: ClientKey(row.client_row_id),
            client_id: row.client_id,
            client_allowed_scopes: row.allowed_scopes,
            expires_at: row.expires_at,
            used_at: row.used_at,
            revoked_at: row.revoked_at.or(row.family_revoked_at),
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
        let args = [
            token_hash.as_str().into(),
            user.get().into(),
            now.into(),
            expires_at.into(),
        ];
        let row = self
            .db
            .returning(SQL, &args, SessionRow::read)
            .await
            .map_err(constraint("session", "user"))?;
        Ok(row.into())
    }

    async fn find_web_session(
        &self,
        token_hash: &SecretHash,
        now: OffsetDateTime,
    ) -> Result<Option<WebSession>, StoreError> {
        const SQL: &str = "SELECT id, user_id, authenticated_at, expires_at FROM web_sessions \
             WHERE token_hash = $1 AND expires_at > $2";
        let row = self
            .db
            .optional(
                SQL,
                &[token_hash.as_str().into(), now.into()],
                SessionRow::read,
            )
            .await?;
        Ok(row.map(Into::into))
    }

    async fn delete_web_session(&self, token_hash: &SecretHash) -> Result<(), StoreError> {
        const SQL: &str = "DELETE FROM web_sessions WHERE token_hash = $1";
        self.db.execute(SQL, &[token_hash.as_str().into()]).await?;
        Ok(())
    }

    async fn delete_web_sessions_of(&self, user: UserId) -> Result<u64, StoreError> {
        const SQL: &str = "DELETE FROM web_sessions WHERE user_id = $1";
        Ok(self.db.execute(SQL, &[user.get().into()]).await?)
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
        let args = [
            ticket_hash.as_str().into(),
            session.into(),
            now.into(),
            expires_at.into(),
            request_hash.as_str().into(),
        ];
        self.db
            .execute(SQL, &args)
            .await
            .map_err(constraint("consent ticket", "session"))?;
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
        let args = [
            ticket_hash.as_str().into(),
            session.into(),
            now.into(),
            request_hash.as_str().into(),
        ];
        Ok(self.db.execute(SQL, &args).await? == 1)
    }
}
