//! `GET /oauth/authorize` and `POST /oauth/authorize` (the consent form's answer).

use crate::AppState;
use crate::oauth::login::{self, current_session};
use crate::oauth::{csrf, form, request_rng};
use crate::pages::{self, PageError, error_page};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use paceline_domain::oauth::authorize::{
    self, AuthorizationRequest, NextStep, Rejection, error_params, redirect_with,
};
use paceline_domain::oauth::store::WebSession;
use paceline_domain::oauth::{OAuthError, OAuthErrorCode};

/// `GET /oauth/authorize`.
pub(crate) async fn get_authorize(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let query = query.unwrap_or_default();
    let pairs = form::parse(query.as_bytes());
    authorize_request(&state, &headers, &query, &pairs).await
}

/// Validates a request and answers with the login page, the consent page or the redirect.
async fn authorize_request(
    state: &AppState,
    headers: &HeaderMap,
    raw_query: &str,
    pairs: &form::Pairs,
) -> Result<Response, PageError> {
    let request = match authorize::validate(state.store.as_ref(), pairs).await {
        Ok(request) => request,
        Err(rejection) => return Ok(reject(state, rejection)),
    };
    let session = current_session(state, headers).await?;
    Ok(
        match authorize::next_step(state.store.as_ref(), &request, session.as_ref()).await {
            Err(rejection) => reject(state, rejection),
            Ok(NextStep::Login) => login_for(state, headers, &request, raw_query),
            Ok(NextStep::Consent) => match session {
                Some(session) => consent_page(state, headers, &request, &session, raw_query).await,
                None => login_for(state, headers, &request, raw_query),
            },
            Ok(NextStep::Approve) => match session {
                Some(session) => issue_code(state, &request, &session).await,
                None => login_for(state, headers, &request, raw_query),
            },
        },
    )
}

/// `POST /oauth/authorize`: the consent form's answer, or an authorization request sent as
/// a form (RFC 6749 section 3.1 allows POST).
pub(crate) async fn post_authorize(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    // After a form post the redirect is a 303, so that browsers follow it with a GET
    // (RFC 9700 section 4.12).
    let mut response = answer_post(state, headers, body).await.into_response();
    if response.status() == StatusCode::FOUND {
        *response.status_mut() = StatusCode::SEE_OTHER;
    }
    response
}

async fn answer_post(
    state: AppState,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    if !form::is_form(&headers) {
        return Ok(error_page(
            StatusCode::BAD_REQUEST,
            "This request cannot be completed",
            "The authorization request must be a query or an application/x-www-form-urlencoded form.",
            Some("invalid_request"),
        ));
    }
    let pairs = form::parse(&body);
    let decision = pairs
        .iter()
        .find(|(k, _)| k == "decision")
        .map(|(_, v)| v.as_str());
    let Some(decision) = decision else {
        let raw = String::from_utf8_lossy(&body).into_owned();
        return authorize_request(&state, &headers, &raw, &pairs).await;
    };
    let submitted = pairs
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str());
    if !csrf::verify(&state, &headers, submitted) {
        return Err(PageError::ExpiredForm);
    }
    let raw_request = pairs
        .iter()
        .find(|(k, _)| k == "request")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let request_pairs = form::parse(raw_request.as_bytes());
    let request = match authorize::validate(state.store.as_ref(), &request_pairs).await {
        Ok(request) => request,
        Err(rejection) => return Ok(reject(&state, rejection)),
    };
    let Some(session) = current_session(&state, &headers).await? else {
        return Ok(login_for(&state, &headers, &request, &raw_request));
    };
    // Each consent page is answered once, from the session it was shown to: a replayed
    // post, a second tab, or a page shown before another account signed in is stale.
    let ticket = pairs
        .iter()
        .find(|(k, _)| k == "ticket")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    match authorize::redeem_consent_ticket(
        state.store.as_ref(),
        state.clock.as_ref(),
        &session,
        ticket,
        &raw_request,
    )
    .await
    {
        Ok(true) => {}
        Ok(false) => {
            return Ok(error_page(
                StatusCode::CONFLICT,
                "Please start again",
                "This page was already answered, has expired, was altered, or was shown \
                 before another account signed in. Go back to the app and start again.",
                None,
            ));
        }
        Err(error) => return Ok(reject(&state, Rejection::Unavailable(error.into()))),
    }
    Ok(match decision {
        "allow" => issue_code(&state, &request, &session).await,
        "deny" => reject(
            &state,
            Rejection::Redirect {
                redirect_uri: request.redirect_uri.clone(),
                error: OAuthError::new(OAuthErrorCode::AccessDenied, "the user denied the request"),
                state: request.state.clone(),
            },
        ),
        _ => error_page(
            StatusCode::BAD_REQUEST,
            "This request cannot be completed",
            "Choose Allow or Deny.",
            None,
        ),
    })
}

