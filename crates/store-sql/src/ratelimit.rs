//! [`RateLimiter`] in the database, shared by every process: one row per key, read and
//! replaced in one write transaction. On SQLite the transaction holds the write lock; on
//! PostgreSQL the read locks the row. Only two first requests of a new key can race (both
//! insert); the loser retries.

use crate::SqlStore;
use crate::db::first;
use async_trait::async_trait;
use paceline_domain::StoreError;
use paceline_domain::ratelimit::{Decision, Limit, RateLimiter};
use std::sync::atomic::Ordering;
use time::OffsetDateTime;

/// Concurrent writers on one key retry the compare-and-set at most this often.
const ATTEMPTS: usize = 8;
/// Every this many new keys, keys whose time has passed are deleted.
const SWEEP_EVERY: u64 = 1000;

const READ: &str = "SELECT tat FROM rate_limits WHERE key = $1";
/// PostgreSQL locks the row it reads, so concurrent checks of one key queue instead of
/// racing (SQLite's write transaction already holds the database's write lock).
const READ_LOCKED: &str = "SELECT tat FROM rate_limits WHERE key = $1 FOR UPDATE";
const INSERT: &str =
    "INSERT INTO rate_limits (key, tat) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING";
const UPDATE: &str = "UPDATE rate_limits SET tat = $3 WHERE key = $1 AND tat = $2";
const SWEEP: &str = "DELETE FROM rate_limits WHERE tat < $1";

impl SqlStore {
    /// The read of a key's time, locking its row on PostgreSQL.
    fn rate_read(&self) -> &'static str {
        match self.db {
            crate::db::Db::Sqlite(_) => READ,
            crate::db::Db::Postgres(_) => READ_LOCKED,
        }
    }
}

/// What one attempt found.
enum Attempt {
    Done(Decision, bool),
    Raced,
}

#[async_trait]
impl RateLimiter for SqlStore {
    async fn check(
        &self,
        key: &str,
        limit: Limit,
        now: OffsetDateTime,
    ) -> Result<Decision, StoreError> {
        let read = self.rate_read();
        for _ in 0..ATTEMPTS {
            let mut tx = self.db.begin().await?;
            let current: Option<OffsetDateTime> = tx.optional(read, &[key.into()], first).await?;
            let attempt = match limit.apply(current, now) {
                Err(retry_after) => {
                    tx.rollback().await?;
                    Attempt::Done(Decision::Limited { retry_after }, false)
                }
                Ok(next) => {
                    let changed = match current {
                        None => tx.execute(INSERT, &[key.into(), next.into()]).await?,
                        Some(old) => {
                            tx.execute(UPDATE, &[key.into(), old.into(), next.into()])
                                .await?
                        }
                    };
                    tx.commit().await?;
                    if changed == 1 {
                        Attempt::Done(Decision::Allowed, current.is_none())
                    } else {
                        Attempt::Raced
                    }
                }
            };
            match attempt {
                Attempt::Raced => continue,
                Attempt::Done(decision, new_key) => {
                    if new_key
                        && self.new_limit_keys.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY
                            == SWEEP_EVERY - 1
                    {
                        self.db.execute(SWEEP, &[now.into()]).await?;
                    }
                    return Ok(decision);
                }
            }
        }
        // Lost every race: so many requests at once on one key that refusing one is right.
        Ok(Decision::Limited {
            retry_after: limit.interval(),
        })
    }

    async fn refund(&self, key: &str, limit: Limit, now: OffsetDateTime) -> Result<(), StoreError> {
        const DELETE: &str = "DELETE FROM rate_limits WHERE key = $1";
        const SET: &str = "UPDATE rate_limits SET tat = $2 WHERE key = $1";
        let mut tx = self.db.begin().await?;
        let current: Option<OffsetDateTime> =
            tx.optional(self.rate_read(), &[key.into()], first).await?;
        if let Some(tat) = current {
            match limit.refunded(tat, now) {
                Some(earlier) => tx.execute(SET, &[key.into(), earlier.into()]).await?,
                None => tx.execute(DELETE, &[key.into()]).await?,
            };
        }
        tx.commit().await?;
        Ok(())
    }
}
