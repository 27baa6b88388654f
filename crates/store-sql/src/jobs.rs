//! [`JobStore`]: a job's turn claimed by one upsert, which inserts the claim or takes over
//! one that has ended, and changes nothing while another holds it. On PostgreSQL a second
//! claim at the same moment waits for the first's row and then finds it held.

use crate::SqlStore;
use async_trait::async_trait;
use paceline_domain::StoreError;
use paceline_domain::jobs::JobStore;
use time::OffsetDateTime;

const CLAIM: &str = "INSERT INTO job_claims (name, holder, until) VALUES ($1, $2, $3) \
     ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until \
     WHERE job_claims.until <= $4";

#[async_trait]
impl JobStore for SqlStore {
    async fn claim_job(
        &self,
        name: &str,
        holder: &str,
        now: OffsetDateTime,
        until: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let args = [name.into(), holder.into(), until.into(), now.into()];
        Ok(self.db.execute(CLAIM, &args).await? == 1)
    }
}
