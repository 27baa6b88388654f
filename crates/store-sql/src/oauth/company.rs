//! Company integrations: which clients act for a coaching company, through which user.

use super::rows::{ClientRow, client_columns, client_from};
use crate::SqlStore;
use crate::error::constraint;
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
    let args = [
        client.0.into(),
        organization.get().into(),
        service_user.get().into(),
    ];
    store
        .db
        .execute(SQL, &args)
        .await
        .map_err(constraint("company client", "client"))?;
    Ok(())
}

pub(super) async fn find(
    store: &SqlStore,
    client: ClientKey,
) -> Result<Option<CompanyClient>, StoreError> {
    const SQL: &str = "SELECT organization_id, service_user_id FROM company_clients \
         WHERE client_row_id = $1";
    let row: Option<(i64, i64)> = store
        .db
        .optional(SQL, &[client.0.into()], |c| Ok((c.get()?, c.get()?)))
        .await?;
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
    let rows = store
        .db
        .all(SQL, &[organization.get().into()], ClientRow::read)
        .await?;
    rows.into_iter()
        .map(|row| client_from(row, Vec::new()))
        .collect()
}
