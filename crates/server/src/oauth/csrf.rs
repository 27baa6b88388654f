//! CSRF protection for the login, consent and account forms: a random token in an
//! HttpOnly, SameSite cookie that each form repeats in a hidden field (double submit),
//! compared in constant time, plus a check that a browser's `Origin` is our own.

use crate::AppState;
use crate::pages::cookies;
use axum::http::{HeaderMap, HeaderValue, header};
use paceline_domain::oauth::secret::{Secret, constant_time_eq};
use rand::SeedableRng;
use rand::rngs::StdRng;

const COOKIE: &str = "pl_csrf";
const PREFIX: &str = "csrf_";
/// A week: long enough that a page left open still posts.
const MAX_AGE: i64 = 7 * 24 * 3600;

/// The token a form must carry, and the cookie to set when the browser has none yet.
pub(crate) struct CsrfToken {
    pub(crate) token: String,
    pub(crate) set_cookie: Option<HeaderValue>,
}

/// The browser's token, or a new one with its `Set-Cookie`.
pub(crate) fn ensure(state: &AppState, headers: &HeaderMap) -> CsrfToken {
    if let Some(token) =
        cookies::get(headers, COOKIE, state.secure_cookies()).filter(|t| well_formed(t))
    {
        return CsrfToken {
            token: token.to_owned(),
            set_cookie: None,
        };
    }
    let token = Secret::generate(PREFIX, &mut StdRng::from_os_rng())
        .expose()
        .to_owned();
    let set_cookie = cookies::set(COOKIE, &token, MAX_AGE, state.secure_cookies());
    CsrfToken { token, set_cookie }
}

fn well_formed(token: &str) -> bool {
    token.len() == PREFIX.len() + 43 && token.starts_with(PREFIX)
}

/// Whether a form post carries the browser's token and, if the browser sent an `Origin`,
/// comes from our own origin.
pub(crate) fn verify(state: &AppState, headers: &HeaderMap, submitted: Option<&str>) -> bool {
    // Our pages send `Referrer-Policy: no-referrer`, under which browsers post with
    // `Origin: null`; that says nothing, and the token decides.
    let origin_ok = match headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) {
        None | Some("null") => true,
        Some(origin) => origin == state.oauth.issuer,
    };
    let token_ok = match (
        cookies::get(headers, COOKIE, state.secure_cookies()),
        submitted,
    ) {
        (Some(cookie), Some(field)) => {
            well_formed(cookie) && constant_time_eq(cookie.as_bytes(), field.as_bytes())
        }
        _ => false,
    };
    origin_ok && token_ok
}
