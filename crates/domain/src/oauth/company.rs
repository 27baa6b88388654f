//! Company integrations: an OAuth client of a coaching company, provisioned by the operator,
//! that gets its tokens with `grant_type=client_credentials` (RFC 6749 §4.4) and acts for
//! the company. Its tokens act as a user of its own, made with it: an owner of the company
//! who signs in nowhere (a random password nobody is shown). Through the owner's reach
//! ([`crate::coaching`]) they reach every athlete of the company and nobody else, with the
//! client's scopes only, and are revoked like any token.

use crate::accounts::{self, UserRequest};
use crate::clock::Clock;
use crate::entities::{OrgKind, Role};
use crate::ids::UserId;
use crate::oauth::OAuthSettings;
use crate::oauth::client::{self, OAuthClient};
use crate::oauth::clients::{self, ClientError};
use crate::oauth::error::{OAuthError, OAuthErrorCode};
use crate::oauth::scope::ScopeSet;
use crate::oauth::secret::Secret;
use crate::oauth::store::{NewClient, NewFamily};
use crate::oauth::token::{new_pair, requested_scopes};
use crate::password::Password;
use crate::store::{Store, StoreError};
use rand::Rng;

/// A company integration to provision.
#[derive(Debug, Clone)]
pub struct CompanyRegistration {
    /// The coaching company: its name or `org_…` id.
    pub organization: String,
    /// Display name.
    pub name: String,
    /// Space-separated scopes its tokens may carry.
    pub scopes: String,
    /// A chosen client id; generated when absent.
    pub client_id: Option<String>,
}

/// A company integration provisioned: the client, its secret (shown once), and the user its
/// tokens act as.
#[derive(Debug)]
pub struct ProvisionedCompany {
    /// The client.
    pub client: OAuthClient,
    /// Its secret, in plaintext.
    pub secret: Secret,
    /// The user its tokens act as.
    pub acts_as: UserId,
    /// The company.
    pub organization: crate::entities::Organization,
}

/// Provisions a company integration of a coaching company.
pub async fn register(
    store: &dyn Store,
    clock: &dyn Clock,
    rng: &mut (impl Rng + Send),
    registration: CompanyRegistration,
) -> Result<ProvisionedCompany, ClientError> {
    let organization = accounts::resolve_organization(store, &registration.organization)
        .await
        .map_err(|e| match e {
            accounts::AccountError::Store(cause) => ClientError::Store(cause),
            _ => ClientError::UnknownOrganization(registration.organization.clone()),
        })?;
    if organization.kind != OrgKind::Team {
        return Err(ClientError::NotACompany(organization.name));
    }
    let name = clients::check_name(&registration.name)?;
    let allowed_scopes = ScopeSet::parse(registration.scopes.trim())?;
    let client_id = match registration.client_id {
        Some(id) => {
            client::check_client_id(&id)?;
            id
        }
        None => clients::generate_client_id(rng),
    };
    let secret = clients::generate_secret(rng);
    let new = NewClient {
        client_id: client_id.clone(),
        name: name.clone(),
        secret_hash: Some(secret.hash()),
        redirect_uris: Vec::new(),
        allowed_scopes,
        now: clock.now(),
    };
    let client = match store.create_client(new).await {
        Ok(client) => client,
        Err(StoreError::Conflict(_)) => return Err(ClientError::DuplicateClientId(client_id)),
        Err(e) => return Err(e.into()),
    };
    // Its own user: an owner of the company, with a password nobody is shown.
    let password = clients::generate_secret(rng);
    let request = UserRequest {
        email: format!("{}@clients.invalid", client.client_id.to_ascii_lowercase()),
        password: Password::new(password.expose()),
        name,
        organization: Some(organization.id.public()),
        role: Some(Role::Owner),
    };
    let user = accounts::create_user(store, clock, request)
        .await
        .map_err(|e| match e {
            accounts::AccountError::Store(cause) => ClientError::Store(cause),
            other => ClientError::Store(StoreError::Other(other.to_string())),
        })?
        .user;
    store
        .grant_consent(user.id, client.key, allowed_scopes, clock.now())
        .await?;
    store
        .link_company_client(client.key, organization.id, user.id)
        .await?;
    Ok(ProvisionedCompany {
        client,
        secret,
        acts_as: user.id,
        organization,
    })
}

/// The tokens of a company integration (`grant_type=client_credentials`): an access token
/// with the scopes asked for (all of the client's when none are), and no refresh token
/// (RFC 6749 §4.4.3): the client asks again.
#[derive(Debug, Clone)]
pub struct IssuedAccess {
    /// `tia_at_…`.
    pub access_token: Secret,
    /// Seconds it lives.
    pub expires_in: i64,
    /// Its scopes.
    pub scope: ScopeSet,
}

fn unauthorized(description: &str) -> OAuthError {
    OAuthError::new(OAuthErrorCode::UnauthorizedClient, description)
}

/// Issues a company integration's access token. The client has authenticated already.
pub async fn client_credentials(
    store: &dyn Store,
    clock: &dyn Clock,
    rng: &mut (impl Rng + Send),
    settings: &OAuthSettings,
    client: &OAuthClient,
    scope: Option<&str>,
) -> Result<IssuedAccess, OAuthError> {
    let company = match store.company_client(client.key).await? {
        Some(company) if client.is_confidential() => company,
        _ => {
            return Err(unauthorized(
                "client_credentials is for company integrations; this client uses \
                 authorization_code",
            ));
        }
    };
    let scopes = match scope.filter(|s| !s.is_empty()) {
        None => client.allowed_scopes,
        Some(text) => {
            let requested = requested_scopes(text)?;
            if !client.allowed_scopes.includes(requested) {
                return Err(OAuthError::invalid_scope(
                    "the client may not ask for these scopes",
                ));
            }
            requested
        }
    };
    if scopes.is_empty() {
        return Err(OAuthError::invalid_scope(
            "the client has no scope to grant",
        ));
    }
    let now = clock.now();
    // The pair's refresh token is kept unseen and unusable: only the access token is given.
    let (pair, access, _) = new_pair(clock, rng, settings, scopes);
    let family = NewFamily {
        client: client.key,
        user_id: company.service_user,
        scopes,
        code_id: None,
    };
    match store.issue_tokens(family, pair, now).await {
        Ok(_) => Ok(IssuedAccess {
            access_token: access,
            expires_in: settings.access_token_ttl.whole_seconds(),
            scope: scopes,
        }),
        Err(StoreError::NotFound("consent")) => Err(unauthorized(
            "the company integration's authorization was withdrawn",
        )),
        Err(error) => Err(error.into()),
    }
}

/// The integrations of a company, as its owner sees them.
pub async fn integrations_of(
    store: &dyn Store,
    owner: UserId,
    organization: crate::ids::OrgId,
) -> Result<Vec<OAuthClient>, ClientError> {
    if !crate::invitations::owns(store, owner, organization).await? {
        return Err(ClientError::UnknownOrganization(organization.public()));
    }
    Ok(store.company_clients_of(organization).await?)
}

/// An owner revokes one of their company's integrations: the client and every token issued
/// to it are gone at once.
pub async fn revoke_integration(
    store: &dyn Store,
    owner: UserId,
    organization: crate::ids::OrgId,
    client_id: &str,
) -> Result<OAuthClient, ClientError> {
    let client = integrations_of(store, owner, organization)
        .await?
        .into_iter()
        .find(|c| c.client_id == client_id)
        .ok_or_else(|| ClientError::UnknownClient(client_id.to_owned()))?;
    store.delete_client(client.key).await?;
    Ok(client)
}
