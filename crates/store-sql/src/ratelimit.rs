//! [`RateLimiter`] in the database, shared by every process: an optimistic compare-and-set
//! on one row per key, the same SQL on both engines.

use crate::db_time::DbTime;
use crate::error::other;
use crate::{SqlStore, on_pool};
use async_trait::async_trait;
use paceline_domain::StoreError;
use paceline_domain::ratelimit::{Decision, Limit, RateLimiter, peek_decision};
use std::sync::atomic::Ordering;
use time::OffsetDateTime;

/// Concurrent writers on one key retry the compare-and-set at most this often.
const ATTEMPTS: usize = 8;
/// Every this many new keys, keys whose time has passed are deleted.
const SWEEP_EVERY: u64 = 1000;

#[async_trait]
impl RateLimiter for SqlStore {
    async fn check(
        &self,
        key: &str,
        limit: Limit,
        now: OffsetDateTime,
    ) -> Result<Decision, StoreError> {
        const READ: &str = "SELECT tat FROM rate_limits WHERE key = $1";
        const INSERT: &str =
            "INSERT INTO rate_limits (key, tat) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING";
        const UPDATE: &str = "UPDATE rate_limits SET tat = $3 WHERE key = $1 AND tat = $2";
        const SWEEP: &str = "DELETE FROM rate_limits WHERE tat < $1";
        for _ in 0..ATTEMPTS {
            let current = on_pool!(self, pool => sqlx::query_scalar::<_, DbTime>(READ)
                .bind(key)
                .fetch_optional(pool)
                .await
                .map_err(other)?);
            let next = match limit.apply(current.map(|t| t.0), now) {
                Ok(next) => next,
                Err(retry_after) => return Ok(Decision::Limited { retry_after }),
            };
            let changed = match current {
                None => on_pool!(self, pool => sqlx::query(INSERT)
                    .bind(key)
                    .bind(DbTime(next))
                    .execute(pool)
                    .await
                    .map_err(other)?
                    .rows_affected()),
                Some(old) => on_pool!(self, pool => sqlx::query(UPDATE)
                    .bind(key)
                    .bind(old)
                    .bind(DbTime(next))
                    .execute(pool)
                    .await
                    .map_err(other)?
                    .rows_affected()),
            };
            if changed == 1 {
                if current.is_none()
                    && self.new_limit_keys.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY
                        == SWEEP_EVERY - 1
                {
                    on_pool!(self, pool => sqlx::query(SWEEP)
                        .bind(DbTime(now))
                        .execute(pool)
                        .await
                        .map_err(other)?
                        .rows_affected());
                }
                return Ok(Decision::Allowed);
            }
        }
        // Lost every race: so many requests at once on one key that refusing one is right.
        Ok(Decision::Limited {
            retry_after: limit.interval(),
        })
    }

    async fn peek(
        &self,
        key: &str,
        limit: Limit,
        now: OffsetDateTime,
    ) -> Result<Decision, StoreError> {
        const READ: &str = "SELECT tat FROM rate_limits WHERE key = $1";
        let current = on_pool!(self, pool => sqlx::query_scalar::<_, DbTime>(READ)
            .bind(key)
            .fetch_optional(pool)
            .await
            .map_err(other)?);
        Ok(peek_decision(limit, current.map(|t| t.0), now))
    }
}
