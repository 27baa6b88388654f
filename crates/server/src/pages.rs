//! HTML pages: rendering askama templates with the headers every page carries (no framing,
//! a strict Content-Security-Policy, no caching, no referrer), and the cookies they use.

use crate::failure::Failure;
use askama::Template;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Everything a page may load comes from Paceline itself; nothing may frame it. No
/// `form-action`: the consent form's answer redirects to the client, which browsers would
/// otherwise block.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
    frame-ancestors 'none'; base-uri 'none'";

/// Adds the page security headers to `headers`.
pub(crate) fn secure_headers(headers: &mut HeaderMap) {
    let pairs: [(HeaderName, &str); 6] = [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CACHE_CONTROL, "no-store"),
        (header::PRAGMA, "no-cache"),
    ];
    for (name, value) in pairs {
        headers.insert(name, HeaderValue::from_static(value));
    }
}

/// Renders `template` as a page with `status`.
pub(crate) fn render(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(body) => {
            let mut response = (status, body).into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            secure_headers(headers);
            response
        }
        Err(error) => {
            tracing::error!(%error, "template rendering failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal server error").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    message: &'a str,
    code: Option<&'a str>,
}

/// An error page.
pub(crate) fn error_page(
    status: StatusCode,
    title: &str,
    message: &str,
    code: Option<&str>,
) -> Response {
    render(
        status,
        &ErrorPage {
            title,
            message,
            code,
        },
    )
}

/// Why a page cannot be shown, rendered as the one error page with the right status.
#[derive(Debug)]
pub(crate) enum PageError {
    /// Not signed in: to the login page, which comes back to this path.
    SignIn(String),
    /// 404, with a sentence saying what is not there.
    NotFound(&'static str),
    /// 403: a form whose CSRF token or origin is wrong (expired, or not sent from here).
    ExpiredForm,
    /// 422: what was asked for cannot be made as it stands; the sentence says why.
    Unwritable(String),
    /// The server's side failed.
    Failure(Failure),
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            Self::SignIn(here) => {
                let query = form_urlencoded::Serializer::new(String::new())
                    .append_pair("return_to", &here)
                    .finish();
                let mut response = crate::oauth::authorize::redirect(&format!("/login?{query}"));
                *response.status_mut() = StatusCode::SEE_OTHER;
                response
            }
            Self::NotFound(message) => {
                error_page(StatusCode::NOT_FOUND, "Not found", message, None)
            }
            Self::Unwritable(message) => error_page(
                StatusCode::UNPROCESSABLE_ENTITY,
                "This cannot be made",
                &message,
                None,
            ),
            Self::ExpiredForm => error_page(
                StatusCode::FORBIDDEN,
                "Please try again",
                "This form expired or was not sent from Paceline. Go back, reload the page and \
                 try again.",
                None,
            ),
            Self::Failure(failure) => failure.respond(
                || {
                    error_page(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "Paceline is unavailable",
                        "The server cannot reach its database just now; try again in a moment.",
                        None,
                    )
                },
                |id| {
                    error_page(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "Something went wrong",
                        "The server failed to show this page. If it happens again, tell the \
                         operator the error code below.",
                        Some(id),
                    )
                },
            ),
        }
    }
}

impl PageError {
    /// A failure of the server's own: a 500 with an error id, the cause logged.
    pub(crate) fn internal(cause: impl std::fmt::Display) -> Self {
        Self::Failure(Failure::internal(cause))
    }
}

impl From<Failure> for PageError {
    fn from(failure: Failure) -> Self {
        Self::Failure(failure)
    }
}

impl From<paceline_domain::StoreError> for PageError {
    fn from(error: paceline_domain::StoreError) -> Self {
        Self::Failure(error.into())
    }
}

/// `GET /static/paceline.css`: the one stylesheet, bundled into the binary.
pub(crate) async fn get_stylesheet() -> Response {
    asset(
        include_bytes!("../static/paceline.css"),
        "text/css; charset=utf-8",
    )
}

/// `GET /static/paceline.js`: the pages' few enhancements (chart read-outs, dropping files
/// to upload); every page works without it.
pub(crate) async fn get_script() -> Response {
    asset(
        include_bytes!("../static/paceline.js"),
        "text/javascript; charset=utf-8",
    )
}

/// `GET /static/favicon.svg`: the icon the pages name.
pub(crate) async fn get_icon() -> Response {
    asset(include_bytes!("../static/favicon.svg"), "image/svg+xml")
}

/// `GET /favicon.ico`: the same icon (16 and 32 px), for whatever asks the conventional path.
pub(crate) async fn get_favicon() -> Response {
    asset(include_bytes!("../static/favicon.ico"), "image/x-icon")
}

/// A file bundled into the binary, cacheable for an hour.
fn asset(bytes: &'static [u8], content_type: &'static str) -> Response {
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// Cookies: reading the request's, writing `Set-Cookie` values.
pub(crate) mod cookies {
    use axum::http::{HeaderMap, HeaderValue, header};

    /// The cookie's name on the wire: with the `__Host-` prefix over TLS, which binds it to
    /// this host, path `/` and secure transport.
    fn wire_name(name: &str, secure: bool) -> String {
        if secure {
            format!("__Host-{name}")
        } else {
            name.to_owned()
        }
    }

    /// The value of cookie `name`, if the request carries it.
    pub(crate) fn get<'a>(headers: &'a HeaderMap, name: &str, secure: bool) -> Option<&'a str> {
        let name = wire_name(name, secure);
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(key, _)| *key == name.as_str())
            .map(|(_, value)| value)
    }

    /// A `Set-Cookie` value: HttpOnly, SameSite=Lax, whole site, Secure over TLS.
    pub(crate) fn set(
        name: &str,
        value: &str,
        max_age_seconds: i64,
        secure: bool,
    ) -> Option<HeaderValue> {
        let name = wire_name(name, secure);
        let secure = if secure { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_seconds}{secure}"
        ))
        .ok()
    }

    /// A `Set-Cookie` value that deletes cookie `name`.
    pub(crate) fn clear(name: &str, secure: bool) -> Option<HeaderValue> {
        set(name, "", 0, secure)
    }
}

/// Reference prose, written with Markdown's inline code spans (`like this`), as HTML: the
/// text escaped, each span in `<code>`; a lone backtick stays as it is. Templates show it
/// with `|safe`.
pub(crate) fn prose(text: &str) -> String {
    let mut html = String::with_capacity(text.len() + 16);
    let spans = text.matches('`').count() / 2;
    let mut parts = text.split('`');
    if let Some(first) = parts.next() {
        escape_into(&mut html, first);
    }
    for (i, part) in parts.enumerate() {
        if i < spans * 2 {
            // Odd-numbered parts open a span, even-numbered ones follow it.
            if i % 2 == 0 {
                html.push_str("<code>");
                escape_into(&mut html, part);
                html.push_str("</code>");
            } else {
                escape_into(&mut html, part);
            }
        } else {
            html.push('`');
            escape_into(&mut html, part);
        }
    }
    html
}

fn escape_into(html: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => html.push_str("&amp;"),
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '"' => html.push_str("&quot;"),
            '\'' => html.push_str("&#39;"),
            c => html.push(c),
        }
    }
}

#[cfg(test)]
mod tests;
