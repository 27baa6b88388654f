//! Rate limiting with the generic cell rate algorithm (GCRA): each key keeps one instant,
//! its theoretical arrival time, so a limit costs one small record per key, allows bursts up
//! to the limit and refills smoothly. The limiter counts in memory (one process) or in the
//! database (shared by every process serving one installation, so a client cannot multiply
//! its limit by the number of processes).

use crate::StoreError;
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::Mutex;
use time::{Duration, OffsetDateTime};

/// `requests` per `period`, in a burst or spread out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// How many requests.
    pub requests: u32,
    /// In how long.
    pub period: Duration,
}

impl Limit {
    /// `requests` per minute.
    pub const fn per_minute(requests: u32) -> Self {
        Self {
            requests,
            period: Duration::MINUTE,
        }
    }

    /// The time one request "costs": the period divided by the number of requests.
    pub fn interval(self) -> Duration {
        self.period / self.requests.max(1)
    }

    /// How far ahead of now the arrival time may run: the burst allowance.
    pub fn tolerance(self) -> Duration {
        self.period - self.interval()
    }

    /// The arrival time after giving one request back: `None` when nothing is left to
    /// remember.
    pub fn refunded(self, tat: OffsetDateTime, now: OffsetDateTime) -> Option<OffsetDateTime> {
        let earlier = tat - self.interval();
        (earlier > now).then_some(earlier)
    }

    /// Applies the GCRA to a key whose theoretical arrival time is `tat` (or none): the new
    /// arrival time to store when allowed, else how long to wait.
    pub fn apply(
        self,
        tat: Option<OffsetDateTime>,
        now: OffsetDateTime,
    ) -> Result<OffsetDateTime, Duration> {
        let tat = tat.map_or(now, |t| t.max(now));
        let ahead = tat - now;
        if ahead > self.tolerance() {
            Err(ahead - self.tolerance())
        } else {
            Ok(tat + self.interval())
        }
    }
}

/// A limiter's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Go ahead.
    Allowed,
    /// Over the limit: retry after this long.
    Limited {
        /// How long until one more request is allowed.
        retry_after: Duration,
    },
}

/// Counts requests per key.
#[async_trait]
pub trait RateLimiter: Send + Sync {
    /// Counts one request for `key` under `limit`.
    async fn check(
        &self,
        key: &str,
        limit: Limit,
        now: OffsetDateTime,
    ) -> Result<Decision, StoreError>;

    /// Gives back one request counted for `key` (a login that succeeded), so that only
    /// failures use up a limit that is counted before the outcome is known.
    async fn refund(&self, key: &str, limit: Limit, now: OffsetDateTime) -> Result<(), StoreError>;
}

/// The limits the server applies; configurable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// API requests per access token.
    pub api_per_token: Limit,
    /// API requests per client, all its tokens together.
    pub api_per_client: Limit,
    /// Failed login attempts per account (e-mail address).
    pub login_per_account: Limit,
    /// Failed login attempts per client address.
    pub login_per_address: Limit,
    /// Failed client authentications (wrong secrets) per client id, at the token and
    /// revocation endpoints.
    pub client_auth_failures: Limit,
}

impl Default for Limits {
    /// 600 requests a minute per token and 6,000 per client; 10 failed login attempts per
    /// account and 30 per address in 15 minutes; 20 failed client authentications a minute
    /// per client.
    fn default() -> Self {
        let quarter_hour = Duration::minutes(15);
        Self {
            api_per_token: Limit::per_minute(600),
            api_per_client: Limit::per_minute(6000),
            login_per_account: Limit {
                requests: 10,
                period: quarter_hour,
            },
            login_per_address: Limit {
                requests: 30,
                period: quarter_hour,
            },
            client_auth_failures: Limit::per_minute(20),
        }
    }
}

/// Counts in this process's memory. Keys whose arrival time has passed are dropped as the
/// map grows, so memory follows the number of active keys.
#[derive(Debug, Default)]
pub struct MemoryLimiter {
    keys: Mutex<HashMap<String, OffsetDateTime>>,
}

/// Past this many keys, expired ones are swept on the next insertion.
const SWEEP_AT: usize = 10_000;

