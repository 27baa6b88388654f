//! The signed-in user's pages: `GET /account/apps` lists the apps they authorized;
//! `POST /account/apps/revoke` withdraws an app's consent and every token it holds.

use crate::AppState;
use crate::oauth::authorize::redirect;
use crate::oauth::login::{self, current_session};
use crate::oauth::{csrf, form};
use crate::pages::{self, PageError};
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;

const PATH: &str = "/account/apps";

struct App {
    name: String,
    client_id: String,
    scopes: String,
    since: String,
}

#[derive(Template)]
#[template(path = "apps.html")]
struct AppsPage<'a> {
    user_email: &'a str,
    apps: Vec<App>,
    csrf: &'a str,
}

/// `GET /account/apps`.
pub(crate) async fn get_apps(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let sign_in = || login::page(&state, &headers, StatusCode::OK, PATH, None, None, "");
    let Some(session) = current_session(&state, &headers).await? else {
        return Ok(sign_in());
    };
    let Some(user) = state.store.get_user(session.user_id).await? else {
        return Ok(sign_in());
    };
    let consents = state.store.list_consents(session.user_id).await?;
    let apps = consents
        .into_iter()
        .map(|(consent, client)| App {
            name: client.name,
            client_id: client.client_id,
            scopes: consent
                .scopes
                .iter()
                .map(|s| s.name())
                .collect::<Vec<_>>()
                .join(", "),
            since: consent.created_at.date().to_string(),
        })
        .collect();
    let token = csrf::ensure(&state, &headers);
    let mut response = pages::render(
        StatusCode::OK,
        &AppsPage {
            user_email: user.email.as_str(),
            apps,
            csrf: &token.token,
        },
    );
    if let Some(cookie) = token.set_cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

/// `POST /account/apps/revoke`.
pub(crate) async fn post_revoke_app(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let pairs = form::parse(&body);
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    if !csrf::verify(&state, &headers, field("csrf")) {
        return Err(PageError::ExpiredForm);
    }
    let Some(session) = current_session(&state, &headers).await? else {
        return Ok(login::page(
            &state,
            &headers,
            StatusCode::OK,
            PATH,
            None,
            None,
            "",
        ));
    };
    let client = state
        .store
        .find_client(field("client_id").unwrap_or(""))
        .await?;
    if let Some(client) = client {
        state
            .store
            .revoke_consent(session.user_id, client.key, state.clock.now())
            .await?;
    }
    let mut response = redirect(PATH);
    *response.status_mut() = StatusCode::SEE_OTHER;
    Ok(response)
}
