//! Client administration: register, update, rotate the secret, delete. Called by
//! `paceline admin clients` and the admin HTTP API.

use crate::clock::Clock;
use crate::oauth::client::{self, InvalidClientId, InvalidRedirectUri, OAuthClient};
use crate::oauth::scope::{ScopeError, ScopeSet};
use crate::oauth::secret::{Secret, is_unreserved};
use crate::oauth::store::NewClient;
use crate::store::{Store, StoreError};
use rand::Rng;

/// Length of generated client secrets.
const SECRET_LEN: usize = 48;
/// Shortest secret an administrator may set.
const MIN_SECRET_LEN: usize = 32;

/// Why a client operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The name is empty, too long or has control characters.
    #[error("the client name must be 1 to 200 characters without control characters")]
    InvalidName,
    /// A redirect URI is unsafe.
    #[error(transparent)]
    InvalidRedirectUri(#[from] InvalidRedirectUri),
    /// No redirect URI was given.
    #[error("a client needs at least one redirect URI")]
    NoRedirectUri,
    /// The scope list is malformed or names an unknown scope.
    #[error("invalid scope list: {0}")]
    InvalidScope(#[from] ScopeError),
    /// The client id is malformed.
    #[error(transparent)]
    InvalidClientId(#[from] InvalidClientId),
    /// A secret chosen by the administrator is too weak.
    #[error(
        "a client secret must be at least {MIN_SECRET_LEN} characters of A-Z, a-z, 0-9, `-`, `.`, `_` and `~`"
    )]
    WeakSecret,
    /// The client id is taken.
    #[error("a client with id `{0}` already exists")]
    DuplicateClientId(String),
    /// No client has this id.
    #[error("unknown client `{0}`")]
    UnknownClient(String),
    /// No organization has this name or id.
    #[error("unknown organization `{0}`")]
    UnknownOrganization(String),
    /// A company integration belongs to a coaching company, not a lone athlete's own.
    #[error("\"{0}\" is a lone athlete's own organization, not a coaching company")]
    NotACompany(String),
    /// A public client has no secret to rotate.
    #[error("client `{0}` is public: it has no secret")]
    PublicClient(String),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A client to register.
#[derive(Debug, Clone)]
pub struct Registration {
    /// Display name.
    pub name: String,
    /// Exact redirect URIs.
    pub redirect_uris: Vec<String>,
    /// Space-separated scopes it may request.
    pub scopes: String,
    /// Public (PKCE only) rather than confidential.
    pub public: bool,
    /// A chosen client id; generated when absent.
    pub client_id: Option<String>,
    /// A chosen secret (when moving a client from another installation); generated when
    /// absent. Ignored for public clients.
    pub secret: Option<Secret>,
}

/// Changes to a client; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct Update {
    /// New name.
    pub name: Option<String>,
    /// New redirect URIs (replacing all).
    pub redirect_uris: Option<Vec<String>>,
    /// New scopes (replacing all). Existing tokens lose scopes removed here at once.
    pub scopes: Option<String>,
}

pub(crate) fn check_name(name: &str) -> Result<String, ClientError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(ClientError::InvalidName);
    }
    Ok(name.to_owned())
}

fn check_redirect_uris(uris: &[String]) -> Result<Vec<String>, ClientError> {
    if uris.is_empty() {
        return Err(ClientError::NoRedirectUri);
    }
    let mut checked: Vec<String> = Vec::with_capacity(uris.len());
    for uri in uris {
        client::check_redirect_uri(uri)?;
        if !checked.contains(uri) {
            checked.push(uri.clone());
        }
    }
    Ok(checked)
}

pub(crate) fn generate_client_id(rng: &mut impl Rng) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let suffix: String = (0..20)
        .map(|_| {
            let i = rng.random_range(0..ALPHABET.len());
            char::from(ALPHABET.get(i).copied().unwrap_or(b'a'))
        })
        .collect();
    format!("pcl_{suffix}")
}

/// A new client secret.
pub(crate) fn generate_secret(rng: &mut impl Rng) -> Secret {
    Secret::generate_unreserved(SECRET_LEN, rng)
}

/// Registers a client; returns it with its secret in plaintext (to be shown once) when it
/// is confidential.
pub async fn register(
    store: &dyn Store,
    clock: &dyn Clock,
    rng: &mut (impl Rng + Send),
    registration: Registration,
) -> Result<(OAuthClient, Option<Secret>), ClientError> {
    let name = check_name(&registration.name)?;
    let redirect_uris = check_redirect_uris(&registration.redirect_uris)?;
    let allowed_scopes = ScopeSet::parse(registration.scopes.trim())?;
    let client_id = match registration.client_id {
        Some(id) => {
            client::check_client_id(&id)?;
            id
        }
        None => generate_client_id(rng),
    };
    let secret = match (registration.public, registration.secret) {
        (true, _) => None,
        (false, Some(secret)) => {
            if secret.expose().len() < MIN_SECRET_LEN || !is_unreserved(secret.expose()) {
                return Err(ClientError::WeakSecret);
            }
            Some(secret)
        }
        (false, None) => Some(Secret::generate_unreserved(SECRET_LEN, rng)),
    };
    let new = NewClient {
        client_id: client_id.clone(),
        name,
        secret_hash: secret.as_ref().map(Secret::hash),
        redirect_uris,
        allowed_scopes,
        now: clock.now(),
    };
    match store.create_client(new).await {
        Ok(client) => Ok((client, secret)),
        Err(StoreError::Conflict(_)) => Err(ClientError::DuplicateClientId(client_id)),
        Err(e) => Err(e.into()),
    }
}

/// A client by id.
pub async fn get(store: &dyn Store, client_id: &str) -> Result<OAuthClient, ClientError> {
    store
        .find_client(client_id)
        .await?
        .ok_or_else(|| ClientError::UnknownClient(client_id.to_owned()))
}

/// Applies `update` to a client.
pub async fn update(
    store: &dyn Store,
    clock: &dyn Clock,
    client_id: &str,
    update: Update,
) -> Result<OAuthClient, ClientError> {
    let mut client = get(store, client_id).await?;
    if let Some(name) = update.name {
        client.name = check_name(&name)?;
    }
    if let Some(uris) = update.redirect_uris {
        client.redirect_uris = check_redirect_uris(&uris)?;
    }
    if let Some(scopes) = update.scopes {
        client.allowed_scopes = ScopeSet::parse(scopes.trim())?;
    }
    client.updated_at = clock.now();
    store.update_client(&client).await?;
    Ok(client)
}

/// Gives a confidential client a new secret; the old one stops working at once.
pub async fn rotate_secret(
    store: &dyn Store,
    clock: &dyn Clock,
    rng: &mut (impl Rng + Send),
    client_id: &str,
) -> Result<(OAuthClient, Secret), ClientError> {
    let mut client = get(store, client_id).await?;
    if !client.is_confidential() {
        return Err(ClientError::PublicClient(client.client_id));
    }
    let secret = Secret::generate_unreserved(SECRET_LEN, rng);
    client.secret_hash = Some(secret.hash());
    client.updated_at = clock.now();
    store.update_client(&client).await?;
    Ok((client, secret))
}

/// Deletes a client and everything issued to it.
pub async fn delete(store: &dyn Store, client_id: &str) -> Result<OAuthClient, ClientError> {
    let client = get(store, client_id).await?;
    store.delete_client(client.key).await?;
    Ok(client)
}
