//! How a request reached the server: over TLS or not, and from which client. Behind a
//! reverse proxy the connection's peer is the proxy; its `Forwarded` (RFC 7239) or
//! `X-Forwarded-For`/`X-Forwarded-Proto` headers are believed only when the peer is one of
//! the configured trusted proxies, so nobody else can claim an address or a scheme.

use crate::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

/// The addresses whose forwarded headers are believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Proxies from networks (`10.0.0.0/8`) or single addresses (`127.0.0.1`, `::1`).
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> Result<Self, String> {
        entries
            .iter()
            .map(|entry| {
                let entry = entry.as_ref().trim();
                IpNet::from_str(entry)
                    .or_else(|_| IpAddr::from_str(entry).map(IpNet::from))
                    .map_err(|_| format!("`{entry}` is neither an IP address nor a network"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    /// Whether `ip` is one of them.
    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Set on every request that came over the server's own TLS.
#[derive(Debug, Clone, Copy)]
pub struct OverTls;

/// Who sent a request, and whether it travelled over HTTPS to the server or to the trusted
/// proxy in front of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Client {
    /// The client's address, when known.
    pub(crate) ip: Option<IpAddr>,
    /// Whether the client's connection was HTTPS.
    pub(crate) https: bool,
}

/// One hop a proxy recorded: the address it received from, and the scheme.
#[derive(Debug, Default)]
struct Hop {
    client: Option<IpAddr>,
    proto: Option<String>,
}

/// An address as `Forwarded` writes it: `192.0.2.60`, `"[2001:db8::1]:4711"`,
/// `"192.0.2.60:80"`; obfuscated names and `unknown` are none.
fn node(text: &str) -> Option<IpAddr> {
    let text = text.trim().trim_matches('"');
    if let Some(rest) = text.strip_prefix('[') {
        return rest.split_once(']').and_then(|(ip, _)| ip.parse().ok());
    }
    text.parse()
        .ok()
        .or_else(|| text.parse::<SocketAddr>().ok().map(|a| a.ip()))
}

/// The hops of `Forwarded`, nearest last.
fn forwarded(headers: &HeaderMap) -> Vec<Hop> {
    let mut hops = Vec::new();
    for value in headers.get_all(header::FORWARDED) {
        let Ok(value) = value.to_str() else { continue };
        for element in value.split(',') {
            let mut hop = Hop::default();
            for pair in element.split(';') {
                let Some((name, value)) = pair.split_once('=') else {
                    continue;
                };
                match name.trim().to_ascii_lowercase().as_str() {
                    "for" => hop.client = node(value),
                    "proto" => {
                        hop.proto = Some(value.trim().trim_matches('"').to_ascii_lowercase())
                    }
                    _ => {}
                }
            }
            hops.push(hop);
        }
    }
    hops
}

/// The hops of `X-Forwarded-For` and `X-Forwarded-Proto`, nearest last.
fn x_forwarded(headers: &HeaderMap) -> Vec<Hop> {
    let list = |name: &str| -> Vec<String> {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|v| v.trim().to_owned())
            .collect()
    };
    let clients = list("x-forwarded-for");
    let proto = list("x-forwarded-proto")
        .pop()
        .map(|p| p.to_ascii_lowercase());
    let count = clients.len();
    clients
        .into_iter()
        .enumerate()
        .map(|(i, client)| Hop {
            client: node(&client),
            // The nearest proxy says how the request reached it.
            proto: (i + 1 == count).then(|| proto.clone()).flatten(),
        })
        .collect()
}

/// The client of a request from `peer`, over TLS (`tls`) or not.
pub(crate) fn client(
    headers: &HeaderMap,
    peer: Option<IpAddr>,
    tls: bool,
    proxies: &TrustedProxies,
) -> Client {
    let plain = Client {
        ip: peer,
        https: tls,
    };
    let Some(peer) = peer.filter(|ip| proxies.trusts(*ip)) else {
        return plain;
    };
    let mut hops = forwarded(headers);
    if hops.is_empty() {
        hops = x_forwarded(headers);
    }
    let Some(nearest) = hops.last() else {
        return plain;
    };
    let https = match nearest.proto.as_deref() {
        Some(proto) => proto == "https",
        None => tls,
    };
    // Walk back from the nearest hop while each address is itself a trusted proxy.
    let mut ip = peer;
    for hop in hops.iter().rev() {
        match hop.client {
            Some(client) => {
                ip = client;
                if !proxies.trusts(client) {
                    break;
                }
            }
            None => break,
        }
    }
    Client {
        ip: Some(ip),
        https,
    }
}

/// The client of a request as the server received it.
pub(crate) fn client_of(
    request_headers: &HeaderMap,
    extensions: &axum::http::Extensions,
    proxies: &TrustedProxies,
) -> Client {
    let peer = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    let tls = extensions.get::<OverTls>().is_some();
    client(request_headers, peer, tls, proxies)
}

/// `Strict-Transport-Security` for a year on every answer to a request that came over
/// HTTPS (to the server, or to a trusted proxy that says so); never over plain HTTP, where
/// it would mean nothing (RFC 6797 §7.2).
pub(crate) async fn strict_transport(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let https = client_of(request.headers(), request.extensions(), &state.proxies).https;
    let mut response = next.run(request).await;
    if https {
        response
            .headers_mut()
            .entry(header::STRICT_TRANSPORT_SECURITY)
            .or_insert(HeaderValue::from_static("max-age=31536000"));
    }
    response
}

/// The 308 of the plain-HTTP listener: the same path and query over HTTPS.
pub(crate) fn redirect(
    origin: Option<&str>,
    https_port: u16,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
) -> Response {
    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let origin = match origin {
        Some(origin) => origin.trim_end_matches('/').to_owned(),
        None => {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .and_then(|h| h.parse::<axum::http::uri::Authority>().ok());
            let Some(host) = host else {
                return (StatusCode::BAD_REQUEST, "A Host header is needed.").into_response();
            };
            match https_port {
                443 => format!("https://{}", host.host()),
                port if host.host().contains(':') => format!("https://[{}]:{port}", host.host()),
                port => format!("https://{}:{port}", host.host()),
            }
        }
    };
    match HeaderValue::from_str(&format!("{origin}{path}")) {
        Ok(location) => (
            StatusCode::PERMANENT_REDIRECT,
            [(header::LOCATION, location)],
        )
            .into_response(),
        Err(_) => (StatusCode::BAD_REQUEST, "A malformed request.").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn forwarded_headers_are_believed_only_from_trusted_proxies() {
        let proxies = TrustedProxies::parse(&["10.0.0.0/8", "127.0.0.1"]).unwrap();
        let claim = headers(&[("forwarded", "for=192.0.2.60;proto=https")]);
        // From a stranger: the peer, and the connection's own scheme.
        let stranger = client(&claim, Some(ip("203.0.113.9")), false, &proxies);
        assert_eq!(
            stranger,
            Client {
                ip: Some(ip("203.0.113.9")),
                https: false
            }
        );
        // From the proxy: what it says.
        let proxied = client(&claim, Some(ip("10.1.2.3")), false, &proxies);
        assert_eq!(
            proxied,
            Client {
                ip: Some(ip("192.0.2.60")),
                https: true
            }
        );
        // Nobody trusted: nothing believed.
        let none = client(
            &claim,
            Some(ip("10.1.2.3")),
            false,
            &TrustedProxies::default(),
        );
        assert_eq!(none.ip, Some(ip("10.1.2.3")));
    }

    #[test]
    fn the_first_untrusted_hop_is_the_client() {
        let proxies = TrustedProxies::parse(&["10.0.0.0/8"]).unwrap();
        // A client spoofs a first hop; two trusted proxies add theirs.
        let chain = headers(&[
            ("x-forwarded-for", "1.1.1.1, 198.51.100.7, 10.0.0.5"),
            ("x-forwarded-proto", "https"),
        ]);
        let seen = client(&chain, Some(ip("10.0.0.6")), false, &proxies);
        assert_eq!(
            seen,
            Client {
                ip: Some(ip("198.51.100.7")),
                https: true
            }
        );
        let v6 = headers(&[("forwarded", "for=\"[2001:db8::1]:4711\";proto=http")]);
        let seen = client(&v6, Some(ip("::ffff:10.0.0.1")), true, &proxies);
        assert_eq!(
            seen,
            Client {
                ip: Some(ip("2001:db8::1")),
                https: false
            }
        );
    }

    #[test]
    fn proxies_are_networks_or_addresses() {
        assert!(TrustedProxies::parse(&["192.168.0.0/16", "::1", "fd00::/8"]).is_ok());
        assert!(TrustedProxies::parse(&["localhost"]).is_err());
        assert!(TrustedProxies::parse(&["10.0.0.0/33"]).is_err());
    }
}