impl MemoryLimiter {
    /// An empty limiter.
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts synchronously.
    pub fn check_now(&self, key: &str, limit: Limit, now: OffsetDateTime) -> Decision {
        let mut keys = self
            .keys
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // A key seen before is updated where it is: one look-up, no allocation.
        if let Some(stored) = keys.get_mut(key) {
            return match limit.apply(Some(*stored), now) {
                Ok(tat) => {
                    *stored = tat;
                    Decision::Allowed
                }
                Err(retry_after) => Decision::Limited { retry_after },
            };
        }
        match limit.apply(None, now) {
            Ok(tat) => {
                if keys.len() >= SWEEP_AT {
                    keys.retain(|_, t| *t > now);
                }
                keys.insert(key.to_owned(), tat);
                Decision::Allowed
            }
            Err(retry_after) => Decision::Limited { retry_after },
        }
    }
}

#[async_trait]
impl RateLimiter for MemoryLimiter {
    async fn check(
        &self,
        key: &str,
        limit: Limit,
        now: OffsetDateTime,
    ) -> Result<Decision, StoreError> {
        Ok(self.check_now(key, limit, now))
    }

    async fn refund(&self, key: &str, limit: Limit, now: OffsetDateTime) -> Result<(), StoreError> {
        let mut keys = self
            .keys
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(tat) = keys.get(key).copied() {
            match limit.refunded(tat, now) {
                Some(earlier) => {
                    keys.insert(key.to_owned(), earlier);
                }
                None => {
                    keys.remove(key);
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-01-01 00:00 UTC);

    #[test]
    fn a_burst_up_to_the_limit_then_a_smooth_refill() {
        let limiter = MemoryLimiter::new();
        let limit = Limit::per_minute(6);
        for _ in 0..6 {
            assert_eq!(limiter.check_now("k", limit, T0), Decision::Allowed);
        }
        let Decision::Limited { retry_after } = limiter.check_now("k", limit, T0) else {
            panic!("the seventh request in a burst must be limited");
        };
        assert_eq!(retry_after, Duration::seconds(10));
        assert!(matches!(
            limiter.check_now("k", limit, T0 + Duration::seconds(9)),
            Decision::Limited { .. }
        ));
        assert_eq!(
            limiter.check_now("k", limit, T0 + Duration::seconds(10)),
            Decision::Allowed
        );
        assert_eq!(
            limiter.check_now("other", limit, T0),
            Decision::Allowed,
            "keys are independent"
        );
        assert_eq!(
            limiter.check_now("k", limit, T0 + Duration::minutes(2)),
            Decision::Allowed
        );
    }

    #[test]
    fn refused_requests_do_not_count() {
        let limiter = MemoryLimiter::new();
        let limit = Limit::per_minute(1);
        assert_eq!(limiter.check_now("k", limit, T0), Decision::Allowed);
        for _ in 0..100 {
            assert!(matches!(
                limiter.check_now("k", limit, T0),
                Decision::Limited { .. }
            ));
        }
        assert_eq!(
            limiter.check_now("k", limit, T0 + Duration::minutes(1)),
            Decision::Allowed
        );
    }

    #[tokio::test]
    async fn refunds_give_a_request_back() {
        let limiter = MemoryLimiter::new();
        let limit = Limit::per_minute(2);
        for _ in 0..10 {
            assert_eq!(limiter.check_now("k", limit, T0), Decision::Allowed);
            limiter.refund("k", limit, T0).await.unwrap();
        }
        assert_eq!(limiter.check_now("k", limit, T0), Decision::Allowed);
        assert_eq!(limiter.check_now("k", limit, T0), Decision::Allowed);
        assert!(matches!(
            limiter.check_now("k", limit, T0),
            Decision::Limited { .. }
        ));
    }

    #[test]
    fn expired_keys_are_swept() {
        let limiter = MemoryLimiter::new();
        let limit = Limit::per_minute(60);
        for i in 0..SWEEP_AT {
            limiter.check_now(&format!("k{i}"), limit, T0);
        }
        limiter.check_now("late", limit, T0 + Duration::hours(1));
        assert_eq!(limiter.keys.lock().unwrap().len(), 1);
    }
}
