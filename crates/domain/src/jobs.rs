//! Background jobs that several instances share (the orphan sweep over one bucket): each
//! turn of a job is claimed in the database for a while, so that one instance runs it and
//! the others leave that turn alone.

use crate::StoreError;
use async_trait::async_trait;
use time::OffsetDateTime;

/// The claims on background jobs.
#[async_trait]
pub trait JobStore: Send + Sync {
    /// Claims the job `name` for `holder` until `until`, when nobody holds it at `now` (it
    /// was never claimed, or its last claim has ended); `true` when this call claimed it.
    /// Of two instances claiming at once, one gets it.
    async fn claim_job(
        &self,
        name: &str,
        holder: &str,
        now: OffsetDateTime,
        until: OffsetDateTime,
    ) -> Result<bool, StoreError>;
}
