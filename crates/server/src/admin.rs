//! The admin HTTP API for OAuth clients, under `/api/admin/`: the same operations as
//! `paceline admin clients`. It answers only requests carrying the administrator token
//! configured for the installation (`PACELINE_ADMIN_TOKEN` or `PACELINE_ADMIN_TOKEN_FILE`);
//! without one configured, it does not exist (404).

use crate::AppState;
use crate::oauth::request_rng;
use axum::Json;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use paceline_domain::oauth::client::OAuthClient;
use paceline_domain::oauth::clients::{self, ClientError, Registration, Update};
use paceline_domain::oauth::secret::Secret;
use serde::Deserialize;
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;

/// The JSON form of a client, shared with `paceline admin clients --json`. Never holds the
/// secret.
pub fn client_json(client: &OAuthClient) -> Value {
    json!({
        "id": client.key.0,
        "client_id": client.client_id,
        "name": client.name,
        "type": if client.is_confidential() { "confidential" } else { "public" },
        "redirect_uris": client.redirect_uris,
        "scope": client.allowed_scopes.to_string(),
        "created_at": client.created_at.format(&Rfc3339).unwrap_or_default(),
        "updated_at": client.updated_at.format(&Rfc3339).unwrap_or_default(),
    })
}

/// [`client_json`] with the client's secret in plaintext, for the one answer that shows it
/// (registration of a confidential client, or a new secret).
pub fn client_json_with_secret(client: &OAuthClient, secret: Option<&Secret>) -> Value {
    let mut json = client_json(client);
    if let (Some(secret), Some(map)) = (secret, json.as_object_mut()) {
        map.insert("client_secret".into(), json!(secret.expose()));
    }
    json
}

fn problem(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({ "error": message, "code": code }))).into_response()
}

/// A request that presented the administrator token.
pub(crate) struct Admin;

impl FromRequestParts<AppState> for Admin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Some(expected) = &state.admin_token else {
            return Err(problem(StatusCode::NOT_FOUND, "not-found", "not found"));
        };
        let presented = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim());
        match presented {
            Some(token) if expected.matches(token) => Ok(Self),
            _ => {
                let mut response = problem(
                    StatusCode::UNAUTHORIZED,
                    "unauthorized",
                    "the administrator token is missing or wrong",
                );
                response.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"paceline-admin\""),
                );
                Err(response)
            }
        }
    }
}

fn refused(error: ClientError) -> Response {
    let (status, code) = match &error {
        ClientError::InvalidName => (StatusCode::BAD_REQUEST, "invalid-name"),
        ClientError::InvalidRedirectUri(_) | ClientError::NoRedirectUri => {
            (StatusCode::BAD_REQUEST, "invalid-redirect-uri")
        }
        ClientError::InvalidScope(_) => (StatusCode::BAD_REQUEST, "invalid-scope"),
        ClientError::InvalidClientId(_) => (StatusCode::BAD_REQUEST, "invalid-client-id"),
        ClientError::WeakSecret => (StatusCode::BAD_REQUEST, "weak-secret"),
        ClientError::DuplicateClientId(_) => (StatusCode::CONFLICT, "duplicate-client-id"),
        ClientError::UnknownClient(_) => (StatusCode::NOT_FOUND, "unknown-client"),
        ClientError::PublicClient(_) => (StatusCode::CONFLICT, "public-client"),
        ClientError::UnknownOrganization(_) => (StatusCode::BAD_REQUEST, "unknown-organization"),
        ClientError::NotACompany(_) => (StatusCode::BAD_REQUEST, "not-a-company"),
        ClientError::Store(cause) => {
            tracing::error!(%cause, "admin request failed");
            return problem(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "the service is temporarily unavailable",
            );
        }
    };
    problem(status, code, &error.to_string())
}

/// `POST /api/admin/clients`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateClient {
    name: String,
    redirect_uris: Vec<String>,
    scope: String,
    #[serde(default)]
    public: bool,
    client_id: Option<String>,
}

/// `PATCH /api/admin/clients/{client_id}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UpdateClient {
    name: Option<String>,
    redirect_uris: Option<Vec<String>>,
    scope: Option<String>,
}

/// `GET /api/admin/clients`.
pub(crate) async fn list_clients(_: Admin, State(state): State<AppState>) -> Response {
    match state.store.list_clients().await {
        Ok(list) => Json(Value::Array(list.iter().map(client_json).collect())).into_response(),
        Err(error) => refused(ClientError::Store(error)),
    }
}

/// `POST /api/admin/clients`: 201 with the client and, for a confidential client, its
/// `client_secret` (shown this once).
pub(crate) async fn create_client(
    _: Admin,
    State(state): State<AppState>,
    body: Result<Json<CreateClient>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Json(body) = match body {
        Ok(body) => body,
        Err(rejection) => {
            return problem(
                StatusCode::BAD_REQUEST,
                "invalid-body",
                &rejection.body_text(),
            );
        }
    };
    let registration = Registration {
        name: body.name,
        redirect_uris: body.redirect_uris,
        scopes: body.scope,
        public: body.public,
        client_id: body.client_id,
        secret: None,
    };
    let mut rng = request_rng();
    match clients::register(
        state.store.as_ref(),
        state.clock.as_ref(),
        &mut rng,
        registration,
    )
    .await
    {
        Ok((client, secret)) => (
            StatusCode::CREATED,
            Json(client_json_with_secret(&client, secret.as_ref())),
        )
            .into_response(),
        Err(error) => refused(error),
    }
}

/// `GET /api/admin/clients/{client_id}`.
pub(crate) async fn get_client(
    _: Admin,
    State(state): State<AppState>,
    Path(client_id): Path<String>,
) -> Response {
    match clients::get(state.store.as_ref(), &client_id).await {
        Ok(client) => Json(client_json(&client)).into_response(),
        Err(error) => refused(error),
    }
}

/// `PATCH /api/admin/clients/{client_id}`.
pub(crate) async fn update_client(
    _: Admin,
    State(state): State<AppState>,
    Path(client_id): Path<String>,
    body: Result<Json<UpdateClient>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Json(body) = match body {
        Ok(body) => body,
        Err(rejection) => {
            return problem(
                StatusCode::BAD_REQUEST,
                "invalid-body",
                &rejection.body_text(),
            );
        }
    };
    let update = Update {
        name: body.name,
        redirect_uris: body.redirect_uris,
        scopes: body.scope,
    };
    match clients::update(
        state.store.as_ref(),
        state.clock.as_ref(),
        &client_id,
        update,
    )
    .await
    {
        Ok(client) => Json(client_json(&client)).into_response(),
        Err(error) => refused(error),
    }
}

/// `POST /api/admin/clients/{client_id}/rotate-secret`.
pub(crate) async fn rotate_client_secret(
    _: Admin,
    State(state): State<AppState>,
    Path(client_id): Path<String>,
) -> Response {
    let mut rng = request_rng();
    match clients::rotate_secret(
        state.store.as_ref(),
        state.clock.as_ref(),
        &mut rng,
        &client_id,
    )
    .await
    {
        Ok((client, secret)) => {
            Json(client_json_with_secret(&client, Some(&secret))).into_response()
        }
        Err(error) => refused(error),
    }
}

/// `DELETE /api/admin/clients/{client_id}`: 204.
pub(crate) async fn delete_client(
    _: Admin,
    State(state): State<AppState>,
    Path(client_id): Path<String>,
) -> Response {
    match clients::delete(state.store.as_ref(), &client_id).await {
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => refused(error),
    }
}
