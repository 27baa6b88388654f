//! The login page (`GET /login`, `POST /login`), logout, and the session behind a request.

use crate::AppState;
use crate::oauth::authorize::{forbidden_form, redirect};
use crate::oauth::{csrf, form, request_rng};
use crate::pages::{self, PageError, cookies};
use crate::throttle::{self, ClientAddress};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use paceline_domain::email::Email;
use paceline_domain::oauth::sessions::{self, LoginError};
use paceline_domain::oauth::store::WebSession;
use paceline_domain::password::Password;
use serde::Deserialize;

/// The session cookie's name.
pub(crate) const SESSION_COOKIE: &str = "pl_session";
/// Where a login without a destination goes.
const HOME: &str = "/";

/// The session of the request's cookie, if it is live.
pub(crate) async fn current_session(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<WebSession>, PageError> {
    let Some(cookie) = cookies::get(headers, SESSION_COOKIE, state.secure_cookies()) else {
        return Ok(None);
    };
    Ok(sessions::current(state.store.as_ref(), state.clock.as_ref(), cookie).await?)
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    client_name: Option<&'a str>,
    error: Option<&'a str>,
    csrf: &'a str,
    return_to: &'a str,
    email: &'a str,
    /// Whether the page links to sign-up.
    signup: bool,
}

/// Renders the login page.
pub(crate) fn page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    return_to: &str,
    client_name: Option<&str>,
    error: Option<&str>,
    email: &str,
) -> Response {
    let token = csrf::ensure(state, headers);
    let page = LoginPage {
        client_name,
        error,
        csrf: &token.token,
        return_to,
        email,
        signup: state.open_signup,
    };
    let mut response = pages::render(status, &page);
    if let Some(cookie) = token.set_cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// `GET /login?return_to=…`.
#[derive(Deserialize)]
pub(crate) struct LoginQuery {
    return_to: Option<String>,
}

/// `GET /login`.
pub(crate) async fn get_login(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<LoginQuery>,
) -> Response {
    let return_to = safe_return_to(query.return_to.as_deref());
    page(&state, &headers, StatusCode::OK, &return_to, None, None, "")
}

/// `POST /login`: checks the password, opens a session and returns to where the user was.
pub(crate) async fn post_login(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let pairs = form::parse(&body);
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    if !form::is_form(&headers) || !csrf::verify(&state, &headers, field("csrf")) {
        return forbidden_form();
    }
    let return_to = safe_return_to(field("return_to"));
    let email = field("email").unwrap_or("");
    // Counted before the password is checked, so that parallel guesses cannot slip past the
    // limit, and given back when the login succeeds: only failures use it up. Keys are
    // hashes, bounded whatever a client sends; a malformed address names no account.
    let mut checks = Vec::new();
    if let Ok(account) = Email::parse(email) {
        checks.push((
            throttle::hashed_key("login", &[account.as_str()]),
            state.limits.login_per_account,
        ));
    }
    if let Some(address) = address {
        checks.push((
            format!("login-from:{address}"),
            state.limits.login_per_address,
        ));
    }
    if let Err(limited) = throttle::check(&state, &checks).await {
        let message = format!(
            "Too many sign-in attempts. Wait {} seconds and try again.",
            limited.retry_after_seconds
        );
        let mut response = page(
            &state,
            &headers,
            StatusCode::TOO_MANY_REQUESTS,
            &return_to,
            None,
            Some(&message),
            email,
        );
        limited.add_retry_after(&mut response);
        return response;
    }
    let password = Password::new(field("password").unwrap_or(""));
    let mut rng = request_rng();
    match sessions::login(
        state.store.as_ref(),
        state.clock.as_ref(),
        &mut rng,
        &state.oauth,
        email,
        password,
    )
    .await
    {
        Ok((cookie, _)) => {
            throttle::refund(&state, &checks).await;
            signed_in_at(&state, &without_forced_login(&return_to), &cookie)
        }
        Err(LoginError::BadCredentials) => page(
            &state,
            &headers,
            StatusCode::UNAUTHORIZED,
            &return_to,
            None,
            Some("The e-mail address or password is wrong."),
            email,
        ),
        Err(LoginError::Store(error)) => PageError::from(error).into_response(),
    }
}

/// A 303 to `location` that sets the cookie of a login session just started.
pub(crate) fn signed_in_at(
    state: &AppState,
    location: &str,
    cookie: &paceline_domain::oauth::secret::Secret,
) -> Response {
    let mut response = redirect(location);
    *response.status_mut() = StatusCode::SEE_OTHER;
    let max_age = state.oauth.session_ttl.whole_seconds();
    if let Some(value) = cookies::set(
        SESSION_COOKIE,
        cookie.expose(),
        max_age,
        state.secure_cookies(),
    ) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// `POST /logout`.
pub(crate) async fn post_logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let pairs = form::parse(&body);
    let submitted = pairs
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str());
    if !csrf::verify(&state, &headers, submitted) {
        return forbidden_form();
    }
    if let Some(cookie) = cookies::get(&headers, SESSION_COOKIE, state.secure_cookies())
        && let Err(error) = sessions::logout(state.store.as_ref(), cookie).await
    {
        return PageError::from(error).into_response();
    }
    let mut response = redirect("/login");
    *response.status_mut() = StatusCode::SEE_OTHER;
    if let Some(value) = cookies::clear(SESSION_COOKIE, state.secure_cookies()) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// Only our own pages are destinations after login: a path on this server. Anything else
/// (other hosts, `//host`, `/\host`, schemes) goes home, so the login page is no open
/// redirector.
pub(crate) fn safe_return_to(requested: Option<&str>) -> String {
    match requested {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.chars().any(|c| c == '\\' || c.is_control()) =>
        {
            path.to_owned()
        }
        _ => HOME.to_owned(),
    }
}

/// The authorization request to return to after a login, without `prompt=login` (just
/// satisfied), so that it does not ask again.
fn without_forced_login(return_to: &str) -> String {
    let Some(query) = return_to.strip_prefix("/oauth/authorize?") else {
        return return_to.to_owned();
    };
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        if name == "prompt" {
            let kept: Vec<&str> = value
                .split(' ')
                .filter(|v| *v != "login" && *v != "select_account")
                .collect();
            if !kept.is_empty() {
                serializer.append_pair("prompt", &kept.join(" "));
            }
        } else {
            serializer.append_pair(&name, &value);
        }
    }
    format!("/oauth/authorize?{}", serializer.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_pages_are_destinations() {
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "https:evil.example",
            "%2F%2Fevil.example",
            "javascript:alert(1)",
            "https://evil.example",
            "/oauth/authorize?x=\\",
            "/\t/evil.example",
        ] {
            assert_eq!(safe_return_to(Some(bad)), HOME, "{bad}");
        }
        assert_eq!(safe_return_to(None), HOME);
        assert_eq!(
            safe_return_to(Some("/oauth/authorize?client_id=a")),
            "/oauth/authorize?client_id=a"
        );
        assert_eq!(
            safe_return_to(Some("/activities?sport=RUN&page=2")),
            "/activities?sport=RUN&page=2"
        );
    }

    #[test]
    fn a_satisfied_login_prompt_is_dropped() {
        assert_eq!(
            without_forced_login("/oauth/authorize?client_id=a&prompt=login+consent&state=x"),
            "/oauth/authorize?client_id=a&prompt=consent&state=x"
        );
        assert_eq!(
            without_forced_login("/oauth/authorize?prompt=login"),
            "/oauth/authorize?"
        );
        assert_eq!(without_forced_login("/account/apps"), "/account/apps");
    }
}
