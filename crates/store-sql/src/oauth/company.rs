//! Company integrations: which clients act for a coaching company, through which user.

use super::rows::{ClientRow, client_columns, client_from};
use crate::error::{constraint, other};
use crate::{SqlStore, on_pool, on_writer};
use paceline_domain::StoreError;
use paceline_domain::ids::{OrgId, UserId};
use paceline_domain::oauth::client::{ClientKey, OAuthClient};
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

/// The company integrations of `organization`. They authenticate with a secret and
/// redirect nowhere, so they have no redirect URIs to read.
pub(super) async fn clients_of(
    store: &SqlStore,
    organization: OrgId,
) -> Result<Vec<OAuthClient>, StoreError> {
    const SQL: &str = concat!(
        "SELECT ",
        client_columns!(),
        " FROM oauth_clients WHERE id IN (SELECT client_row_id FROM company_clients \
         WHERE organization_id = $1) ORDER BY id"
    );
    let rows = on_pool!(store, pool => sqlx::query_as::<_, ClientRow>(SQL)
        .bind(organization.get())
        .fetch_all(pool)
        .await
        .map_err(other)?);
    rows.into_iter()
        .map(|row| client_from(row, Vec::new()))
        .collect()
}
