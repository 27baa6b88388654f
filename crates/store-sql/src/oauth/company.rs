//! Company integrations: which clients act for a coaching company, through which user.

use crate::error::{constraint, other};
use crate::{SqlStore, on_pool, on_writer};
use paceline_domain::StoreError;
use paceline_domain::ids::{OrgId, UserId};
use paceline_domain::oauth::client::ClientKey;
use paceline_domain::oauth::store::CompanyClient;

pub(super) async fn link(
    store: &SqlStore,
    client: ClientKey,
    organization: OrgId,
    service_user: UserId,
) -> Result<(), StoreError> {
    const SQL: &str = "INSERT INTO company_clients (client_row_id, organization_id, \
         service_user_id) VALUES ($1, $2, $3)";
    on_writer!(store, pool => sqlx::query(SQL)
        .bind(client.0)
        .bind(organization.get())
        .bind(service_user.get())
        .execute(pool)
        .await
        .map(drop)
        .map_err(constraint("company client", "client"))?);
    Ok(())
}

pub(super) async fn find(
    store: &SqlStore,
    client: ClientKey,
) -> Result<Option<CompanyClient>, StoreError> {
    const SQL: &str = "SELECT organization_id, service_user_id FROM company_clients \
         WHERE client_row_id = $1";
    let row = on_pool!(store, pool => sqlx::query_as::<_, (i64, i64)>(SQL)
        .bind(client.0)
        .fetch_optional(pool)
        .await
        .map_err(other)?);
    Ok(row.map(|(organization, user)| CompanyClient {
        organization_id: OrgId(organization),
        service_user: UserId(user),
    }))
}
