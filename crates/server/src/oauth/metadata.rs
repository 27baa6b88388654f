//! `GET /.well-known/oauth-authorization-server` (RFC 8414).

use crate::AppState;
use axum::Json;
use axum::extract::State;
use paceline_domain::oauth::Scope;
use serde_json::{Value, json};

/// The authorization server's metadata. The issuer is the bare origin, identical to the
/// `iss` of every authorization response.
pub(crate) async fn get_metadata(State(state): State<AppState>) -> Json<Value> {
    let issuer = state.oauth.issuer.as_str();
    let auth_methods = ["client_secret_basic", "client_secret_post", "none"];
    Json(json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/oauth/authorize"),
        "token_endpoint": format!("{issuer}/api/oauth/token"),
        "revocation_endpoint": format!("{issuer}/api/oauth/revoke"),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": auth_methods,
        "revocation_endpoint_auth_methods_supported": auth_methods,
        "scopes_supported": Scope::ALL.iter().map(|s| s.name()).collect::<Vec<_>>(),
        "prompt_values_supported": ["none", "login", "consent"],
        "authorization_response_iss_parameter_supported": true,
    }))
}