/// The login page for an authorization request, which returns to the request afterwards.
fn login_for(
    state: &AppState,
    headers: &HeaderMap,
    request: &AuthorizationRequest,
    raw_query: &str,
) -> Response {
    let return_to = format!("/oauth/authorize?{raw_query}");
    login::page(
        state,
        headers,
        StatusCode::OK,
        &return_to,
        Some(&request.client.name),
        None,
        "",
    )
}

/// The answer to a form whose CSRF token or origin is wrong.
pub(crate) fn forbidden_form() -> Response {
    PageError::ExpiredForm.into_response()
}

async fn issue_code(
    state: &AppState,
    request: &AuthorizationRequest,
    session: &WebSession,
) -> Response {
    let mut rng = request_rng();
    match authorize::approve(
        state.store.as_ref(),
        state.clock.as_ref(),
        &mut rng,
        &state.oauth,
        request,
        session,
    )
    .await
    {
        Ok(code) => {
            let mut params = vec![("code", code.expose())];
            if let Some(s) = request.state.as_deref() {
                params.push(("state", s));
            }
            params.push(("iss", state.oauth.issuer.as_str()));
            redirect(&redirect_with(&request.redirect_uri, &params))
        }
        Err(error) => reject(&state.clone(), Rejection::Unavailable(error)),
    }
}

/// Answers a refused request: an error page when the client or redirect URI is not
/// trusted, otherwise a redirect carrying `error`, `state` and `iss`.
fn reject(state: &AppState, rejection: Rejection) -> Response {
    match rejection {
        Rejection::Page { error } => error_page(
            StatusCode::BAD_REQUEST,
            "This request cannot be completed",
            &format!(
                "The app that sent you here made a request Paceline cannot accept: {}. \
                 Tell the app's developer.",
                error.description
            ),
            Some(error.code.as_str()),
        ),
        Rejection::Redirect {
            redirect_uri,
            error,
            state: client_state,
        } => {
            let description = error.wire_description();
            let params = error_params(
                &error,
                &description,
                client_state.as_deref(),
                &state.oauth.issuer,
            );
            redirect(&redirect_with(&redirect_uri, &params))
        }
        Rejection::Unavailable(error) => {
            if let Some(cause) = &error.internal {
                tracing::error!(%cause, "authorization failed");
            }
            error_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Paceline is unavailable",
                "Something went wrong on our side. Please try again in a moment.",
                Some(error.code.as_str()),
            )
        }
    }
}

/// A 302 to `location`, never cached.
pub(crate) fn redirect(location: &str) -> Response {
    let mut response = StatusCode::FOUND.into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(location) {
        headers.insert(header::LOCATION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

#[derive(Template)]
#[template(path = "consent.html")]
struct ConsentPage<'a> {
    client_name: &'a str,
    ticket: &'a str,
    user_email: &'a str,
    scopes: Vec<(&'static str, &'static str)>,
    redirect_host: &'a str,
    csrf: &'a str,
    request: &'a str,
}

async fn consent_page(
    state: &AppState,
    headers: &HeaderMap,
    request: &AuthorizationRequest,
    session: &WebSession,
    raw_query: &str,
) -> Response {
    let user = match state.store.get_user(session.user_id).await {
        Ok(Some(user)) => user,
        Ok(None) => return login_for(state, headers, request, raw_query),
        Err(error) => return reject(state, Rejection::Unavailable(error.into())),
    };
    let token = csrf::ensure(state, headers);
    let redirect_host = request
        .redirect_uri
        .split_once("://")
        .map_or(request.redirect_uri.as_str(), |(_, rest)| {
            rest.split(['/', '?']).next().unwrap_or(rest)
        });
    let mut rng = request_rng();
    let ticket = match authorize::issue_consent_ticket(
        state.store.as_ref(),
        state.clock.as_ref(),
        &mut rng,
        session,
        raw_query,
    )
    .await
    {
        Ok(ticket) => ticket,
        Err(error) => return reject(state, Rejection::Unavailable(error.into())),
    };
    let page = ConsentPage {
        client_name: &request.client.name,
        ticket: ticket.expose(),
        user_email: user.email.as_str(),
        scopes: request
            .scopes
            .iter()
            .map(|s| (s.name(), s.description()))
            .collect(),
        redirect_host,
        csrf: &token.token,
        request: raw_query,
    };
    let mut response = pages::render(StatusCode::OK, &page);
    if let Some(cookie) = token.set_cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}
