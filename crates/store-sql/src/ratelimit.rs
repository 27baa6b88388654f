//! [`RateLimiter`] in the database, shared by every process: one row per key. On SQLite a
//! check reads and replaces it in one write transaction, which holds the write lock (only
//! two first requests of a new key can race, both inserting; the loser retries). On
//! PostgreSQL a check is one statement in autocommit, the GCRA written in SQL, so that a
//! key's row is locked for the statement alone: every request of one app shares the app's
//! key, and checks of one key queue on its row. The table is unlogged there (migration
//! 0013): its commits wait for no disk flush.

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
/// PostgreSQL's check of key `$1` at `$2`, a request costing `$3` µs with `$4` µs of
/// tolerance ([`Limit::apply`]): a new key's time is now plus the cost; a known key's moves
/// on by the cost from its time or now, whichever is later, when that is at most the
/// tolerance ahead of now. Answers whether the key was inserted; no row when refused.
const CHECK_IN_ONE: &str = "INSERT INTO rate_limits AS r (key, tat) \
     VALUES ($1, $2 + $3::BIGINT * INTERVAL '1 microsecond') \
     ON CONFLICT (key) DO UPDATE SET tat = GREATEST(r.tat, $2) + $3::BIGINT * INTERVAL '1 microsecond' \
     WHERE GREATEST(r.tat, $2) <= $2 + $4::BIGINT * INTERVAL '1 microsecond' \
     RETURNING (r.xmax = 0)";

/// A duration in whole microseconds, saturating.
fn micros(duration: time::Duration) -> i64 {
    i64::try_from(duration.whole_microseconds()).unwrap_or(i64::MAX)
}

impl SqlStore {
    /// A check on PostgreSQL: [`CHECK_IN_ONE`].
    async fn check_in_one(
        &self,
        key: &str,
        limit: Limit,
        now: OffsetDateTime,
    ) -> Result<Decision, StoreError> {
        let args = [
            key.into(),
            now.into(),
            micros(limit.interval()).into(),
            micros(limit.tolerance()).into(),
        ];
        match self.db.returning(CHECK_IN_ONE, &args, first).await {
            Ok(new_key) => {
                self.count_new_key(new_key, now).await?;
                Ok(Decision::Allowed)
            }
            // Refused: the wait comes from the key's time as it is now, read by a statement
            // of its own (the check's snapshot may predate the checks it queued behind).
            Err(crate::db::DbError::NoRows) => {
                let tat: Option<OffsetDateTime> =
                    self.db.optional(READ, &[key.into()], first).await?;
                Ok(Decision::Limited {
                    retry_after: limit.apply(tat, now).err().unwrap_or(limit.interval()),
                })
            }
            Err(other) => Err(other.into()),
        }
    }

    /// Counts a key that was new, and every [`SWEEP_EVERY`] of them deletes the keys whose
    /// time has passed.
    async fn count_new_key(&self, new_key: bool, now: OffsetDateTime) -> Result<(), StoreError> {
        if new_key
            && self.new_limit_keys.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1
        {
            self.db.execute(SWEEP, &[now.into()]).await?;
        }
        Ok(())
    }

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
        if matches!(self.db, crate::db::Db::Postgres(_)) {
            return self.check_in_one(key, limit, now).await;
        }
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
                    self.count_new_key(new_key, now).await?;
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
