//! A minimal browser for driving the pages over HTTP: keeps cookies, never follows
//! redirects, and reads hidden form fields. A path may be a whole URL, so one browser (one
//! cookie jar) can move between several servers, as one behind a load balancer would.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;
use std::collections::BTreeMap;

/// A cookie jar and an HTTP client that follows no redirect.
pub struct Browser {
    /// The client.
    pub client: reqwest::Client,
    /// Where paths that are not whole URLs are sent.
    pub base: String,
    /// The cookies kept, by name.
    pub cookies: BTreeMap<String, String>,
    /// Every Set-Cookie header received, for attribute checks.
    pub set_cookies: Vec<String>,
}

/// An answer: its status, headers and body.
pub struct Page {
    /// The status code.
    pub status: u16,
    /// The headers.
    pub headers: reqwest::header::HeaderMap,
    /// The body as text.
    pub body: String,
}

impl Page {
    /// The `Location` header, or an empty string.
    pub fn location(&self) -> &str {
        self.headers
            .get(LOCATION)
            .map(|v| v.to_str().unwrap())
            .unwrap_or("")
    }

    /// The value of the hidden or text input `name` in the page's HTML.
    pub fn field(&self, name: &str) -> String {
        let marker = format!("name=\"{name}\"");
        let at = self
            .body
            .find(&marker)
            .unwrap_or_else(|| panic!("no field {name} in:\n{}", self.body));
        let tag_end = self.body[at..].find('>').unwrap() + at;
        let value = self.body[at..tag_end].find("value=\"").unwrap() + at + "value=\"".len();
        let end = self.body[value..].find('"').unwrap() + value;
        unescape(&self.body[value..end])
    }
}

/// Undoes askama's HTML escaping.
fn unescape(text: &str) -> String {
    text.replace("&#38;", "&")
        .replace("&amp;", "&")
        .replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

impl Browser {
    /// A browser with no cookies yet, sending paths to `base`.
    pub fn new(base: &str) -> Self {
        Self {
            client: reqwest::Client::builder()
                .redirect(Policy::none())
                .build()
                .unwrap(),
            base: base.to_owned(),
            cookies: BTreeMap::new(),
            set_cookies: Vec::new(),
        }
    }

    fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn finish(&mut self, response: reqwest::Response) -> Page {
        for value in response.headers().get_all(SET_COOKIE) {
            let text = value.to_str().unwrap().to_owned();
            let pair = text.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
            self.set_cookies.push(text);
        }
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.text().await.unwrap();
        Page {
            status,
            headers,
            body,
        }
    }

    async fn send_get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .header(COOKIE, self.cookie_header())
            .send()
            .await
            .unwrap()
    }

    /// Gets `path`.
    pub async fn get(&mut self, path: &str) -> Page {
        let response = self.send_get(path).await;
        self.finish(response).await
    }

    /// Posts a form to `path`.
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let response = self
            .client
            .post(self.url(path))
            .header(COOKIE, self.cookie_header())
            .form(fields)
            .send()
            .await
            .unwrap();
        self.finish(response).await
    }

    /// The bytes at `path`, with the answer's status.
    pub async fn download(&mut self, path: &str) -> (u16, Vec<u8>) {
        let response = self.send_get(path).await;
        let status = response.status().as_u16();
        (status, response.bytes().await.unwrap().to_vec())
    }

    /// Posts a multipart form to `path`.
    pub async fn post_multipart(&mut self, path: &str, form: reqwest::multipart::Form) -> Page {
        let response = self
            .client
            .post(self.url(path))
            .header(COOKIE, self.cookie_header())
            .multipart(form)
            .send()
            .await
            .unwrap();
        self.finish(response).await
    }
}
